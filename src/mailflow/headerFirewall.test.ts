import { describe, expect, it } from 'vitest';
import { applyEdits } from '../message/headerEdits.js';
import { InboundConnector, type InboundConnectorInput } from '../config/inboundConnector.js';
import { attribute, compileFrontDoor } from './attribution.js';
import { headerFirewall, HEADER, type HeaderFirewallResult } from './headerFirewall.js';
import { headerValues, type ClientFacts, type HeaderField } from '../message/facts.js';

const connectors: InboundConnectorInput[] = [
  { Name: 'Fabrikam by IP', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['127.0.0.2/32'], RestrictDomainsToIPAddresses: true, RequireTls: false },
  { Name: 'Tailspin', SenderDomains: ['tailspin.com'], RequireTls: false },
  { Name: 'Contoso on-premises', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true },
  { Name: 'Contoso hybrid', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.5'], CloudServicesMailEnabled: true },
  { Name: 'Partner with hybrid flag', SenderDomains: ['partner.example'], SenderIPAddresses: ['127.0.0.6'], RestrictDomainsToIPAddresses: true, CloudServicesMailEnabled: true, RequireTls: false },
];
const org = { AcceptedDomains: [{ DomainName: 'contoso.com' }], InboundConnectors: connectors.map((c) => InboundConnector.parse(c)) };
const door = compileFrontDoor(org);

function pass(ip: string, mailFrom: string, headers: HeaderField[]): HeaderFirewallResult {
  const client: ClientFacts = { ip, helo: 'h' };
  const attribution = attribute(door, { client, mailFrom, recipientDomain: 'contoso.com' });
  return headerFirewall({ headers, attribution, mailFrom, org, gatewayHost: 'mx1.postern.example', networkMessageId: '0b9a3c4e-1111-2222-3333-444455556666' });
}

const forged: HeaderField[] = [
  { name: 'Received', value: 'from attacker.example' },
  { name: 'x-ms-exchange-organization-authas', value: 'Internal' },
  { name: 'X-MS-Exchange-Organization-SCL', value: '-1' },
  { name: 'X-MS-EXCHANGE-FOREST-RulesExecuted', value: 'x' },
  { name: 'X-MS-Exchange-CrossPremises-AuthAs', value: 'Internal' },
  { name: 'x-postern-connector', value: 'Contoso on-premises' },
  { name: 'X-Postern-Anything', value: 'y' },
  { name: 'From', value: 'CEO <ceo@contoso.com>' },
  { name: 'X-MS-Exchange-CrossTenant-Id', value: 'kept: not an organization header' },
  { name: 'Subject', value: 'Invoice' },
];

describe('header firewall', () => {
  it('internet mail: a forged AuthAs: Internal is removed and replaced by Anonymous', () => {
    const r = pass('203.0.113.9', 'ceo@contoso.com', forged);
    expect(headerValues(r.headers, HEADER.authAs)).toEqual(['Anonymous']);
    expect(r.authAs).toBe('Anonymous');
    expect(r.removed.map((h) => h.name)).toEqual([
      'x-ms-exchange-organization-authas',
      'X-MS-Exchange-Organization-SCL',
      'X-MS-EXCHANGE-FOREST-RulesExecuted',
      'X-MS-Exchange-CrossPremises-AuthAs',
      'x-postern-connector',
      'X-Postern-Anything',
    ]);
    expect(r.headers.slice(r.stamps.length)).toEqual([forged[0], forged[7], forged[8], forged[9]]);
    expect(headerValues(r.headers, 'X-MS-Exchange-Organization-SCL')).toEqual([]);
    expect(r.trustedSource).toBe(false);
  });

  it('Direct Send: stamps AuthSource and Network-Message-Id, no X-Postern-Connector, Connectors empty, Inbound', () => {
    const r = pass('203.0.113.9', 'ceo@contoso.com', forged);
    expect(r.stamps).toEqual([
      { name: 'X-MS-Exchange-Organization-AuthAs', value: 'Anonymous' },
      { name: 'X-MS-Exchange-Organization-AuthSource', value: 'mx1.postern.example' },
      { name: 'X-MS-Exchange-Organization-Network-Message-Id', value: '0b9a3c4e-1111-2222-3333-444455556666' },
    ]);
    expect(headerValues(r.headers, HEADER.connector)).toEqual([]);
    expect(r.connectors).toBe('');
    expect(r.emailDirection).toBe('Inbound');
  });

  it('Partner connector matched by IP: AuthAs Partner, organization headers still removed, connector named', () => {
    const r = pass('127.0.0.2', 'a@fabrikam.com', forged);
    expect(r.authAs).toBe('Partner');
    expect(headerValues(r.headers, HEADER.connector)).toEqual(['Fabrikam by IP']);
    expect(headerValues(r.headers, 'X-MS-Exchange-Organization-SCL')).toEqual([]);
    expect(r.connectors).toBe('Fabrikam by IP');
    expect(r.emailDirection).toBe('Inbound');
  });

  it('Partner connector by sender domain only: Anonymous, but the connector is named', () => {
    const r = pass('203.0.113.20', 'a@tailspin.com', forged);
    expect(r.authAs).toBe('Anonymous');
    expect(r.connectors).toBe('Tailspin');
    expect(headerValues(r.headers, HEADER.connector)).toEqual(['Tailspin']);
  });

  it('OnPremises with TreatMessagesAsInternal, accepted-domain sender: Internal, Intra-org, organization headers kept', () => {
    const r = pass('127.0.0.4', 'user@contoso.com', forged);
    expect(r.authAs).toBe('Internal');
    expect(r.emailDirection).toBe('Intra-org');
    expect(r.trustedSource).toBe(true);
    expect(headerValues(r.headers, 'X-MS-Exchange-Organization-SCL')).toEqual(['-1']);
    expect(headerValues(r.headers, 'X-MS-Exchange-Forest-RulesExecuted')).toEqual(['x']);
    // Its own AuthAs stamp replaces the incoming one; CrossPremises and X-Postern-* still go.
    expect(headerValues(r.headers, HEADER.authAs)).toEqual(['Internal']);
    expect(headerValues(r.headers, 'X-MS-Exchange-CrossPremises-AuthAs')).toEqual([]);
    expect(headerValues(r.headers, 'X-Postern-Anything')).toEqual([]);
    expect(headerValues(r.headers, HEADER.connector)).toEqual(['Contoso on-premises']);
  });

  it('OnPremises with TreatMessagesAsInternal, external sender: Anonymous, Inbound', () => {
    const r = pass('127.0.0.4', 'x@gmail.example', forged);
    expect(r.authAs).toBe('Anonymous');
    expect(r.emailDirection).toBe('Inbound');
  });

  it('OnPremises with CloudServicesMailEnabled promotes CrossPremises headers, replacing organization ones', () => {
    const r = pass('127.0.0.5', 'user@contoso.com', [
      { name: 'X-MS-Exchange-Organization-AuthAs', value: 'Anonymous' },
      { name: 'X-MS-Exchange-Organization-SCL', value: '5' },
      { name: 'X-MS-Exchange-CrossPremises-AuthAs', value: 'Internal' },
      { name: 'X-MS-Exchange-CrossPremises-SCL', value: '-1' },
    ]);
    expect(r.promoted).toEqual([
      { name: 'X-MS-Exchange-Organization-AuthAs', value: 'Internal' },
      { name: 'X-MS-Exchange-Organization-SCL', value: '-1' },
    ]);
    expect(headerValues(r.headers, 'X-MS-Exchange-Organization-SCL')).toEqual(['-1']);
    expect(headerValues(r.headers, HEADER.authAs)).toEqual(['Internal']);
    expect(r.emailDirection).toBe('Intra-org');
    expect(headerValues(r.headers, 'X-MS-Exchange-CrossPremises-SCL')).toEqual([]);
  });

  it.each([
    ['External', 'Partner', 'Inbound'],
    ['anonymous', 'Anonymous', 'Inbound'],
    ['Bogus', 'Anonymous', 'Inbound'],
  ])('hybrid: promoted AuthAs %s counts as %s', (value, authAs, direction) => {
    const r = pass('127.0.0.5', 'user@contoso.com', [{ name: 'X-MS-Exchange-CrossPremises-AuthAs', value }]);
    expect(r.authAs).toBe(authAs);
    expect(headerValues(r.headers, HEADER.authAs)).toEqual([authAs]);
    expect(r.emailDirection).toBe(direction);
  });

  it('CloudServicesMailEnabled on a Partner connector does not let the partner write organization headers', () => {
    const r = pass('127.0.0.6', 'a@partner.example', [{ name: 'X-MS-Exchange-CrossPremises-AuthAs', value: 'Internal' }]);
    expect(r.promoted).toEqual([]);
    expect(r.authAs).toBe('Partner');
    expect(headerValues(r.headers, HEADER.authAs)).toEqual(['Partner']);
  });

  it.each([
    ['internet', '203.0.113.9', 'ceo@contoso.com'],
    ['partner', '127.0.0.2', 'a@fabrikam.com'],
    ['on-premises internal', '127.0.0.4', 'user@contoso.com'],
    ['hybrid', '127.0.0.5', 'user@contoso.com'],
  ])('edits for the delivery path give the same header fields (%s)', (_label, ip, mailFrom) => {
    const input: HeaderField[] = [...forged, { name: 'X-MS-Exchange-CrossPremises-SCL', value: '-1' }];
    const r = pass(ip, mailFrom, input);
    const raw = Buffer.from(input.map((h) => `${h.name}: ${h.value}\r\n`).join(''), 'utf8');
    const applied = applyEdits(raw, r.edits).toString('utf8').split('\r\n').filter(Boolean);
    const expected = r.headers.map((h) => `${h.name}: ${h.value}`);
    expect([...applied].sort()).toEqual([...expected].sort());
  });

  it('leaves the input array untouched', () => {
    const copy = structuredClone(forged);
    pass('203.0.113.9', 'ceo@contoso.com', forged);
    expect(forged).toEqual(copy);
  });
});
