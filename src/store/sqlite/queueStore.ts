// The delivery queue on SQLite. Rows are written in the same transaction as the trace of the
// receipt, after the spool file is fsynced, and made durable before "250 OK" is sent.
import { randomUUID } from 'node:crypto';
import type { HeaderEdits } from '../../message/headerEdits.js';
import type { DeliveryLease, DueRecipient, NewMessage, QueueStore } from '../ports.js';
import type { Db } from './db.js';

type DueRow = Omit<DueRecipient, 'edits' | 'bounce'> & { edits: string; bounce: number };

/**
 * A due row whose header edits are parsed on first use: the runner fetches more rows than it
 * starts (to complete multi-recipient groups) and most are fetched again on the next round.
 */
function dueRecipient(row: DueRow): DueRecipient {
  const json = row.edits;
  let edits: HeaderEdits | undefined;
  return Object.defineProperties({ ...row, bounce: row.bounce === 1 } as unknown as DueRecipient, {
    edits: { enumerable: true, get: () => (edits ??= JSON.parse(json)) },
  });
}

export class SqliteQueueStore implements QueueStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insertMessage: db.prepare('INSERT INTO queue_messages (id, spool_file, received_at, mail_from, client, size, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      body: db.prepare('SELECT body FROM queue_messages WHERE id = ?').pluck(),
      insertCopy: db.prepare('INSERT INTO queue_copies (network_message_id, message_id, org_guid, edits, bounce) VALUES (?, ?, ?, ?, ?)'),
      insertRecipient: db.prepare('INSERT INTO queue_recipients (network_message_id, recipient, status, next_attempt_at, leased_by) VALUES (?, ?, ?, ?, ?)'),
      insertQuarantine: db.prepare(
        `INSERT INTO quarantine (identity, org_guid, network_message_id, recipient, queue_recipient_id, received_at, expires_at, sender, subject, size,
                                 internet_message_id, quarantine_types, policy_name, rule_guid, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      due: db.prepare(
        `SELECT r.id, m.id AS messageId, m.spool_file AS spoolFile, m.received_at AS receivedAt, m.mail_from AS mailFrom,
                m.size, c.network_message_id AS networkMessageId, c.org_guid AS orgGuid, c.edits, c.bounce,
                r.recipient, r.attempts
           FROM queue_recipients r
           JOIN queue_copies c ON c.network_message_id = r.network_message_id
           JOIN queue_messages m ON m.id = c.message_id
          WHERE r.status = 'queued' AND r.next_attempt_at <= ?
          ORDER BY r.next_attempt_at LIMIT ?`,
      ),
      markDone: db.prepare('DELETE FROM queue_recipients WHERE id = ?'),
      markDeferred: db.prepare('UPDATE queue_recipients SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, leased_by = 0 WHERE id = ?'),
      releaseOwner: db.prepare('UPDATE queue_recipients SET next_attempt_at = ?, leased_by = 0 WHERE leased_by = ?'),
      releaseAll: db.prepare('UPDATE queue_recipients SET next_attempt_at = ?, leased_by = 0 WHERE leased_by <> 0'),
      releaseRow: db.prepare('UPDATE queue_recipients SET next_attempt_at = ?, leased_by = 0 WHERE id = ? AND leased_by <> 0'),
      stillQueued: db.prepare(
        `SELECT 1 FROM queue_copies c JOIN queue_recipients r ON r.network_message_id = c.network_message_id
          WHERE c.message_id = ? AND r.status IN ('queued', 'quarantined') LIMIT 1`,
      ),
      spoolFile: db.prepare('SELECT spool_file FROM queue_messages WHERE id = ?').pluck(),
      deleteMessage: db.prepare('DELETE FROM queue_messages WHERE id = ?'),
      pending: db.prepare("SELECT count(*) FROM queue_recipients WHERE status = 'queued'").pluck(),
    };
  }

  enqueue(m: NewMessage, lease?: DeliveryLease): DueRecipient[] {
    const fresh: DueRecipient[] = [];
    this.s.insertMessage.run(m.id, m.spoolFile, m.receivedAt, m.mailFrom, JSON.stringify(m.client), m.size, m.body ?? null);
    for (const c of m.copies) {
      this.s.insertCopy.run(c.networkMessageId, m.id, c.orgGuid, JSON.stringify(c.edits), c.bounce ? 1 : 0);
      const q = c.quarantine;
      for (const r of c.recipients) {
        const leased = lease && !q;
        const { lastInsertRowid } = this.s.insertRecipient.run(c.networkMessageId, r, q ? 'quarantined' : 'queued', leased ? lease.until : m.receivedAt, leased ? lease.owner : 0);
        if (q) {
          // Exchange's identity format GUID1\GUID2: the message, then the recipient's entry.
          const identity = `${c.networkMessageId}\\${randomUUID()}`;
          this.s.insertQuarantine.run(identity, c.orgGuid, c.networkMessageId, r, lastInsertRowid, m.receivedAt, q.expiresAt, q.sender, q.subject, m.size, q.internetMessageId, q.types, q.policyName, q.ruleGuid, q.reason);
        } else if (leased) {
          const { id: messageId, spoolFile, receivedAt, mailFrom, size } = m;
          fresh.push({ id: Number(lastInsertRowid), messageId, spoolFile, receivedAt, mailFrom, size, networkMessageId: c.networkMessageId, orgGuid: c.orgGuid, edits: c.edits, bounce: !!c.bounce, recipient: r, attempts: 0 });
        }
      }
    }
    return fresh;
  }

  releaseLeases(now: number, owner?: number): number {
    return (owner === undefined ? this.s.releaseAll.run(now) : this.s.releaseOwner.run(now, owner)).changes;
  }

  releaseRows(ids: number[], now: number): void {
    for (const id of ids) this.s.releaseRow.run(now, id);
  }

  due(now: number, limit: number, exclude: Set<number>): DueRecipient[] {
    const rows = this.s.due.all(now, limit + exclude.size) as DueRow[];
    return rows
      .filter((r) => !exclude.has(r.id))
      .slice(0, limit)
      .map(dueRecipient);
  }

  /** A finished recipient leaves the queue (its outcome lives on in the trace). */
  markDone(id: number): void {
    this.s.markDone.run(id);
  }

  markDeferred(id: number, nextAttemptAt: number, error: string): void {
    this.s.markDeferred.run(nextAttemptAt, error, id);
  }

  reapFinished(messageIds: string[]): string[] {
    const files: string[] = [];
    for (const id of new Set(messageIds)) {
      if (this.s.stillQueued.get(id)) continue;
      const f = this.s.spoolFile.get(id) as string | undefined;
      if (f === undefined) continue;
      this.s.deleteMessage.run(id);
      if (f) files.push(f);
    }
    return files;
  }

  body(messageId: string): Buffer | undefined {
    return (this.s.body.get(messageId) as Buffer | null | undefined) ?? undefined;
  }

  pendingCount(): number {
    return this.s.pending.get() as number;
  }
}
