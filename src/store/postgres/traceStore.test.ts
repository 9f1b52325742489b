// The shared trace behaviour (testing/traceStoreConformance.ts) on PostgreSQL, and what
// only PostgreSQL has: day partitions created ahead and retention that drops them whole.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTraceStore } from '../../testing/traceStoreConformance.js';
import { useTestDatabase } from '../../testing/postgres.js';
import { HUNTING_TABLES } from '../../trace/tables.js';
import { migrate } from './migrate.js';
import { dropDayPartitionsBefore, startPartitionMaintenance, utcDay } from './partitions.js';
import { connectPostgres, type Postgres } from './pool.js';
import { PostgresTraceQueries, queryRows } from './traceQueries.js';
import { PostgresTraceStore } from './traceStore.js';

const db = useTestDatabase();
const DAY = 86_400_000;
const PARTITIONED = ['message_trace', 'trace_events', ...HUNTING_TABLES.map((t) => t.name)];

const query = (pool: pg.Pool, sql: string, args: unknown[]) => queryRows<Record<string, unknown>>(pool, { sql, args });

beforeAll(async () => {
  const p = connectPostgres(db.url());
  await migrate(p.pool);
  await p.close();
});

describeTraceStore('PostgreSQL', async () => {
  const p = connectPostgres(db.url());
  const stop = await startPartitionMaintenance(p.pool);
  return {
    store: new PostgresTraceStore(p.pool),
    queries: new PostgresTraceQueries(p.pool),
    query: (sql, params) => query(p.pool, sql, params),
    close: async () => {
      stop();
      await p.close();
    },
  };
});

describe('trace partitions on PostgreSQL', () => {
  let p: Postgres;
  beforeAll(() => void (p = connectPostgres(db.url())));
  afterAll(() => p.close());

  const partitions = async () =>
    (await p.pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY 1`)).rows.map((r) => r.name);

  it('creates today and the next two UTC days for every trace and hunting table, once however often it runs', async () => {
    const now = Date.UTC(2031, 0, 30, 23, 59);
    const stop = await startPartitionMaintenance(p.pool, { now: () => now });
    stop();
    (await startPartitionMaintenance(p.pool, { now: () => now }))();
    const have = await partitions();
    for (const t of PARTITIONED) for (const day of ['20310130', '20310131', '20310201']) expect(have).toContain(`${t}_p${day}`);
    expect(have.filter((n) => n.endsWith('_p20310202'))).toEqual([]);
  });

  it('retention drops the day partitions past the horizon, and the recent rows stay', async () => {
    const now = Date.now();
    const org = randomUUID();
    const store = new PostgresTraceStore(p.pool);
    const write = async (at: number, recipient: string) => {
      const id = randomUUID();
      await store.recordReceiveAsync(
        [{ orgGuid: org, networkMessageId: id, recipient, receivedAt: at, sender: 's@fabrikam.com', subject: 'x', status: 'Delivered', fromIp: '198.51.100.1', size: 10, internetMessageId: `<${id}@f>`, connector: '' }],
        [{ orgGuid: org, networkMessageId: id, recipient, at, event: 'Receive' }],
        [{ OrgId: org, Timestamp: at, NetworkMessageId: id, RecipientEmailAddress: recipient }],
      );
    };
    // A row of 100 days ago finds no partition: the store makes its day's and writes it.
    await write(now - 100 * DAY, 'old@contoso.com');
    await write(now, 'new@contoso.com');
    const oldDay = utcDay(now - 100 * DAY).replaceAll('-', '');
    expect(await partitions()).toContain(`EmailEvents_p${oldDay}`);

    const dropped = await dropDayPartitionsBefore(p.pool, now - 90 * DAY);
    expect(dropped).toBeGreaterThanOrEqual(PARTITIONED.length);
    expect((await partitions()).filter((n) => n.endsWith(`_p${oldDay}`))).toEqual([]);
    expect(await query(p.pool, 'SELECT recipient FROM message_trace WHERE org_guid = ? ORDER BY 1', [org])).toEqual([{ recipient: 'new@contoso.com' }]);
    expect(await query(p.pool, 'SELECT recipient, event FROM message_trace_events WHERE org_guid = ?', [org])).toEqual([{ recipient: 'new@contoso.com', event: 'Receive' }]);
    expect(await query(p.pool, 'SELECT "RecipientEmailAddress" FROM "EmailEvents" WHERE "OrgId" = ?', [org])).toEqual([{ RecipientEmailAddress: 'new@contoso.com' }]);
  });

  it("plans message trace by Message-ID and recipient, and the article's query, on their indexes", async () => {
    // Today's partition with 5,000 messages of 50 organizations, analyzed: the planner then has a choice to make.
    const now = Date.now();
    await p.pool.query(
      `INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id)
       SELECT 'org' || (i % 50), 'n' || i, 'user' || (i % 700) || '@contoso.com', $1::bigint - i, 's@f', 'x', 'Delivered', '198.51.100.1', 1, '<' || i || '@f>'
         FROM generate_series(1, 5000) i`,
      [now],
    );
    await p.pool.query(
      `INSERT INTO "EmailEvents" ("OrgId", "Timestamp", "NetworkMessageId", "EmailDirection", "Connectors", "SenderIPv4")
       SELECT 'org' || (i % 50), $1::bigint - i, 'n' || i, 'Inbound', CASE WHEN i % 3 = 0 THEN '' ELSE 'Partner' END, '198.51.100.1'
         FROM generate_series(1, 5000) i`,
      [now],
    );
    await p.pool.query('ANALYZE message_trace, "EmailEvents"');
    const plan = async (sql: string) => (await p.pool.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    const where = `received_at > ${now - 10 * DAY}`;
    expect(await plan(`SELECT * FROM message_trace WHERE org_guid = 'org7' AND internet_message_id = '<7@f>' AND ${where}`)).toMatch(/Index Cond: \(\(org_guid = 'org7'::text\) AND \(internet_message_id = /);
    expect(await plan(`SELECT * FROM message_trace WHERE org_guid = 'org7' AND lower(recipient) = 'user7@contoso.com' AND ${where} ORDER BY received_at DESC`)).toMatch(/Index Cond: \(\(org_guid = 'org7'::text\) AND \(lower\(recipient\) = /);
    const hunt = await plan(`SELECT * FROM "EmailEvents" WHERE "OrgId" = 'org7' AND "Timestamp" > ${now - 30 * DAY} AND "EmailDirection" = 'Inbound' AND "Connectors" = '' AND "SenderIPv4" <> ''`);
    expect(hunt).toMatch(/Index Cond: \(\("OrgId" = 'org7'::text\) AND \("Timestamp" > /);
  });
});
