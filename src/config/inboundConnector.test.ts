import { describe, expect, it } from 'vitest';
import {
  InboundConnector,
  InboundConnectorParameters,
  InboundConnectorList,
  isIpOrCertificateBased,
  isRestricting,
  validateInboundConnector,
  validateInboundConnectors,
} from './inboundConnector.js';

const partner = { Name: 'Fabrikam', SenderDomains: ['fabrikam.com'] };

describe('InboundConnector schema', () => {
  it('fills Exchange defaults and a Guid identity', () => {
    const c = InboundConnector.parse(partner);
    expect(c).toMatchObject({
      Enabled: true,
      ConnectorType: 'Partner',
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: false,
      RequireTls: true,
      TreatMessagesAsInternal: false,
      CloudServicesMailEnabled: false,
      SenderIPAddresses: [],
      AssociatedAcceptedDomains: [],
      Comment: '',
    });
    expect(c.Guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.TlsSenderCertificateName).toBeUndefined();
  });

  it('keeps a given Guid', () => {
    const Guid = '6f1c2b1e-0b7a-4d0e-9a57-2f3f5c1d9e01';
    expect(InboundConnector.parse({ ...partner, Guid }).Guid).toBe(Guid);
  });

  it('normalises domains: case, trailing dot, Get-InboundConnector decoration, comma-separated text', () => {
    const c = InboundConnector.parse({ Name: 'x', SenderDomains: 'smtp:*.Fabrikam.COM;1, Tailspin.com.', TlsSenderCertificateName: 'Mail.Fabrikam.com' });
    expect(c.SenderDomains).toEqual(['*.fabrikam.com', 'tailspin.com']);
    expect(c.TlsSenderCertificateName).toBe('mail.fabrikam.com');
  });

  it.each([
    ['*', true],
    ['*.contoso.com', true],
    ['contoso.com', true],
    ['mail.contoso.co.uk', true],
  ])('accepts SenderDomains %s', (d, ok) => {
    expect(validateInboundConnector({ Name: 'x', SenderDomains: [d] }).ok).toBe(ok);
  });

  it('accepts IPv4 addresses and /24../32 prefixes, and (Postern) IPv6', () => {
    const r = validateInboundConnector({
      ...partner,
      SenderIPAddresses: ['192.168.0.1/25', '127.0.0.2', '10.1.2.0/24', '2001:db8::/48', '2001:db8::25'],
      RestrictDomainsToIPAddresses: true,
    });
    expect(r.ok).toBe(true);
  });

  it('accepts Exchange example 2: IP restriction plus a certificate name on one connector', () => {
    const r = validateInboundConnector({
      Name: 'Contoso Inbound Secure Connector',
      SenderDomains: '*.contoso.com',
      SenderIPAddresses: '192.168.0.1/25',
      RestrictDomainsToIPAddresses: true,
      RequireTls: true,
      TlsSenderCertificateName: '*.contoso.com',
    });
    expect(r.ok).toBe(true);
  });
});

describe('InboundConnector validation refuses what Exchange refuses, naming the parameter', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['SenderDomains missing', { Name: 'x' }, 'SenderDomains', /required/],
    ['SenderDomains empty', { Name: 'x', SenderDomains: [] }, 'SenderDomains', /required/],
    ['embedded wildcard', { Name: 'x', SenderDomains: ['domain.*.contoso.com'] }, 'SenderDomains', /embedded wildcard/],
    ['wildcard not a whole label', { Name: 'x', SenderDomains: ['*contoso.com'] }, 'SenderDomains', /embedded wildcard/],
    ['not a domain', { Name: 'x', SenderDomains: ['contoso..com'] }, 'SenderDomains', /not a valid SMTP domain/],
    ['invalid IP', { ...partner, SenderIPAddresses: ['300.1.1.1'] }, 'SenderIPAddresses', /isn't a valid IP address/],
    ['short IPv4', { ...partner, SenderIPAddresses: ['127.1'] }, 'SenderIPAddresses', /isn't a valid IP address/],
    ['bad prefix', { ...partner, SenderIPAddresses: ['10.0.0.0/x'] }, 'SenderIPAddresses', /invalid prefix length/],
    ['prefix above 32', { ...partner, SenderIPAddresses: ['10.0.0.0/33'] }, 'SenderIPAddresses', /above \/32/],
    ['IPv4 wider than /24', { ...partner, SenderIPAddresses: ['10.0.0.0/8'] }, 'SenderIPAddresses', /\/24 through \/32/],
    ['IPv6 wider than /48', { ...partner, SenderIPAddresses: ['2001:db8::/32'] }, 'SenderIPAddresses', /\/48 through \/128/],
    ['IP range', { ...partner, SenderIPAddresses: ['192.168.0.1-192.168.0.254'] }, 'SenderIPAddresses', /ranges aren't supported/],
    [
      'both restrictions on one Partner connector',
      { ...partner, SenderIPAddresses: ['127.0.0.2'], TlsSenderCertificateName: 'mail.fabrikam.com', RestrictDomainsToIPAddresses: true, RestrictDomainsToCertificate: true },
      'RestrictDomainsToCertificate',
      /together with RestrictDomainsToIPAddresses/,
    ],
    ['TreatMessagesAsInternal on Partner', { ...partner, TreatMessagesAsInternal: true }, 'TreatMessagesAsInternal', /Partner connector/],
    [
      'TreatMessagesAsInternal with CloudServicesMailEnabled',
      { ...partner, ConnectorType: 'OnPremises', SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true, CloudServicesMailEnabled: true },
      'TreatMessagesAsInternal',
      /CloudServicesMailEnabled/,
    ],
    [
      'RestrictDomainsToIPAddresses on OnPremises',
      { ...partner, ConnectorType: 'OnPremises', SenderIPAddresses: ['127.0.0.4'], RestrictDomainsToIPAddresses: true },
      'RestrictDomainsToIPAddresses',
      /only to Partner/,
    ],
    [
      'RestrictDomainsToCertificate on OnPremises',
      { ...partner, ConnectorType: 'OnPremises', TlsSenderCertificateName: 'mail.contoso.com', RestrictDomainsToCertificate: true },
      'RestrictDomainsToCertificate',
      /only to Partner/,
    ],
    ['RestrictDomainsToIPAddresses without SenderIPAddresses', { ...partner, RestrictDomainsToIPAddresses: true }, 'RestrictDomainsToIPAddresses', /SenderIPAddresses/],
    ['RestrictDomainsToCertificate without TlsSenderCertificateName', { ...partner, RestrictDomainsToCertificate: true }, 'RestrictDomainsToCertificate', /TlsSenderCertificateName/],
    ['embedded wildcard certificate name', { ...partner, TlsSenderCertificateName: 'mail.*.fabrikam.com' }, 'TlsSenderCertificateName', /embedded wildcard/],
    ['* as certificate name', { ...partner, TlsSenderCertificateName: '*' }, 'TlsSenderCertificateName', /not allowed/],
    ['OnPremises identifying nothing', { ...partner, ConnectorType: 'OnPremises' }, 'SenderIPAddresses', /TlsSenderCertificateName/],
    ['unknown ConnectorType', { ...partner, ConnectorType: 'Internet' }, 'ConnectorType', /^ConnectorType: /],
    ['empty Name', { ...partner, Name: ' ' }, 'Name', /^Name: /],
    ['Enabled not a boolean', { ...partner, Enabled: 'yes' }, 'Enabled', /^Enabled: /],
  ];

  it.each(cases)('%s', (_label, input, parameter, message) => {
    const r = validateInboundConnector(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.errors.find((e) => e.parameter === parameter);
    expect(p, JSON.stringify(r.errors)).toBeDefined();
    expect(p!.message.startsWith(`${parameter}: `)).toBe(true);
    expect(p!.message).toMatch(message);
  });

  it('refuses duplicate connector names in one organization, case-insensitively', () => {
    const r = validateInboundConnectors([partner, { ...partner, Name: 'FABRIKAM' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ parameter: 'Name', message: expect.stringMatching(/^Name: a connector named 'FABRIKAM' already exists/) }]);
    expect(InboundConnectorList.safeParse([partner, { ...partner, Name: 'Other' }]).success).toBe(true);
  });

  it('refuses AssociatedAcceptedDomains that are not accepted domains, when told the accepted domains', () => {
    const list = [{ ...partner, AssociatedAcceptedDomains: ['contoso.com', 'elsewhere.com'] }];
    expect(validateInboundConnectors(list).ok).toBe(true);
    const r = validateInboundConnectors(list, ['contoso.com']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toMatch(/^AssociatedAcceptedDomains: 'elsewhere.com'/);
  });
});

describe('Set-InboundConnector: partial parameters', () => {
  it('parses only the given parameters, and the merge is re-validated', () => {
    const current = InboundConnector.parse({ ...partner, SenderIPAddresses: ['127.0.0.2'], RestrictDomainsToIPAddresses: true });
    const change = InboundConnectorParameters.parse({ SenderIPAddresses: '127.0.0.3, 127.0.0.4' });
    expect(change).toEqual({ SenderIPAddresses: ['127.0.0.3', '127.0.0.4'] });
    expect(Object.keys(change)).toEqual(['SenderIPAddresses']); // absent parameters stay absent: no defaults
    const merged = validateInboundConnector({ ...current, ...change });
    expect(merged.ok && merged.value.SenderIPAddresses).toEqual(['127.0.0.3', '127.0.0.4']);
    expect(merged.ok && merged.value.Guid).toBe(current.Guid);
    expect(merged.ok && merged.value.RestrictDomainsToIPAddresses).toBe(true);
    // $null clears a single-valued parameter.
    const cleared = InboundConnectorParameters.parse({ TlsSenderCertificateName: null });
    expect('TlsSenderCertificateName' in cleared && cleared.TlsSenderCertificateName).toBeUndefined();
    const bad = validateInboundConnector({ ...current, ...InboundConnectorParameters.parse({ SenderIPAddresses: [] }) });
    expect(!bad.ok && bad.errors.map((e) => e.parameter)).toEqual(['RestrictDomainsToIPAddresses']);
  });
});

describe('connector kinds', () => {
  it('classifies restricting and IP/certificate-based connectors', () => {
    const ip = InboundConnector.parse({ ...partner, SenderIPAddresses: ['127.0.0.2'], RestrictDomainsToIPAddresses: true });
    const ipsNotRestricting = InboundConnector.parse({ ...partner, SenderIPAddresses: ['127.0.0.2'] });
    const cert = InboundConnector.parse({ ...partner, TlsSenderCertificateName: 'mail.fabrikam.com' });
    const onPrem = InboundConnector.parse({ Name: 'op', ConnectorType: 'OnPremises', SenderDomains: '*', SenderIPAddresses: '127.0.0.4' });
    const domainOnly = InboundConnector.parse(partner);
    expect([ip, ipsNotRestricting, cert, onPrem, domainOnly].map(isRestricting)).toEqual([true, false, false, false, false]);
    expect([ip, ipsNotRestricting, cert, onPrem, domainOnly].map(isIpOrCertificateBased)).toEqual([true, false, true, true, false]);
  });
});
