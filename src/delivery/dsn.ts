// RFC 3464 non-delivery reports: a human-readable part, the machine-readable delivery status,
// and the original message's headers.
import { randomUUID } from 'node:crypto';

export interface FailedRecipient {
  recipient: string;
  status: string; // enhanced status code, e.g. 5.1.1
  diagnostic: string;
  remote?: string;
}

/** The enhanced status code in a reply ("550 5.1.1 …"), or `fallback` when it has none. */
export function enhancedStatusOf(response: string, fallback: string): string {
  const m = response.match(/\b([245]\.\d{1,3}\.\d{1,3})\b/);
  return m ? m[1] : fallback;
}

export function failedRecipient(recipient: string, response: string, permanent: boolean, remote?: string): FailedRecipient {
  return { recipient, status: enhancedStatusOf(response, permanent ? '5.0.0' : '4.4.7').replace(/^4/, '5'), diagnostic: response.replace(/[\r\n]+/g, ' '), remote };
}

export function buildNdr(opts: { reportingMta: string; to: string; originalHeaders: Buffer; failed: FailedRecipient[]; arrival: Date; queueId: string }): Buffer {
  const boundary = `=_postern_${randomUUID()}`;
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const human = opts.failed.map((f) => `  <${f.recipient}>: ${f.diagnostic}`).join('\r\n');
  const perRecipient = opts.failed
    .map((f) =>
      [
        `Final-Recipient: rfc822; ${f.recipient}`,
        'Action: failed',
        `Status: ${f.status}`,
        ...(f.remote ? [`Remote-MTA: dns; ${f.remote}`] : []),
        `Diagnostic-Code: smtp; ${f.diagnostic}`,
      ].join('\r\n'),
    )
    .join('\r\n\r\n');
  const text = [
    `From: Mail Delivery System <MAILER-DAEMON@${opts.reportingMta}>`,
    `To: <${opts.to}>`,
    'Subject: Undeliverable: delivery has failed',
    `Date: ${date}`,
    `Message-ID: <${randomUUID()}@${opts.reportingMta}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message could not be delivered to one or more recipients.`,
    '',
    human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${opts.reportingMta}`,
    `X-Postern-Queue-ID: ${opts.queueId}`,
    `Arrival-Date: ${opts.arrival.toUTCString().replace('GMT', '+0000')}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    opts.originalHeaders.toString('utf8').replace(/\r?\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return Buffer.from(text, 'utf8');
}
