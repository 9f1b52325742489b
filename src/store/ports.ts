// Storage ports: what the core and the edges need from a store, independent of SQLite or
// PostgreSQL. Adapters live in store/sqlite (embedded default) and store/postgres.
import type { Organization } from '../config/model.js';
import type { PreviewRow, RefusalRow } from '../mailflow/directSendPreview.js';

/**
 * An accepted domain another organization holds, or a parent or subdomain of one: as in Exchange
 * Online, a domain and its subdomains belong to one tenant. The message names the domains only,
 * never the other organization.
 */
export class DomainInUseError extends Error {
  constructor(readonly domain: string, readonly heldDomain: string) {
    const held = heldDomain === domain ? 'it is' : heldDomain.endsWith(`.${domain}`) ? `its subdomain '${heldDomain}' is` : `its parent domain '${heldDomain}' is`;
    super(`The domain '${domain}' can't be added: ${held} already in use in another tenant. A domain and its subdomains can belong to one organization only.`);
    this.name = 'DomainInUseError';
  }
}

/** An organization's name is taken (names are unique whatever their case). */
export class OrganizationNameInUseError extends Error {
  constructor(readonly organizationName: string) {
    super(`An organization named '${organizationName}' already exists.`);
    this.name = 'OrganizationNameInUseError';
  }
}

/**
 * Reading the configuration: synchronous on every engine. SQLite reads its file; PostgreSQL
 * serves them from an in-memory snapshot that LISTEN/NOTIFY keeps current.
 */
export interface ConfigReader {
  /** Every organization, as one consistent snapshot. */
  organizations(): Organization[];
  organization(nameOrGuid: string): Organization | undefined;
  /** Monotonic counter that changes with every configuration change; servers poll it. */
  configVersion(): number;
}

export interface ConfigStore extends ConfigReader {
  /** Create or replace an organization (validated); bumps the configuration version. Throws DomainInUseError, OrganizationNameInUseError. */
  saveOrganization(org: Organization): void;
  removeOrganization(guid: string): void;
}

/**
 * The configuration writes as promises: PostgreSQL's writes go over the network, so it has only
 * these. SQLite has them too (over its synchronous writes), so code that moves to them runs on
 * both engines. When one resolves, this store's reads already show the change.
 */
export interface AsyncConfigStore extends ConfigReader {
  /** As ConfigStore.saveOrganization: validated, DomainInUseError, OrganizationNameInUseError, version bumped. */
  saveOrganizationAsync(org: Organization): Promise<void>;
  removeOrganizationAsync(guid: string): Promise<void>;
  /**
   * The whole configuration becomes `orgs` (`config import`): organizations not among them are
   * removed, the others saved in order, all in one transaction, so a refusal changes nothing.
   */
  replaceOrganizationsAsync(orgs: Organization[]): Promise<void>;
}

import type { ClientFacts } from '../message/facts.js';
import type { QueuedCopy } from '../mailflow/disposition.js';
import type { HeaderEdits } from '../message/headerEdits.js';

export type { QueuedCopy, QuarantineHold } from '../mailflow/disposition.js';

export interface NewMessage {
  id: string;
  /** The spool file, or '' when the message is small and queued with its bytes (`body`). */
  spoolFile: string;
  body?: Buffer;
  receivedAt: number;
  mailFrom: string;
  client: ClientFacts;
  size: number;
  copies: QueuedCopy[];
}

export interface DueRecipient {
  id: number;
  messageId: string;
  spoolFile: string;
  receivedAt: number;
  mailFrom: string;
  size: number;
  networkMessageId: string;
  orgGuid: string;
  edits: HeaderEdits;
  bounce: boolean;
  recipient: string;
  attempts: number;
}

/**
 * The first delivery attempt belongs to the process that accepted the message (it has the bytes
 * in hand): nobody else picks the recipients before `until`, unless the lease is released.
 */
export interface DeliveryLease {
  /** The owner's process id. */
  owner: number;
  until: number;
}

export interface QueueStore {
  /** Queue a message; with a lease, returns its recipients for the owner to deliver (quarantined ones are not due). */
  enqueue(msg: NewMessage, lease?: DeliveryLease): DueRecipient[];
  /** End the leases of `owner` (it died), or every lease (at start, when no process can hold one); returns how many. */
  releaseLeases(now: number, owner?: number): number;
  /** End the lease of these rows: due now for whoever picks them. */
  releaseRows(ids: number[], now: number): void;
  /** Recipients whose next attempt is due, oldest first, skipping those already leased. */
  due(now: number, limit: number, exclude: Set<number>): DueRecipient[];
  /** The recipient is finished (delivered or failed): it leaves the queue. */
  markDone(id: number): void;
  markDeferred(id: number, nextAttemptAt: number, error: string): void;
  /** The bytes of a message queued without a spool file. */
  body(messageId: string): Buffer | undefined;
  /** Of these messages, those whose every recipient is done: rows deleted, spool files returned for removal. */
  reapFinished(messageIds: string[]): string[];
  pendingCount(): number;
}

export type { AsyncTraceStore, MessageTraceRow, TraceEvent, TraceStore } from '../trace/records.js';
export { asAsyncTraceStore } from '../trace/records.js';

/**
 * What /metrics reads from the store when it is scraped: state that other processes change too
 * (`postern shell` releases from the quarantine and starts historical searches), so no one
 * process could count it.
 */
export interface SignalStore {
  /** Queue recipients by state: queued (not tried yet), deferred (tried, waiting to retry), quarantined, … */
  queueDepth(): { state: string; count: number }[];
  /** Recipients ever released from the quarantine, per organization (from the audit trail, which is kept). */
  releasedByOrganization(): { orgGuid: string; count: number }[];
  /** Historical searches by Status (NotStarted, InProgress, Done, Failed, Cancelled). */
  searchesByState(): { state: string; count: number }[];
}

/** An admin center / REST API user (passwords only as scrypt hashes). */
export interface AdminUserRecord {
  userName: string;
  /** Organization GUID; null for a provider operator. */
  organization: string | null;
  roles: string[];
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
}

export interface AdminSessionRecord {
  userName: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiTokenRecord {
  id: string;
  userName: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

/** Users, browser sessions and API tokens of the admin API. Secrets arrive hashed (SHA-256). */
export interface AdminUserStore {
  users(organization?: string | null): AdminUserRecord[];
  user(userName: string): AdminUserRecord | undefined;
  /** Throws AdminUserExistsError when the name is taken (user names are unique, case-insensitively). */
  addUser(user: AdminUserRecord): void;
  setPassword(userName: string, passwordHash: string, at: number): void;
  removeUser(userName: string): boolean;
  createSession(idHash: string, session: AdminSessionRecord, clientIp: string): void;
  /** The unexpired session with this id hash. */
  session(idHash: string, now: number): AdminSessionRecord | undefined;
  removeSession(idHash: string): void;
  /** Every session of the user (after a password change or removal). */
  removeSessions(userName: string): void;
  purgeExpiredSessions(now: number): number;
  createToken(tokenHash: string, token: ApiTokenRecord): void;
  /** The unexpired token with this hash, marking its last use. */
  useToken(tokenHash: string, now: number): ApiTokenRecord | undefined;
  tokens(userName: string): ApiTokenRecord[];
  removeToken(userName: string, id: string): boolean;
}

export class AdminUserExistsError extends Error {
  constructor(readonly userName: string) {
    super(`The user '${userName}' already exists.`);
    this.name = 'AdminUserExistsError';
  }
}

/** A property the operation changed, as Exchange's admin audit log shows it. Values are JSON (dates as ISO strings). */
export interface AuditModifiedProperty {
  Name: string;
  OldValue: unknown;
  NewValue: unknown;
}

/** One state-changing admin operation, succeeded or refused: a row of the AdminAuditEvents hunting table. */
export interface AdminAuditRecord {
  orgGuid: string;
  /** Milliseconds since the epoch (UTC). */
  at: number;
  caller: string;
  /** Exchange's cmdlet name (Set-OrganizationConfig). */
  cmdletName: string;
  /** The parameters as given, passwords masked. */
  cmdletParameters: { Name: string; Value: unknown }[];
  /** The Identity of the object the operation acted on. */
  objectModified: string;
  modifiedProperties: AuditModifiedProperty[];
  succeeded: boolean;
  /** The error the operation failed with ('' when it succeeded). */
  errorMessage: string;
  /** Where the caller connected from ('' for a local shell). */
  clientIp: string;
}

/** Search-AdminAuditLog's filters, on one organization: newest first. */
export interface AdminAuditQuery {
  orgGuid: string;
  /** Inclusive, ms since the epoch. */
  start?: number;
  /** Inclusive, ms since the epoch. */
  end?: number;
  /** Cmdlet names, case-insensitive. */
  cmdlets?: string[];
  /** Identities of the objects modified, case-insensitive. */
  objectIds?: string[];
  /** Callers: a user name matches the caller it begins (the shell appends its session in parentheses). */
  callers?: string[];
  /** Records whose cmdlet was given one of these parameters, case-insensitive. */
  parameters?: string[];
  succeeded?: boolean;
  /** Only records older than this one (its id): the next page after it. */
  before?: number;
  /** Records skipped before the first returned (Exchange's StartIndex). */
  offset?: number;
  limit: number;
}

/** The admin audit log (Exchange's Search-AdminAuditLog): kept with the trace, aged out by trace retention. */
export interface AdminAuditLog {
  append(record: AdminAuditRecord): void;
  /** Matching records, newest first, each with its id (ascending in time of writing). */
  search(query: AdminAuditQuery): (AdminAuditRecord & { id: number })[];
}


/**
 * The trace rows the Direct Send lockdown preview judges (mailflow/directSendPreview.ts), for one
 * organization from `since` (ms since the epoch). Read `refused` before iterating `accepted`: the
 * accepted rows are streamed, and a store connection may run one query at a time.
 */
export interface DirectSendRows {
  /** SmtpRejectEvents rows refused with 5.7.68 or 5.7.51. */
  refused(orgGuid: string, since: number): RefusalRow[];
  /** EmailEvents rows: accepted message × recipient. */
  accepted(orgGuid: string, since: number): Iterable<PreviewRow>;
}
