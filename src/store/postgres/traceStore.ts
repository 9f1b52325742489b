// Message trace, trace events and the hunting rows on PostgreSQL (AsyncTraceStore): one
// transaction per call, the same rows and stored values as the SQLite store writes.
import type pg from 'pg';
import { EmailAttachmentInfo, EmailEvents, EmailUrlInfo, SmtpRejectEvents, storedColumns, storedValues, type HuntingRow, type HuntingTable } from '../../trace/tables.js';
import type { AsyncTraceStore, MessageTraceRow, TraceEvent } from '../ports.js';
import { ensureDayPartitions } from './partitions.js';
import { inTransaction } from './pool.js';

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;
/** SQLSTATE of "no partition of relation ... found for row". */
const NO_PARTITION = '23514';

const TRACE_COLUMNS = ['org_guid', 'network_message_id', 'recipient', 'received_at', 'sender', 'subject', 'status', 'from_ip', 'size', 'internet_message_id', 'connector'];
const traceValues = (r: MessageTraceRow) => [r.orgGuid, r.networkMessageId, r.recipient, r.receivedAt, r.sender, r.subject, r.status, r.fromIp, r.size, r.internetMessageId, r.connector];

/** Multi-row INSERTs of `rows` (each a list of values for `columns`), as few as the parameter limit allows. */
async function insertRows(client: pg.PoolClient, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const names = columns.map((c) => `"${c}"`).join(', ');
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const tuples = chunk.map((_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    await client.query(`INSERT INTO ${table} (${names}) VALUES ${tuples.join(', ')}`, chunk.flat());
  }
}

async function insertHunting(client: pg.PoolClient, table: HuntingTable, rows: HuntingRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = storedValues(table);
  await insertRows(client, `"${table.name}"`, storedColumns(table), rows.map(values));
}

/**
 * A trace event onto its message-trace row, found by NetworkMessageId and the recipient without
 * case (the exact spelling first), as on SQLite; it takes the row's day, so it is dropped with it.
 */
const INSERT_EVENT_SQL = `INSERT INTO trace_events (trace_id, trace_received_at, at, event, action, detail, data)
  SELECT id, received_at, $1, $2, $3, $4, $5 FROM message_trace
   WHERE network_message_id = $6 AND lower(recipient) = lower($7) AND org_guid = $8
   ORDER BY recipient = $7 DESC LIMIT 1`;

async function insertEvent(client: pg.PoolClient, e: TraceEvent): Promise<void> {
  await client.query(INSERT_EVENT_SQL, [e.at, e.event, e.action ?? '', e.detail ?? '', e.data ?? '', e.networkMessageId, e.recipient, e.orgGuid]);
}

export class PostgresTraceStore implements AsyncTraceStore {
  constructor(private readonly pool: pg.Pool) {}

  recordReceiveAsync(rows: MessageTraceRow[], events: TraceEvent[], emailEvents: HuntingRow[], content?: { attachments: HuntingRow[]; urls: HuntingRow[] }): Promise<void> {
    const times = [...rows.map((r) => r.receivedAt), ...[...emailEvents, ...(content?.attachments ?? []), ...(content?.urls ?? [])].map((r) => Number(r.Timestamp))];
    return this.withPartitions(times, () =>
      inTransaction(this.pool, async (client) => {
        await insertRows(client, 'message_trace', TRACE_COLUMNS, rows.map(traceValues));
        for (const e of events) await insertEvent(client, e);
        await insertHunting(client, EmailEvents, emailEvents);
        await insertHunting(client, EmailAttachmentInfo, content?.attachments ?? []);
        await insertHunting(client, EmailUrlInfo, content?.urls ?? []);
      }),
    );
  }

  recordEventAsync(e: TraceEvent, status?: string): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      await insertEvent(client, e);
      if (status) await client.query('UPDATE message_trace SET status = $1 WHERE network_message_id = $2 AND recipient = $3', [status, e.networkMessageId, e.recipient]);
    });
  }

  recordRejectAsync(row: HuntingRow): Promise<void> {
    return this.withPartitions([Number(row.Timestamp)], () => inTransaction(this.pool, (client) => insertHunting(client, SmtpRejectEvents, [row])));
  }

  /**
   * Run `write`; when a row's day has no partition (a clock far off, or a write just after
   * midnight before the day's upkeep ran), create the partitions of those days and run it again.
   */
  private async withPartitions(times: number[], write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      for (const day of new Set(times.filter(Number.isFinite).map((t) => Math.floor(t / 86_400_000)))) await ensureDayPartitions(this.pool, day * 86_400_000, 1);
      await write();
    }
  }
}
