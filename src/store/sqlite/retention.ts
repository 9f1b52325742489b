// Trace retention on SQLite: per organization through each table's (organization, time) index,
// so a batch touches only old rows; SmtpRejectEvents (refusals may have no organization) by its
// Timestamp index. Trace events go with their message-trace row (a trigger, migration 6).
import { HUNTING_TABLES, ORG_COLUMN } from '../../trace/tables.js';
import type { RetentionStore } from '../../trace/retention.js';
import type { Db } from './db.js';

export class SqliteRetentionStore implements RetentionStore {
  private readonly perOrg;
  private readonly global;
  private readonly orgs;

  constructor(private readonly db: Db) {
    const tables: [string, string, string][] = [
      ['message_trace', 'org_guid', 'received_at'],
      ...HUNTING_TABLES.filter((t) => t.name !== 'SmtpRejectEvents').map((t): [string, string, string] => [`"${t.name}"`, `"${ORG_COLUMN}"`, '"Timestamp"']),
    ];
    this.perOrg = tables.map(([t, org, time]) => db.prepare(`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE ${org} = ? AND ${time} < ? LIMIT ?)`));
    this.global = db.prepare('DELETE FROM "SmtpRejectEvents" WHERE rowid IN (SELECT rowid FROM "SmtpRejectEvents" WHERE "Timestamp" < ? LIMIT ?)');
    this.orgs = db.prepare('SELECT guid FROM organizations').pluck();
  }

  purgeBatch(cutoff: number, limit: number): number {
    let n = 0;
    this.db.transaction(() => {
      for (const org of this.orgs.all() as string[]) for (const stmt of this.perOrg) n += stmt.run(org, cutoff, limit).changes;
      n += this.global.run(cutoff, limit).changes;
    })();
    return n;
  }

  reclaim(maxPages: number): number {
    const before = this.db.pragma('freelist_count', { simple: true }) as number;
    if (!before) return 0;
    this.db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
    return before - (this.db.pragma('freelist_count', { simple: true }) as number);
  }
}
