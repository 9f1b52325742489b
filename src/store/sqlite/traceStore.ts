// Message trace, trace events and the hunting tables on SQLite.
import { EmailAttachmentInfo, EmailEvents, EmailUrlInfo, SmtpRejectEvents, storedColumns, storedValues, type HuntingRow, type HuntingTable } from '../../trace/tables.js';
import type { MessageTraceRow, TraceEvent, TraceStore } from '../ports.js';
import type { Db } from './db.js';

/** A prepared INSERT of a hunting row into `table` (values as trace/tables.ts's storedValues gives them). */
export function insertFor(db: Db, table: HuntingTable) {
  const cols = storedColumns(table);
  const values = storedValues(table);
  const stmt = db.prepare(`INSERT INTO "${table.name}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  return (row: HuntingRow) => stmt.run(values(row));
}

export class SqliteTraceStore implements TraceStore {
  private readonly insertTrace;
  private readonly insertEvent;
  private readonly updateStatus;
  private readonly insertEmailEvent;
  private readonly insertReject;
  private readonly insertAttachment;
  private readonly insertUrl;

  constructor(private readonly db: Db) {
    this.insertTrace = db.prepare(
      `INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id, connector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvent = prepareInsertEvent(db);
    this.updateStatus = db.prepare('UPDATE message_trace SET status = ? WHERE network_message_id = ? AND recipient = ?');
    this.insertEmailEvent = insertFor(db, EmailEvents);
    this.insertReject = insertFor(db, SmtpRejectEvents);
    this.insertAttachment = insertFor(db, EmailAttachmentInfo);
    this.insertUrl = insertFor(db, EmailUrlInfo);
  }

  recordReceive(rows: MessageTraceRow[], events: TraceEvent[], emailEvents: HuntingRow[], content?: { attachments: HuntingRow[]; urls: HuntingRow[] }): void {
    for (const r of rows) {
      this.insertTrace.run(r.orgGuid, r.networkMessageId, r.recipient, r.receivedAt, r.sender, r.subject, r.status, r.fromIp, r.size, r.internetMessageId, r.connector);
    }
    for (const e of events) this.writeEvent(e);
    for (const row of emailEvents) this.insertEmailEvent(row);
    for (const row of content?.attachments ?? []) this.insertAttachment(row);
    for (const row of content?.urls ?? []) this.insertUrl(row);
  }

  recordEvent(e: TraceEvent, status?: string): void {
    this.writeEvent(e);
    if (status) this.updateStatus.run(status, e.networkMessageId, e.recipient);
  }

  recordReject(row: HuntingRow): void {
    this.insertReject(row);
  }

  private writeEvent(e: TraceEvent): void {
    this.insertEvent(e);
  }
}

/**
 * Writes a trace event onto its message-trace row, found by the unique (NetworkMessageId,
 * recipient) index; recipients compare without case, as everywhere in the trace. The unary + keeps
 * the organization a check, not an index choice: the (org_guid, received_at) index would scan the
 * organization's whole trace for every event.
 */
export const INSERT_EVENT_SQL = `INSERT INTO trace_events (trace_id, at, event, action, detail, data)
     SELECT id, ?, ?, ?, ?, ? FROM message_trace WHERE network_message_id = ? AND lower(recipient) = lower(?) AND +org_guid = ?
      ORDER BY recipient = ? DESC LIMIT 1`;

export function prepareInsertEvent(db: Db): (e: TraceEvent) => void {
  const stmt = db.prepare(INSERT_EVENT_SQL);
  return (e) => {
    stmt.run(e.at, e.event, e.action ?? '', e.detail ?? '', e.data ?? '', e.networkMessageId, e.recipient, e.orgGuid, e.recipient);
  };
}
