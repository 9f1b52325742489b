// Hosted-quarantine storage (reference §6): the port the quarantine service (quarantine/) uses.
// Every read and write carries the organization's GUID; an adapter must never touch another
// organization's entries, whatever the identity says. Times are epoch milliseconds (UTC).

/** One quarantined (message, recipient) entry. */
export interface QuarantineEntry {
  identity: string;
  orgGuid: string;
  networkMessageId: string;
  recipient: string;
  queueRecipientId: number;
  receivedAt: number;
  expiresAt: number;
  sender: string;
  subject: string;
  size: number;
  internetMessageId: string;
  quarantineTypes: string;
  policyName: string;
  ruleGuid: string;
  reason: string;
  releaseStatus: string;
  direction: string;
  releasedAt: number | null;
  releasedTo: string;
  deletedAt: number | null;
  /** The held message bytes as received (empty when they are no longer held). */
  spoolFile: string;
}

/** Summary filters (Get-QuarantineMessage), already normalised; all optional but the page. */
export interface QuarantineFilter {
  orgGuid: string;
  identity?: string;
  startReceived?: number;
  endReceived?: number;
  startExpires?: number;
  endExpires?: number;
  direction?: string;
  /** Recipient domains. */
  domains?: string[];
  quarantineTypes?: string[];
  recipients?: string[];
  senders?: string[];
  releaseStatus?: string[];
  /** Substring of the subject, case-insensitive. */
  subject?: string;
  messageId?: string;
  policyName?: string;
  offset: number;
  limit: number;
}

export interface QuarantineAudit {
  orgGuid: string;
  at: number;
  actor: string;
  action: string;
  identity: string;
  recipients: string[];
  detail: string;
}

export interface ReleaseWrite {
  entry: QuarantineEntry;
  /** Addresses to deliver this entry's message to now. */
  recipients: string[];
  at: number;
  audit: QuarantineAudit;
}

export interface QuarantineStore {
  /** Entries matching the filters (not soft-deleted), newest first. */
  list(filter: QuarantineFilter): QuarantineEntry[];
  /** One entry by its identity (GUID1\GUID2), or every entry of a message (GUID1), of this organization. */
  find(orgGuid: string, identity: string): QuarantineEntry[];
  /**
   * In one transaction: queue a delivery of the held message to each recipient (without rules),
   * mark the entry Released, trace RELEASE per recipient (message-trace status back to Pending)
   * and write the audit row.
   */
  release(write: ReleaseWrite): void;
  /**
   * Soft delete (hidden, bytes held until expiry) or hard delete (entry gone, bytes freed when
   * nothing else needs them). Traces and audits. Returns spool files that are now unused.
   */
  delete(entry: QuarantineEntry, hard: boolean, audit: QuarantineAudit): string[];
  /** Entries whose expiry has passed: removed, traced (EXPIRE), at most `limit`. Returns spool files now unused. */
  purgeExpired(now: number, limit: number): { purged: number; files: string[] };
  audit(entry: QuarantineAudit): void;
  auditTrail(orgGuid: string, limit: number): QuarantineAudit[];
}
