// Historical-search jobs and their batch scan on SQLite. A scan examines a bounded number of
// EmailEvents rows in (Timestamp, rowid) order through the (OrgId, Timestamp) index, so each
// batch costs the same however selective the filter is, and the cursor resumes after a restart.
import type { HistoricalSearchStore, ReportRow, ScanResult, SearchFilter, SearchJob } from '../../trace/historicalSearch.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { anyLike } from '../likeFilters.js';

const JOB_COLUMNS = `job_id AS jobId, org_guid AS orgGuid, submitted_at AS submittedAt, submitted_by AS submittedBy, report_title AS reportTitle,
  report_type AS reportType, start_date AS startDate, end_date AS endDate, request, status, progress, rows, cursor_ts AS cursorTs,
  cursor_rowid AS cursorRowid, csv_file AS csvFile, csv_bytes AS csvBytes, error_code AS errorCode, error_description AS errorDescription,
  started_at AS startedAt, finished_at AS finishedAt, notified_at AS notifiedAt`;

const FIELD_COLUMNS: Record<string, string> = {
  status: 'status', progress: 'progress', rows: 'rows', cursorTs: 'cursor_ts', cursorRowid: 'cursor_rowid', csvFile: 'csv_file', csvBytes: 'csv_bytes',
  errorCode: 'error_code', errorDescription: 'error_description', startedAt: 'started_at', finishedAt: 'finished_at', notifiedAt: 'notified_at',
};

const toJob = (r: any): SearchJob => ({ ...r, request: JSON.parse(r.request) });

export class SqliteHistoricalSearchStore implements HistoricalSearchStore {
  private readonly receiveData;
  private readonly statements = new Map<string, Statement<unknown[]>>();

  private readonly traceStatus;

  constructor(private readonly db: Db) {
    this.traceStatus = db.prepare('SELECT status FROM message_trace WHERE network_message_id = ? AND recipient = ?').pluck();
    this.receiveData = db.prepare(`SELECT te.data FROM message_trace mt JOIN trace_events te ON te.trace_id = mt.id WHERE mt.network_message_id = ? AND mt.recipient = ? AND te.event = 'RECEIVE' LIMIT 1`).pluck();
  }

  insert(j: SearchJob): void {
    this.db
      .prepare(
        `INSERT INTO historical_searches (job_id, org_guid, submitted_at, submitted_by, report_title, report_type, start_date, end_date, request, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(j.jobId, j.orgGuid, j.submittedAt, j.submittedBy, j.reportTitle, j.reportType, j.startDate, j.endDate, JSON.stringify(j.request), j.status);
  }

  list(orgGuid: string, since: number, jobId?: string): SearchJob[] {
    const rows = jobId
      ? this.db.prepare(`SELECT ${JOB_COLUMNS} FROM historical_searches WHERE org_guid = ? AND submitted_at >= ? AND job_id = ?`).all(orgGuid, since, jobId)
      : this.db.prepare(`SELECT ${JOB_COLUMNS} FROM historical_searches WHERE org_guid = ? AND submitted_at >= ? ORDER BY submitted_at DESC`).all(orgGuid, since);
    return rows.map(toJob);
  }

  countSince(orgGuid: string, since: number): number {
    return this.db.prepare('SELECT count(*) FROM historical_searches WHERE org_guid = ? AND submitted_at >= ?').pluck().get(orgGuid, since) as number;
  }

  get(jobId: string): SearchJob | undefined {
    const r = this.db.prepare(`SELECT ${JOB_COLUMNS} FROM historical_searches WHERE job_id = ?`).get(jobId);
    return r ? toJob(r) : undefined;
  }

  pending(): SearchJob[] {
    return this.db
      .prepare(`SELECT ${JOB_COLUMNS} FROM historical_searches WHERE status IN ('NotStarted', 'InProgress') OR (status = 'Done' AND notified_at IS NULL) ORDER BY submitted_at`)
      .all()
      .map(toJob);
  }

  update(jobId: string, fields: Parameters<HistoricalSearchStore['update']>[1]): void {
    const entries = Object.entries(fields).filter(([k]) => k in FIELD_COLUMNS);
    if (!entries.length) return;
    this.db.prepare(`UPDATE historical_searches SET ${entries.map(([k]) => `${FIELD_COLUMNS[k]} = ?`).join(', ')} WHERE job_id = ?`).run(...entries.map(([, v]) => v), jobId);
  }

  cancel(orgGuid: string, jobId: string): 'ok' | 'notFound' | 'finished' {
    const r = this.db
      .prepare("UPDATE historical_searches SET status = 'Cancelled', finished_at = ? WHERE org_guid = ? AND job_id = ? AND status IN ('NotStarted', 'InProgress')")
      .run(Date.now(), orgGuid, jobId);
    if (r.changes) return 'ok';
    const exists = this.db.prepare('SELECT 1 FROM historical_searches WHERE org_guid = ? AND job_id = ?').get(orgGuid, jobId);
    return exists ? 'finished' : 'notFound';
  }

  scan(f: SearchFilter, after: { ts: number; rowid: number } | undefined, limit: number): ScanResult {
    const hit: string[] = [];
    const args: unknown[] = [];
    if (f.connectors === '') hit.push("e.Connectors = ''");
    else if (f.connectors) {
      if (!f.connectors.length) hit.push('0');
      else {
        hit.push(`e.Connectors IN (${f.connectors.map(() => '?').join(', ')})`);
        args.push(...f.connectors);
      }
    }
    if (f.directions) {
      hit.push(`e.EmailDirection IN (${f.directions.map(() => '?').join(', ')})`);
      args.push(...f.directions);
      // Postern's own mails (reports, NDRs) are Intra-org without a connector: never "received".
      hit.push("NOT (e.EmailDirection = 'Intra-org' AND e.Connectors = '')");
    }
    anyLike(hit, args, 'e.SenderMailFromAddress', f.senders);
    anyLike(hit, args, 'e.RecipientEmailAddress', f.recipients);
    if (f.messageIds?.length) {
      hit.push(`trim(e.InternetMessageId, '<>') IN (${f.messageIds.map(() => '?').join(', ')})`);
      args.push(...f.messageIds);
    }
    if (f.networkMessageIds?.length) {
      hit.push(`e.NetworkMessageId IN (${f.networkMessageIds.map(() => '?').join(', ')})`);
      args.push(...f.networkMessageIds);
    }
    if (f.clientIp) {
      hit.push('(e.SenderIPv4 = ? OR e.SenderIPv6 = ?)');
      args.push(f.clientIp, f.clientIp);
    }
    if (f.deliveryStatus) {
      hit.push('lower(coalesce(mt.status, \'\')) = ?');
      args.push(f.deliveryStatus.toLowerCase());
    }
    if (f.anyTransportRule) hit.push("e.ExchangeTransportRule != ''");
    anyLike(hit, args, 'e.ExchangeTransportRule', f.transportRules);
    const receiveData = `(SELECT te.data FROM message_trace rt JOIN trace_events te ON te.trace_id = rt.id WHERE rt.network_message_id = e.NetworkMessageId AND rt.recipient = e.RecipientEmailAddress AND te.event = 'RECEIVE' LIMIT 1)`;
    if (f.tls) {
      const m = f.tls.match(/(\d\.\d)/);
      hit.push(m ? `instr(${receiveData}, ?) > 0` : `instr(coalesce(${receiveData}, ''), 'tls=none') > 0`);
      if (m) args.push(`tls=TLSv${m[1]}`);
    }
    const where = ['e.OrgId = ?', 'e.Timestamp >= ?', 'e.Timestamp < ?'];
    const whereArgs: unknown[] = [f.orgGuid, after ? after.ts : f.start, f.end];
    if (after) {
      where.push('(e.Timestamp > ? OR e.rowid > ?)');
      whereArgs.push(after.ts, after.rowid);
    }
    // The message-trace status is joined only when it filters; otherwise it is looked up for matches alone.
    const join = f.deliveryStatus ? 'LEFT JOIN message_trace mt ON mt.network_message_id = e.NetworkMessageId AND mt.recipient = e.RecipientEmailAddress' : '';
    const sql = `SELECT e.rowid AS rid, e.Timestamp AS ts, (${hit.length ? hit.join(' AND ') : '1'}) AS hit,
        e.SenderMailFromAddress AS sender, e.RecipientEmailAddress AS recipient, e.Subject AS subject, e.EmailSize AS size,
        e.InternetMessageId AS messageId, e.NetworkMessageId AS networkMessageId, e.SenderIPv4 AS ip4, e.SenderIPv6 AS ip6,
        e.EmailDirection AS direction, e.Connectors AS connector, ${join ? "coalesce(mt.status, '')" : 'NULL'} AS status, e.ExchangeTransportRule AS transportRule
      FROM EmailEvents e ${join}
      WHERE ${where.join(' AND ')} ORDER BY e.Timestamp, e.rowid LIMIT ?`;
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size > 32) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    const raw = stmt.all(...args, ...whereArgs, limit) as any[];
    const tlsOf = this.receiveData;
    const rows: ReportRow[] = raw
      .filter((r) => r.hit === 1)
      .map((r) => {
        const data = (tlsOf.get(r.networkMessageId, r.recipient) as string | undefined) ?? '';
        const tls = data.match(/tls=TLSv(\d\.\d)/);
        return {
          timestamp: r.ts, sender: r.sender, recipient: r.recipient, subject: r.subject, size: r.size ?? 0, messageId: r.messageId,
          networkMessageId: r.networkMessageId, clientIp: r.ip4 || r.ip6, direction: r.direction, connector: r.connector,
          status: r.status ?? ((this.traceStatus.get(r.networkMessageId, r.recipient) as string | undefined) ?? ''),
          tls: tls ? `TLS ${tls[1]}` : 'No TLS', transportRule: r.transportRule,
        };
      });
    const last = raw[raw.length - 1];
    return { rows, next: raw.length < limit ? undefined : { ts: last.ts, rowid: last.rid } };
  }
}
