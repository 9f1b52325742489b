// `postern config import` end to end: keys typed in PowerShell's casing take effect on the live
// gateway, misspelled ones are refused before anything is written, and a change that weakens a
// defence is shown and must be confirmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, initDataDir, runCli, startPostern, swaks, tempDir, type Running } from './support/postern.js';

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

/** `config import` on a terminal (a pseudo-terminal from script(1)), answering its question with `answer`. */
function importOnTerminal(dataDir: string, file: string, answer: string): Promise<{ status: number | null; out: string }> {
  const child = spawn('script', ['-qec', `${process.execPath} ${CLI} config import ${file} -d ${dataDir}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let answered = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (!answered && out.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, out })));
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
    initDataDir(dir);
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
    initDataDir(dir);
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

describe('config import shows what it will change and guards weakening changes', () => {
  const restricted = contosoYaml(`    Config:
      RejectDirectSend: true
    InboundConnectors:
      - Name: Fabrikam partner
        Guid: 11111111-1111-4111-8111-111111111111
        SenderDomains: fabrikam.com
        SenderIPAddresses: 192.0.2.0/28
        RestrictDomainsToIPAddresses: true
`);
  const weakened = restricted.replace('RejectDirectSend: true', 'RejectDirectSend: false').replace('192.0.2.0/28', '192.0.2.0/24');

  function freshStore(): string {
    const dir = tempDir();
    initDataDir(dir);
    expect(importFile(dir, 'start.yaml', restricted).status).toBe(0);
    return dir;
  }

  it('--dry-run prints the diff, old → new, with the weakening changes marked, and writes nothing', () => {
    const dir = freshStore();
    const before = exportConfig(dir);
    const r = importFile(dir, 'weaker.yaml', weakened, '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "~ Organization 'Contoso'",
        "    ~ Config.RejectDirectSend: True → False   WEAKENS: Reject Direct Send turned off: mail that forges the organization's domains without a connector is accepted again",
        "    ~ InboundConnector 'Fabrikam partner'.SenderIPAddresses: 192.0.2.0/28 → 192.0.2.0/24   WEAKENS: trusted IP ranges widened: 192.0.2.0/24",
        '',
      ].join('\n'),
    );
    expect(exportConfig(dir)).toBe(before);
  });

  it('refuses a weakening import when standard input is not a terminal, saying to use --yes; nothing changes', () => {
    const dir = freshStore();
    const before = exportConfig(dir);
    const r = importFile(dir, 'weaker.yaml', weakened);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Configuration not imported: 2 change(s) above weaken a defence (marked WEAKENS). Standard input is not a terminal, so nobody could confirm: review the changes and run again with --yes to import anyway.\n');
    expect(exportConfig(dir)).toBe(before);
  });

  it('imports a weakening change with --yes, and a change that only strengthens without asking', () => {
    const dir = freshStore();
    const yes = importFile(dir, 'weaker.yaml', weakened, '--yes');
    expect(yes.status).toBe(0);
    expect(yes.stdout).toContain('Imported 1 organization(s)');
    expect(exportConfig(dir)).toContain('RejectDirectSend: false');
    const stronger = importFile(dir, 'stronger.yaml', restricted);
    expect(stronger.status).toBe(0);
    expect(stronger.stdout).toContain("~ Config.RejectDirectSend: False → True\n");
    expect(exportConfig(dir)).toContain('RejectDirectSend: true');
  });

  it('asks on a terminal: no leaves the configuration as it was, yes imports', async () => {
    const dir = freshStore();
    const before = exportConfig(dir);
    const file = join(dir, 'weaker.yaml');
    writeFileSync(file, weakened);
    const no = await importOnTerminal(dir, file, 'n');
    expect(no.out).toContain('2 change(s) above weaken a defence (marked WEAKENS). Import anyway? [y/N]');
    expect(no.out).toContain('Configuration not imported: 2 change(s) above weaken a defence (marked WEAKENS). Nothing was changed.');
    expect(no.status).toBe(1);
    expect(exportConfig(dir)).toBe(before);
    const yes = await importOnTerminal(dir, file, 'y');
    expect(yes.out).toContain('Imported 1 organization(s)');
    expect(yes.status).toBe(0);
    expect(exportConfig(dir)).toContain('RejectDirectSend: false');
  });
});
