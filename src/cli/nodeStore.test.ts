// The configuration store a node opens from its settings: PostgreSQL's is refused in one sentence
// when its schema is missing or another release's, and says whether it answers (/health).
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { migrate } from '../store/postgres/migrate.js';
import { connectPostgres } from '../store/postgres/pool.js';
import { createTestDatabase, databaseUrl, dropTestDatabase, TEST_PG_URL } from '../testing/postgres.js';
import { openConfigStore } from './nodeStore.js';

const sqlite = openDatabase(':memory:');
afterAll(() => sqlite.close());

async function database(migrations: 'none' | 'current' | 'newer'): Promise<{ name: string; url: string }> {
  const name = await createTestDatabase();
  const url = databaseUrl(TEST_PG_URL, name);
  const pg = connectPostgres(url);
  try {
    if (migrations !== 'none') await migrate(pg.pool);
    if (migrations === 'newer') await pg.pool.query('INSERT INTO schema_migrations (version) VALUES (999)');
  } finally {
    await pg.close();
  }
  return { name, url };
}

describe('openConfigStore', () => {
  it('on PostgreSQL: shares the configuration, answers while the database is there, and not once it is gone', async () => {
    const db = await database('current');
    const store = await openConfigStore(db.url, sqlite, { applicationName: 'postern test' });
    try {
      expect(store.engine).toBe('postgres');
      expect(store.schemaVersion).toBe(3);
      expect(await store.reachable()).toBe(true);
      await dropTestDatabase(db.name);
      expect(await store.reachable()).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("refuses a database without the schema, or with a newer release's, saying what to do", async () => {
    for (const [state, message] of [
      ['none', 'has no Postern schema: run postern migrate --store <its URL> first'],
      ['newer', 'has schema version 999, newer than this release knows (3): run this node\'s newer release'],
    ] as const) {
      const db = await database(state);
      try {
        await expect(openConfigStore(db.url, sqlite, { applicationName: 'postern test' })).rejects.toThrow(`the PostgreSQL database at ${db.url} ${message}`);
      } finally {
        await dropTestDatabase(db.name);
      }
    }
  });

  it('on SQLite: the data directory\'s own database, always reachable', async () => {
    const store = await openConfigStore('sqlite', sqlite, { applicationName: 'postern test' });
    expect(store.engine).toBe('sqlite');
    expect(await store.reachable()).toBe(true);
    await store.close();
  });
});
