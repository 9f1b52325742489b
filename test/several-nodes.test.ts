// Several nodes on one PostgreSQL: two `postern serve` processes, each with its own data directory
// and ports, share their configuration. A connector created through node B's REST API refuses
// mail on node A within a second (5.7.51); Reject Direct Send turned on through `postern shell`
// on node A's data directory refuses Direct Send on node B (5.7.68). The rest of a node's state
// (queue, trace, quarantine, admin users) stays in its own data directory for now.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/testing/postgres.js';
import { ApiClient, firstLogin } from './support/api.js';
import { contoso, importOrgs, initDataDir, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

const db = useTestDatabase();
let a: Running;
let b: Running;

/** A data directory whose settings name the shared store, as an operator sets up a node. */
function nodeDir(): string {
  const dir = tempDir();
  initDataDir(dir);
  writeFileSync(join(dir, 'postern.yaml'), `store: ${db.url()}\n`);
  return dir;
}

const send = (node: Running, from: string, to = 'user@contoso.com') => swaks(['--server', `127.0.0.1:${node.smtpPort}`, '--from', from, '--to', to]).out;
const configVersion = async (node: Running): Promise<number> => (await ApiClient.for(node).get('/health')).body.configVersion;

beforeAll(async () => {
  const migrated = runCli(['migrate', '--store', db.url()]);
  expect(migrated.stderr).toBe('');
  const dirA = nodeDir();
  // The organization goes into PostgreSQL through `config import` on node A's data directory.
  importOrgs(dirA, [contoso()]);
  [a, b] = await Promise.all([startPostern(dirA, { store: db.url() }), startPostern(nodeDir(), { store: db.url() })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('two postern serve nodes on one PostgreSQL', () => {
  it('both serve the organization imported through one of them, and say their store answers', async () => {
    expect(await configVersion(a)).toBe(await configVersion(b));
    for (const node of [a, b]) expect((await ApiClient.for(node).get('/health')).body).toMatchObject({ status: 'ok', configStore: { engine: 'postgres', reachable: true } });
    expect(send(b, 'someone@partner.example')).toMatch(/<- {2}250 2\.0\.0/);
  });

  it("a connector created through node B's REST API refuses mail on node A within a second (5.7.51)", async () => {
    expect(send(a, 'someone@fabrikam.com')).toMatch(/<- {2}250 2\.0\.0/);
    const api = ApiClient.for(b);
    const login = firstLogin(b);
    expect((await api.login(login.userName, login.password)).status).toBe(200);
    const created = await api.post('/api/organizations/Contoso/inbound-connectors', { Name: 'Fabrikam', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['192.0.2.0/24'], RestrictDomainsToIPAddresses: true });
    expect(created.status, created.text).toBe(201);
    const changed = Date.now();
    const version = await configVersion(b);
    await waitFor(async () => (await configVersion(a)) >= version, 5_000, "node A's configuration to reach the version node B wrote");
    expect(Date.now() - changed).toBeLessThan(1000);
    expect(send(a, 'someone@fabrikam.com')).toContain('<** 550 5.7.51 TenantInboundAttribution;');
  });

  it("Reject Direct Send turned on through node A's shell refuses Direct Send on node B (5.7.68)", async () => {
    expect(send(b, 'ceo@contoso.com', 'finance@contoso.com')).toMatch(/<- {2}250 2\.0\.0/);
    const r = runCli(['shell', '-d', a.dataDir, '-c', 'Set-OrganizationConfig -RejectDirectSend $true']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const changed = Date.now();
    const refused = await waitFor(() => {
      const out = send(b, 'ceo@contoso.com', 'finance@contoso.com');
      return out.includes('5.7.68') && out;
    }, 5_000, 'Reject Direct Send on node B');
    expect(Date.now() - changed).toBeLessThan(2000);
    expect(refused).toContain('<** 550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources');
    // Node A's shell and node B read one configuration.
    const shown = runCli(['shell', '-d', b.dataDir, '-c', '(Get-OrganizationConfig).RejectDirectSend']);
    expect(shown.stdout.trim()).toBe('True');
    // So does `postern simulate` on either data directory.
    const simulated = runCli(['simulate', '-d', b.dataDir, '--client-ip', '203.0.113.9', '--mail-from', 'ceo@contoso.com', '--rcpt', 'finance@contoso.com']);
    expect(simulated.status, simulated.stderr).toBe(2);
    expect(simulated.stdout).toContain('5.7.68');
  });

  it('config export and the shell read the store the settings name: the data directory\'s, or the one --config gives', () => {
    // The connector was made through node B's API; node A's data directory exports it.
    expect(runCli(['config', 'export', '-d', a.dataDir]).stdout).toContain('- Name: Fabrikam');
    // A data directory of its own, with the settings of node B: the shared configuration.
    const other = tempDir();
    initDataDir(other);
    const settings = join(b.dataDir, 'postern.yaml');
    expect(runCli(['config', 'export', '-d', other]).stdout).toContain('organizations: []');
    expect(runCli(['config', 'export', '-d', other, '--config', settings]).stdout).toContain('Name: Contoso');
    const shell = runCli(['shell', '-d', other, '--config', settings, '-c', '(Get-InboundConnector).Name']);
    expect(shell.stderr).toBe('');
    expect(shell.stdout.trim()).toBe('Fabrikam');
  });

  it("postern status names the database, its schema and configuration versions, and each node's version, queue and heartbeat", async () => {
    const version = await configVersion(b);
    const r = runCli(['status', '-d', b.dataDir]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Store           PostgreSQL at ${db.url()}: schema version 3 (this release: 3), configuration version ${version}\nNodes           2 running\n`);
    for (const node of [a, b]) expect(r.stdout).toMatch(new RegExp(`^ {16}\\S+ pid ${node.proc.pid}: configuration version ${version}, queue \\d+, last heartbeat \\d+ s ago$`, 'm'));
    const json = JSON.parse(runCli(['status', '-d', a.dataDir, '--format', 'json']).stdout);
    expect(json.store).toMatchObject({ engine: 'postgres', schemaVersion: 3, configVersion: version });
    expect(json.store.nodes.map((n: { pid: number }) => n.pid).sort()).toEqual([a.proc.pid, b.proc.pid].sort());
  });

  it('a node stopped leaves the list of nodes, closes its connections to PostgreSQL and exits', async () => {
    expect(await a.stop()).toBe(0);
    expect(a.log.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    const json = JSON.parse(runCli(['status', '-d', b.dataDir, '--format', 'json']).stdout);
    expect(json.store.nodes.map((n: { pid: number }) => n.pid)).toEqual([b.proc.pid]);
  });
});
