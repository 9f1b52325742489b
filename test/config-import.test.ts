// `postern config import` end to end: keys typed in PowerShell's casing take effect on the live
// gateway, misspelled ones are refused before anything is written, and a change that weakens a
// defence is shown and must be confirmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startPostern, swaks, tempDir, type Running } from './support/postern.js';

const GUID = '7b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e';

/** Contoso with Maildir delivery; `extra` is YAML appended to the organization, as an admin writes it. */
function contosoYaml(extra: string): string {
  return `organizations:
  - Name: Contoso
    Guid: ${GUID}
    AcceptedDomains:
      - DomainName: contoso.com
    Delivery:
      kind: maildir
      path: maildir
${extra}`;
}

const PARTNER_MISCASED = `    InboundConnectors:
      - Name: Fabrikam partner
        SenderDomains: fabrikam.com
        SenderIPAddresses: 192.0.2.0/24
        RestrictDomainsToIpAddresses: true
        RequireTls: false
`;
const REJECT_DIRECT_SEND_MISCASED = `    Config:
      RejectDirectsend: true
`;

function importFile(dataDir: string, name: string, text: string, ...flags: string[]) {
  const file = join(dataDir, name);
  writeFileSync(file, text);
  return { file, ...runCli(['config', 'import', file, '-d', dataDir, ...flags]) };
}

function exportConfig(dataDir: string): string {
  const r = runCli(['config', 'export', '-d', dataDir]);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('config import: keys in any casing reach the live gateway', () => {
  let pg: Running;
  beforeAll(async () => {
    const dir = tempDir();
    expect(importFile(dir, 'orgs.yaml', contosoYaml(PARTNER_MISCASED + REJECT_DIRECT_SEND_MISCASED)).status).toBe(0);
    pg = await startPostern(dir);
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('RestrictDomainsToIpAddresses: true restricts the partner connector: fabrikam.com from outside 192.0.2.0/24 is refused with 5.7.51', () => {
    const r = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'billing@fabrikam.com', '--to', 'alice@contoso.com']);
    expect(r.out).toMatch(/<\*\* 5\d\d 5\.7\.51 /);
    expect(exportConfig(pg.dataDir)).toContain('RestrictDomainsToIPAddresses: true');
  });

  it('RejectDirectsend: true turns Reject Direct Send on: a Direct Send forging contoso.com is refused with 5.7.68', () => {
    const r = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'ceo@contoso.com', '--to', 'alice@contoso.com']);
    expect(r.out).toContain('550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources');
    expect(exportConfig(pg.dataDir)).toContain('RejectDirectSend: true');
  });
});

describe('config import: a misspelled key is refused and nothing is written', () => {
  it('names file:line:column and the closest valid key, exits non-zero, and leaves the store as it was', () => {
    const dir = tempDir();
    expect(importFile(dir, 'good.yaml', contosoYaml(REJECT_DIRECT_SEND_MISCASED)).status).toBe(0);
    const before = exportConfig(dir);
    const r = importFile(dir, 'typo.yaml', contosoYaml(PARTNER_MISCASED.replace('RestrictDomainsToIpAddresses', 'RestrictDomainToIPAddresses')));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${r.file}:13:9: organizations.0.InboundConnectors.0: unknown key 'RestrictDomainToIPAddresses'; did you mean RestrictDomainsToIPAddresses?`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain('Imported');
    expect(exportConfig(dir)).toBe(before);
  });
});
