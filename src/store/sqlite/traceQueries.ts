// Message-trace reads on SQLite (the TraceQueries port). Every statement starts from
// `org_guid = ?`, so no filter can reach another organization's rows.
import type { TraceEventQuery, TraceEventRecord, TraceQueries, TraceSummary, TraceSummaryQuery } from '../traceQueries.js';
import type { Db } from './db.js';
import { anyLike } from './likeFilters.js';

const SUMMARY_COLUMNS = `network_message_id AS networkMessageId, recipient, received_at AS receivedAt, sender, subject, status,
  from_ip AS fromIp, to_ip AS toIp, size, internet_message_id AS internetMessageId, connector`;

function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

export class SqliteTraceQueries implements TraceQueries {
  constructor(private readonly db: Db) {}

  messageTrace(q: TraceSummaryQuery): TraceSummary[] {
    const where = ['org_guid = ?', 'received_at >= ?'];
    const args: unknown[] = [q.orgGuid, q.start];
    if (q.startingRecipient) {
      where.push('(received_at < ? OR (received_at = ? AND lower(recipient) > ?))');
      args.push(q.end, q.end, q.startingRecipient.toLowerCase());
    } else {
      where.push('received_at <= ?');
      args.push(q.end);
    }
    anyLike(where, args, 'sender', q.senders);
    anyLike(where, args, 'recipient', q.recipients);
    if (q.messageIds?.length) {
      // Both spellings, compared as stored, so the (org_guid, internet_message_id) index answers
      // (a trim() around the column made every lookup scan the organization's trace).
      const ids = q.messageIds.map(stripBrackets);
      where.push(`internet_message_id IN (${ids.map(() => '?, ?').join(', ')})`);
      args.push(...ids.flatMap((id) => [id, `<${id}>`]));
    }
    if (q.networkMessageId) {
      where.push('network_message_id = ?'); // GUIDs are stored lower-case (randomUUID)
      args.push(q.networkMessageId.toLowerCase());
    }
    if (q.fromIp) {
      where.push('from_ip = ?');
      args.push(q.fromIp.trim());
    }
    if (q.toIp) {
      where.push('to_ip = ?');
      args.push(q.toIp.trim());
    }
    if (q.statuses?.length) {
      where.push(`lower(status) IN (${q.statuses.map(() => '?').join(', ')})`);
      args.push(...q.statuses.map((s) => s.toLowerCase()));
    }
    if (q.subject) {
      const text = q.subject.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      const pattern = q.subject.match === 'StartsWith' ? `${text}%` : q.subject.match === 'EndsWith' ? `%${text}` : `%${text}%`;
      where.push("lower(subject) LIKE ? ESCAPE '\\'");
      args.push(pattern);
    }
    // Left to itself the planner walks the time index to save the sort, scanning the whole window.
    const from = q.messageIds?.length ? 'message_trace INDEXED BY message_trace_msgid' : 'message_trace';
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')}
      ORDER BY received_at DESC, lower(recipient) ASC, network_message_id ASC LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...args, q.limit, q.offset) as TraceSummary[];
  }

  messageTraceRow(orgGuid: string, networkMessageId: string, recipient: string): TraceSummary | undefined {
    return this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM message_trace WHERE +org_guid = ? AND network_message_id = ? AND lower(recipient) = ?`)
      .get(orgGuid, networkMessageId.toLowerCase(), recipient.toLowerCase()) as TraceSummary | undefined;
  }

  traceEvents(q: TraceEventQuery): TraceEventRecord[] {
    const where = ['+t.org_guid = ?', 't.network_message_id = ?', 'lower(t.recipient) = ?']; // + as in prepareInsertEvent
    const args: unknown[] = [q.orgGuid, q.networkMessageId.toLowerCase(), q.recipient.toLowerCase()];
    if (q.events?.length) {
      where.push(`lower(e.event) IN (${q.events.map(() => '?').join(', ')})`);
      args.push(...q.events.map((e) => e.toLowerCase()));
    }
    if (q.actions?.length) {
      where.push(`lower(e.action) IN (${q.actions.map(() => '?').join(', ')})`);
      args.push(...q.actions.map((a) => a.toLowerCase()));
    }
    if (q.start !== undefined) {
      where.push('e.at >= ?');
      args.push(q.start);
    }
    if (q.end !== undefined) {
      where.push('e.at <= ?');
      args.push(q.end);
    }
    return this.db
      .prepare(`SELECT e.at, e.event, e.action, e.detail, e.data FROM message_trace t JOIN trace_events e ON e.trace_id = t.id WHERE ${where.join(' AND ')} ORDER BY e.at, e.id`)
      .all(...args) as TraceEventRecord[];
  }
}
