// Admission alone, over hand-made attributions: every branch and its order.
import { describe, expect, it } from 'vitest';
import { InboundConnector, type InboundConnectorInput } from '../config/inboundConnector.js';
import { admit, isAcceptedDomain } from './admission.js';
import type { Attribution } from './attribution.js';
import type { ClientFacts } from '../message/facts.js';

const connector = (c: Partial<InboundConnectorInput>): InboundConnector =>
  InboundConnector.parse({ Name: 'C', SenderDomains: ['*'], ...c });
const partnerTls = connector({ Name: 'Partner TLS' });
const partnerNoTls = connector({ Name: 'Partner no TLS', RequireTls: false });
const partnerIp = connector({ Name: 'Partner IP', SenderIPAddresses: ['127.0.0.2'], RestrictDomainsToIPAddresses: true });
const onPremTls = connector({ Name: 'On-premises', ConnectorType: 'OnPremises', SenderIPAddresses: ['127.0.0.4'], RequireTls: true });

const org = (RejectDirectSend: boolean) => ({ AcceptedDomains: [{ DomainName: 'Contoso.com' }], Config: { RejectDirectSend } });
const plain: ClientFacts = { ip: '203.0.113.9', helo: 'h' };
const tls: ClientFacts = { ...plain, tlsVersion: 'TLSv1.2' };
const none = (senderDomain: string): Attribution => ({ viaIpOrCertificate: false, senderDomain, reasons: ['r'] });
const via = (c: InboundConnector, on: 'ip' | 'certificate' | 'senderDomain', senderDomain: string): Attribution => ({
  connector: c,
  matchedOn: on,
  viaIpOrCertificate: on !== 'senderDomain',
  senderDomain,
  reasons: ['r'],
});

const cases: [string, Attribution, ClientFacts, string, boolean, string | undefined][] = [
  ['no connector, RejectDirectSend off, own domain', none('contoso.com'), plain, 'ceo@contoso.com', false, undefined],
  ['no connector, RejectDirectSend on, own domain', none('contoso.com'), plain, 'ceo@contoso.com', true, '550 5.7.68'],
  ['no connector, RejectDirectSend on, other domain', none('fabrikam.com'), plain, 'a@fabrikam.com', true, undefined],
  ['no connector, RejectDirectSend on, null sender', none(''), plain, '', true, undefined],
  ['no connector, RejectDirectSend on, address without a domain', none(''), plain, 'postmaster', true, undefined],
  ['restriction failed beats everything', { ...none('contoso.com'), restrictionFailed: [partnerIp] }, plain, 'ceo@contoso.com', true, '550 5.7.51'],
  ['restriction failed with RejectDirectSend off', { ...none('fabrikam.com'), restrictionFailed: [partnerIp] }, tls, 'a@fabrikam.com', false, '550 5.7.51'],
  ['IP connector exempts own domain', via(partnerIp, 'ip', 'contoso.com'), tls, 'ceo@contoso.com', true, undefined],
  ['sender-domain connector does not exempt own domain', via(partnerNoTls, 'senderDomain', 'contoso.com'), plain, 'ceo@contoso.com', true, '550 5.7.68'],
  ['5.7.68 comes before RequireTls', via(partnerTls, 'senderDomain', 'contoso.com'), plain, 'ceo@contoso.com', true, '550 5.7.68'],
  ['RequireTls, plain text', via(partnerTls, 'senderDomain', 'fabrikam.com'), plain, 'a@fabrikam.com', true, '451 4.7.0'],
  ['RequireTls, TLS', via(partnerTls, 'senderDomain', 'fabrikam.com'), tls, 'a@fabrikam.com', true, undefined],
  ['RequireTls $false, plain text', via(partnerNoTls, 'senderDomain', 'fabrikam.com'), plain, 'a@fabrikam.com', true, undefined],
  ['RequireTls on an IP-restricted Partner connector, plain text', via(partnerIp, 'ip', 'fabrikam.com'), plain, 'a@fabrikam.com', false, '451 4.7.0'],
  ['RequireTls is ignored on OnPremises connectors (Exchange: Partner only)', via(onPremTls, 'ip', 'contoso.com'), plain, 'a@contoso.com', true, undefined],
];

describe('admission', () => {
  it.each(cases)('%s', (_label, attribution, client, mailFrom, rds, want) => {
    const d = admit(attribution, { client, mailFrom }, org(rds));
    if (want === undefined) expect(d.verdict).toBe('accept');
    else expect(d.verdict === 'refuse' && `${d.code} ${d.enhancedCode}`).toBe(want);
    expect(d.reasons.at(-1)).toBeTruthy();
  });

  it('RequireTls refusal is temporary and consistent: 451 4.7.0 Must issue a STARTTLS command first', () => {
    const d = admit(via(partnerTls, 'senderDomain', 'fabrikam.com'), { client: plain, mailFrom: 'a@fabrikam.com' }, org(false));
    expect(d).toMatchObject({ verdict: 'refuse', policy: 'RequireTls', reply: '451 4.7.0 Must issue a STARTTLS command first' });
  });

  it('accepted domains compare exactly and case-insensitively', () => {
    expect(isAcceptedDomain(org(true), 'CONTOSO.COM')).toBe(true);
    expect(isAcceptedDomain(org(true), 'mail.contoso.com')).toBe(false);
    expect(isAcceptedDomain(org(true), '')).toBe(false);
  });
});
