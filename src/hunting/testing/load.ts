// Test support: create the hunting tables (DDL passed in by the caller) and insert a dataset.
import type Database from 'better-sqlite3';
import type { Dataset } from './dataset.js';

export function loadDataset(db: Database.Database, ddl: string[], data: Record<string, Dataset>): void {
  for (const s of ddl) db.exec(s);
  const tx = db.transaction(() => {
    for (const [org, ds] of Object.entries(data)) {
      for (const [table, rows] of Object.entries(ds) as [string, Record<string, unknown>[]][]) {
        if (!rows.length) continue;
        const cols = Object.keys(rows[0]);
        const stmt = db.prepare(`INSERT INTO "${table}" ("OrgId", ${cols.map((c) => `"${c}"`).join(', ')}) VALUES (?, ${cols.map(() => '?').join(', ')})`);
        for (const r of rows) stmt.run(org, ...cols.map((c) => r[c]));
      }
    }
  });
  tx();
}
