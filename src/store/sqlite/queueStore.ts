// The delivery queue on SQLite. Rows are written in the same transaction as the trace of the
// receipt, after the spool file is fsynced, and before "250 OK" is sent.
import type { DueRecipient, NewMessage, QueueStore } from '../ports.js';
import type { Db } from './db.js';

export class SqliteQueueStore implements QueueStore {
  private readonly insertMessage;
  private readonly insertCopy;
  private readonly insertRecipient;

  constructor(private readonly db: Db) {
    this.insertMessage = db.prepare('INSERT INTO queue_messages (id, spool_file, received_at, mail_from, client, size) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertCopy = db.prepare('INSERT INTO queue_copies (network_message_id, message_id, org_guid, edits, bounce) VALUES (?, ?, ?, ?, ?)');
    this.insertRecipient = db.prepare("INSERT INTO queue_recipients (network_message_id, recipient, status, next_attempt_at) VALUES (?, ?, 'queued', ?)");
  }

  enqueue(m: NewMessage): void {
    this.insertMessage.run(m.id, m.spoolFile, m.receivedAt, m.mailFrom, JSON.stringify(m.client), m.size);
    for (const c of m.copies) {
      this.insertCopy.run(c.networkMessageId, m.id, c.orgGuid, JSON.stringify(c.edits), c.bounce ? 1 : 0);
      for (const r of c.recipients) this.insertRecipient.run(c.networkMessageId, r, m.receivedAt);
    }
  }

  due(now: number, limit: number, exclude: Set<number>): DueRecipient[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, m.id AS messageId, m.spool_file AS spoolFile, m.received_at AS receivedAt, m.mail_from AS mailFrom,
                m.size, c.network_message_id AS networkMessageId, c.org_guid AS orgGuid, c.edits, c.bounce,
                r.recipient, r.attempts
           FROM queue_recipients r
           JOIN queue_copies c ON c.network_message_id = r.network_message_id
           JOIN queue_messages m ON m.id = c.message_id
          WHERE r.status = 'queued' AND r.next_attempt_at <= ?
          ORDER BY r.next_attempt_at LIMIT ?`,
      )
      .all(now, limit + exclude.size) as any[];
    return rows
      .filter((r) => !exclude.has(r.id))
      .slice(0, limit)
      .map((r) => ({ ...r, edits: JSON.parse(r.edits), bounce: r.bounce === 1 }));
  }

  markDone(id: number, status: 'delivered' | 'failed'): void {
    this.db.prepare('UPDATE queue_recipients SET status = ?, attempts = attempts + 1 WHERE id = ?').run(status, id);
  }

  markDeferred(id: number, nextAttemptAt: number, error: string): void {
    this.db
      .prepare('UPDATE queue_recipients SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error, id);
  }

  reapFinished(messageIds: string[]): string[] {
    const open = this.db.prepare(
      `SELECT 1 FROM queue_copies c JOIN queue_recipients r ON r.network_message_id = c.network_message_id
        WHERE c.message_id = ? AND r.status = 'queued' LIMIT 1`,
    );
    const file = this.db.prepare('SELECT spool_file FROM queue_messages WHERE id = ?').pluck();
    const del = this.db.prepare('DELETE FROM queue_messages WHERE id = ?');
    const files: string[] = [];
    for (const id of new Set(messageIds)) {
      if (open.get(id)) continue;
      const f = file.get(id) as string | undefined;
      if (f === undefined) continue;
      del.run(id);
      files.push(f);
    }
    return files;
  }

  pendingCount(): number {
    return this.db.prepare("SELECT count(*) FROM queue_recipients WHERE status = 'queued'").pluck().get() as number;
  }
}
