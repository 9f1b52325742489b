// The trace rows behind `postern directsend preview` on SQLite, one organization at a time
// through each table's (OrgId, Timestamp) index.
import type { PreviewRow, RefusalRow } from '../../mailflow/directSendPreview.js';
import type { DirectSendRows } from '../ports.js';
import type { Db } from './db.js';

export class SqliteDirectSendRows implements DirectSendRows {
  private readonly refusedStmt;
  private readonly acceptedStmt;

  constructor(db: Db) {
    this.refusedStmt = db.prepare(
      `SELECT OrgId, Timestamp, SessionId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderMailFromDomain,
              RecipientEmailAddress, EnhancedStatusCode
         FROM SmtpRejectEvents WHERE OrgId = ? AND Timestamp >= ? AND EnhancedStatusCode IN ('5.7.68', '5.7.51')`,
    );
    this.acceptedStmt = db.prepare(
      `SELECT OrgId, Timestamp, NetworkMessageId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderMailFromDomain,
              RecipientEmailAddress, Connectors, EmailDirection, AdditionalFields
         FROM EmailEvents WHERE OrgId = ? AND Timestamp >= ?`,
    );
  }

  refused(orgGuid: string, since: number): RefusalRow[] {
    return this.refusedStmt.all(orgGuid, since) as RefusalRow[];
  }

  accepted(orgGuid: string, since: number): Iterable<PreviewRow> {
    return this.acceptedStmt.iterate(orgGuid, since) as Iterable<PreviewRow>;
  }
}
