// Several nodes on one PostgreSQL: a configuration change made through one node reaches the
// others within a second (LISTEN/NOTIFY); a node whose listener loses its connection reconnects
// by itself and catches up on what it missed; writers on different nodes cannot split a domain
// and its subdomain between two organizations.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigWatcher } from '../../cli/configWatcher.js';
import type { Organization } from '../../config/model.js';
import { createTestDatabase, databaseUrl, dropTestDatabase, serverQuery, TEST_PG_URL, useTestDatabase } from '../../testing/postgres.js';
import { DomainInUseError } from '../ports.js';
import { PostgresConfigStore, type PostgresConfigStoreOptions } from './configStore.js';
import { migrate } from './migrate.js';
import { connectPostgres, type Postgres } from './pool.js';

const db = useTestDatabase();
let admin: Postgres;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  admin = connectPostgres(db.url(), { applicationName: 'postern test-admin' });
  await migrate(admin.pool);
  return () => admin.close();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A node: its own pool and listener, named `postern <name>` in pg_stat_activity. */
async function node(name: string, options: PostgresConfigStoreOptions = {}): Promise<PostgresConfigStore> {
  const pg = connectPostgres(db.url(), { applicationName: `postern ${name}` });
  const store = await PostgresConfigStore.open(pg, { backoff: { initialMs: 100, maxMs: 1000 }, ...options });
  closers.push(async () => {
    await store.close();
    await pg.close();
  });
  return store;
}

function org(name: string, ...domains: string[]): Organization {
  return { Name: name, Guid: randomUUID(), AcceptedDomains: domains.map((DomainName) => ({ DomainName })), Delivery: { kind: 'maildir', path: 'maildir' } } as Organization;
}

/** Milliseconds until `seen` holds (checked every 5 ms); fails after `limitMs`. */
async function timeUntil(seen: () => boolean | Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  while (!(await seen())) {
    if (Date.now() - started > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}

async function listenerPid(name: string): Promise<number | undefined> {
  const { rows } = await admin.pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [`postern ${name} config listener`],
  );
  return rows[0]?.pid;
}

describe('configuration shared by several nodes on PostgreSQL', () => {
  it('reaches another node within a second of a save or a removal', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const contoso = org('Contoso', 'contoso.com');
    await a.saveOrganizationAsync(contoso);
    // The writing node reads its own write at once; the other within a second.
    expect(a.organization('Contoso')?.AcceptedDomains[0].DomainName).toBe('contoso.com');
    expect(await timeUntil(() => b.organization('Contoso') !== undefined, 1000)).toBeLessThan(1000);
    expect(b.configVersion()).toBe(a.configVersion());

    await b.saveOrganizationAsync({ ...contoso, Config: { RejectDirectSend: true } });
    await timeUntil(() => a.organization('Contoso')?.Config.RejectDirectSend === true, 1000);
    await a.removeOrganizationAsync(contoso.Guid);
    await timeUntil(() => b.organizations().length === 0, 1000);
  });

  it("reaches the gateway's compiled configuration on another node within a second", async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    // What a serving node runs: the watcher polls the store's version (every 500 ms by default) and recompiles.
    const watcher = new ConfigWatcher(b);
    watcher.start(500);
    closers.push(async () => watcher.stop());
    await a.saveOrganizationAsync({
      ...org('Northwind', 'northwind.test'),
      InboundConnectors: [{ Name: 'Partner by IP', ConnectorType: 'Partner', SenderIPAddresses: ['198.51.100.7'], RestrictDomainsToIPAddresses: true, SenderDomains: ['partner.example'] }],
    } as unknown as Organization);
    const waited = await timeUntil(() => watcher.snapshot().organizations.some((o) => o.Name === 'Northwind'), 1000);
    expect(waited).toBeLessThan(1000);
    expect(watcher.snapshot().version).toBe(a.configVersion());
    expect(watcher.snapshot().organizations.find((o) => o.Name === 'Northwind')!.InboundConnectors[0].SenderIPAddresses).toEqual(['198.51.100.7']);
  });

  it('tells its owner when a new snapshot is in place', async () => {
    const versions: number[] = [];
    const b = await node('node-b', { onChange: (v) => versions.push(v) });
    const a = await node('node-a');
    await a.saveOrganizationAsync(org('Fabrikam'));
    await timeUntil(() => versions.includes(a.configVersion()), 1000);
    expect(b.configVersion()).toBe(a.configVersion());
  });

  it('reconnects a listener whose connection was killed and catches up on the change it missed', async () => {
    const said: string[] = [];
    const logger = { info: (_: object, msg: string) => said.push(msg), warn: (_: object, msg: string) => said.push(msg) };
    const a = await node('node-a');
    const b = await node('node-b', { logger });
    const killed = await listenerPid('node-b');
    expect(killed).toBeDefined();
    const { rows } = await admin.pool.query('SELECT pg_terminate_backend($1) AS ended', [killed]);
    expect(rows[0].ended).toBe(true);
    // Committed while node B listens to nothing: the notification never reaches it.
    await a.saveOrganizationAsync(org('Adatum', 'adatum.com'));
    await timeUntil(() => b.organization('Adatum') !== undefined, 5000);
    // Listening again, on a new session: the next change arrives by notification, within a second.
    await timeUntil(async () => ![undefined, killed].includes(await listenerPid('node-b')), 5000);
    await a.saveOrganizationAsync(org('Woodgrove', 'woodgrove.com'));
    expect(await timeUntil(() => b.organization('Woodgrove') !== undefined, 1000)).toBeLessThan(1000);
    expect(said.slice(0, 2)).toEqual(['configuration listener lost its connection; polling until it is back', 'configuration listener reconnected; catching up']);
  });

  it('keeps catching up by polling while its listener cannot reconnect, backing off between attempts', async () => {
    const retries: number[] = [];
    const logger = { info: () => {}, warn: (o: { retryInMs?: number }) => void (o.retryInMs !== undefined && retries.push(o.retryInMs)) };
    const a = await node('node-a');
    const b = await node('node-b', { logger, pollMs: 200 });
    // New sessions are refused (the nodes' pools keep the sessions they have): the listener cannot come back.
    await serverQuery(`ALTER DATABASE ${db.name()} ALLOW_CONNECTIONS false`);
    try {
      await admin.pool.query('SELECT pg_terminate_backend($1)', [await listenerPid('node-b')]);
      await a.saveOrganizationAsync(org('Tailspin', 'tailspin.test'));
      await timeUntil(() => b.organization('Tailspin') !== undefined, 2000);
      await timeUntil(() => retries.length >= 4, 5000);
      expect(await listenerPid('node-b')).toBeUndefined();
    } finally {
      await serverQuery(`ALTER DATABASE ${db.name()} ALLOW_CONNECTIONS true`);
    }
    // Each wait at least doubles its ceiling (half fixed, half random), up to the limit.
    expect(retries[2]).toBeGreaterThan(retries[0]);
    expect(Math.max(...retries)).toBeLessThanOrEqual(1000);
    await timeUntil(async () => (await listenerPid('node-b')) !== undefined, 3000);
    await a.saveOrganizationAsync(org('Litware', 'litware.test'));
    expect(await timeUntil(() => b.organization('Litware') !== undefined, 1000)).toBeLessThan(1000);
  });

  it('lets only one of two nodes saving a domain and its subdomain at once keep it', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    for (let i = 0; i < 10; i++) {
      const results = await Promise.allSettled([
        a.saveOrganizationAsync(org(`Parent ${i}`, `d${i}.example`)),
        b.saveOrganizationAsync(org(`Child ${i}`, `sales.d${i}.example`)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(DomainInUseError);
    }
    const { rows } = await admin.pool.query("SELECT count(*)::int AS n FROM accepted_domains WHERE domain ~ '^(sales\\.)?d[0-9]+\\.example$'");
    expect(rows[0].n).toBe(10);
  });

  it('refuses to open, in one sentence, on a database without the schema or a server that does not answer', async () => {
    const name = await createTestDatabase();
    const bare = connectPostgres(databaseUrl(TEST_PG_URL, name));
    try {
      await expect(PostgresConfigStore.open(bare)).rejects.toThrow(/^the PostgreSQL database at postgres:\/\/\S+ has no Postern schema: run postern migrate --store <its URL> first$/);
    } finally {
      await bare.close();
      await dropTestDatabase(name);
    }
    const nowhere = connectPostgres('postgres://postern:secret@127.0.0.1:1/postern');
    await expect(PostgresConfigStore.open(nowhere)).rejects.toThrow('PostgreSQL at postgres://postern:***@127.0.0.1:1/postern is not reachable (ECONNREFUSED)');
    await nowhere.close();
  });
});
