// Opening the embedded SQLite database: WAL for concurrent readers, synchronous=FULL because a
// queue commit is part of the promise behind "250 OK", and numbered migrations from day one.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Run `fn` in one transaction committed without waiting for fsync (WAL, synchronous=NORMAL).
 * For bookkeeping whose loss is harmless; the next FULL commit makes it durable anyway.
 */
export function relaxedTransaction(db: Db, fn: () => void): void {
  db.pragma('synchronous = NORMAL');
  try {
    db.transaction(fn)();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      for (const stmt of m.up) db.exec(stmt);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    })();
  }
}
