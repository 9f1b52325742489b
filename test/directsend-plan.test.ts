// `postern directsend plan` end to end on the fixture exports: the hardening script it writes runs
// unchanged in `postern shell -File` and leaves the connectors, the article's quarantine rule and
// Reject Direct Send in place; `--verify` replays the evidence through that configuration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InboundConnector } from '../src/config/inboundConnector.js';
import { shiftedFixtures } from './support/exports.js';
import { contoso, importOrgs, runCli, tempDir } from './support/postern.js';

describe('postern directsend plan --script', () => {
  const dataDir = tempDir('postern-plan-');
  const work = tempDir('postern-plan-work-');
  const ok = (args: string[]): string => {
    const r = runCli(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    const fabrikam = InboundConnector.parse({ Name: 'Fabrikam partner', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['198.18.7.0/24'], RestrictDomainsToIPAddresses: true });
    importOrgs(dataDir, [contoso({ InboundConnectors: [fabrikam] })]);
    ok(['import', ...shiftedFixtures(tempDir('postern-exports-')), '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
  });

  it('writes the ordered script: connectors for the trusted senders, the article rule with their ranges, Reject Direct Send', () => {
    const file = join(work, 'harden.ps1');
    ok(['directsend', 'plan', '-o', 'Contoso', '-d', dataDir, '--script', file, '--exclude', '192.0.2.0/24']);
    const commands = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(commands).toEqual([
      "New-InboundConnector -Name 'Direct Send contoso.com' -ConnectorType Partner -SenderDomains contoso.com -SenderIPAddresses 198.51.100.0/24,203.0.113.0/24 -RestrictDomainsToIPAddresses $true",
      "New-TransportRule -Name \"Redirect to quarantine if not coming from known IPs\" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' \u2013ExceptIfSenderIpRanges \u2018198.18.7.0/24,198.51.100.0/24,203.0.113.0/24 ' -StopRuleProcessing $true -Priority 0",
      'Set-OrganizationConfig -RejectDirectSend $true',
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/# +192\.0\.2\.0\/24 contoso\.com \(OwnDomain, 3 message\(s\)\): excluded by the admin: will be refused/);
    expect(text).toMatch(/# +198\.18\.9\.0\/24 litware\.example \(Unknown, 1 message\(s\)\): not trusted: will be refused/);
  });

  it('the script runs unchanged in postern shell and leaves the connector, the rule and Reject Direct Send in place', () => {
    const file = join(work, 'harden.ps1');
    ok(['shell', '-File', file, '--organization', 'Contoso', '-d', dataDir]);
    const out = ok(['shell', '-c', "Get-InboundConnector 'Direct Send contoso.com' | Format-List Name,ConnectorType,SenderDomains,SenderIPAddresses,RestrictDomainsToIPAddresses; Get-TransportRule | Format-List Name,Quarantine,ExceptIfSenderIpRanges,Priority; Get-OrganizationConfig | Format-List RejectDirectSend", '--organization', 'Contoso', '-d', dataDir]);
    expect(out).toMatch(/SenderIPAddresses\s*: \{198\.51\.100\.0\/24, 203\.0\.113\.0\/24\}/);
    expect(out).toMatch(/RestrictDomainsToIPAddresses\s*: True/);
    expect(out).toMatch(/Name\s*: Redirect to quarantine if not coming from known IPs/);
    expect(out).toMatch(/ExceptIfSenderIpRanges\s*: \{198\.18\.7\.0\/24, 198\.51\.100\.0\/24, 203\.0\.113\.0\/24\}/);
    expect(out).toMatch(/RejectDirectSend\s*: True/);
  });
});
