// The message-trace reads (TraceQueries) as SQL, one builder for both engines: the filters, the
// organization scope and the order are written once; `?` placeholders (the PostgreSQL adapter
// numbers them). What differs is named here: SQLite's planner hints, and PostgreSQL's collation
// (ordered byte-wise, "C", as SQLite's BINARY, so paging by recipient agrees between engines) and
// its day-partitioned events (an event carries its message's day).
import { anyLike } from './likeFilters.js';
import type { TraceEventQuery, TraceSummaryQuery } from './traceQueries.js';

export type TraceSqlDialect = 'sqlite' | 'postgres';

export interface Statement {
  sql: string;
  args: unknown[];
}

const SUMMARY_COLUMNS = `network_message_id AS "networkMessageId", recipient, received_at AS "receivedAt", sender, subject, status,
  from_ip AS "fromIp", to_ip AS "toIp", size, internet_message_id AS "internetMessageId", connector`;

function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** The recipient as paging compares it. */
const recipientKey = (d: TraceSqlDialect, column = 'recipient') => (d === 'postgres' ? `lower(${column}) COLLATE "C"` : `lower(${column})`);
/** The organization as a check, not an index choice (SQLite's unary +; PostgreSQL's planner needs no hint). */
const orgCheck = (d: TraceSqlDialect, column: string) => (d === 'sqlite' ? `+${column} = ?` : `${column} = ?`);

function lowerIn(where: string[], args: unknown[], column: string, values: string[] | undefined): void {
  if (!values?.length) return;
  where.push(`lower(${column}) IN (${values.map(() => '?').join(', ')})`);
  args.push(...values.map((v) => v.toLowerCase()));
}

function summaryFilters(q: TraceSummaryQuery, d: TraceSqlDialect, where: string[], args: unknown[]): void {
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
  for (const [column, value] of [['from_ip', q.fromIp], ['to_ip', q.toIp]] as const) {
    if (!value) continue;
    where.push(`${column} = ?`);
    args.push(value.trim());
  }
  lowerIn(where, args, 'status', q.statuses);
  if (q.subject) {
    const text = q.subject.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const pattern = q.subject.match === 'StartsWith' ? `${text}%` : q.subject.match === 'EndsWith' ? `%${text}` : `%${text}%`;
    where.push("lower(subject) LIKE ? ESCAPE '\\'");
    args.push(pattern);
  }
}

/** Get-MessageTrace's summary rows: newest first, then by recipient. */
export function messageTraceSql(q: TraceSummaryQuery, d: TraceSqlDialect): Statement {
  const where = ['org_guid = ?', 'received_at >= ?'];
  const args: unknown[] = [q.orgGuid, q.start];
  if (q.startingRecipient) {
    where.push(`(received_at < ? OR (received_at = ? AND ${recipientKey(d)} > ?))`);
    args.push(q.end, q.end, q.startingRecipient.toLowerCase());
  } else {
    where.push('received_at <= ?');
    args.push(q.end);
  }
  summaryFilters(q, d, where, args);
  // Left to itself SQLite's planner walks the time index to save the sort, scanning the whole window.
  const from = q.messageIds?.length && d === 'sqlite' ? 'message_trace INDEXED BY message_trace_msgid' : 'message_trace';
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')}
      ORDER BY received_at DESC, ${recipientKey(d)} ASC, network_message_id ASC LIMIT ? OFFSET ?`;
  return { sql, args: [...args, q.limit, q.offset] };
}

/** The summary row of one message copy for one recipient. */
export function messageTraceRowSql(orgGuid: string, networkMessageId: string, recipient: string, d: TraceSqlDialect): Statement {
  return {
    sql: `SELECT ${SUMMARY_COLUMNS} FROM message_trace WHERE ${orgCheck(d, 'org_guid')} AND network_message_id = ? AND lower(recipient) = ?`,
    args: [orgGuid, networkMessageId.toLowerCase(), recipient.toLowerCase()],
  };
}

/** The events of one message to one recipient, oldest first. */
export function traceEventsSql(q: TraceEventQuery, d: TraceSqlDialect): Statement {
  const where = [orgCheck(d, 't.org_guid'), 't.network_message_id = ?', 'lower(t.recipient) = ?'];
  const args: unknown[] = [q.orgGuid, q.networkMessageId.toLowerCase(), q.recipient.toLowerCase()];
  lowerIn(where, args, 'e.event', q.events);
  lowerIn(where, args, 'e.action', q.actions);
  if (q.start !== undefined) {
    where.push('e.at >= ?');
    args.push(q.start);
  }
  if (q.end !== undefined) {
    where.push('e.at <= ?');
    args.push(q.end);
  }
  const join = d === 'postgres' ? 'e.trace_id = t.id AND e.trace_received_at = t.received_at' : 'e.trace_id = t.id';
  return {
    sql: `SELECT e.at, e.event, e.action, e.detail, e.data FROM message_trace t JOIN trace_events e ON ${join} WHERE ${where.join(' AND ')} ORDER BY e.at, e.id`,
    args,
  };
}
