// The shared trace-writing behaviour (testing/traceStoreConformance.ts) on SQLite.
import { describeTraceStore } from '../../testing/traceStoreConformance.js';
import { asAsyncTraceStore } from '../ports.js';
import { asAsyncTraceQueries } from '../traceQueries.js';
import { openDatabase } from './db.js';
import { SqliteTraceQueries } from './traceQueries.js';
import { SqliteTraceStore } from './traceStore.js';

describeTraceStore('SQLite', async () => {
  const db = openDatabase(':memory:');
  return {
    store: asAsyncTraceStore(new SqliteTraceStore(db)),
    queries: asAsyncTraceQueries(new SqliteTraceQueries(db)),
    query: async (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[],
    close: async () => void db.close(),
  };
});
