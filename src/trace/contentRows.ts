// What content inspection leaves in the hunting tables, as Defender writes it: one
// EmailAttachmentInfo row per attachment and recipient, one EmailUrlInfo row per URL and message
// copy, and on each EmailEvents row the counts, the cluster id and any inspection limit that was hit.
import type { ContentFacts } from '../content/scan.js';
import type { TraceEvent } from './records.js';
import type { HuntingRow } from './tables.js';

/** The copy and recipient the rows belong to. */
export interface ContentRowKey {
  orgGuid: string;
  networkMessageId: string;
  timestamp: number;
  senderFromAddress: string;
  senderDisplayName: string;
}

export function attachmentRows(facts: ContentFacts, key: ContentRowKey, recipient: string): HuntingRow[] {
  return facts.attachments.map((a) => ({
    OrgId: key.orgGuid,
    Timestamp: key.timestamp,
    NetworkMessageId: key.networkMessageId,
    SenderFromAddress: key.senderFromAddress,
    SenderDisplayName: key.senderDisplayName,
    RecipientEmailAddress: recipient,
    ...a,
  }));
}

export function urlRows(facts: ContentFacts, key: ContentRowKey): HuntingRow[] {
  return facts.urls.map((u) => ({ OrgId: key.orgGuid, Timestamp: key.timestamp, NetworkMessageId: key.networkMessageId, ...u }));
}

/** The EmailEvents columns content inspection fills, and what goes into AdditionalFields. */
export function emailEventsContent(facts: ContentFacts | undefined): { columns: HuntingRow; additional: Record<string, unknown> } {
  if (!facts) return { columns: { AttachmentCount: 0, UrlCount: 0, EmailClusterId: 0 }, additional: {} };
  const additional = facts.limitsHit.length ? { ContentInspectionLimits: facts.limitsHit.map((h) => h.limit) } : {};
  return { columns: { AttachmentCount: facts.attachments.length, UrlCount: facts.urls.length, EmailClusterId: facts.clusterId }, additional };
}

/** One AGENTINFO trace event per limit hit: the message was accepted, but not all of it was inspected. */
export function limitEvents(facts: ContentFacts | undefined, base: Omit<TraceEvent, 'event' | 'at'>, at: () => number): TraceEvent[] {
  return (facts?.limitsHit ?? []).map((h) => ({
    ...base,
    at: at(),
    event: 'AGENTINFO',
    action: 'ContentInspectionLimit',
    detail: `Content inspection stopped at ${h.limit} (${h.value}): ${h.detail}`,
    data: `limit=${h.limit}; value=${h.value}`,
  }));
}
