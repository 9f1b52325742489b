// Attribution and admission, table-driven over a few organizations: every branch of the
// connector order, the 5.7.51 restriction, RequireTls and Reject Direct Send.
import { describe, expect, it } from 'vitest';
import { InboundConnector, InboundConnectorList, type InboundConnectorInput } from '../config/inboundConnector.js';
import { Organization } from '../config/model.js';
import { admit, REJECT_DIRECT_SEND, PARTNER_RESTRICTION, REQUIRE_TLS, type AdmissionDecision } from './admission.js';
import {
  attribute,
  attributionTraceFields,
  refusalConnectors,
  certificateNameMatches,
  compileFrontDoor,
  senderDomainMatches,
  type Attribution,
  type CompiledFrontDoor,
} from './attribution.js';
import { evaluateFrontDoor, frontDoorOf } from './frontDoor.js';
import type { ClientFacts, PeerCertificate } from '../message/facts.js';

interface Org {
  AcceptedDomains: { DomainName: string }[];
  Config: { RejectDirectSend: boolean };
  InboundConnectors: InboundConnector[];
}

function org(domains: string[], connectors: InboundConnectorInput[], RejectDirectSend = true): Org {
  return {
    AcceptedDomains: domains.map((DomainName) => ({ DomainName })),
    Config: { RejectDirectSend },
    InboundConnectors: connectors.map((c) => InboundConnector.parse(c)),
  };
}

const cert = (names: string[], trusted = true, subjectCN = names[0]): PeerCertificate => ({ subjectCN, dnsNames: names, fingerprint256: 'AA:BB', trusted });
const plain = (ip: string): ClientFacts => ({ ip, helo: 'client.example' });
const tls = (ip: string, peerCertificate?: PeerCertificate): ClientFacts => ({ ip, helo: 'client.example', tlsVersion: 'TLSv1.3', peerCertificate });

// Contoso, with no connectors at all: the Direct Send baseline.
const bare = (RejectDirectSend: boolean) => org(['contoso.com'], [], RejectDirectSend);

// Contoso with the article's connectors.
const contoso = org(['contoso.com', 'contoso.net'], [
  { Name: 'Fabrikam by IP', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['127.0.0.2/32'], RestrictDomainsToIPAddresses: true, RequireTls: false },
  { Name: 'Fabrikam by certificate', SenderDomains: ['fabrikam.net'], TlsSenderCertificateName: 'mail.fabrikam.com', RestrictDomainsToCertificate: true },
  { Name: 'Contoso on-premises', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true },
  { Name: 'Tailspin', SenderDomains: ['tailspin.com'] },
  { Name: 'Wingtip wildcard', SenderDomains: ['*.wingtip.com'], TlsSenderCertificateName: '*.wingtip.com', RestrictDomainsToCertificate: true },
  { Name: 'IPv6 partner', SenderDomains: ['v6.example'], SenderIPAddresses: ['2001:db8:1::/48'], RestrictDomainsToIPAddresses: true, RequireTls: false },
  { Name: 'Disabled', Enabled: false, SenderDomains: ['*'], SenderIPAddresses: ['203.0.113.9'], RestrictDomainsToIPAddresses: true },
]);

// A domain-only connector for the organization's own domain: it must not exempt Direct Send.
const litware = org(['litware.com'], [{ Name: 'Litware scanners (domain only)', SenderDomains: ['litware.com'], RequireTls: false }]);

// Lock-down behind a gateway: every sender must come from the gateway's range.
const lockdown = org(['adatum.com'], [
  { Name: 'Gateway', SenderDomains: ['*'], SenderIPAddresses: ['192.0.2.0/24'], RestrictDomainsToIPAddresses: true, RequireTls: false },
]);

// Precedence and scoping.
const precedence = org(['woodgrove.com', 'woodgrove.net'], [
  { Name: 'Any partner', SenderDomains: ['*'], RequireTls: false },
  { Name: 'Northwind subdomains', SenderDomains: ['*.northwind.com'], RequireTls: false },
  { Name: 'Northwind exact', SenderDomains: ['northwind.com'], RequireTls: false },
  { Name: 'Northwind mail', SenderDomains: ['*.mail.northwind.com'], RequireTls: false },
  { Name: 'Partner cert', SenderDomains: ['*'], TlsSenderCertificateName: 'relay.woodgrove.com' },
  { Name: 'On-premises cert', ConnectorType: 'OnPremises', SenderDomains: ['*'], TlsSenderCertificateName: 'relay.woodgrove.com' },
  { Name: 'Fourth Coffee by domain', SenderDomains: ['fourthcoffee.com'], RequireTls: false },
  { Name: 'Partner IP', SenderDomains: ['fourthcoffee.com'], SenderIPAddresses: ['198.51.100.0/24'], RestrictDomainsToIPAddresses: true, RequireTls: false },
  { Name: 'Scoped to woodgrove.net', SenderDomains: ['proseware.com'], SenderIPAddresses: ['198.51.101.7'], RestrictDomainsToIPAddresses: true, AssociatedAcceptedDomains: ['woodgrove.net'], RequireTls: false },
]);

const doors = new Map<Org, CompiledFrontDoor>();
function run(o: Org, client: ClientFacts, mailFrom: string, recipientDomain = o.AcceptedDomains[0].DomainName): { a: Attribution; d: AdmissionDecision } {
  let door = doors.get(o);
  if (!door) doors.set(o, (door = compileFrontDoor(o)));
  const a = attribute(door, { client, mailFrom, recipientDomain });
  return { a, d: admit(a, { client, mailFrom }, o) };
}

type Expect = {
  connector?: string;
  on?: string;
  reply?: string;
  policy?: string;
  tenantBy?: string;
};

const DS = `550 5.7.68 ${REJECT_DIRECT_SEND.text}`;
const R51 = `550 5.7.51 ${PARTNER_RESTRICTION.text}`;
const TLS = `451 4.7.0 ${REQUIRE_TLS.text}`;

const table: [string, Org, ClientFacts, string, Expect, string?][] = [
  // Direct Send, the article's case.
  ['Direct Send forging ceo@contoso.com, RejectDirectSend off: accepted', bare(false), plain('203.0.113.9'), 'ceo@contoso.com', {}],
  ['Direct Send forging ceo@contoso.com, RejectDirectSend on: 5.7.68', bare(true), plain('203.0.113.9'), 'ceo@contoso.com', { reply: DS, policy: 'RejectDirectSend' }],
  ['Direct Send over TLS is still Direct Send', bare(true), tls('203.0.113.9'), 'ceo@contoso.com', { reply: DS, policy: 'RejectDirectSend' }],
  ['MAIL FROM compared case-insensitively', bare(true), plain('203.0.113.9'), 'CEO@Contoso.COM', { reply: DS, policy: 'RejectDirectSend' }],
  ['someone@fabrikam.com is still accepted with RejectDirectSend on', bare(true), plain('203.0.113.9'), 'someone@fabrikam.com', {}],
  ['null sender <> is accepted with RejectDirectSend on (Postern)', bare(true), plain('203.0.113.9'), '', {}],
  ['subdomain of an accepted domain is not an accepted domain (exact, as Exchange)', bare(true), plain('203.0.113.9'), 'ceo@mail.contoso.com', {}],
  ['Direct Send from IPv6', bare(true), plain('2001:db8:ffff::9'), 'ceo@contoso.com', { reply: DS, policy: 'RejectDirectSend' }],

  // Partner connector restricted to 127.0.0.2/32.
  ['fabrikam.com from 127.0.0.2: attributed by IP', contoso, plain('127.0.0.2'), 'someone@fabrikam.com', { connector: 'Fabrikam by IP', on: 'ip' }],
  ['fabrikam.com from 127.0.0.3: 5.7.51', contoso, plain('127.0.0.3'), 'someone@fabrikam.com', { reply: R51, policy: 'ConnectorRestriction' }],
  ['fabrikam.com from 127.0.0.3 with a trusted but unrelated certificate: 5.7.51', contoso, tls('127.0.0.3', cert(['mx.other.example'])), 'someone@fabrikam.com', { reply: R51, policy: 'ConnectorRestriction' }],
  ['127.0.0.2 forging contoso.com: connector does not cover contoso.com, so Direct Send', contoso, plain('127.0.0.2'), 'ceo@contoso.com', { reply: DS, policy: 'RejectDirectSend' }],
  ['127.0.0.2 with another partner domain: not this connector, no restriction', contoso, plain('127.0.0.2'), 'x@unrelated.example', {}],

  // Certificate-restricted connector for mail.fabrikam.com.
  ['trusted certificate mail.fabrikam.com: attributed', contoso, tls('198.51.100.50', cert(['mail.fabrikam.com'])), 'a@fabrikam.net', { connector: 'Fabrikam by certificate', on: 'certificate' }],
  ['trusted certificate, name in SAN only: attributed', contoso, tls('198.51.100.50', cert(['other.fabrikam.com', 'MAIL.FABRIKAM.COM.'], true, 'other.fabrikam.com')), 'a@fabrikam.net', { connector: 'Fabrikam by certificate', on: 'certificate' }],
  ['self-signed certificate claiming mail.fabrikam.com: not attributed, 5.7.51', contoso, tls('198.51.100.50', cert(['mail.fabrikam.com'], false)), 'a@fabrikam.net', { reply: R51, policy: 'ConnectorRestriction' }],
  ['TLS without a client certificate: 5.7.51', contoso, tls('198.51.100.50'), 'a@fabrikam.net', { reply: R51, policy: 'ConnectorRestriction' }],
  ['plain text: 5.7.51', contoso, plain('198.51.100.50'), 'a@fabrikam.net', { reply: R51, policy: 'ConnectorRestriction' }],
  ['certificate reported on a plain-text session is ignored', contoso, { ...plain('198.51.100.50'), peerCertificate: cert(['mail.fabrikam.com']) }, 'a@fabrikam.net', { reply: R51, policy: 'ConnectorRestriction' }],
  ['trusted certificate mail.fabrikam.com forging contoso.com: not covered, Direct Send', contoso, tls('198.51.100.50', cert(['mail.fabrikam.com'])), 'ceo@contoso.com', { reply: DS, policy: 'RejectDirectSend' }],
  ['*.wingtip.com certificate name matches a subdomain', contoso, tls('198.51.100.51', cert(['smtp.eu.wingtip.com'])), 'a@sales.wingtip.com', { connector: 'Wingtip wildcard', on: 'certificate' }],
  ['*.wingtip.com certificate name matches the domain itself', contoso, tls('198.51.100.51', cert(['wingtip.com'])), 'a@wingtip.com', { connector: 'Wingtip wildcard', on: 'certificate' }],
  ['*.wingtip.com does not match evilwingtip.com', contoso, tls('198.51.100.51', cert(['evilwingtip.com'])), 'a@wingtip.com', { reply: R51, policy: 'ConnectorRestriction' }],

  // OnPremises with TreatMessagesAsInternal.
  ['on-premises 127.0.0.4, contoso.com sender: attributed, exempt from RejectDirectSend', contoso, plain('127.0.0.4'), 'user@contoso.com', { connector: 'Contoso on-premises', on: 'ip', tenantBy: 'mailFrom' }],
  ['on-premises 127.0.0.4, external sender: attributed by RCPT TO domain', contoso, plain('127.0.0.4'), 'x@gmail.example', { connector: 'Contoso on-premises', on: 'ip', tenantBy: 'rcptTo' }],
  ['on-premises 127.0.0.4 sends fabrikam.com: on-premises wins over the fabrikam restriction', contoso, plain('127.0.0.4'), 'someone@fabrikam.com', { connector: 'Contoso on-premises', on: 'ip' }],

  // RequireTls on a sender-domain Partner connector (Exchange's default $true).
  ['Tailspin over plain text: RequireTls refuses', contoso, plain('203.0.113.20'), 'a@tailspin.com', { connector: 'Tailspin', on: 'senderDomain', reply: TLS, policy: 'RequireTls' }],
  ['Tailspin over TLS: accepted by sender domain', contoso, tls('203.0.113.20'), 'a@tailspin.com', { connector: 'Tailspin', on: 'senderDomain' }],

  // IPv6 connector (Postern).
  ['IPv6 partner inside 2001:db8:1::/48', contoso, plain('2001:db8:1::25'), 'a@v6.example', { connector: 'IPv6 partner', on: 'ip' }],
  ['IPv6 partner outside the prefix: 5.7.51', contoso, plain('2001:db8:2::25'), 'a@v6.example', { reply: R51, policy: 'ConnectorRestriction' }],

  // Disabled connectors don't exist.
  ['disabled connector neither attributes nor restricts', contoso, plain('203.0.113.9'), 'x@unrelated.example', {}],

  // A sender-domain-only connector for your own domain does not exempt Direct Send (doc 2026-03).
  ['domain-only connector for litware.com: attributed, still 5.7.68', litware, plain('203.0.113.30'), 'scanner@litware.com', { connector: 'Litware scanners (domain only)', on: 'senderDomain', reply: DS, policy: 'RejectDirectSend' }],

  // Lock-down: SenderDomains * restricted to the gateway.
  ['lock-down: gateway IP attributed', lockdown, plain('192.0.2.10'), 'a@anywhere.example', { connector: 'Gateway', on: 'ip' }],
  ['lock-down: anyone else refused 5.7.51', lockdown, plain('203.0.113.9'), 'a@anywhere.example', { reply: R51, policy: 'ConnectorRestriction' }],
  ['lock-down: null sender from elsewhere refused 5.7.51 too', lockdown, plain('203.0.113.9'), '', { reply: R51, policy: 'ConnectorRestriction' }],

  // Precedence.
  ['certificate beats IP; OnPremises beats Partner on the same certificate', precedence, tls('198.51.100.7', cert(['relay.woodgrove.com'])), 'a@fourthcoffee.com', { connector: 'On-premises cert', on: 'certificate', tenantBy: 'certificate' }],
  ['IP connector beats a sender-domain connector for the same domain', precedence, plain('198.51.100.7'), 'a@fourthcoffee.com', { connector: 'Partner IP', on: 'ip' }],
  ['the restricting connector beats the sender-domain connector: 5.7.51', precedence, plain('203.0.113.1'), 'a@fourthcoffee.com', { reply: R51, policy: 'ConnectorRestriction' }],
  ['sender domain: exact beats *.domain and *', precedence, plain('203.0.113.1'), 'a@northwind.com', { connector: 'Northwind exact', on: 'senderDomain' }],
  ['sender domain: longest *.domain wins', precedence, plain('203.0.113.1'), 'a@x.mail.northwind.com', { connector: 'Northwind mail', on: 'senderDomain' }],
  ['sender domain: *.domain beats *', precedence, plain('203.0.113.1'), 'a@eu.northwind.com', { connector: 'Northwind subdomains', on: 'senderDomain' }],
  ['sender domain: * catches the rest', precedence, plain('203.0.113.1'), 'a@else.example', { connector: 'Any partner', on: 'senderDomain' }],
  ['AssociatedAcceptedDomains: in scope for woodgrove.net', precedence, plain('198.51.101.7'), 'a@proseware.com', { connector: 'Scoped to woodgrove.net', on: 'ip' }, 'woodgrove.net'],
  ['AssociatedAcceptedDomains: out of scope for woodgrove.com (neither attributes nor restricts)', precedence, plain('203.0.113.1'), 'a@proseware.com', { connector: 'Any partner', on: 'senderDomain' }, 'woodgrove.com'],
];

describe('attribution and admission', () => {
  it.each(table)('%s', (_label, o, client, mailFrom, want, rcpt) => {
    const { a, d } = run(o, client, mailFrom, rcpt);
    expect(a.connector?.Name).toBe(want.connector);
    expect(a.matchedOn).toBe(want.on);
    expect(a.viaIpOrCertificate).toBe(want.on === 'ip' || want.on === 'certificate');
    if (want.tenantBy) expect(a.tenantAttributedBy).toBe(want.tenantBy);
    if (want.reply) {
      expect(d.verdict).toBe('refuse');
      if (d.verdict === 'refuse') {
        expect(d.reply).toBe(want.reply);
        expect(d.policy).toBe(want.policy);
        expect(`${d.code} ${d.enhancedCode} ${d.text}`).toBe(want.reply);
      }
    } else {
      expect(d.verdict, d.reasons.join('\n')).toBe('accept');
    }
    expect(a.reasons.length).toBeGreaterThan(0);
    expect(d.reasons.length).toBeGreaterThan(a.reasons.length - 1);
  });

  it('the 5.7.68 and 5.7.51 replies are exactly Exchange\'s', () => {
    expect(run(bare(true), plain('203.0.113.9'), 'ceo@contoso.com').d).toMatchObject({
      code: 550,
      enhancedCode: '5.7.68',
      text: 'TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources',
    });
    expect(run(contoso, plain('127.0.0.3'), 'someone@fabrikam.com').d).toMatchObject({
      code: 550,
      enhancedCode: '5.7.51',
      text: "TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set",
    });
  });

  it('reasons say which connector matched on what, for trace and simulate', () => {
    const { a } = run(contoso, plain('127.0.0.2'), 'someone@fabrikam.com');
    expect(a.reasons[0]).toContain("connector 'Fabrikam by IP'");
    expect(a.reasons[0]).toContain('127.0.0.2/32');
    expect(a.matchedValue).toBe('127.0.0.2/32');
    const failed = run(contoso, plain('127.0.0.3'), 'someone@fabrikam.com');
    expect(failed.a.restrictionFailed?.map((c) => c.Name)).toEqual(['Fabrikam by IP']);
    expect(failed.d.reasons.join('\n')).toMatch(/restrict this sender domain to their IP addresses/);
    const ds = run(bare(true), plain('203.0.113.9'), 'ceo@contoso.com');
    expect(ds.a.reasons.join('\n')).toMatch(/Direct Send/);
    expect(ds.d.reasons.join('\n')).toMatch(/accepted domain/);
    const untrusted = run(contoso, tls('198.51.100.50', cert(['mail.fabrikam.com'], false)), 'a@fabrikam.net');
    expect(untrusted.a.reasons[0]).toMatch(/not trusted/);
  });

  it('records trace fields: Connectors and ConnectorMatch', () => {
    expect(attributionTraceFields(run(contoso, plain('127.0.0.2'), 'x@fabrikam.com').a)).toEqual({ Connectors: 'Fabrikam by IP', ConnectorMatch: 'ip' });
    expect(attributionTraceFields(run(litware, plain('203.0.113.30'), 'x@litware.com').a)).toEqual({ Connectors: 'Litware scanners (domain only)', ConnectorMatch: 'senderDomain' });
    expect(attributionTraceFields(run(bare(false), plain('203.0.113.9'), 'x@contoso.com').a)).toEqual({ Connectors: '', ConnectorMatch: '' });
  });

  it('a 5.7.51 refusal records the restricting connector it failed', () => {
    expect(refusalConnectors(run(contoso, plain('127.0.0.3'), 'someone@fabrikam.com').a)).toBe('Fabrikam by IP');
    expect(refusalConnectors(run(bare(true), plain('203.0.113.9'), 'ceo@contoso.com').a)).toBe('');
  });

  it('only the envelope MAIL FROM is read: header From: is not an input', () => {
    // attribute() and admit() take no headers at all; a forged From: can neither trigger nor escape 5.7.68.
    expect(attribute.length).toBe(2);
    expect(admit.length).toBe(3);
    expect(run(bare(true), plain('203.0.113.9'), 'someone@fabrikam.com').d.verdict).toBe('accept');
  });

  it('gives the refusal in the SMTP edge\'s shape too', () => {
    const d = run(bare(true), plain('203.0.113.9'), 'ceo@contoso.com').d;
    expect(d.verdict === 'refuse' && d.refusal).toEqual({
      code: 550,
      text: '5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources',
      reason: 'RejectDirectSend',
    });
  });

  it('evaluateFrontDoor: one call per recipient, compiled once per organization object', () => {
    const o = bare(true);
    expect(frontDoorOf(o)).toBe(frontDoorOf(o));
    const r = evaluateFrontDoor(o, { client: plain('203.0.113.9'), mailFrom: 'ceo@contoso.com', recipient: 'cfo@contoso.com' });
    expect(r.admission.verdict).toBe('refuse');
    expect(r.trace).toEqual({ Connectors: '', ConnectorMatch: '' });
    const ok = evaluateFrontDoor(contoso, { client: plain('127.0.0.4'), mailFrom: 'user@contoso.com', recipient: 'cfo@Contoso.com' });
    expect(ok.admission.verdict).toBe('accept');
    expect(ok.trace).toEqual({ Connectors: 'Contoso on-premises', ConnectorMatch: 'ip' });
  });

  it('takes the Organization model as it is (with InboundConnectors joined in)', () => {
    const o = {
      ...Organization.parse({
        Name: 'Contoso',
        Guid: '11111111-1111-4111-8111-111111111111',
        AcceptedDomains: [{ DomainName: 'contoso.com' }],
        Delivery: { kind: 'maildir', path: 'mail' },
        Config: { RejectDirectSend: true },
      }),
      InboundConnectors: InboundConnectorList.parse([{ Name: 'Scanner', SenderDomains: 'contoso.com', SenderIPAddresses: '192.0.2.25', RestrictDomainsToIPAddresses: true, RequireTls: false }]),
    };
    expect(evaluateFrontDoor(o, { client: plain('192.0.2.25'), mailFrom: 'scanner@contoso.com', recipient: 'a@contoso.com' }).admission.verdict).toBe('accept');
    const spoof = evaluateFrontDoor(o, { client: plain('203.0.113.9'), mailFrom: 'ceo@contoso.com', recipient: 'a@contoso.com' }).admission;
    expect(spoof.verdict === 'refuse' && spoof.enhancedCode).toBe('5.7.51'); // the scanner connector restricts contoso.com to its IP
  });

  it('compiles once and is reusable: an empty organization attributes nothing', () => {
    const door = compileFrontDoor({ AcceptedDomains: [] });
    expect(door.connectors).toEqual([]);
    expect(attribute(door, { client: plain('not-an-ip'), mailFrom: 'a@b.c', recipientDomain: 'x.y' }).connector).toBeUndefined();
  });
});

describe('name matching', () => {
  it.each([
    ['mail.fabrikam.com', 'mail.fabrikam.com', true],
    ['mail.fabrikam.com', 'MAIL.fabrikam.com.', true],
    ['mail.fabrikam.com', 'smtp.fabrikam.com', false],
    ['*.fabrikam.com', 'mail.fabrikam.com', true],
    ['*.fabrikam.com', 'a.b.fabrikam.com', true],
    ['*.fabrikam.com', 'fabrikam.com', true],
    ['*.fabrikam.com', 'evilfabrikam.com', false],
    ['*.fabrikam.com', '*.fabrikam.com', true],
    ['mail.fabrikam.com', '*.fabrikam.com', false],
  ])('TlsSenderCertificateName %s vs certificate name %s: %s', (configured, presented, ok) => {
    expect(certificateNameMatches(configured, presented)).toBe(ok);
  });

  it.each([
    ['*', 'anything.example', true],
    ['*', '', true],
    ['*.contoso.com', 'contoso.com', true],
    ['*.contoso.com', 'a.contoso.com', true],
    ['*.contoso.com', 'acontoso.com', false],
    ['contoso.com', 'a.contoso.com', false],
    ['contoso.com', '', false],
  ])('SenderDomains %s covers %j: %s', (pattern, domain, ok) => {
    expect(senderDomainMatches(pattern, domain)).toBe(ok);
  });
});
