// Recording what was refused in the SMTP dialogue (SmtpRejectEvents): Exchange's trace never
// shows these; Postern's admins can see what was turned away and why. Every refusal, traced or
// not (a connection over the limit leaves no trace row), is logged and counted for /metrics.
import { domainOf } from '../message/facts.js';
import type { ListenerContext } from './context.js';
import type { PosternSession } from './session.js';

export interface Refusal {
  ip: string;
  stage: string;
  code: number;
  /** The reply text, starting with its enhanced status code. */
  text: string;
  reason: string;
  session?: string;
  recipient?: string;
}

/** The refusal's log line and count; returns its enhanced status code ('' when the text has none). */
export function reportRefusal(ctx: ListenerContext, r: Refusal): string {
  const [enhanced = ''] = r.text.match(/^\d\.\d{1,3}\.\d{1,3}/) ?? [];
  ctx.metrics.rejected(r.stage, r.code, enhanced);
  ctx.logger.info({ session: r.session, ip: r.ip, stage: r.stage, code: r.code, enhancedCode: enhanced, reason: r.reason, rcpt: r.recipient }, 'refused');
  return enhanced;
}

export function recordReject(
  ctx: ListenerContext,
  state: PosternSession,
  sessionId: string,
  r: { stage: string; code: number; text: string; reason: string; mailFrom: string; recipient?: string; orgGuid?: string; connector?: string },
): void {
  const ip = state.client.ip;
  const enhanced = reportRefusal(ctx, { ip, stage: r.stage, code: r.code, text: r.text, reason: r.reason, session: sessionId, recipient: r.recipient });
  ctx.trace.recordReject({
    OrgId: r.orgGuid ?? '',
    Timestamp: Date.now(),
    SessionId: sessionId,
    SenderIPv4: ip.includes(':') ? '' : ip,
    SenderIPv6: ip.includes(':') ? ip : '',
    HeloName: state.client.helo,
    SenderMailFromAddress: r.mailFrom,
    SenderMailFromDomain: domainOf(r.mailFrom),
    RecipientEmailAddress: r.recipient ?? '',
    RecipientDomain: r.recipient ? domainOf(r.recipient) : '',
    SmtpStage: r.stage,
    SmtpCode: r.code,
    EnhancedStatusCode: enhanced,
    Response: `${r.code} ${r.text}`,
    Reason: r.reason,
    Connectors: r.connector ?? '',
    TlsVersion: state.client.tlsVersion ?? '',
  });
}
