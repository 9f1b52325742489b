// Disposition: the copy plans of one message turned into what the queue stores and what the trace
// records — one queue entry per copy that is delivered or held in quarantine (with the gateway's
// Received and peer-certificate stamps and the quarantine record), and one receipt per copy for
// message trace and EmailEvents. Pure: the queue id, the time and the host name come in. The SMTP
// session and the messages Postern writes itself (non-delivery reports) both end here, and both
// enter the queue through one door (queue/commit.ts).
import { emailEventsFields, traceEvents } from '../rules/index.js';
import type { HeaderEdits } from '../message/headerEdits.js';
import type { ClientFacts, HeaderField, MessageFacts } from '../message/facts.js';
// The one MIME word decoder moves to the message layer; until then it is the trace's.
import { decodedHeader, type CopyReceipt } from '../trace/receipt.js';
import type { PlannedCopy } from './copyPlan.js';
import { receivedField } from './received.js';
import { organizationForRecipient, isRefusal } from './recipientTenant.js';
import type { ConfigSnapshot } from './snapshot.js';

/** Transport-rule quarantine keeps messages 30 days (fixed in Exchange Online). */
export const QUARANTINE_DAYS = 30;
/** Spoof and DMARC quarantine follows the anti-spam retention: 15 days in the default policy. */
export const PHISH_QUARANTINE_DAYS = 15;
const DAY_MS = 86_400_000;

/** One organization's copy of an accepted message, as the queue stores it. */
export interface QueuedCopy {
  networkMessageId: string;
  orgGuid: string;
  edits: HeaderEdits;
  recipients: string[];
  /** True for non-delivery reports Postern generated itself (never bounced again). */
  bounce?: boolean;
  /** Held in the hosted quarantine instead of queued for delivery. */
  quarantine?: QuarantineHold;
}

/** Why a copy is held, for the quarantine index (Get-QuarantineMessage). */
export interface QuarantineHold {
  /** TransportRule, or Phish for a spoof or DMARC failure held by the anti-phishing policy. */
  types: 'TransportRule' | 'Phish';
  policyName: string;
  ruleGuid: string;
  reason: string;
  expiresAt: number;
  sender: string;
  subject: string;
  internetMessageId: string;
}

/** A message's disposition: its queue entries (empty when nothing is left to deliver or hold) and its receipts. */
export interface Disposition {
  copies: QueuedCopy[];
  receipts: CopyReceipt[];
}

/** Where and when the message was accepted: stamped into its Received field. */
export interface Acceptance {
  queueId: string;
  gatewayHost: string;
  now: Date;
}

/** The disposition of a received message whose copies were planned (and not refused at the end of DATA). */
export function disposeMessage(plans: readonly PlannedCopy[], facts: MessageFacts, at: Acceptance): Disposition {
  return { copies: plans.flatMap((p) => queuedCopy(p, facts, at)), receipts: plans.map((p) => copyReceipt(p, at.now)) };
}

/** The queue entry for a planned copy: delivered, held in quarantine, or nothing (deleted, rejected). */
function queuedCopy(p: PlannedCopy, facts: MessageFacts, at: Acceptance): QueuedCopy[] {
  const { plan } = p;
  if (plan.outcome === 'delete' || plan.outcome === 'reject' || plan.outcome === 'defer') return [];
  const received = { name: 'Received', value: receivedField(facts.client, at.gatewayHost, at.queueId, plan.recipients, at.now) };
  const cert = peerCertificateStamp(facts.client);
  const edits = { ...plan.edits, prepend: [received, ...plan.edits.prepend, ...(cert ? [cert] : [])] };
  const copy = { networkMessageId: plan.networkMessageId, orgGuid: p.orgGuid, recipients: plan.outcome === 'quarantine' ? plan.recipients : plan.deliverTo, edits };
  return [plan.outcome === 'quarantine' ? { ...copy, quarantine: quarantineHold(p, facts, at.now.getTime()) } : copy];
}

/** The client certificate, for whoever reads the delivered message; its names are the peer's words. */
function peerCertificateStamp(client: ClientFacts): HeaderField | undefined {
  const cert = client.peerCertificate;
  if (!cert) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const clean = (s: string) => s.replace(/[\x00-\x1f\x7f;]/g, '?');
  return { name: 'X-Postern-Peer-Certificate', value: `CN=${clean(cert.subjectCN ?? '')}; DNS=${clean(cert.dnsNames.join(','))}; trusted=${cert.trusted ? 'yes' : 'no'}; sha256=${cert.fingerprint256}` };
}

/** The quarantine record: a transport rule's hold, or the anti-phishing policy's (spoof, DMARC). */
function quarantineHold(p: PlannedCopy, facts: MessageFacts, now: number): QuarantineHold {
  const { plan } = p;
  const message = { sender: facts.envelope.mailFrom, subject: decodedHeader(plan.firewall.headers, 'Subject'), internetMessageId: decodedHeader(plan.firewall.headers, 'Message-ID') };
  const rule = plan.decidedBy;
  if (rule) return { types: 'TransportRule', policyName: rule.Name, ruleGuid: rule.Guid, reason: `Transport rule '${rule.Name}'`, expiresAt: now + QUARANTINE_DAYS * DAY_MS, ...message };
  return { types: 'Phish', policyName: plan.auth?.fields.OrgLevelPolicy ?? '', ruleGuid: '', reason: plan.auth?.reason ?? '', expiresAt: now + PHISH_QUARANTINE_DAYS * DAY_MS, ...message };
}

function copyReceipt(p: PlannedCopy, now: Date): CopyReceipt {
  const { plan } = p;
  return {
    networkMessageId: plan.networkMessageId,
    orgGuid: p.orgGuid,
    recipients: plan.recipients,
    deliverTo: plan.outcome === 'quarantine' ? [] : plan.deliverTo,
    outcome: plan.outcome === 'defer' ? 'reject' : plan.outcome,
    connector: plan.firewall.connectors,
    connectorMatch: p.recipients[0].frontDoor.trace.ConnectorMatch,
    authAs: plan.firewall.authAs,
    direction: plan.firewall.emailDirection,
    headers: plan.firewall.headers,
    ruleEvents: plan.rules ? traceEvents(plan.rules, now) : [],
    ruleFields: { ...(plan.rules ? emailEventsFields(plan.rules) : {}), ...authFields(plan) },
    authReason: plan.decidedBy ? undefined : plan.auth?.reason || undefined,
    decidedBy: plan.decidedBy?.Name,
    reply: plan.reply ? `${plan.reply.code} ${plan.reply.text}` : undefined,
  };
}

/** EmailEvents fields of the authentication decision: AuthenticationDetails always; the threat fields when it acted and no rule decided first. */
function authFields(plan: PlannedCopy['plan']): Record<string, string> {
  if (!plan.auth) return {};
  return plan.decidedBy ? { AuthenticationDetails: plan.auth.fields.AuthenticationDetails } : plan.auth.fields;
}

/**
 * The disposition of a message Postern wrote itself (non-delivery reports, reports): one internal
 * copy per organization whose accepted domain holds a recipient. Postern is an inbound gateway
 * with no route elsewhere, so other recipients come back as unroutable.
 */
export function disposeInternalMessage(
  snapshot: ConfigSnapshot,
  recipients: readonly string[],
  headers: HeaderField[],
  opts: { newId(): string; bounce?: boolean },
): Disposition & { unroutable: string[] } {
  const byOrg = new Map<string, string[]>();
  const unroutable: string[] = [];
  for (const r of recipients) {
    const org = organizationForRecipient(snapshot.domains, r);
    if (isRefusal(org)) unroutable.push(r);
    else byOrg.set(org.Guid, [...(byOrg.get(org.Guid) ?? []), r]);
  }
  const copies: QueuedCopy[] = [...byOrg].map(([orgGuid, rcpts]) => {
    const networkMessageId = opts.newId();
    const edits = { prepend: [{ name: 'X-MS-Exchange-Organization-Network-Message-Id', value: networkMessageId }], remove: [], set: [] };
    return { networkMessageId, orgGuid, recipients: rcpts, bounce: opts.bounce, edits };
  });
  const receipts = copies.map((c): CopyReceipt => ({
    networkMessageId: c.networkMessageId,
    orgGuid: c.orgGuid,
    recipients: c.recipients,
    deliverTo: c.recipients,
    outcome: 'internal',
    connector: '',
    connectorMatch: '',
    authAs: 'Internal',
    direction: 'Intra-org',
    headers,
    ruleEvents: [],
    ruleFields: {},
  }));
  return { copies, receipts, unroutable };
}
