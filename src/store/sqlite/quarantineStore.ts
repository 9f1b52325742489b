// The hosted quarantine on SQLite. A quarantined recipient is a queue row with status
// 'quarantined' (its spool file is kept while such a row exists) plus an index row in
// `quarantine`. Releasing queues a *new* delivery row for the same copy, so the held row keeps
// the bytes until expiry (preview, export and -Force re-release keep working, as in Exchange);
// delivery takes it from there with the stored header edits, without re-running rules. Every
// statement is scoped by org_guid.
import { postDeliveryRecord, type OriginalEmailEvent, type PostDeliveryKind } from '../../trace/postDelivery.js';
import { EmailPostDeliveryEvents } from '../../trace/tables.js';
import type { QuarantineAudit, QuarantineEntry, QuarantineFilter, QuarantineStore, ReleaseWrite } from '../quarantineStore.js';
import type { Db } from './db.js';
import { anyLike } from '../likeFilters.js';
import { insertFor, prepareInsertEvent } from './traceStore.js';

const ENTRY_COLUMNS = `q.identity, q.org_guid AS orgGuid, q.network_message_id AS networkMessageId, q.recipient,
  q.queue_recipient_id AS queueRecipientId, q.received_at AS receivedAt, q.expires_at AS expiresAt, q.sender, q.subject, q.size,
  q.internet_message_id AS internetMessageId, q.quarantine_types AS quarantineTypes, q.policy_name AS policyName,
  q.rule_guid AS ruleGuid, q.reason, q.release_status AS releaseStatus, q.direction, q.released_at AS releasedAt,
  q.released_to AS releasedTo, q.deleted_at AS deletedAt, coalesce(m.spool_file, '') AS spoolFile`;

const FROM = `FROM quarantine q
  LEFT JOIN queue_recipients r ON r.id = q.queue_recipient_id AND r.status = 'quarantined'
  LEFT JOIN queue_copies c ON c.network_message_id = r.network_message_id
  LEFT JOIN queue_messages m ON m.id = c.message_id`;

export class SqliteQuarantineStore implements QuarantineStore {
  private readonly s;
  private readonly insertEvent;
  private readonly insertPostDelivery;

  constructor(private readonly db: Db) {
    this.insertEvent = prepareInsertEvent(db);
    this.insertPostDelivery = insertFor(db, EmailPostDeliveryEvents);
    this.s = {
      originalEvent: db.prepare(
        `SELECT "SenderFromAddress", "EmailDirection", "ThreatTypes", "DetectionMethods" FROM "EmailEvents"
          WHERE "OrgId" = ? AND "NetworkMessageId" = ? ORDER BY lower("RecipientEmailAddress") = ? DESC LIMIT 1`,
      ),
      latestDelivery: db.prepare(
        `UPDATE "EmailEvents" SET "LatestDeliveryLocation" = ?, "LatestDeliveryAction" = ?
          WHERE "OrgId" = ? AND "NetworkMessageId" = ? AND lower("RecipientEmailAddress") = ?`,
      ),
      byIdentity: db.prepare(`SELECT ${ENTRY_COLUMNS} ${FROM} WHERE q.org_guid = ? AND lower(q.identity) = ?`),
      byMessage: db.prepare(`SELECT ${ENTRY_COLUMNS} ${FROM} WHERE q.org_guid = ? AND q.network_message_id = ? ORDER BY q.recipient`),
      queueRecipient: db.prepare("INSERT INTO queue_recipients (network_message_id, recipient, status, next_attempt_at) VALUES (?, ?, 'queued', ?)"),
      traceRow: db.prepare('SELECT 1 FROM message_trace WHERE network_message_id = ? AND lower(recipient) = ?').pluck(),
      copyTraceRow: db.prepare(
        `INSERT OR IGNORE INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, to_ip, size, internet_message_id, connector)
         SELECT org_guid, network_message_id, ?, received_at, sender, subject, 'Pending', from_ip, to_ip, size, internet_message_id, connector
           FROM message_trace WHERE +org_guid = ? AND network_message_id = ? AND recipient = ?`,
      ),
      traceStatus: db.prepare('UPDATE message_trace SET status = ? WHERE +org_guid = ? AND network_message_id = ? AND lower(recipient) = ?'),
      markReleased: db.prepare("UPDATE quarantine SET release_status = 'Released', released_at = ?, released_to = ? WHERE org_guid = ? AND identity = ?"),
      softDelete: db.prepare('UPDATE quarantine SET deleted_at = ? WHERE org_guid = ? AND identity = ?'),
      remove: db.prepare('DELETE FROM quarantine WHERE org_guid = ? AND identity = ?'),
      unhold: db.prepare("UPDATE queue_recipients SET status = ? WHERE id = ? AND status = 'quarantined'"),
      messageOfCopy: db.prepare('SELECT message_id FROM queue_copies WHERE network_message_id = ?').pluck(),
      stillNeeded: db.prepare(
        `SELECT 1 FROM queue_copies c JOIN queue_recipients r ON r.network_message_id = c.network_message_id
          WHERE c.message_id = ? AND r.status IN ('queued', 'quarantined') LIMIT 1`,
      ).pluck(),
      spoolFile: db.prepare('SELECT spool_file FROM queue_messages WHERE id = ?').pluck(),
      deleteMessage: db.prepare('DELETE FROM queue_messages WHERE id = ?'),
      expired: db.prepare(`SELECT ${ENTRY_COLUMNS} ${FROM} WHERE q.expires_at <= ? ORDER BY q.expires_at LIMIT ?`),
      audit: db.prepare('INSERT INTO quarantine_audit (org_guid, at, actor, action, identity, recipients, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      auditTrail: db.prepare('SELECT org_guid AS orgGuid, at, actor, action, identity, recipients, detail FROM quarantine_audit WHERE org_guid = ? ORDER BY at DESC, id DESC LIMIT ?'),
    };
  }

  list(f: QuarantineFilter): QuarantineEntry[] {
    const where = ['q.org_guid = ?', 'q.deleted_at IS NULL'];
    const args: unknown[] = [f.orgGuid];
    const cmp = (sql: string, v: unknown) => {
      if (v === undefined) return;
      where.push(sql);
      args.push(v);
    };
    cmp('lower(q.identity) = ?', f.identity?.toLowerCase());
    cmp('q.received_at >= ?', f.startReceived);
    cmp('q.received_at <= ?', f.endReceived);
    cmp('q.expires_at >= ?', f.startExpires);
    cmp('q.expires_at <= ?', f.endExpires);
    cmp('lower(q.direction) = ?', f.direction?.toLowerCase());
    cmp("trim(q.internet_message_id, '<>') = ?", f.messageId?.trim().replace(/^<|>$/g, ''));
    cmp('lower(q.policy_name) = ?', f.policyName?.toLowerCase());
    if (f.subject) cmp("lower(q.subject) LIKE ? ESCAPE '\\'", `%${f.subject.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const anyOf = (sql: (p: string) => string, values: string[] | undefined, map: (v: string) => string) => {
      if (!values?.length) return;
      where.push(`(${values.map(() => sql('?')).join(' OR ')})`);
      args.push(...values.map(map));
    };
    anyLike(where, args, 'q.sender', f.senders);
    anyLike(where, args, 'q.recipient', f.recipients);
    anyOf((p) => `lower(substr(q.recipient, instr(q.recipient, '@') + 1)) = ${p}`, f.domains, (d) => d.toLowerCase());
    anyOf((p) => `lower(q.quarantine_types) = ${p}`, f.quarantineTypes, (t) => t.toLowerCase());
    anyOf((p) => `lower(q.release_status) = ${p}`, f.releaseStatus, (t) => t.toLowerCase());
    const sql = `SELECT ${ENTRY_COLUMNS} ${FROM} WHERE ${where.join(' AND ')} ORDER BY q.received_at DESC, lower(q.recipient), q.identity LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...args, f.limit, f.offset) as QuarantineEntry[];
  }

  find(orgGuid: string, identity: string): QuarantineEntry[] {
    const id = identity.trim().toLowerCase();
    if (id.includes('\\')) return this.s.byIdentity.all(orgGuid, id) as QuarantineEntry[];
    return this.s.byMessage.all(orgGuid, id) as QuarantineEntry[];
  }

  release(w: ReleaseWrite): void {
    const e = w.entry;
    this.db.transaction(() => {
      for (const rcpt of w.recipients) {
        this.s.queueRecipient.run(e.networkMessageId, rcpt, w.at);
        // A release to an address that wasn't an original recipient gets its own trace row.
        if (!this.s.traceRow.get(e.networkMessageId, rcpt.toLowerCase())) this.s.copyTraceRow.run(rcpt, e.orgGuid, e.networkMessageId, e.recipient);
        this.s.traceStatus.run('Pending', e.orgGuid, e.networkMessageId, rcpt.toLowerCase());
        const to = rcpt.toLowerCase() === e.recipient.toLowerCase() ? '' : ` (held for ${e.recipient})`;
        this.traceEvent(e.orgGuid, e.networkMessageId, rcpt, w.at, 'RELEASE', 'Release', `Released from the hosted quarantine by ${w.audit.actor}${to}; delivered without re-running transport rules`, `identity=${e.identity}`);
        this.postDelivery('Release', e, rcpt, w.at);
      }
      const releasedTo = [...new Set([...e.releasedTo.split(',').filter(Boolean), ...w.recipients.map((r) => r.toLowerCase())])].join(',');
      this.s.markReleased.run(w.at, releasedTo, e.orgGuid, e.identity);
      this.audit(w.audit);
    })();
  }

  delete(e: QuarantineEntry, hard: boolean, audit: QuarantineAudit): string[] {
    let files: string[] = [];
    this.db.transaction(() => {
      const how = hard ? 'hard-deleted (unrecoverable)' : 'deleted (held until expiry, then purged)';
      this.traceEvent(e.orgGuid, e.networkMessageId, e.recipient, audit.at, 'DELETE', hard ? 'HardDelete' : 'Delete', `Quarantined message ${how} by ${audit.actor}`, `identity=${e.identity}`);
      this.postDelivery(hard ? 'HardDelete' : 'Delete', e, e.recipient, audit.at);
      if (hard) {
        this.s.unhold.run('deleted', e.queueRecipientId);
        this.s.remove.run(e.orgGuid, e.identity);
        files = this.reap(e.networkMessageId);
      } else {
        this.s.softDelete.run(audit.at, e.orgGuid, e.identity);
      }
      this.audit(audit);
    })();
    return files;
  }

  purgeExpired(now: number, limit: number): { purged: number; files: string[] } {
    const files: string[] = [];
    let purged = 0;
    this.db.transaction(() => {
      for (const e of this.s.expired.all(now, limit) as QuarantineEntry[]) {
        this.s.unhold.run('expired', e.queueRecipientId);
        this.s.remove.run(e.orgGuid, e.identity);
        this.traceEvent(e.orgGuid, e.networkMessageId, e.recipient, now, 'EXPIRE', 'Expire', `Quarantine retention ended (${new Date(e.expiresAt).toISOString()}); the held message was purged`, `identity=${e.identity}`);
        // A soft-deleted entry already left its post-delivery row; its purge changes nothing the hunter sees.
        if (e.deletedAt === null) this.postDelivery('Expire', e, e.recipient, now);
        this.audit({ orgGuid: e.orgGuid, at: now, actor: 'postern (expiry)', action: 'Expire', identity: e.identity, recipients: [e.recipient], detail: 'retention ended; purged' });
        files.push(...this.reap(e.networkMessageId));
        purged++;
      }
    })();
    return { purged, files };
  }

  audit(a: QuarantineAudit): void {
    this.s.audit.run(a.orgGuid, a.at, a.actor, a.action, a.identity, a.recipients.join(','), a.detail);
  }

  auditTrail(orgGuid: string, limit: number): QuarantineAudit[] {
    return (this.s.auditTrail.all(orgGuid, limit) as (Omit<QuarantineAudit, 'recipients'> & { recipients: string })[]).map((r) => ({ ...r, recipients: r.recipients ? r.recipients.split(',') : [] }));
  }

  /** EmailPostDeliveryEvents row for the action, and the EmailEvents row's latest delivery moved along. */
  private postDelivery(kind: PostDeliveryKind, e: QuarantineEntry, recipient: string, at: number): void {
    const original = this.s.originalEvent.get(e.orgGuid, e.networkMessageId, e.recipient.toLowerCase()) as OriginalEmailEvent | undefined;
    const { row, latest } = postDeliveryRecord(kind, e, recipient, at, original);
    this.insertPostDelivery(row);
    this.s.latestDelivery.run(latest.LatestDeliveryLocation, latest.LatestDeliveryAction, e.orgGuid, e.networkMessageId, recipient.toLowerCase());
  }

  /** The copy's message rows when no recipient needs them any more; its spool file to remove. */
  private reap(networkMessageId: string): string[] {
    const id = this.s.messageOfCopy.get(networkMessageId) as string | undefined;
    if (id === undefined || this.s.stillNeeded.get(id)) return [];
    const file = this.s.spoolFile.get(id) as string | undefined;
    this.s.deleteMessage.run(id);
    return file ? [file] : [];
  }

  private traceEvent(orgGuid: string, networkMessageId: string, recipient: string, at: number, event: string, action: string, detail: string, data: string): void {
    this.insertEvent({ orgGuid, networkMessageId, recipient, at, event, action, detail, data });
  }
}
