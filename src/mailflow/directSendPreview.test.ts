import { describe, expect, it } from 'vitest';
import { InboundConnector } from '../config/inboundConnector.js';
import { previewRejectDirectSend, renderPreview, type PreviewOrganization, type PreviewRow } from './directSendPreview.js';

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const LITWARE = '22222222-2222-4222-8222-222222222222';

const orgs: PreviewOrganization[] = [
  {
    Guid: CONTOSO,
    Name: 'Contoso',
    AcceptedDomains: [{ DomainName: 'contoso.com' }, { DomainName: 'contoso.net' }],
    InboundConnectors: [
      InboundConnector.parse({ Name: 'Scanner IP', SenderDomains: '*', SenderIPAddresses: '198.51.100.10', RestrictDomainsToIPAddresses: true }),
      InboundConnector.parse({ Name: 'Domain only', SenderDomains: 'contoso.com' }),
    ],
  },
  { Guid: LITWARE, Name: 'Litware', AcceptedDomains: [{ DomainName: 'litware.com' }] },
];

const t = (iso: string): number => Date.parse(iso);
let n = 0;
const row = (r: Partial<PreviewRow>): PreviewRow => ({
  Timestamp: t('2026-11-20T10:00:00Z'),
  NetworkMessageId: `nmi-${++n}`,
  EmailDirection: 'Inbound',
  Connectors: '',
  OrgId: CONTOSO,
  ...r,
});

const rows: PreviewRow[] = [
  // Would be refused: no connector, accepted MAIL FROM domain.
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', SenderMailFromDomain: 'contoso.com', Timestamp: t('2026-11-20T10:00:00Z') }),
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'CFO@contoso.com', SenderMailFromDomain: 'CONTOSO.COM', Timestamp: t('2026-11-18T08:00:00Z') }),
  // Same message to two recipients: one message, two recipients.
  row({ NetworkMessageId: 'shared', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', Timestamp: '2026-11-21T12:00:00Z', RecipientEmailAddress: 'a@contoso.com' }),
  row({ NetworkMessageId: 'shared', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', Timestamp: '2026-11-21T12:00:00Z', RecipientEmailAddress: 'b@contoso.com' }),
  // Would be refused: the other accepted domain, from IPv6.
  row({ SenderIPv6: '2001:db8::77', SenderMailFromAddress: 'printer@contoso.net' }),
  // Would be refused: came through a connector that identifies by sender domain only (recorded).
  row({ SenderIPv4: '203.0.113.50', SenderMailFromAddress: 'app@contoso.com', Connectors: 'Domain only', AdditionalFields: '{"ConnectorMatch":"senderDomain"}' }),
  // Would be refused: same connector, not recorded — judged from its configuration.
  row({ SenderIPv4: '203.0.113.50', SenderMailFromAddress: 'app@contoso.com', Connectors: 'Domain only' }),
  // Litware: no connectors configured.
  row({ OrgId: LITWARE, SenderIPv4: '192.0.2.33', SenderMailFromAddress: 'hr@litware.com' }),

  // Not refused: MAIL FROM domain not accepted, even with a forged From: header.
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'someone@fabrikam.com', SenderMailFromDomain: 'fabrikam.com' }),
  // Not refused: null sender.
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: '', SenderMailFromDomain: '' }),
  // Not refused: subdomain of an accepted domain (Exchange compares exactly).
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'x@mail.contoso.com' }),
  // Not refused: IP connector (recorded, and by configuration).
  row({ SenderIPv4: '198.51.100.10', SenderMailFromAddress: 'scan@contoso.com', Connectors: 'Scanner IP', AdditionalFields: '{"ConnectorMatch":"ip"}' }),
  row({ SenderIPv4: '198.51.100.10', SenderMailFromAddress: 'scan@contoso.com', Connectors: 'Scanner IP' }),
  // Not refused: a connector this configuration doesn't know (imported rows) — assumed IP/certificate.
  row({ SenderIPv4: '198.51.100.99', SenderMailFromAddress: 'x@contoso.com', Connectors: 'Old EXO connector' }),
  // Not refused: internal mail through an OnPremises connector, and outbound rows.
  row({ SenderIPv4: '10.0.0.5', SenderMailFromAddress: 'u@contoso.com', Connectors: 'On-prem', EmailDirection: 'Intra-org' }),
  row({ SenderIPv4: '10.0.0.5', SenderMailFromAddress: 'u@contoso.com', EmailDirection: 'Outbound' }),
  // Not refused: an organization not previewed.
  row({ OrgId: '33333333-3333-4333-8333-333333333333', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com' }),
];

describe('Reject Direct Send preview', () => {
  const p = previewRejectDirectSend(rows, orgs);

  it('lists exactly the senders 5.7.68 would refuse, grouped by sender IP and MAIL FROM domain', () => {
    expect(p.groups.map((g) => [g.Organization, g.SenderIP, g.SenderMailFromDomain, g.Messages, g.Recipients])).toEqual([
      ['Contoso', '203.0.113.9', 'contoso.com', 3, 4],
      ['Contoso', '203.0.113.50', 'contoso.com', 2, 2],
      ['Litware', '192.0.2.33', 'litware.com', 1, 1],
      ['Contoso', '2001:db8::77', 'contoso.net', 1, 1],
    ]);
    expect(p.totalMessages).toBe(7);
    expect(p.totalRecipients).toBe(8);
  });

  it('gives first and last seen, sample MAIL FROM addresses and the connectors involved', () => {
    const g = p.groups[0];
    expect(g.FirstSeen).toBe('2026-11-18T08:00:00.000Z');
    expect(g.LastSeen).toBe('2026-11-21T12:00:00.000Z');
    expect(g.SenderMailFromAddresses).toEqual(['ceo@contoso.com', 'cfo@contoso.com']);
    expect(g.Connectors).toEqual(['']);
    expect(g.OrgId).toBe(CONTOSO);
    expect(p.groups[1].Connectors).toEqual(['Domain only']);
  });

  it('names connectors it could not judge', () => {
    expect(p.unknownConnectors).toEqual(['Old EXO connector']);
  });

  it('filters by time window', () => {
    const since = previewRejectDirectSend(rows, orgs, { since: t('2026-11-21T00:00:00Z') });
    expect(since.groups.map((g) => [g.SenderIP, g.Messages])).toEqual([['203.0.113.9', 1]]);
  });

  it('previews a single organization from rows without OrgId', () => {
    const single = previewRejectDirectSend(
      [{ Timestamp: '2026-11-20T10:00:00Z', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'hr@litware.com', Connectors: '', EmailDirection: 'Inbound' }],
      [orgs[1]],
    );
    expect(single.groups).toHaveLength(1);
    expect(single.groups[0].Messages).toBe(1);
  });

  it('is empty when nothing would be refused', () => {
    const empty = previewRejectDirectSend([], orgs);
    expect(empty).toEqual({ groups: [], totalMessages: 0, totalRecipients: 0, unknownConnectors: [] });
    expect(renderPreview(empty)).toMatch(/would not have refused any message/);
  });

  it('renders a table for the terminal', () => {
    const text = renderPreview(p);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Reject Direct Send would have refused 7 message(s) (8 recipient(s)) with 550 5.7.68:');
    expect(lines[2]).toMatch(/^Organization\s+SenderIP\s+MailFromDomain\s+Messages\s+Recipients\s+FirstSeen\s+LastSeen\s+Connector$/);
    expect(lines[4]).toMatch(/^Contoso\s+203\.0\.113\.9\s+contoso\.com\s+3\s+4\s+2026-11-18T08:00:00\.000Z\s+2026-11-21T12:00:00\.000Z\s+\(none\)$/);
    expect(text).toContain('Old EXO connector');
  });
});
