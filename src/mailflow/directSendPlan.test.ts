import { describe, expect, it } from 'vitest';
import { InboundConnector } from '../config/inboundConnector.js';
import { directSendSenders } from './directSendPlan.js';
import type { PreviewRow } from './directSendPreview.js';

const ORG = {
  Guid: 'org-1',
  Name: 'Contoso',
  AcceptedDomains: [{ DomainName: 'contoso.com' }],
  InboundConnectors: [InboundConnector.parse({ Name: 'Office printers', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['198.51.100.128/25'] })],
};
const T = Date.parse('2026-12-01T00:00:00Z');
let n = 0;
const row = (ip: string, mailFrom: string, extra: Partial<PreviewRow> = {}): PreviewRow => ({
  Timestamp: T + n * 60_000, NetworkMessageId: `m${n++}`, SenderIPv4: ip.includes(':') ? '' : ip, SenderIPv6: ip.includes(':') ? ip : '', SenderMailFromAddress: mailFrom,
  RecipientEmailAddress: 'alice@contoso.com', Connectors: '', EmailDirection: 'Inbound', ...extra,
});

describe('directSendSenders', () => {
  it('groups Direct Send mail by the range a connector takes and the MAIL FROM domain, and classifies it', () => {
    const groups = directSendSenders([
      row('198.51.100.10', 'scanner@contoso.com'),
      row('198.51.100.12', 'scanner@contoso.com'),
      row('198.51.100.12', 'copier@contoso.com', { NetworkMessageId: 'm1' }), // a second recipient of one message
      row('198.51.100.200', 'scanner@contoso.com'), // the printers' connector identifies it by IP now
      row('2001:db8:5:1::25', 'bounces+123@em.sendgrid.net'),
      row('192.0.2.66', 'ceo@contoso.com'),
      row('198.18.9.44', 'news@litware.example'),
      row('198.18.7.20', 'orders@fabrikam.com', { Connectors: 'Fabrikam partner' }), // came through a connector
      row('192.0.2.70', 'ceo@contoso.com', { EmailDirection: 'Intra-org' }),
    ], ORG);
    expect(groups.map((g) => [g.IpRange, g.SenderMailFromDomain, g.Classification, g.Service, g.RefusedByRejectDirectSend, g.Messages, g.Recipients])).toEqual([
      ['198.51.100.0/24', 'contoso.com', 'OwnDomain', '', true, 2, 3],
      // Then by last seen, latest first.
      ['198.18.9.0/24', 'litware.example', 'Unknown', '', false, 1, 1],
      ['192.0.2.0/24', 'contoso.com', 'OwnDomain', '', true, 1, 1],
      ['2001:db8:5::/48', 'em.sendgrid.net', 'KnownService', 'SendGrid', false, 1, 1],
    ]);
    expect(groups[0]).toMatchObject({ SenderIPs: ['198.51.100.10', '198.51.100.12'], SenderMailFromAddresses: ['copier@contoso.com', 'scanner@contoso.com'], FirstSeen: '2026-12-01T00:00:00.000Z' });
  });

  it('recognises a service by a range it publishes', () => {
    const groups = directSendSenders([row('203.0.113.25', 'billing@contoso.com')], ORG, { services: [{ Name: 'Invoicely', Domains: [], IpRanges: ['203.0.113.0/26'] }] });
    expect(groups[0]).toMatchObject({ Classification: 'KnownService', Service: 'Invoicely', RefusedByRejectDirectSend: true });
  });
});
