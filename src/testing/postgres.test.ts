// The PostgreSQL test harness: each file gets a database of its own, gone after the file; an
// unreachable server fails loudly with what to do.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase, TEST_PG_URL, useTestDatabase } from './postgres.js';

const db = useTestDatabase();

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('the PostgreSQL test harness', () => {
  it('gives the file its own empty database', async () => {
    const client = new pg.Client({ connectionString: db.url() });
    await client.connect();
    const { rows } = await client.query("SELECT current_database() AS name, count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'");
    await client.end();
    expect(rows[0]).toEqual({ name: db.name(), tables: 0 });
  });

  it('drops a database even while a session is still connected to it', async () => {
    const name = await createTestDatabase();
    const client = new pg.Client({ connectionString: databaseUrl(TEST_PG_URL, name) });
    client.on('error', () => {}); // the drop ends this session
    await client.connect();
    await dropTestDatabase(name);
    expect(await databaseExists(name)).toBe(false);
  });

  it('fails with what to do when no PostgreSQL answers (the tests never skip silently)', async () => {
    await expect(createTestDatabase('postgres://postgres@127.0.0.1:1/postgres')).rejects.toThrow(
      /^PostgreSQL is not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres \(ECONNREFUSED\)\. These tests need a PostgreSQL server.*POSTERN_TEST_PG/,
    );
  });
});
