// The shared ConfigStore behaviour (testing/configStoreConformance.ts) on SQLite.
import { describeConfigStore } from '../../testing/configStoreConformance.js';
import { SqliteConfigStore } from './configStore.js';
import { openDatabase } from './db.js';

describeConfigStore('SQLite', async () => {
  const db = openDatabase(':memory:');
  return { store: new SqliteConfigStore(db), close: async () => void db.close() };
});
