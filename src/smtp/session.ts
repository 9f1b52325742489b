// Per-connection state Postern keeps beside smtp-server's session object.
import type { AdmittedRecipient } from '../mailflow/admitRecipient.js';
import type { ClientFacts } from '../message/facts.js';


export interface PosternSession {
  client: ClientFacts;
  /** Accepted recipients of the current transaction, with the organization each belongs to. */
  recipients: AdmittedRecipient[];
  /** When the connection was admitted (epoch ms): the session time limit counts from here. */
  connectedAt: number;
}

/** smtp-server's session object, with Postern's state attached. */
export interface SessionLike {
  id: string;
  remoteAddress: string;
  hostNameAppearsAs?: string | false;
  secure?: boolean;
  envelope: { mailFrom: { address: string } | false; rcptTo: { address: string }[] };
  postern?: PosternSession;
  /** The connection closed before it was admitted (while its connection count was being asked for). */
  closedUnadmitted?: boolean;
}

export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export function stateOf(session: SessionLike): PosternSession {
  if (!session.postern) {
    session.postern = { client: { ip: normaliseIp(session.remoteAddress), helo: '' }, recipients: [], connectedAt: Date.now() };
  }
  session.postern.client.helo = session.hostNameAppearsAs || '';
  return session.postern;
}

/** An Error carrying an SMTP reply, as smtp-server expects from its callbacks. */
export function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Error codes of a client that left: a reset, a broken pipe, or a close in the middle of DATA
 * (smtp-server's ECONNECTION). Logged at info, without a stack trace: nothing went wrong here. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNECTION', 'ERR_STREAM_PREMATURE_CLOSE']);

export function clientWentAway(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CLIENT_GONE.has(code);
}
