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

describe('postern directsend plan --verify', () => {
  const dataDir = tempDir('postern-verify-');
  const ok = (args: string[]): string => {
    const r = runCli(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const replay = (args: string[]) =>
    JSON.parse(ok(['directsend', 'plan', '-o', 'Contoso', '-d', dataDir, '--verify', '-f', 'json', ...args])) as { IpRange: string; SenderMailFromDomain: string; Classification: string; Trusted: boolean; Recipients: number; Accepted: number; AssumedTls: number; Quarantined: number; Refused: number; RefusedWith: Record<string, number> }[];

  beforeAll(() => {
    const fabrikam = InboundConnector.parse({ Name: 'Fabrikam partner', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['198.18.7.0/24'], RestrictDomainsToIPAddresses: true });
    importOrgs(dataDir, [contoso({ InboundConnectors: [fabrikam] })]);
    ok(['import', ...shiftedFixtures(tempDir('postern-exports-')), '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
  });

  // The forged mail is refused with 5.7.51, not 5.7.68: the plan's restricting connector for
  // contoso.com refuses contoso.com from any other IP before Reject Direct Send is reached (admission.ts).
  it('replays the period: printers and the SaaS sender accepted, forged own-domain mail refused, the rest quarantined', () => {
    const rows = replay(['--exclude', '192.0.2.0/24']);
    const line = (r: (typeof rows)[number]) => `${r.IpRange} ${r.SenderMailFromDomain} ${r.Classification} trusted=${r.Trusted} ${r.Recipients}: accepted ${r.Accepted} (TLS assumed ${r.AssumedTls}), quarantined ${r.Quarantined}, refused ${JSON.stringify(r.RefusedWith)}`;
    expect(rows.map(line)).toEqual([
      '192.0.2.0/24 contoso.com OwnDomain trusted=false 3: accepted 0 (TLS assumed 0), quarantined 0, refused {"5.7.51":3}', // the forged mail
      '198.18.7.0/24 fabrikam.com Connector trusted=true 3: accepted 3 (TLS assumed 3), quarantined 0, refused {}', // the partner, through its connector
      '198.18.9.0/24 litware.example Unknown trusted=false 1: accepted 0 (TLS assumed 0), quarantined 1, refused {}', // the article's rule
      '198.51.100.0/24 contoso.com OwnDomain trusted=true 6: accepted 6 (TLS assumed 6), quarantined 0, refused {}', // the printers
      '203.0.113.0/24 contoso.com OwnDomain trusted=true 3: accepted 3 (TLS assumed 3), quarantined 0, refused {}', // the SaaS billing service
    ]);
    // The replay is in memory: the stored configuration is as it was.
    const config = ok(['shell', '-c', 'Get-InboundConnector | Format-List Name; Get-TransportRule | Format-List Name; Get-OrganizationConfig | Format-List RejectDirectSend', '--organization', 'Contoso', '-d', dataDir]);
    expect(config).not.toMatch(/Direct Send contoso\.com|Redirect to quarantine/);
    expect(config).toMatch(/RejectDirectSend\s*: False/);
  });

  it('an own-domain sender no connector names is refused by Reject Direct Send (5.7.68)', () => {
    const rows = replay(['--exclude', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']);
    expect(rows.filter((r) => r.SenderMailFromDomain === 'contoso.com').map((r) => [r.IpRange, r.RefusedWith])).toEqual([
      ['192.0.2.0/24', { '5.7.68': 3 }],
      ['198.51.100.0/24', { '5.7.68': 6 }],
      ['203.0.113.0/24', { '5.7.68': 3 }],
    ]);
  });

  it('without --exclude the forged range is trusted too, and the table says so', () => {
    const rows = replay([]);
    expect(rows.find((r) => r.IpRange === '192.0.2.0/24')).toMatchObject({ Trusted: true, Accepted: 3, Refused: 0 });
    const report = join(tempDir('postern-report-'), 'plan.md');
    const table = ok(['directsend', 'plan', '-o', 'Contoso', '-d', dataDir, '--verify', '--report', report]);
    expect(table).toMatch(/Under the plan, every trusted sender group is accepted/);
    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/^# Direct Send plan for Contoso/);
    expect(md).toMatch(/\| OwnDomain \| {2}\| 198\.51\.100\.0\/24 \| contoso\.com \| yes \| 5 \| 6 \|/);
    expect(md).toMatch(/\| Unknown \| {2}\| 198\.18\.9\.0\/24 \| litware\.example \| no: not trusted: will be refused \|/);
    expect(md).toContain('```powershell\n# Direct Send hardening for Contoso');
    expect(md).toContain('Set-OrganizationConfig -RejectDirectSend $true\n```');
    expect(md).toMatch(/## Replay of the period under the plan/);
  });
});
