// RCPT TO: the recipient's domain names the organization; everything else is a relay attempt.
// Tenant-level admission (connectors, Reject Direct Send) happens here too, because the tenant
// is known at this point and a refusal here leaves nothing to bounce.
import { admitRecipient } from '../mailflow/admitRecipient.js';
import { refusalConnectors } from '../mailflow/attribution.js';
import type { ListenerContext } from './context.js';
import { recordReject, reportRefusal } from './reject.js';
import { smtpError, stateOf, type SessionLike } from './session.js';

export function onRcptTo(ctx: ListenerContext, address: string, session: SessionLike): Error | undefined {
  const state = stateOf(session);
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  if (state.recipients.length >= ctx.limits.maxRecipients) {
    const text = '4.5.3 Too many recipients';
    reportRefusal(ctx, { ip: state.client.ip, stage: 'RCPT', code: 452, text, reason: 'TooManyRecipients', session: session.id, recipient: address });
    return smtpError(452, text);
  }
  const verdict = admitRecipient(ctx.snapshot(), state.client, mailFrom, address);
  if (!verdict.admitted) {
    const r = verdict.refusal;
    recordReject(ctx, state, session.id, { stage: 'RCPT', code: r.code, text: r.text, reason: r.reason, mailFrom, recipient: address, orgGuid: verdict.org?.Guid, connector: verdict.frontDoor && refusalConnectors(verdict.frontDoor.attribution) });
    return smtpError(r.code, r.text);
  }
  state.recipients.push(verdict.recipient);
  return undefined;
}
