// Schema migrations, applied in order and never edited once released: add a new one instead.
import { addHuntingColumns, addHuntingTable, allHuntingDdl, type HuntingColumnGroup } from './huntingDdl.js';

// Hunting columns added after version 1, one group per migration below. Version 1 creates the
// hunting tables without them (its DDL is generated from trace/tables.ts), so a new database and
// an upgraded one reach the same columns by the same steps. A new column: add it to
// trace/tables.ts, add a group here and a migration that applies it.
const URL_CHAIN: HuntingColumnGroup = { EmailUrlInfo: ['UrlChainId', 'UrlChainPosition'] };
const LATER_HUNTING_COLUMNS = [URL_CHAIN];
// Hunting tables added after version 1, each created by its own migration below.
const LATER_HUNTING_TABLES = ['AdminAuditEvents'];

export interface Migration {
  version: number;
  up: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    up: [
      // Configuration: one JSON document per organization (validated by config/model.ts), an index
      // of accepted domains (a domain belongs to one organization), and a version counter that
      // running servers poll to pick up changes.
      `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `INSERT INTO meta (key, value) VALUES ('config_version', '0')`,
      `CREATE TABLE organizations (guid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, doc TEXT NOT NULL)`,
      `CREATE TABLE accepted_domains (domain TEXT PRIMARY KEY, org_guid TEXT NOT NULL REFERENCES organizations(guid) ON DELETE CASCADE)`,

      // The queue. A message is the spooled bytes as received; a copy is one organization's view of
      // it (its NetworkMessageId and the header edits applied at delivery); a recipient is one
      // delivery obligation.
      `CREATE TABLE queue_messages (
         id TEXT PRIMARY KEY, spool_file TEXT NOT NULL, received_at INTEGER NOT NULL,
         mail_from TEXT NOT NULL, client TEXT NOT NULL, size INTEGER NOT NULL)`,
      `CREATE TABLE queue_copies (
         network_message_id TEXT PRIMARY KEY, message_id TEXT NOT NULL REFERENCES queue_messages(id) ON DELETE CASCADE,
         org_guid TEXT NOT NULL, edits TEXT NOT NULL, bounce INTEGER NOT NULL DEFAULT 0)`,
      `CREATE TABLE queue_recipients (
         id INTEGER PRIMARY KEY, network_message_id TEXT NOT NULL REFERENCES queue_copies(network_message_id) ON DELETE CASCADE,
         recipient TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_at INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '')`,
      `CREATE INDEX queue_recipients_due ON queue_recipients (status, next_attempt_at)`,
      `CREATE INDEX queue_recipients_copy ON queue_recipients (network_message_id)`,
      `CREATE INDEX queue_copies_message ON queue_copies (message_id)`,

      // Message trace: one summary row per (message, recipient) and its event trail.
      `CREATE TABLE message_trace (
         org_guid TEXT NOT NULL, network_message_id TEXT NOT NULL, recipient TEXT NOT NULL,
         received_at INTEGER NOT NULL, sender TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,
         from_ip TEXT NOT NULL, to_ip TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL,
         internet_message_id TEXT NOT NULL, connector TEXT NOT NULL DEFAULT '',
         PRIMARY KEY (network_message_id, recipient))`,
      `CREATE INDEX message_trace_org_time ON message_trace (org_guid, received_at)`,
      `CREATE INDEX message_trace_msgid ON message_trace (org_guid, internet_message_id)`,
      `CREATE TABLE trace_events (
         id INTEGER PRIMARY KEY, org_guid TEXT NOT NULL, network_message_id TEXT NOT NULL,
         recipient TEXT NOT NULL, at INTEGER NOT NULL, event TEXT NOT NULL, action TEXT NOT NULL DEFAULT '',
         detail TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '')`,
      `CREATE INDEX trace_events_msg ON trace_events (network_message_id, recipient)`,
      `CREATE INDEX trace_events_org_time ON trace_events (org_guid, at)`,
      ...allHuntingDdl(LATER_HUNTING_COLUMNS, LATER_HUNTING_TABLES),
      `CREATE INDEX SmtpRejectEvents_time ON SmtpRejectEvents (Timestamp)`,
    ],
  },
  {
    version: 2,
    up: [
      // Hosted quarantine: one row per quarantined recipient. The message bytes stay in the spool
      // (the queue rows of a quarantined recipient have status 'quarantined'); release flips them
      // back to 'queued' so delivery takes over without re-running rules, as Exchange does.
      `CREATE TABLE quarantine (
         identity TEXT PRIMARY KEY, org_guid TEXT NOT NULL, network_message_id TEXT NOT NULL,
         recipient TEXT NOT NULL, queue_recipient_id INTEGER NOT NULL, received_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL, sender TEXT NOT NULL, subject TEXT NOT NULL, size INTEGER NOT NULL,
         internet_message_id TEXT NOT NULL, quarantine_types TEXT NOT NULL, policy_name TEXT NOT NULL,
         rule_guid TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', release_status TEXT NOT NULL DEFAULT 'NotReleased',
         direction TEXT NOT NULL DEFAULT 'Inbound')`,
      `CREATE INDEX quarantine_org_time ON quarantine (org_guid, received_at)`,
      `CREATE INDEX quarantine_expiry ON quarantine (expires_at)`,
    ],
  },
  {
    version: 3,
    up: [
      // Quarantine lifecycle: soft-deleted entries are hidden from listings (their bytes stay held
      // until expiry); released entries remember when. A release queues a new delivery row and
      // leaves the held one 'quarantined', so preview/export/-Force keep working until expiry.
      `ALTER TABLE quarantine ADD COLUMN released_at INTEGER`,
      `ALTER TABLE quarantine ADD COLUMN released_to TEXT NOT NULL DEFAULT ''`,
      `ALTER TABLE quarantine ADD COLUMN deleted_at INTEGER`,
      `CREATE INDEX quarantine_message ON quarantine (org_guid, network_message_id)`,
      // Every quarantine action: who (OS user and session), when, what.
      `CREATE TABLE quarantine_audit (
         id INTEGER PRIMARY KEY, org_guid TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL,
         action TEXT NOT NULL, identity TEXT NOT NULL, recipients TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '')`,
      `CREATE INDEX quarantine_audit_org_time ON quarantine_audit (org_guid, at)`,
      // Historical searches (Start-HistoricalSearch): the request, status and progress, and a
      // resumable cursor so a job survives a restart (the CSV is truncated back to csv_bytes).
      `CREATE TABLE historical_searches (
         job_id TEXT PRIMARY KEY, org_guid TEXT NOT NULL, submitted_at INTEGER NOT NULL, submitted_by TEXT NOT NULL,
         report_title TEXT NOT NULL, report_type TEXT NOT NULL, start_date INTEGER NOT NULL, end_date INTEGER NOT NULL,
         request TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'NotStarted', progress INTEGER NOT NULL DEFAULT 0,
         rows INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, cursor_ts INTEGER, cursor_rowid INTEGER,
         csv_file TEXT NOT NULL DEFAULT '', csv_bytes INTEGER NOT NULL DEFAULT 0,
         error_code TEXT, error_description TEXT, started_at INTEGER, finished_at INTEGER, notified_at INTEGER)`,
      `CREATE INDEX historical_searches_org_time ON historical_searches (org_guid, submitted_at)`,
      `CREATE INDEX historical_searches_status ON historical_searches (status)`,
    ],
  },
  {
    version: 4,
    up: [
      // Hunting joins match rows by message: `EmailEvents | join EmailAttachmentInfo on NetworkMessageId`.
      ...['EmailEvents', 'EmailAttachmentInfo', 'EmailUrlInfo', 'EmailPostDeliveryEvents'].map(
        (t) => `CREATE INDEX "${t}_org_message" ON "${t}" ("OrgId", "NetworkMessageId")`,
      ),
    ],
  },
  {
    version: 5,
    up: [
      // Small messages are queued with their bytes instead of a spool file (spool_file '').
      `ALTER TABLE queue_messages ADD COLUMN body BLOB`,
    ],
  },
  {
    version: 6,
    up: [
      // A trace event points at its message-trace row instead of repeating the organization, the
      // NetworkMessageId and the recipient: the growth benchmark measured trace events at 666 bytes
      // per message (rows 408, their two indexes 258) of 1,720. message_trace gets an explicit
      // INTEGER PRIMARY KEY so the link survives a VACUUM, and a trigger removes a row's events with
      // it (retention, or anything else that deletes trace rows).
      `CREATE TABLE message_trace_v6 (
         id INTEGER PRIMARY KEY, org_guid TEXT NOT NULL, network_message_id TEXT NOT NULL, recipient TEXT NOT NULL,
         received_at INTEGER NOT NULL, sender TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,
         from_ip TEXT NOT NULL, to_ip TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL,
         internet_message_id TEXT NOT NULL, connector TEXT NOT NULL DEFAULT '',
         UNIQUE (network_message_id, recipient))`,
      `INSERT INTO message_trace_v6 (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, to_ip, size, internet_message_id, connector)
         SELECT org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, to_ip, size, internet_message_id, connector
           FROM message_trace ORDER BY rowid`,
      `CREATE TABLE trace_events_v6 (
         id INTEGER PRIMARY KEY, trace_id INTEGER NOT NULL, at INTEGER NOT NULL, event TEXT NOT NULL,
         action TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '')`,
      `INSERT INTO trace_events_v6 (id, trace_id, at, event, action, detail, data)
         SELECT e.id, t.id, e.at, e.event, e.action, e.detail, e.data
           FROM trace_events e JOIN message_trace_v6 t ON t.network_message_id = e.network_message_id AND t.recipient = e.recipient`,
      `DROP TABLE trace_events`,
      `DROP TABLE message_trace`,
      `ALTER TABLE message_trace_v6 RENAME TO message_trace`,
      `ALTER TABLE trace_events_v6 RENAME TO trace_events`,
      `CREATE INDEX message_trace_org_time ON message_trace (org_guid, received_at)`,
      `CREATE INDEX message_trace_msgid ON message_trace (org_guid, internet_message_id)`,
      `CREATE INDEX trace_events_trace ON trace_events (trace_id)`,
      `CREATE TRIGGER message_trace_events_gone AFTER DELETE ON message_trace BEGIN DELETE FROM trace_events WHERE trace_id = old.id; END`,
      // The events with their message, for people reading the database by hand.
      `CREATE VIEW message_trace_events AS
         SELECT e.id, t.org_guid, t.network_message_id, t.recipient, e.at, e.event, e.action, e.detail, e.data
           FROM trace_events e JOIN message_trace t ON t.id = e.trace_id`,
    ],
  },
  {
    version: 7,
    up: [
      // Defender's EmailUrlInfo gained the URL chain (a redirect chain's id and each URL's place in it).
      ...addHuntingColumns(URL_CHAIN),
    ],
  },
  {
    version: 8,
    up: [
      // The process that accepted a message delivers its first attempt itself, from the bytes in
      // hand: its rows carry its pid and a lease (next_attempt_at in the future) that keeps every
      // other process's queue runner away until the lease ends or is released (the owner died, or
      // the gateway started again). 0: no lease.
      `ALTER TABLE queue_recipients ADD COLUMN leased_by INTEGER NOT NULL DEFAULT 0`,
    ],
  },
  {
    version: 9,
    up: [
      // Admin center and REST API sign-in. A user belongs to one organization (org_guid) with
      // Exchange's role names, or to none: a provider operator who manages every organization.
      // Only hashes are kept: scrypt for passwords, SHA-256 for session and API token secrets
      // (random 256-bit values, so a fast hash is enough and a stolen database signs no one in).
      `CREATE TABLE admin_users (
         user_name TEXT PRIMARY KEY COLLATE NOCASE,
         org_guid TEXT REFERENCES organizations(guid) ON DELETE CASCADE,
         roles TEXT NOT NULL,
         password_hash TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         password_changed_at INTEGER NOT NULL)`,
      `CREATE TABLE admin_sessions (
         id_hash TEXT PRIMARY KEY,
         user_name TEXT NOT NULL REFERENCES admin_users(user_name) ON DELETE CASCADE,
         csrf_token TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL,
         client_ip TEXT NOT NULL DEFAULT '')`,
      `CREATE INDEX admin_sessions_expiry ON admin_sessions(expires_at)`,
      `CREATE TABLE api_tokens (
         id TEXT PRIMARY KEY,
         token_hash TEXT NOT NULL UNIQUE,
         user_name TEXT NOT NULL REFERENCES admin_users(user_name) ON DELETE CASCADE,
         name TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER,
         last_used_at INTEGER)`,
    ],
  },
  {
    version: 10,
    up: [
      // The admin audit log (Search-AdminAuditLog): one row per state-changing admin operation,
      // succeeded or refused. It is a hunting table (trace/tables.ts), so KQL reads it inside the
      // organization like EmailEvents, and trace retention ages it out the same way.
      ...addHuntingTable('AdminAuditEvents'),
    ],
  },
];
