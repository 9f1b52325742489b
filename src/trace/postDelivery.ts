// What happens to a quarantined message afterwards, as Defender records it: an
// EmailPostDeliveryEvents row per recipient, and the EmailEvents row's LatestDeliveryLocation and
// LatestDeliveryAction moved to where the message is now. An admin's release or delete is
// Defender's "Manual remediation" triggered by an admin (ActionTrigger AdminAction); expiry is
// the system's own action (SpecialAction, as ZAP is), for which Defender has no ActionType name,
// so Postern calls it "Quarantine expiry". (A live Defender row for comparison: Action
// "Reprocessed", ActionType "Redelivery", ActionTrigger "SpecialAction", ActionResult "Success".)
import type { HuntingRow } from './tables.js';

export type PostDeliveryKind = 'Release' | 'Delete' | 'HardDelete' | 'Expire';

/** The quarantine entry the action was taken on. */
export interface PostDeliverySubject {
  orgGuid: string;
  networkMessageId: string;
  internetMessageId: string;
  recipient: string;
}

/** Columns copied from the message's EmailEvents row (absent once trace retention removed it). */
export interface OriginalEmailEvent {
  SenderFromAddress?: string;
  EmailDirection?: string;
  ThreatTypes?: string;
  DetectionMethods?: string;
}

const ACTIONS: Record<PostDeliveryKind, { Action: string; ActionType: string; ActionTrigger: string; DeliveryLocation: string; latestAction: string }> = {
  Release: { Action: 'Release from quarantine', ActionType: 'Manual remediation', ActionTrigger: 'AdminAction', DeliveryLocation: 'Inbox/folder', latestAction: 'Delivered' },
  Delete: { Action: 'Soft delete', ActionType: 'Manual remediation', ActionTrigger: 'AdminAction', DeliveryLocation: 'Deleted items', latestAction: 'Blocked' },
  HardDelete: { Action: 'Hard delete', ActionType: 'Manual remediation', ActionTrigger: 'AdminAction', DeliveryLocation: 'Dropped', latestAction: 'Blocked' },
  Expire: { Action: 'Purge on expiry', ActionType: 'Quarantine expiry', ActionTrigger: 'SpecialAction', DeliveryLocation: 'Dropped', latestAction: 'Blocked' },
};

export interface PostDeliveryRecord {
  row: HuntingRow;
  /** The EmailEvents columns of (org, message, recipient) to update. */
  latest: { LatestDeliveryLocation: string; LatestDeliveryAction: string };
}

export function postDeliveryRecord(kind: PostDeliveryKind, s: PostDeliverySubject, recipient: string, at: number, original: OriginalEmailEvent = {}): PostDeliveryRecord {
  const a = ACTIONS[kind];
  return {
    row: {
      OrgId: s.orgGuid,
      Timestamp: at,
      NetworkMessageId: s.networkMessageId,
      InternetMessageId: s.internetMessageId,
      Action: a.Action,
      ActionType: a.ActionType,
      ActionTrigger: a.ActionTrigger,
      ActionResult: 'Success',
      RecipientEmailAddress: recipient,
      DeliveryLocation: a.DeliveryLocation,
      ThreatTypes: original.ThreatTypes ?? '',
      DetectionMethods: original.DetectionMethods ?? '',
      SenderFromAddress: original.SenderFromAddress ?? '',
      EmailDirection: original.EmailDirection ?? '',
      SourceLocation: 'Quarantine',
      // Defender's ReportId on this table is the message id and a per-event number.
      ReportId: `${s.networkMessageId}-${at}`,
    },
    latest: { LatestDeliveryLocation: a.DeliveryLocation, LatestDeliveryAction: a.latestAction },
  };
}
