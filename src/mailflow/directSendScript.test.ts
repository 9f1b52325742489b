import { describe, expect, it } from 'vitest';
import { InboundConnector } from '../config/inboundConnector.js';
import type { DirectSendSenderGroup } from './directSendPlan.js';
import { ARTICLE_QUARANTINE_RULE, hardeningPlan, hardeningScript, quarantineRuleCommand } from './directSendScript.js';

const group = (IpRange: string, SenderMailFromDomain: string, Classification: DirectSendSenderGroup['Classification'], Messages = 1): DirectSendSenderGroup => ({
  Organization: 'Contoso', IpRange, SenderMailFromDomain, Classification, Service: Classification === 'KnownService' ? 'SendGrid' : '', RefusedByRejectDirectSend: Classification === 'OwnDomain',
  Messages, Recipients: Messages, FirstSeen: '', LastSeen: '', SenderIPs: [], SenderMailFromAddresses: [],
});

describe('hardeningPlan', () => {
  const groups = [
    group('198.51.100.0/24', 'contoso.com', 'OwnDomain'),
    group('203.0.113.0/24', 'contoso.com', 'OwnDomain'),
    group('192.0.2.0/24', 'contoso.com', 'OwnDomain'),
    group('2001:db8:1::/48', 'sendgrid.net', 'KnownService'),
    group('198.18.9.0/24', 'litware.example', 'Unknown'),
    group('', 'contoso.com', 'OwnDomain'),
  ];
  const partner = InboundConnector.parse({ Name: 'Fabrikam', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['198.18.7.0/24'] });
  const disabled = InboundConnector.parse({ Name: 'Old', ConnectorType: 'Partner', SenderDomains: ['old.example'], SenderIPAddresses: ['198.18.8.0/24'], Enabled: false });

  it('one connector per trusted sender domain with all its ranges; Unknown, excluded and IP-less groups left out with why', () => {
    const plan = hardeningPlan(groups, [partner, disabled], { exclude: ['192.0.2.0/24  CONTOSO.COM'] });
    expect(plan.connectors).toEqual([
      { Name: 'Direct Send contoso.com', SenderDomain: 'contoso.com', SenderIPAddresses: ['198.51.100.0/24', '203.0.113.0/24'] },
      { Name: 'Direct Send sendgrid.net', SenderDomain: 'sendgrid.net', SenderIPAddresses: ['2001:db8:1::/48'] },
    ]);
    // The enabled existing connector's ranges are approved too; the disabled one's are not.
    expect(plan.approvedRanges).toEqual(['198.18.7.0/24', '198.51.100.0/24', '2001:db8:1::/48', '203.0.113.0/24']);
    expect(plan.notTrusted.map((n) => `${n.group.IpRange} ${n.group.SenderMailFromDomain}: ${n.reason}`)).toEqual([
      '192.0.2.0/24 contoso.com: excluded by the admin: will be refused',
      '198.18.9.0/24 litware.example: not trusted: will be refused',
      ' contoso.com: no sender IP or MAIL FROM domain recorded: a connector cannot name it',
    ]);
  });

  it("the article's rule changes only in its placeholder", () => {
    const rule = quarantineRuleCommand(['198.51.100.0/24', '203.0.113.0/24']);
    expect(rule.replace('198.51.100.0/24,203.0.113.0/24', 'MX records + on-premises IPs + other authorized IPs')).toBe(ARTICLE_QUARANTINE_RULE);
  });

  it('the script is connectors, rule, Reject Direct Send, in that order', () => {
    const script = hardeningScript(hardeningPlan(groups, []), { organization: 'Contoso', generated: '2026-12-06T00:00:00.000Z' });
    const commands = script.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[0]);
    expect(commands).toEqual(['New-InboundConnector', 'New-InboundConnector', 'New-TransportRule', 'Set-OrganizationConfig']);
  });

  it('with no approved range the rule, which would quarantine all inbound mail, is left out', () => {
    const script = hardeningScript(hardeningPlan([group('198.18.9.0/24', 'litware.example', 'Unknown')], []), { organization: 'Contoso', generated: '2026-12-06T00:00:00.000Z' });
    expect(script.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['Set-OrganizationConfig -RejectDirectSend $true']);
    expect(script).toMatch(/No approved range/);
  });
});
