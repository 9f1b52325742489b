// The PostgreSQL pool and migrations on a real server: numbered migrations applied once, each in
// a transaction; nodes that start together on a new database; the pool's limits.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase, TEST_PG_URL, useTestDatabase } from '../../testing/postgres.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { connectPostgres, type Postgres } from './pool.js';

const db = useTestDatabase();
const opened: Postgres[] = [];

function node(options: Parameters<typeof connectPostgres>[1] = {}, url = db.url()): Postgres {
  const p = connectPostgres(url, options);
  opened.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;

describe('PostgreSQL migrations', () => {
  it('apply every migration to a new database once, and nothing on the next start', async () => {
    const { pool } = node();
    expect(await migrate(pool)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(pool)).toEqual([]);
    const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await pool.query('SELECT version FROM config_version')).rows).toEqual([{ version: '0' }]);
  });

  it('are applied by exactly one of several nodes starting at once on a new database', async () => {
    const name = await createTestDatabase();
    try {
      const nodes = [1, 2, 3, 4].map(() => node({}, databaseUrl(TEST_PG_URL, name)));
      const applied = await Promise.all(nodes.map((n) => migrate(n.pool)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
      const { rows } = await nodes[0].pool.query('SELECT count(*)::int AS n, max(version) AS latest FROM schema_migrations');
      expect(rows[0]).toEqual({ n: MIGRATIONS.length, latest: LATEST });
    } finally {
      await Promise.all(opened.splice(0).map((p) => p.close()));
      await dropTestDatabase(name);
    }
  });

  it('roll a failing migration back whole and say which one failed', async () => {
    const { pool } = node();
    await migrate(pool);
    const broken = [...MIGRATIONS, { version: LATEST + 1, up: ['CREATE TABLE half_done (a integer)', 'SELECT no_such_column FROM half_done'] }];
    await expect(migrate(pool, broken)).rejects.toThrow(`PostgreSQL migration ${LATEST + 1} failed and was rolled back: column "no_such_column" does not exist`);
    expect((await pool.query("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull();
    expect((await pool.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v).toBe(LATEST);
  });

  it('wait for another node that holds the migration lock longer than the statement timeout', async () => {
    const holder = new pg.Client({ connectionString: db.url() });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1, $2)', [0x7073746e, 1]);
    const { pool } = node({ statementTimeoutMs: 100 });
    const started = Date.now();
    const migrating = migrate(pool);
    setTimeout(() => void holder.query('SELECT pg_advisory_unlock($1, $2)', [0x7073746e, 1]).then(() => holder.end()), 500);
    await expect(migrating).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('the PostgreSQL pool', () => {
  it('ends a statement that runs longer than the statement timeout', async () => {
    const { pool } = node({ statementTimeoutMs: 200 });
    const started = Date.now();
    await expect(pool.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('opens no more sessions than its limit, however many queries wait', async () => {
    const { pool } = node({ max: 2, applicationName: 'postern pool-limit' });
    const watcher = node();
    const queries = Array.from({ length: 6 }, () => pool.query('SELECT pg_sleep(0.3)'));
    await new Promise((r) => setTimeout(r, 150));
    const { rows } = await watcher.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'postern pool-limit'");
    expect(rows[0].n).toBe(2);
    await Promise.all(queries);
  });
});
