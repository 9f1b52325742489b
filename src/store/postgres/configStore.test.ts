// The shared ConfigStore behaviour (testing/configStoreConformance.ts) on PostgreSQL: each test
// starts from an empty configuration in this file's database.
import { beforeAll } from 'vitest';
import { describeConfigStore } from '../../testing/configStoreConformance.js';
import { useTestDatabase } from '../../testing/postgres.js';
import { PostgresConfigStore } from './configStore.js';
import { migrate } from './migrate.js';
import { connectPostgres } from './pool.js';

const db = useTestDatabase();

beforeAll(async () => {
  const pg = connectPostgres(db.url());
  await migrate(pg.pool);
  await pg.close();
});

describeConfigStore('PostgreSQL', async () => {
  const pg = connectPostgres(db.url());
  await pg.pool.query('TRUNCATE organizations CASCADE');
  await pg.pool.query('UPDATE config_version SET version = 0');
  const store = await PostgresConfigStore.open(pg);
  return {
    store,
    close: async () => {
      await store.close();
      await pg.close();
    },
  };
});
