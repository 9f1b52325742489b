// Opening the embedded SQLite database: WAL for concurrent readers, numbered migrations from day
// one, and a durability scheme that never blocks the event loop on fsync.
//
// Durability: the connection runs with synchronous=NORMAL, so commits append to the WAL without
// waiting for the disk. Where a commit is a promise (the queue rows behind "250 OK"), the caller
// awaits WalSync.sync(), an fsync of the WAL file on libuv's thread pool. A checkpoint in
// between is safe: with NORMAL, SQLite syncs the WAL before each checkpoint and the database
// file after it, so committed frames are durable in one place or the other.
import Database from 'better-sqlite3';
import { close, fsync, open } from 'node:fs';
import { promisify } from 'node:util';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) {
    // Space that retention frees goes back to the file system (PRAGMA incremental_vacuum in the
    // retention pass). It takes effect only on a new database: an older file keeps its mode
    // until a VACUUM rewrites it.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // After a checkpoint the WAL is cut back to 16 MB instead of keeping its high-water size
    // (56 MB under the growth benchmark's load) for the life of the server.
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    migrate(db);
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** fsync of the database's WAL file, off the main thread. */
export class WalSync {
  private fd: Promise<number> | undefined;

  constructor(private readonly db: Db) {}

  async sync(): Promise<void> {
    // The WAL exists from the first write and lives as long as this connection.
    this.fd ??= promisify(open)(`${this.db.name}-wal`, 'r');
    await promisify(fsync)(await this.fd);
  }

  async close(): Promise<void> {
    if (this.fd) await promisify(close)(await this.fd);
    this.fd = undefined;
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
