// MAIL FROM / RCPT TO parameters. smtp-server checks the values of the extensions it announces
// (SIZE, 8BITMIME, SMTPUTF8, DSN, REQUIRETLS) but lets any other parameter through unread.
// RFC 5321 §4.1.1.11: a parameter the server does not recognise is refused with 555, so a
// client never believes an extension it asked for (a DSN flag, a priority) was honoured.
import { smtpError } from './session.js';

const MAIL_PARAMETERS = new Set([
  'SIZE', // RFC 1870
  'BODY', // RFC 6152 (8BITMIME)
  'SMTPUTF8', // RFC 6531
  'RET', 'ENVID', // RFC 3461 (DSN)
  'REQUIRETLS', // RFC 8689
  'AUTH', // RFC 4954: AUTH=<> is sent by relays whatever the server announces
]);
const RCPT_PARAMETERS = new Set(['NOTIFY', 'ORCPT']); // RFC 3461 (DSN)

/** The 555 reply for the first parameter this command does not support, if any. */
export function unsupportedParameter(command: 'MAIL' | 'RCPT', args: object | false | undefined): Error | undefined {
  const known = command === 'MAIL' ? MAIL_PARAMETERS : RCPT_PARAMETERS;
  const unknown = Object.keys(args || {}).find((name) => !known.has(name));
  if (unknown === undefined) return undefined;
  // The name is the client's text: printable ASCII only, and short, before it is echoed.
  const shown = unknown.replace(/[^\x21-\x7e]/g, '?').slice(0, 64);
  return smtpError(555, `5.5.4 Unsupported parameter ${shown}`);
}
