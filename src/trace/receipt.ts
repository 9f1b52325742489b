// What the receipt of a message leaves behind: one message-trace row and a RECEIVE event per
// recipient, and one EmailEvents row per recipient with Defender's column meanings.
import { domainOf, headerValues, type HeaderField, type MessageFacts } from '../message/facts.js';
import { decodeHeaderValue } from '../message/mime.js';
import type { ContentFacts } from '../content/scan.js';
import type { MessageTraceRow, TraceEvent } from './records.js';
import { attachmentRows, emailEventsContent, limitEvents, urlRows } from './contentRows.js';
import type { HuntingRow } from './tables.js';

/** The first `name` header as the rules read it: unfolded, encoded-words decoded. */
export function decodedHeader(headers: HeaderField[], name: string): string {
  return decodeHeaderValue(headerValues(headers, name)[0] ?? '');
}

/** The address inside a From:-style header ("Name <a@b>" or "a@b"). */
export function addressOf(value: string): { address: string; name: string } {
  const m = value.match(/<([^>]*)>/);
  if (m) return { address: m[1].trim(), name: value.slice(0, m.index).replace(/"/g, '').trim() };
  return { address: value.trim(), name: '' };
}

/** What the decision stages concluded about one copy, for its trace and EmailEvents rows. */
export interface CopyReceipt {
  networkMessageId: string;
  orgGuid: string;
  /** Envelope recipients the decision covered. */
  recipients: string[];
  /** Where the copy goes now (deliver/redirect: the recipients delivery will track). */
  deliverTo: string[];
  outcome: 'deliver' | 'redirect' | 'quarantine' | 'delete' | 'reject' | 'internal';
  connector: string;
  connectorMatch: string;
  authAs: string;
  direction: string;
  /** The header block after the firewall (what rules and trace may read). */
  headers: HeaderField[];
  /** TRANSPORT RULE events (rules/explain.ts traceEvents) and the EmailEvents fields rules fill. */
  ruleEvents: { Action: string; Detail: string; Data: string }[];
  ruleFields: Record<string, string>;
  /** The rule that quarantined, deleted, rejected or redirected. */
  decidedBy?: string;
  /** Why the anti-phishing policy quarantined or rejected (spoof, DMARC), when no rule decided. */
  authReason?: string;
  reply?: string;
}

/** TLS and client-certificate facts of the session, as recorded on the RECEIVE event. */
export function tlsSummary(client: MessageFacts['client']): string {
  const parts = [`tls=${client.tlsVersion ?? 'none'}`];
  if (client.tlsCipher) parts.push(`cipher=${client.tlsCipher}`);
  const cert = client.peerCertificate;
  if (cert) {
    parts.push(`cert-cn=${cert.subjectCN ?? ''}`, `cert-dns=${cert.dnsNames.join(',')}`, `cert-trusted=${cert.trusted ? 'yes' : 'no'}`, `cert-sha256=${cert.fingerprint256}`);
  }
  return parts.join('; ');
}

// Defender's DeliveryAction / DeliveryLocation per outcome, and Get-MessageTrace's Status.
const OUTCOME: Record<CopyReceipt['outcome'], { action: string; location: string; status: string }> = {
  deliver: { action: 'Delivered', location: 'Inbox/folder', status: 'Pending' },
  internal: { action: 'Delivered', location: 'Inbox/folder', status: 'Pending' },
  redirect: { action: 'Delivered', location: 'On-premises/external', status: 'Expanded' },
  quarantine: { action: 'Blocked', location: 'Quarantine', status: 'Quarantined' },
  delete: { action: 'Blocked', location: 'Dropped', status: 'Failed' },
  reject: { action: 'Blocked', location: 'Failed', status: 'Failed' },
};

/** `content`: what the content scan found while DATA streamed (absent for messages Postern wrote). */
export function receiptRecords(msg: { receivedAt: number; mailFrom: string; size: number }, facts: MessageFacts, copies: CopyReceipt[], content?: ContentFacts) {
  const headers = copies[0]?.headers ?? facts.headers;
  const subject = decodedHeader(headers, 'Subject');
  const internetMessageId = decodedHeader(headers, 'Message-ID');
  const from = addressOf(decodedHeader(headers, 'From'));
  const ip = facts.client.ip;
  const rows: MessageTraceRow[] = [];
  const events: TraceEvent[] = [];
  const emailEvents: HuntingRow[] = [];
  const attachments: HuntingRow[] = [];
  const urls: HuntingRow[] = [];
  const inspected = emailEventsContent(content);
  for (const copy of copies) {
    const key = { orgGuid: copy.orgGuid, networkMessageId: copy.networkMessageId, timestamp: msg.receivedAt, senderFromAddress: from.address, senderDisplayName: from.name };
    if (content) urls.push(...urlRows(content, key));
    const o = OUTCOME[copy.outcome];
    const via = copy.connector ? `through connector '${copy.connector}' (matched on ${copy.connectorMatch})` : 'through no connector (Direct Send)';
    const trail = (recipient: string, status: string) => {
      const base = { orgGuid: copy.orgGuid, networkMessageId: copy.networkMessageId, recipient };
      rows.push({ ...base, receivedAt: msg.receivedAt, sender: msg.mailFrom, subject, status, fromIp: ip, size: msg.size, internetMessageId, connector: copy.connector });
      let at = msg.receivedAt;
      const add = (event: string, action: string, detail: string, data = '') => events.push({ ...base, at: at++, event, action, detail, data });
      add('RECEIVE', 'Receive', `Message received from ${facts.client.helo || ip} [${ip}] ${via}; AuthAs ${copy.authAs}`, `connector=${copy.connector}; authas=${copy.authAs}; ${tlsSummary(facts.client)}`);
      events.push(...limitEvents(content, base, () => at++));
      for (const e of copy.ruleEvents) add('TRANSPORT RULE', e.Action, e.Detail, e.Data);
      if (copy.outcome === 'quarantine' && copy.authReason) add('QUARANTINE', 'Quarantine', `Held in the hosted quarantine by the anti-phishing policy: ${copy.authReason} (QuarantineTypes Phish)`);
      else if (copy.outcome === 'quarantine') add('QUARANTINE', 'Quarantine', `Held in the hosted quarantine by transport rule '${copy.decidedBy}' (QuarantineTypes TransportRule)`);
      if (copy.outcome === 'delete') add('FAIL', 'Drop', `Deleted by transport rule '${copy.decidedBy}'`);
      if (copy.outcome === 'reject') add('FAIL', 'Fail', copy.authReason ? `Rejected by the anti-phishing policy: ${copy.authReason}: ${copy.reply}` : `Rejected by transport rule '${copy.decidedBy}': ${copy.reply}`);
      if (copy.outcome === 'redirect') add('EXPAND', 'Redirect', `Redirected by transport rule '${copy.decidedBy}' to ${copy.deliverTo.join(', ')}`);
    };
    for (const rcpt of copy.recipients) {
      trail(rcpt, o.status);
      if (content) attachments.push(...attachmentRows(content, key, rcpt));
      emailEvents.push({
        OrgId: copy.orgGuid,
        Timestamp: msg.receivedAt,
        NetworkMessageId: copy.networkMessageId,
        InternetMessageId: internetMessageId,
        SenderMailFromAddress: msg.mailFrom,
        SenderMailFromDomain: domainOf(msg.mailFrom),
        SenderFromAddress: from.address,
        SenderFromDomain: domainOf(from.address),
        SenderDisplayName: from.name,
        SenderIPv4: ip.includes(':') ? '' : ip,
        SenderIPv6: ip.includes(':') ? ip : '',
        RecipientEmailAddress: rcpt,
        RecipientDomain: domainOf(rcpt),
        Subject: subject,
        EmailDirection: copy.direction,
        DeliveryAction: o.action,
        DeliveryLocation: o.location,
        LatestDeliveryAction: o.action,
        LatestDeliveryLocation: o.location,
        Connectors: copy.connector,
        AdditionalFields: JSON.stringify({ ConnectorMatch: copy.connectorMatch, AuthAs: copy.authAs, ...inspected.additional }),
        To: decodedHeader(headers, 'To'),
        Cc: decodedHeader(headers, 'Cc'),
        ...inspected.columns,
        EmailSize: msg.size,
        AuthenticationDetails: '{}',
        EmailAction: 'No action taken',
        BulkComplaintLevel: 0,
        IsFirstContact: 0,
        ...copy.ruleFields,
      });
    }
    // Redirect targets and rule-added recipients: delivery tracks them under the same id.
    for (const extra of copy.deliverTo.filter((r) => !copy.recipients.includes(r))) trail(extra, 'Pending');
  }
  return { rows, events, emailEvents, attachments, urls };
}
