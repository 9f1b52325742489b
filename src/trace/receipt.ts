// What the receipt of a message leaves behind: one message-trace row and a RECEIVE event per
// recipient, and one EmailEvents row per recipient with Defender's column meanings.
import libmime from 'libmime';
import { domainOf, headerValues, type HeaderField, type MessageFacts } from '../mailflow/message.js';
import type { MessageTraceRow, NewMessage, TraceEvent } from '../store/ports.js';
import type { HuntingRow } from './tables.js';

/** RFC 2047-decoded value of the first `name` header, unfolded. */
export function decodedHeader(headers: HeaderField[], name: string): string {
  const raw = headerValues(headers, name)[0] ?? '';
  try {
    return libmime.decodeWords(raw.replace(/\r\n[ \t]/g, ' ')).trim();
  } catch {
    return raw.trim();
  }
}

/** The address inside a From:-style header ("Name <a@b>" or "a@b"). */
export function addressOf(value: string): { address: string; name: string } {
  const m = value.match(/<([^>]*)>/);
  if (m) return { address: m[1].trim(), name: value.slice(0, m.index).replace(/"/g, '').trim() };
  return { address: value.trim(), name: '' };
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

export function receiptRecords(msg: NewMessage, facts: MessageFacts, headers: HeaderField[]) {
  const subject = decodedHeader(headers, 'Subject');
  const internetMessageId = decodedHeader(headers, 'Message-ID');
  const from = addressOf(decodedHeader(headers, 'From'));
  const ip = facts.client.ip;
  const rows: MessageTraceRow[] = [];
  const events: TraceEvent[] = [];
  const emailEvents: HuntingRow[] = [];
  for (const copy of msg.copies) {
    for (const rcpt of copy.recipients) {
      const base = { orgGuid: copy.orgGuid, networkMessageId: copy.networkMessageId, recipient: rcpt };
      rows.push({ ...base, receivedAt: msg.receivedAt, sender: msg.mailFrom, subject, status: 'Pending', fromIp: ip, size: msg.size, internetMessageId, connector: '' });
      events.push({ ...base, at: msg.receivedAt, event: 'RECEIVE', action: 'Receive', detail: `Message received from ${facts.client.helo || ip} [${ip}]`, data: tlsSummary(facts.client) });
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
        EmailDirection: 'Inbound',
        DeliveryAction: 'Delivered',
        DeliveryLocation: 'Inbox/folder',
        Connectors: '',
        To: decodedHeader(headers, 'To'),
        Cc: decodedHeader(headers, 'Cc'),
        AttachmentCount: 0,
        UrlCount: 0,
        EmailSize: msg.size,
        AuthenticationDetails: '{}',
        EmailAction: 'No action taken',
        BulkComplaintLevel: 0,
        EmailClusterId: 0,
        IsFirstContact: 0,
      });
    }
  }
  return { rows, events, emailEvents };
}
