// DATA: stream the message to the spool while inspecting it, refuse what must be refused inside
// the dialogue, plan one copy per organization (header firewall, transport rules, disposition),
// then make it durable (file fsync, directory fsync, queue + trace commit) before answering 250.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ContentScan } from '../content/scan.js';
import { pump } from '../message/pump.js';
import { temporaryFailure, type AuthVerdicts } from '../auth/verify.js';
import { endOfDataRefusal, messageNeedsContent, planMessage, type PlannedCopy } from '../mailflow/copyPlan.js';
import type { ClientFacts, HeaderField, MessageFacts } from '../message/facts.js';
import { emailEventsFields, traceEvents } from '../rules/index.js';
import type { NewMessage, QuarantineHold, QueuedCopy } from '../store/ports.js';
import { decodedHeader, receiptRecords, type CopyReceipt } from '../trace/receipt.js';
import { countRuleHits, reportAccepted } from './accepted.js';
import { extractContent } from './content.js';
import type { ListenerContext } from './context.js';
import { DataInspector, type DataViolation } from './dataInspector.js';
import { parseHeaderBlock } from '../message/header.js';
import { receivedField } from './received.js';
import { recordReject } from './reject.js';
import { smtpError, stateOf, type SessionLike } from './session.js';

/** Transport-rule quarantine keeps messages 30 days (fixed in Exchange Online). */
const QUARANTINE_DAYS = 30;
/** Spoof and DMARC quarantine follows the anti-spam retention: 15 days in the default policy. */
const PHISH_QUARANTINE_DAYS = 15;

function violationReply(v: DataViolation): { code: number; text: string } {
  switch (v.kind) {
    case 'too-big':
      return { code: 552, text: `5.3.4 Message size exceeds fixed maximum message size (${v.limit} bytes)` };
    case 'bare-newline':
      // As Postfix's smtpd_forbid_bare_newline: a bare LF or CR is how SMTP smuggling works.
      return { code: 550, text: '5.5.2 Message refused: bare <LF> or <CR> line ending (only <CR><LF> is allowed)' };
    case 'nul':
      return { code: 554, text: '5.6.0 Message refused: it contains NUL characters (send binary content encoded, e.g. base64)' };
    case 'line-too-long':
      return { code: 552, text: `5.3.4 Message refused: a line is longer than ${v.limit} bytes` };
    case 'header-too-large':
      return { code: 552, text: `5.3.4 Message refused: the header exceeds ${v.limit} bytes` };
  }
}

export async function onData(ctx: ListenerContext, stream: Readable, session: SessionLike): Promise<string> {
  const state = stateOf(session);
  const client: ClientFacts = { ...state.client };
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const id = ctx.spool.newId();
  const inspector = new DataInspector({ maxMessageSize: ctx.limits.maxMessageSize, maxLineLength: ctx.limits.maxLineLength, maxHeaderBytes: ctx.limits.maxHeaderBytes });
  const scan = new ContentScan(ctx.limits);
  const writer = ctx.spool.writer(id);
  let keep = false;
  try {
    await pump(stream, inspector, scan, writer);
    if (inspector.violation) {
      const reply = violationReply(inspector.violation);
      recordReject(ctx, state, session.id, { stage: 'DATA', ...reply, reason: inspector.violation.kind, mailFrom });
      throw smtpError(reply.code, reply.text);
    }
    const headers = parseHeaderBlock(inspector.headerBlock());
    const inspected = scan.facts(decodedHeader(headers, 'Subject'));
    const facts: MessageFacts = { client, envelope: { mailFrom, rcptTo: state.recipients.map((r) => r.address) }, headers, size: inspector.bytes };
    // Body content is extracted once, and only when some organization's rules need it.
    const content = messageNeedsContent(state.recipients) ? await extractContent(writer.source()) : undefined;
    const auth = await authenticate(ctx, state, mailFrom, writer.source());
    const plans = planMessage(state.recipients, facts, { gatewayHost: ctx.hostname, now: new Date(), newId: randomUUID, content, auth });
    countRuleHits(ctx, plans);
    const refusal = endOfDataRefusal(plans);
    if (refusal) {
      const { code, text } = refusal.plan.reply!;
      recordReject(ctx, state, session.id, { stage: 'DATA', code, text, reason: refusal.plan.decidedBy ? `TransportRule:${refusal.plan.decidedBy.Name}` : `AntiPhish:${refusal.plan.auth?.reason}`, mailFrom, orgGuid: refusal.orgGuid, connector: refusal.plan.firewall.connectors });
      throw smtpError(code, text);
    }

    const now = Date.now();
    const copies = plans.flatMap((p) => queuedCopy(ctx, id, p, facts, now));
    // Quarantine holds the message for 30 days and reads it from its spool file.
    const stored = await writer.settle(copies.some((c) => c.quarantine));
    const msg: NewMessage = { id, spoolFile: 'file' in stored ? stored.file : '', body: 'body' in stored ? stored.body : undefined, receivedAt: now, mailFrom, client, size: facts.size, copies };
    const receipts = plans.map((p) => copyReceipt(p));
    await ctx.commit.commit(
      () => {
        if (copies.length) ctx.queue.enqueue(msg);
        const { rows, events, emailEvents, attachments, urls } = receiptRecords(msg, facts, receipts, inspected);
        ctx.trace.recordReceive(rows, events, emailEvents, { attachments, urls });
      },
      { newFile: 'file' in stored },
    );
    keep = copies.length > 0; // every copy deleted or rejected: nothing left to deliver
    reportAccepted(ctx, id, facts, plans);
    ctx.onQueued();
    return `2.0.0 OK <${id}>`;
  } finally {
    if (!keep) await writer.discard();
  }
}

/** The queue entry for a planned copy: delivered, held in quarantine, or nothing (deleted, rejected). */
function queuedCopy(ctx: ListenerContext, queueId: string, p: PlannedCopy, facts: MessageFacts, now: number): QueuedCopy[] {
  const { plan } = p;
  if (plan.outcome === 'delete' || plan.outcome === 'reject' || plan.outcome === 'defer') return [];
  const prepend: HeaderField[] = [{ name: 'Received', value: receivedField(facts.client, ctx.hostname, queueId, plan.recipients, new Date(now)) }, ...plan.edits.prepend];
  const cert = facts.client.peerCertificate;
  if (cert) {
    // Certificate names are the peer's words: no control characters may reach a header.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    const clean = (s: string) => s.replace(/[\x00-\x1f\x7f;]/g, '?');
    prepend.push({ name: 'X-Postern-Peer-Certificate', value: `CN=${clean(cert.subjectCN ?? '')}; DNS=${clean(cert.dnsNames.join(','))}; trusted=${cert.trusted ? 'yes' : 'no'}; sha256=${cert.fingerprint256}` });
  }
  const edits = { ...plan.edits, prepend };
  if (plan.outcome === 'quarantine' && !plan.decidedBy) {
    return [{ networkMessageId: plan.networkMessageId, orgGuid: p.orgGuid, recipients: plan.recipients, edits, quarantine: authQuarantine(p, facts, now) }];
  }
  if (plan.outcome === 'quarantine') {
    const rule = plan.decidedBy!;
    return [{
      networkMessageId: plan.networkMessageId,
      orgGuid: p.orgGuid,
      recipients: plan.recipients,
      edits,
      quarantine: {
        types: 'TransportRule',
        policyName: rule.Name,
        ruleGuid: rule.Guid,
        reason: `Transport rule '${rule.Name}'`,
        expiresAt: now + QUARANTINE_DAYS * 86_400_000,
        sender: facts.envelope.mailFrom,
        subject: decodedHeader(plan.firewall.headers, 'Subject'),
        internetMessageId: decodedHeader(plan.firewall.headers, 'Message-ID'),
      },
    }];
  }
  return [{ networkMessageId: plan.networkMessageId, orgGuid: p.orgGuid, recipients: plan.deliverTo, edits }];
}

/**
 * Sender authentication for this message, within the time it may take and never past the
 * session's own limit (a DNS server that does not answer must not hold the client).
 */
async function authenticate(ctx: ListenerContext, state: ReturnType<typeof stateOf>, mailFrom: string, source: string | Buffer): Promise<AuthVerdicts | undefined> {
  if (!ctx.authenticator) return undefined;
  const left = state.connectedAt + ctx.limits.sessionTimeoutMs - Date.now();
  const input = { source, ip: state.client.ip, helo: state.client.helo, mailFrom, hostname: ctx.hostname };
  return left <= 0 ? temporaryFailure(input) : ctx.authenticator.authenticate(input, left);
}

/** The quarantine entry for a copy the anti-phishing policy held (spoof, DMARC). */
function authQuarantine(p: PlannedCopy, facts: MessageFacts, now: number): QuarantineHold {
  const { plan } = p;
  return {
    types: 'Phish',
    policyName: plan.auth?.fields.OrgLevelPolicy ?? '',
    ruleGuid: '',
    reason: plan.auth?.reason ?? '',
    expiresAt: now + PHISH_QUARANTINE_DAYS * 86_400_000,
    sender: facts.envelope.mailFrom,
    subject: decodedHeader(plan.firewall.headers, 'Subject'),
    internetMessageId: decodedHeader(plan.firewall.headers, 'Message-ID'),
  };
}

function copyReceipt(p: PlannedCopy): CopyReceipt {
  const { plan } = p;
  const now = new Date();
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
