// The admin audit log on SQLite: rows of the AdminAuditEvents hunting table (migration 10), so
// `postern hunt` reads the same records Search-AdminAuditLog does. A record's id is its rowid,
// which grows with every append: the order of writing, and the cursor of the next page.
import { AdminAuditEvents } from '../../trace/tables.js';
import type { AdminAuditLog, AdminAuditQuery, AdminAuditRecord } from '../ports.js';
import type { Db } from './db.js';
import { likePattern } from '../likeFilters.js';
import { insertFor } from './traceStore.js';

interface Row {
  id: number;
  OrgId: string;
  Timestamp: number;
  Caller: string;
  CmdletName: string;
  CmdletParameters: string | null;
  ObjectModified: string;
  ModifiedProperties: string | null;
  Succeeded: number;
  ErrorMessage: string;
  ClientIP: string;
}

const parsed = <T>(text: string | null, fallback: T): T => {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
};

/** `(lower(column) = ? OR …)` for the values, if any. */
function anyEqual(where: string[], args: unknown[], column: string, values: string[] | undefined): void {
  if (!values?.length) return;
  where.push(`(${values.map(() => `lower(${column}) = ?`).join(' OR ')})`);
  args.push(...values.map((v) => v.toLowerCase()));
}

export class SqliteAdminAuditLog implements AdminAuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = insertFor(db, AdminAuditEvents);
  }

  append(r: AdminAuditRecord): void {
    this.insert({
      OrgId: r.orgGuid,
      Timestamp: r.at,
      Caller: r.caller,
      CmdletName: r.cmdletName,
      CmdletParameters: JSON.stringify(r.cmdletParameters),
      ObjectModified: r.objectModified,
      ModifiedProperties: JSON.stringify(r.modifiedProperties),
      Succeeded: r.succeeded,
      ErrorMessage: r.errorMessage,
      ClientIP: r.clientIp,
    });
  }

  search(q: AdminAuditQuery): (AdminAuditRecord & { id: number })[] {
    const where = ['"OrgId" = ?'];
    const args: unknown[] = [q.orgGuid];
    const add = (sql: string, value: unknown) => {
      if (value === undefined) return;
      where.push(sql);
      args.push(value);
    };
    add('"Timestamp" >= ?', q.start);
    add('"Timestamp" <= ?', q.end);
    add('"Succeeded" = ?', q.succeeded === undefined ? undefined : Number(q.succeeded));
    add('rowid < ?', q.before);
    anyEqual(where, args, '"CmdletName"', q.cmdlets);
    anyEqual(where, args, '"ObjectModified"', q.objectIds);
    if (q.callers?.length) {
      // A user name matches its own records from any session: "alice" finds "alice (postern shell, pid 42)".
      where.push(`(${q.callers.map(() => `lower("Caller") = ? OR lower("Caller") LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      args.push(...q.callers.flatMap((c) => [c.toLowerCase(), `${likePattern(c)} (%`]));
    }
    if (q.parameters?.length) {
      where.push(`EXISTS (SELECT 1 FROM json_each("CmdletParameters") WHERE lower(json_extract(value, '$.Name')) IN (${q.parameters.map(() => '?').join(', ')}))`);
      args.push(...q.parameters.map((p) => p.toLowerCase()));
    }
    const rows = this.db
      .prepare(`SELECT rowid AS id, * FROM "AdminAuditEvents" WHERE ${where.join(' AND ')} ORDER BY rowid DESC LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset ?? 0) as Row[];
    return rows.map((r) => ({
      id: r.id,
      orgGuid: r.OrgId,
      at: r.Timestamp,
      caller: r.Caller,
      cmdletName: r.CmdletName,
      cmdletParameters: parsed(r.CmdletParameters, []),
      objectModified: r.ObjectModified,
      modifiedProperties: parsed(r.ModifiedProperties, []),
      succeeded: r.Succeeded !== 0,
      errorMessage: r.ErrorMessage,
      clientIp: r.ClientIP,
    }));
  }
}
