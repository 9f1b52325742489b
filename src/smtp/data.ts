// DATA: stream the message to the spool while inspecting it, refuse what must be refused inside
// the dialogue, plan one copy per organization (header firewall, transport rules, disposition),
// then commit it through the queue's one door (durable before answering 250).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ContentScan } from '../content/scan.js';
import { pump } from '../message/pump.js';
import { temporaryFailure, type AuthVerdicts } from '../auth/verify.js';
import { endOfDataRefusal, messageNeedsContent, planMessage } from '../mailflow/copyPlan.js';
import { disposeMessage } from '../mailflow/disposition.js';
import type { ClientFacts, MessageFacts } from '../message/facts.js';
import { commitMessage } from '../queue/commit.js';
import { decodedHeader } from '../trace/receipt.js';
import { countRuleHits, reportAccepted } from './accepted.js';
import { extractContent } from './content.js';
import type { ListenerContext } from './context.js';
import { DataInspector, type DataViolation } from './dataInspector.js';
import { parseHeaderBlock } from '../message/header.js';
import { recordReject } from './reject.js';
import { smtpError, stateOf, type SessionLike } from './session.js';

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

    const now = new Date();
    const disposition = disposeMessage(plans, facts, { queueId: id, gatewayHost: ctx.hostname, now });
    const fresh = await commitMessage(ctx, { id, writer, receivedAt: now.getTime(), facts, disposition, content: inspected }, ctx.deliveryLease?.());
    keep = disposition.copies.length > 0; // every copy deleted or rejected: nothing left to deliver
    reportAccepted(ctx, id, facts, plans);
    ctx.onQueued(fresh);
    return `2.0.0 OK <${id}>`;
  } finally {
    if (!keep) await writer.discard();
  }
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
