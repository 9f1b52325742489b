// DATA: stream the message to the spool while inspecting it, refuse what must be refused inside
// the dialogue, split the message into one copy per organization, then make it durable (file
// fsync, directory fsync, queue + trace commit) before answering 250.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { headerFirewall } from '../mailflow/headerFirewall.js';
import type { ClientFacts, HeaderField, MessageFacts } from '../mailflow/message.js';
import type { NewMessage, QueuedCopy } from '../store/ports.js';
import { receiptRecords, type CopyReceipt } from '../trace/receipt.js';
import type { ListenerContext } from './context.js';
import { DataInspector, parseHeaderBlock, type DataViolation } from './dataInspector.js';
import { receivedField } from './received.js';
import { recordReject } from './reject.js';
import { smtpError, stateOf, type AcceptedRecipient, type SessionLike } from './session.js';

function violationReply(v: DataViolation): { code: number; text: string } {
  switch (v.kind) {
    case 'too-big':
      return { code: 552, text: `5.3.4 Message size exceeds fixed maximum message size (${v.limit} bytes)` };
    case 'bare-newline':
      // As Postfix's smtpd_forbid_bare_newline: a bare LF or CR is how SMTP smuggling works.
      return { code: 550, text: '5.5.2 Message refused: bare <LF> or <CR> line ending (only <CR><LF> is allowed)' };
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
  const file = ctx.spool.path(id);
  const inspector = new DataInspector({ maxMessageSize: ctx.limits.maxMessageSize, maxLineLength: ctx.limits.maxLineLength, maxHeaderBytes: ctx.limits.maxHeaderBytes });
  const spooled = ctx.spool.create(id);
  let keep = false;
  try {
    await pipeline(stream, inspector, spooled.stream);
    if (inspector.violation) {
      const reply = violationReply(inspector.violation);
      recordReject(ctx, state, session.id, { stage: 'DATA', ...reply, reason: inspector.violation.kind, mailFrom });
      throw smtpError(reply.code, reply.text);
    }
    const headers = parseHeaderBlock(inspector.headerBlock());
    const facts: MessageFacts = { client, envelope: { mailFrom, rcptTo: state.recipients.map((r) => r.address) }, headers, size: inspector.bytes };
    const { message: msg, receipts } = planMessage(ctx, id, file, facts, state.recipients);
    await spooled.syncAndClose();
    await ctx.commit.commit(() => {
      ctx.queue.enqueue(msg);
      const { rows, events, emailEvents } = receiptRecords(msg, facts, receipts);
      ctx.trace.recordReceive(rows, events, emailEvents);
    });
    keep = true;
    ctx.metrics.accepted(1);
    ctx.onQueued();
    return `2.0.0 OK <${id}>`;
  } finally {
    if (!keep) {
      await spooled.close().catch(() => {});
      await ctx.spool.remove(file);
    }
  }
}

/**
 * One copy per organization (and per connector, when recipients of one organization were
 * attributed differently), each with its own NetworkMessageId, the header firewall's verdict
 * and the stamps.
 */
function planMessage(ctx: ListenerContext, id: string, file: string, facts: MessageFacts, recipients: AcceptedRecipient[]): PlannedMessage {
  const now = new Date();
  const groups = new Map<string, AcceptedRecipient[]>();
  for (const r of recipients) {
    const key = `${r.org.Guid}|${r.frontDoor.trace.Connectors}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const copies: QueuedCopy[] = [];
  const receipts = new Map<string, CopyReceipt>();
  for (const rcpts of groups.values()) {
    const { org, frontDoor } = rcpts[0];
    const networkMessageId = randomUUID();
    const addresses = rcpts.map((r) => r.address);
    const fw = headerFirewall({ headers: facts.headers, attribution: frontDoor.attribution, mailFrom: facts.envelope.mailFrom, org, gatewayHost: ctx.hostname, networkMessageId });
    const prepend: HeaderField[] = [{ name: 'Received', value: receivedField(facts.client, ctx.hostname, id, addresses, now) }, ...fw.edits.prepend];
    const cert = facts.client.peerCertificate;
    if (cert) {
      // Certificate names are the peer's words: no control characters may reach a header.
      const clean = (s: string) => s.replace(/[\x00-\x1f\x7f;]/g, '?');
      prepend.push({ name: 'X-Postern-Peer-Certificate', value: `CN=${clean(cert.subjectCN ?? '')}; DNS=${clean(cert.dnsNames.join(','))}; trusted=${cert.trusted ? 'yes' : 'no'}; sha256=${cert.fingerprint256}` });
    }
    copies.push({ networkMessageId, orgGuid: org.Guid, recipients: addresses, edits: { ...fw.edits, prepend } });
    receipts.set(networkMessageId, {
      connector: fw.connectors,
      connectorMatch: frontDoor.trace.ConnectorMatch,
      authAs: fw.authAs,
      direction: fw.emailDirection,
      headers: fw.headers,
      reasons: frontDoor.attribution.reasons,
    });
  }
  return { message: { id, spoolFile: file, receivedAt: now.getTime(), mailFrom: facts.envelope.mailFrom, client: facts.client, size: facts.size, copies }, receipts };
}

interface PlannedMessage {
  message: NewMessage;
  receipts: Map<string, CopyReceipt>;
}
