import { describe, expect, it } from 'vitest';
import { InboundConnector } from '../config/inboundConnector.js';
import { combinePreviews, previewDirectSendLockdown, type PreviewOrganization, type PreviewRow, type RefusalRow } from './directSendPreview.js';

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const LITWARE = '22222222-2222-4222-8222-222222222222';

const orgs: PreviewOrganization[] = [
  {
    Guid: CONTOSO,
    Name: 'Contoso',
    Config: { RejectDirectSend: false },
    AcceptedDomains: [{ DomainName: 'contoso.com' }, { DomainName: 'contoso.net' }],
    InboundConnectors: [
      // Names an IP but is not restricted: today it matches contoso.com by sender domain only.
      InboundConnector.parse({ Name: 'Scanner', SenderDomains: 'contoso.com', SenderIPAddresses: '198.51.100.10' }),
      InboundConnector.parse({ Name: 'Fabrikam', SenderDomains: 'fabrikam.com', SenderIPAddresses: '192.0.2.0/24', RestrictDomainsToIPAddresses: true }),
      InboundConnector.parse({ Name: 'Domain only', SenderDomains: 'contoso.net' }),
      InboundConnector.parse({ Name: 'Tailspin', SenderDomains: 'tailspin.com', TlsSenderCertificateName: 'mail.tailspin.com', RestrictDomainsToCertificate: true }),
    ],
  },
  { Guid: LITWARE, Name: 'Litware', Config: { RejectDirectSend: true }, AcceptedDomains: [{ DomainName: 'litware.com' }] },
];

const t = (iso: string): number => Date.parse(iso);
let n = 0;
const row = (r: Partial<PreviewRow>): PreviewRow => ({
  Timestamp: t('2026-11-20T10:00:00Z'),
  NetworkMessageId: `nmi-${++n}`,
  EmailDirection: 'Inbound',
  Connectors: '',
  OrgId: CONTOSO,
  RecipientEmailAddress: 'user@contoso.com',
  ...r,
});
const refusal = (r: Partial<RefusalRow>): RefusalRow => ({ Timestamp: t('2026-11-22T09:00:00Z'), OrgId: CONTOSO, SessionId: `s-${++n}`, RecipientEmailAddress: 'user@contoso.com', ...r });

const accepted: PreviewRow[] = [
  // The scanner, from its own IP, matched only by sender domain (the connector isn't restricted).
  row({ SenderIPv4: '198.51.100.10', SenderMailFromAddress: 'scan@contoso.com', Connectors: 'Scanner', AdditionalFields: '{"ConnectorMatch":"senderDomain"}' }),
  // Someone else with a contoso.com MAIL FROM: one message to two recipients, and one more.
  row({ NetworkMessageId: 'shared', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', Connectors: 'Scanner', RecipientEmailAddress: 'a@contoso.com', Timestamp: '2026-11-21T12:00:00Z' }),
  row({ NetworkMessageId: 'shared', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', Connectors: 'Scanner', RecipientEmailAddress: 'b@contoso.com', Timestamp: '2026-11-21T12:00:00Z' }),
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'CFO@contoso.com', SenderMailFromDomain: 'CONTOSO.COM', Timestamp: t('2026-11-18T08:00:00Z') }),
  // The other accepted domain from IPv6, through a connector that identifies no IP or certificate.
  row({ SenderIPv6: '2001:db8::77', SenderMailFromAddress: 'printer@contoso.net', Connectors: 'Domain only' }),
  // Fabrikam from inside its range: fine.
  row({ SenderIPv4: '192.0.2.44', SenderMailFromAddress: 'ap@fabrikam.com', Connectors: 'Fabrikam', AdditionalFields: '{"ConnectorMatch":"ip"}' }),
  // Fabrikam from outside its range, accepted before the restriction: refused now.
  row({ SenderIPv4: '203.0.113.66', SenderMailFromAddress: 'ap@fabrikam.com' }),
  // Tailspin came with its certificate: exempt while the connector names one.
  row({ SenderIPv4: '203.0.113.70', SenderMailFromAddress: 'x@tailspin.com', Connectors: 'Tailspin', AdditionalFields: '{"ConnectorMatch":"certificate"}' }),
  // An imported row naming a connector this configuration doesn't know: assumed IP/certificate-based.
  row({ SenderIPv4: '198.51.100.99', SenderMailFromAddress: 'x@contoso.com', Connectors: 'Old EXO connector' }),
  // Not refused by anything: MAIL FROM not accepted and uncovered, the null sender, a subdomain.
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'someone@northwind.example' }),
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: '', SenderMailFromDomain: '' }),
  row({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'x@mail.contoso.com' }),
  // Not judged: internal and outbound mail, an organization not previewed.
  row({ SenderIPv4: '10.0.0.5', SenderMailFromAddress: 'u@contoso.com', Connectors: 'On-prem', EmailDirection: 'Intra-org' }),
  row({ SenderIPv4: '10.0.0.5', SenderMailFromAddress: 'u@contoso.com', EmailDirection: 'Outbound' }),
  row({ OrgId: '33333333-3333-4333-8333-333333333333', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com' }),
  // Litware has Reject Direct Send on; this came before it was turned on.
  row({ OrgId: LITWARE, SenderIPv4: '192.0.2.33', SenderMailFromAddress: 'hr@litware.com', RecipientEmailAddress: 'x@litware.com' }),
];

const refused: RefusalRow[] = [
  // Fabrikam's restriction refused one message to two recipients.
  refusal({ SessionId: 's1', SenderIPv4: '203.0.113.66', SenderMailFromAddress: 'ap@fabrikam.com', EnhancedStatusCode: '5.7.51', RecipientEmailAddress: 'a@contoso.com' }),
  refusal({ SessionId: 's1', SenderIPv4: '203.0.113.66', SenderMailFromAddress: 'ap@fabrikam.com', EnhancedStatusCode: '5.7.51', RecipientEmailAddress: 'b@contoso.com' }),
  // Refused then, inside the range now (the admin widened it): not listed.
  refusal({ SenderIPv4: '192.0.2.50', SenderMailFromAddress: 'ap@fabrikam.com', EnhancedStatusCode: '5.7.51' }),
  // 5.7.68 refused while Contoso had the switch on; it is off now: not listed.
  refusal({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'ceo@contoso.com', EnhancedStatusCode: '5.7.68' }),
  // Other refusals are not the lockdown's.
  refusal({ SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'x@contoso.com', EnhancedStatusCode: '5.7.1' }),
  refusal({ OrgId: LITWARE, SenderIPv4: '192.0.2.33', SenderMailFromAddress: 'hr@litware.com', RecipientEmailAddress: 'x@litware.com', EnhancedStatusCode: '5.7.68' }),
];

const table = (p: ReturnType<typeof previewDirectSendLockdown>) =>
  p.groups.map((g) => [g.Organization, g.EnhancedStatusCode, g.Status, g.SenderIP, g.SenderMailFromDomain, g.Connectors.join(','), g.Messages, g.Recipients]);

describe('Direct Send lockdown preview', () => {
  const p = previewDirectSendLockdown(accepted, refused, orgs);

  it('lists the senders each part of the lockdown refuses, judged under the current configuration', () => {
    expect(table(p)).toEqual([
      ['Contoso', '5.7.68', 'WouldRefuse', '203.0.113.9', 'contoso.com', 'Scanner', 2, 3],
      ['Contoso', '5.7.68', 'WouldRefuse', '198.51.100.10', 'contoso.com', 'Scanner', 1, 1],
      ['Contoso', '5.7.68', 'WouldRefuse', '2001:db8::77', 'contoso.net', 'Domain only', 1, 1],
      ['Contoso', '5.7.51', 'Refused', '203.0.113.66', 'fabrikam.com', 'Fabrikam', 1, 2],
      ['Contoso', '5.7.51', 'WillRefuse', '203.0.113.66', 'fabrikam.com', 'Fabrikam', 1, 1],
      ['Contoso', '5.7.51', 'WouldRefuse', '203.0.113.9', 'contoso.com', 'Scanner', 2, 3],
      ['Litware', '5.7.68', 'Refused', '192.0.2.33', 'litware.com', '', 1, 1],
      ['Litware', '5.7.68', 'WillRefuse', '192.0.2.33', 'litware.com', '', 1, 1],
    ]);
    expect(p.unknownConnectors).toEqual(['Old EXO connector']);
  });

  it('gives first and last seen and sample MAIL FROM addresses', () => {
    const g = p.groups[0];
    expect([g.FirstSeen, g.LastSeen]).toEqual(['2026-11-18T08:00:00.000Z', '2026-11-21T12:00:00.000Z']);
    expect(g.SenderMailFromAddresses).toEqual(['ceo@contoso.com', 'cfo@contoso.com']);
    expect(g.OrgId).toBe(CONTOSO);
  });

  it('sums messages and recipients per code and status', () => {
    expect(p.summary).toEqual([
      { EnhancedStatusCode: '5.7.68', Status: 'WouldRefuse', Messages: 4, Recipients: 5 },
      { EnhancedStatusCode: '5.7.51', Status: 'Refused', Messages: 1, Recipients: 2 },
      { EnhancedStatusCode: '5.7.51', Status: 'WillRefuse', Messages: 1, Recipients: 1 },
      { EnhancedStatusCode: '5.7.51', Status: 'WouldRefuse', Messages: 2, Recipients: 3 },
      { EnhancedStatusCode: '5.7.68', Status: 'Refused', Messages: 1, Recipients: 1 },
      { EnhancedStatusCode: '5.7.68', Status: 'WillRefuse', Messages: 1, Recipients: 1 },
    ]);
  });

  it('orders the steps so that no recognised sender breaks: fix, restrict, connect, then Reject Direct Send', () => {
    expect(p.steps.map((s) => [s.Order, s.Organization, s.Action, s.Connector, s.Messages, s.Done, s.Commands])).toEqual([
      [1, 'Contoso', 'FixRefusedSenders', 'Fabrikam', 2, false, [`Set-InboundConnector -Identity 'Fabrikam' -SenderIPAddresses @{Add="203.0.113.66"}`]],
      [2, 'Contoso', 'RestrictConnector', 'Scanner', 2, false, [`Set-InboundConnector -Identity 'Scanner' -SenderIPAddresses @{Add="203.0.113.9"}`, `Set-InboundConnector -Identity 'Scanner' -RestrictDomainsToIPAddresses $true`]],
      [3, 'Contoso', 'NewInboundConnector', '', 1, false, [`New-InboundConnector -Name 'Direct Send contoso.net' -ConnectorType Partner -SenderDomains contoso.net -SenderIPAddresses 2001:db8::77 -RestrictDomainsToIPAddresses $true`]],
      [4, 'Contoso', 'RejectDirectSend', '', 4, false, ['Set-OrganizationConfig -RejectDirectSend $true']],
      // Litware refuses Direct Send already: a source it accepted before is refused now; if it is yours, connect it.
      [5, 'Litware', 'NewInboundConnector', '', 1, false, [`New-InboundConnector -Name 'Direct Send litware.com' -ConnectorType Partner -SenderDomains litware.com -SenderIPAddresses 192.0.2.33 -RestrictDomainsToIPAddresses $true`]],
      [6, 'Litware', 'RejectDirectSend', '', 2, true, []],
    ]);
    // Restricting the scanner's connector identifies the scanner by IP: its message is no longer Direct Send.
    expect(p.steps[1].Explanation).toMatch(/so 1 message\(s\) that Reject Direct Send would refuse pass through it: restrict it before turning Reject Direct Send on/);
  });

  it('filters by time window', () => {
    const since = previewDirectSendLockdown(accepted, [], orgs, { since: t('2026-11-21T00:00:00Z') });
    expect(table(since).filter((g) => g[0] === 'Contoso' && g[1] === '5.7.68')).toEqual([['Contoso', '5.7.68', 'WouldRefuse', '203.0.113.9', 'contoso.com', 'Scanner', 1, 2]]);
  });

  it('previews a single organization from rows without OrgId', () => {
    const single = previewDirectSendLockdown(
      [{ Timestamp: '2026-11-20T10:00:00Z', SenderIPv4: '203.0.113.9', SenderMailFromAddress: 'hr@litware.com', Connectors: '', EmailDirection: 'Inbound' }],
      [],
      [orgs[1]],
    );
    expect(table(single)).toEqual([['Litware', '5.7.68', 'WillRefuse', '203.0.113.9', 'litware.com', '', 1, 1]]);
  });

  it('a certificate row loses its exemption when its connector no longer names a certificate', () => {
    const withoutCert: PreviewOrganization = { ...orgs[0], InboundConnectors: orgs[0].InboundConnectors!.filter((c) => c.Name !== 'Tailspin') };
    const tailspin = row({ SenderIPv4: '203.0.113.70', SenderMailFromAddress: 'x@contoso.com', Connectors: 'Tailspin', AdditionalFields: '{"ConnectorMatch":"certificate"}' });
    expect(table(previewDirectSendLockdown([tailspin], [], [orgs[0]])).length).toBe(0);
    expect(table(previewDirectSendLockdown([tailspin], [], [withoutCert])).map((g) => g.slice(1, 4))).toEqual([
      ['5.7.68', 'WouldRefuse', '203.0.113.70'],
      ['5.7.51', 'WouldRefuse', '203.0.113.70'],
    ]);
  });

  it('is empty, with only the last step, when nothing would be refused', () => {
    const empty = previewDirectSendLockdown([], [], [orgs[1]]);
    expect(empty.groups).toEqual([]);
    expect(empty.steps.map((s) => [s.Action, s.Messages, s.Done])).toEqual([['RejectDirectSend', 0, true]]);
  });

  it('previews organization by organization, combined, read exactly as one preview of all of them', () => {
    const one = (o: PreviewOrganization) => previewDirectSendLockdown(accepted.filter((r) => r.OrgId === o.Guid), refused.filter((r) => r.OrgId === o.Guid), [o]);
    const combined = combinePreviews([...orgs].sort((a, b) => a.Name!.localeCompare(b.Name!)).map(one));
    const together = previewDirectSendLockdown(accepted.filter((r) => orgs.some((o) => o.Guid === r.OrgId)), refused, orgs);
    expect(JSON.stringify(combined, null, 2)).toBe(JSON.stringify(together, null, 2));
    expect(combined.steps.map((s) => s.Order)).toEqual(together.steps.map((_, i) => i + 1));
  });
});
