// Online backup of the embedded database: SQLite's backup API copies a consistent snapshot page
// by page while the gateway goes on writing (WAL readers never block the writer), and the copy is
// then made self-contained: one file, no WAL, paths pointing at the data directory it will serve.
import Database from 'better-sqlite3';
import type { Db } from './db.js';

/** The tables a backup counts, to compare a copy with its source and to show in `postern status`. */
export const COUNTED_TABLES = [
  'organizations', 'accepted_domains', 'queue_messages', 'queue_recipients', 'message_trace', 'trace_events',
  'quarantine', 'quarantine_audit', 'historical_searches', 'EmailEvents', 'EmailAttachmentInfo', 'EmailUrlInfo',
  'EmailPostDeliveryEvents', 'SmtpRejectEvents', 'AdminAuditEvents',
] as const;

/** Copy a live database to `dest` through the online backup API; `progress` gets the share done. */
export async function snapshotDatabase(source: string, dest: string, progress?: (done: number) => void): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest, {
      progress({ totalPages, remainingPages }) {
        progress?.(totalPages ? (totalPages - remainingPages) / totalPages : 1);
        return 4096; // pages per step: the writer gets the lock back between steps
      },
    });
  } finally {
    db.close();
  }
}

/** Close a copy as one self-contained file (it carries the source's WAL mode in its header). */
export function sealCopy(db: Db): void {
  db.pragma('journal_mode = DELETE');
  db.close();
}

export function schemaVersion(db: Db): number {
  return (db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
}

export function tableCounts(db: Db): Record<string, number> {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const counts: Record<string, number> = {};
  for (const t of COUNTED_TABLES) if (present.has(t)) counts[t] = db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number;
  return counts;
}

/** `PRAGMA integrity_check`: 'ok', or what SQLite found wrong. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** The files outside the database that the database refers to (spooled messages, search reports). */
export function referencedFiles(db: Db): { spool: string[]; reports: string[] } {
  return {
    spool: db.prepare("SELECT spool_file FROM queue_messages WHERE spool_file <> ''").pluck().all() as string[],
    reports: db.prepare("SELECT csv_file FROM historical_searches WHERE csv_file <> ''").pluck().all() as string[],
  };
}

/** Point the file references at another data directory (they are stored as absolute paths). */
export function relocateFiles(db: Db, from: string, to: string): void {
  const move = (table: string, column: string) =>
    db.prepare(`UPDATE ${table} SET ${column} = ? || substr(${column}, ?) WHERE substr(${column}, 1, ?) = ?`).run(to, from.length + 1, from.length, from);
  db.transaction(() => {
    move('queue_messages', 'spool_file');
    move('historical_searches', 'csv_file');
  })();
}

/**
 * Drop queue entries whose spool file was gone when the backup copied it: a message received after
 * the backup began and delivered before its file was reached. Returns their queue ids.
 */
export function dropQueued(db: Db, spoolFiles: string[]): string[] {
  const ids: string[] = [];
  const find = db.prepare('SELECT id FROM queue_messages WHERE spool_file = ?').pluck();
  const drop = db.prepare('DELETE FROM queue_messages WHERE id = ?');
  db.transaction(() => {
    for (const f of spoolFiles) {
      for (const id of find.all(f) as string[]) {
        drop.run(id);
        ids.push(id);
      }
    }
  })();
  return ids;
}
