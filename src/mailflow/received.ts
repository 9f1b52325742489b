// The Received: trace field Postern adds (RFC 5321 §4.4), naming TLS version and cipher.
import type { ClientFacts } from '../message/facts.js';

export function receivedField(client: ClientFacts, by: string, queueId: string, recipients: string[], at: Date): string {
  const proto = client.tlsVersion ? 'ESMTPS' : 'ESMTP';
  const tls = client.tlsVersion ? ` (version=${client.tlsVersion} cipher=${client.tlsCipher ?? 'unknown'})` : '';
  const forClause = recipients.length === 1 ? `\r\n\tfor <${recipients[0]}>` : '';
  const helo = client.helo.replace(/[^\x21-\x7e]/g, '?') || 'unknown';
  return `from ${helo} ([${client.ip}])\r\n\tby ${by} (Postern) with ${proto}${tls}\r\n\tid ${queueId}${forClause};\r\n\t${at.toUTCString().replace('GMT', '+0000')}`;
}
