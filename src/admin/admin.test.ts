// The admin operations on a real SQLite store: tenant isolation by name and GUID,
// validation errors that name the parameter, writes that bump the configuration version,
// transport rules through the rules module, message trace scoped to the organization, and the
// honest "not available" errors.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Organization } from '../config/model.js';
import type { TransportRule } from '../rules/model.js';
import { DomainInUseError, type ConfigStore } from '../store/ports.js';
import { adminTestbed, type AdminTestbed } from '../testing/adminTestbed.js';
import { AdminError } from './errors.js';
import type { OrganizationAdmin } from './types.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;

let bed: AdminTestbed;
let config: ConfigStore;
let contoso: Organization;
let fabrikam: Organization;
let fabConnectorGuid: string;

/** The stored rules of an organization, in the order kept. */
const storedRules = (name: string): TransportRule[] => config.organization(name)!.TransportRules;

function org(name: string, domain: string, connectors: Record<string, unknown>[] = []): Organization {
  return {
    Name: name,
    Guid: randomUUID(),
    AcceptedDomains: [{ DomainName: domain, DomainType: 'Authoritative', Default: true }],
    Delivery: { kind: 'maildir', path: 'maildir' },
    DomainDelivery: {},
    Config: { RejectDirectSend: false },
    InboundConnectors: connectors as Organization['InboundConnectors'],
    TransportRules: [],
  };
}

function services(organization: string): OrganizationAdmin {
  return bed.adminFor(organization);
}

async function failure(p: Promise<unknown>): Promise<AdminError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AdminError);
    return e as AdminError;
  }
  throw new Error('expected a AdminError');
}

function seedTrace(): { contosoId: string; fabrikamId: string } {
  const contosoId = randomUUID();
  const fabrikamId = randomUUID();
  const row = (orgGuid: string, id: string, recipient: string, receivedAt: number, sender: string, subject: string, status = 'Delivered') => ({
    orgGuid, networkMessageId: id, recipient, receivedAt, sender, subject, status, fromIp: '203.0.113.9', size: 1234, internetMessageId: `<${id}@mail.example>`, connector: '',
  });
  const ev = (orgGuid: string, id: string, recipient: string, at: number, event: string, action: string) => ({ orgGuid, networkMessageId: id, recipient, at, event, action, detail: `${event} detail` });
  const t = NOW.getTime() - HOUR;
  bed.recordTrace(
    [
      row(contoso.Guid, contosoId, 'alice@contoso.com', t, 'ops@tailspin.example', 'Quarterly report'),
      row(contoso.Guid, contosoId, 'bob@contoso.com', t, 'ops@tailspin.example', 'Quarterly report', 'Pending'),
      row(contoso.Guid, randomUUID(), 'carol@contoso.com', t - 2 * HOUR, 'news@lists.example', 'Weekly news', 'Failed'),
      row(contoso.Guid, randomUUID(), 'old@contoso.com', t - 5 * 24 * HOUR, 'news@lists.example', 'Old news'),
      row(fabrikam.Guid, fabrikamId, 'dave@fabrikam.com', t, 'ops@tailspin.example', 'Quarterly report'),
    ],
    [
      ev(contoso.Guid, contosoId, 'alice@contoso.com', t, 'RECEIVE', 'Receive'),
      ev(contoso.Guid, contosoId, 'alice@contoso.com', t + 1000, 'DELIVER', 'Deliver'),
      ev(fabrikam.Guid, fabrikamId, 'dave@fabrikam.com', t, 'RECEIVE', 'Receive'),
    ],
  );
  return { contosoId, fabrikamId };
}

beforeEach(() => {
  fabConnectorGuid = randomUUID();
  contoso = org('Contoso', 'contoso.com', [{ Name: 'Partner by IP', ConnectorType: 'Partner', SenderDomains: ['partner.example'], SenderIPAddresses: ['198.51.100.7'], RestrictDomainsToIPAddresses: true, RequireTls: false }]);
  fabrikam = org('Fabrikam', 'fabrikam.com', [{ Name: 'Fabrikam Partner', Guid: fabConnectorGuid, ConnectorType: 'Partner', SenderDomains: ['supplier.example'], SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToIPAddresses: true, RequireTls: false }]);
  bed = adminTestbed({ seed: contoso, neighbours: [fabrikam], now: () => NOW });
  config = bed.config;
});

describe('choosing the organization', () => {
  it('finds it by name (any case) or GUID, and refuses an unknown one naming -Organization', () => {
    expect(services('contoso').organization).toBe('Contoso');
    expect(services(fabrikam.Guid).organization).toBe('Fabrikam');
    expect(services(fabrikam.Guid.toUpperCase()).organization).toBe('Fabrikam');
    let err: unknown;
    try {
      services('Northwind');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdminError);
    expect((err as AdminError).parameter).toBe('Organization');
    expect((err as AdminError).message).toContain("'Northwind' couldn't be found");
  });
});

describe('tenant isolation', () => {
  it("can't see, change or remove another organization's connector by name or GUID", async () => {
    const s = services('Contoso');
    for (const id of ['Fabrikam Partner', fabConnectorGuid, fabConnectorGuid.toUpperCase(), ` ${fabConnectorGuid} `]) {
      expect((await failure(s.getInboundConnectors(id))).category).toBe('ObjectNotFound');
      expect((await failure(s.setInboundConnector(id, { Enabled: false }))).category).toBe('ObjectNotFound');
      expect((await failure(s.removeInboundConnector(id))).category).toBe('ObjectNotFound');
    }
    expect((await s.getInboundConnectors()).map((c) => c.Name)).toEqual(['Partner by IP']);
    expect(config.organization('Fabrikam')!.InboundConnectors).toEqual(fabrikam.InboundConnectors.map((c) => expect.objectContaining({ Name: c.Name, Enabled: true })));
  });

  it("can't see or remove another organization's domain, by name or by its GUID", async () => {
    const fab = (await services('Fabrikam').getAcceptedDomains())[0];
    const s = services('Contoso');
    for (const id of ['fabrikam.com', fab.Guid!]) {
      expect((await failure(s.getAcceptedDomains(id))).category).toBe('ObjectNotFound');
      expect((await failure(s.setAcceptedDomain(id, { MakeDefault: true }))).category).toBe('ObjectNotFound');
      expect((await failure(s.removeAcceptedDomain(id))).category).toBe('ObjectNotFound');
    }
    expect(config.organization('Fabrikam')!.AcceptedDomains).toHaveLength(1);
  });

  it("refuses to take another organization's domain, naming DomainName, and changes nothing", async () => {
    const before = config.configVersion();
    const err = await failure(services('Contoso').newAcceptedDomain({ Name: 'fabrikam.com', DomainName: 'fabrikam.com', DomainType: 'Authoritative' }));
    expect(err.category).toBe('ResourceExists');
    expect(err.parameter).toBe('DomainName');
    expect(err.message).toContain("The domain 'fabrikam.com' can't be added: it is already in use in another tenant.");
    expect(config.configVersion()).toBe(before);
    expect(config.organization('Contoso')!.AcceptedDomains.map((d) => d.DomainName)).toEqual(['contoso.com']);
  });

  it("refuses a subdomain or a parent of another organization's domain, without naming that organization", async () => {
    const s = services('Contoso');
    const sub = await failure(s.newAcceptedDomain({ Name: 'Sub', DomainName: 'sub.fabrikam.com', DomainType: 'Authoritative' }));
    expect(sub.parameter).toBe('DomainName');
    expect(sub.message).toContain("The domain 'sub.fabrikam.com' can't be added: its parent domain 'fabrikam.com' is already in use in another tenant.");
    expect(sub.message).not.toContain('Fabrikam');
    config.saveOrganization({ ...org('Northwind', 'mail.northwind.example'), AcceptedDomains: [{ DomainName: 'mail.northwind.example', DomainType: 'Authoritative', Default: true }] });
    const parent = await failure(s.newAcceptedDomain({ Name: 'Northwind', DomainName: 'northwind.example', DomainType: 'Authoritative' }));
    expect(parent.message).toContain("its subdomain 'mail.northwind.example' is already in use in another tenant");
    // a name that merely ends the same way is not a parent, and an organization's own subdomains are fine
    await s.newAcceptedDomain({ Name: 'Notfabrikam', DomainName: 'notfabrikam.com', DomainType: 'Authoritative' });
    await s.newAcceptedDomain({ Name: 'Contoso EU', DomainName: 'eu.contoso.com', DomainType: 'Authoritative' });
    expect(config.organization('Contoso')!.AcceptedDomains.map((d) => d.DomainName)).toEqual(['contoso.com', 'notfabrikam.com', 'eu.contoso.com']);
    // the store refuses it whatever the entry point (config import saves through it too)
    expect(() => config.saveOrganization({ ...config.organization('Contoso')!, AcceptedDomains: [...config.organization('Contoso')!.AcceptedDomains, { DomainName: 'x.sub.fabrikam.com', DomainType: 'Authoritative', Default: false }] })).toThrow(DomainInUseError);
  });

  it("can't reach another organization's transport rule", async () => {
    const fab = await services('Fabrikam').newTransportRule({ Name: 'Fabrikam only', Enabled: true, SubjectContainsWords: ['invoice'], Quarantine: true });
    const s = services('Contoso');
    for (const id of ['Fabrikam only', fab.Guid!]) {
      expect((await failure(s.getTransportRules(id))).category).toBe('ObjectNotFound');
      expect((await failure(s.setTransportRule(id, { Comments: 'x' }))).category).toBe('ObjectNotFound');
      expect((await failure(s.removeTransportRule(id))).category).toBe('ObjectNotFound');
    }
    expect(await s.getTransportRules()).toEqual([]);
  });
});

describe('organization config and accepted domains', () => {
  it('sets RejectDirectSend through saveOrganization (the configuration version moves)', async () => {
    const s = services('Contoso');
    const before = config.configVersion();
    await s.setOrganizationConfig({ RejectDirectSend: true });
    expect(config.configVersion()).toBeGreaterThan(before);
    expect(config.organization('Contoso')!.Config.RejectDirectSend).toBe(true);
    expect(await s.getOrganizationConfig()).toMatchObject({ Identity: 'Contoso', Name: 'Contoso', Guid: contoso.Guid, RejectDirectSend: true });
    expect(config.organization('Fabrikam')!.Config.RejectDirectSend).toBe(false);
  });

  it('adds, re-defaults and removes domains as Exchange does, refusing what the model cannot keep', async () => {
    const s = services('Contoso');
    const d = await s.newAcceptedDomain({ Name: 'Contoso EU', DomainName: 'Contoso.EU', DomainType: 'InternalRelay' });
    expect(d).toMatchObject({ Identity: 'Contoso EU', Name: 'Contoso EU', DomainName: 'contoso.eu', DomainType: 'InternalRelay', Default: false });
    expect((await s.getAcceptedDomains(d.Guid))[0].DomainName).toBe('contoso.eu');
    expect((await failure(s.newAcceptedDomain({ Name: 'x', DomainName: 'contoso.eu', DomainType: 'Authoritative' }))).category).toBe('ResourceExists');
    expect((await failure(s.newAcceptedDomain({ Name: 'x', DomainName: 'relay.example', DomainType: 'ExternalRelay' }))).parameter).toBe('DomainType');
    expect((await failure(s.newAcceptedDomain({ Name: 'x', DomainName: '*.contoso.net', DomainType: 'Authoritative' }))).parameter).toBe('DomainName');
    expect((await failure(s.removeAcceptedDomain('contoso.com'))).message).toContain('default accepted domain');
    expect((await failure(s.newAcceptedDomain({ Name: 'contoso eu', DomainName: 'other.example', DomainType: 'Authoritative' }))).category).toBe('ResourceExists');
    await s.setAcceptedDomain('contoso.eu', { MakeDefault: true, DomainType: 'Authoritative' });
    expect((await s.getAcceptedDomains()).map((x) => [x.DomainName, x.DomainType, x.Default])).toEqual([
      ['contoso.com', 'Authoritative', false],
      ['contoso.eu', 'Authoritative', true],
    ]);
    await s.removeAcceptedDomain('contoso.com');
    expect(config.organization('Contoso')!.AcceptedDomains.map((x) => x.DomainName)).toEqual(['contoso.eu']);
  });

  it("won't remove a domain a connector is associated with", async () => {
    const s = services('Contoso');
    await s.newAcceptedDomain({ Name: 'contoso.eu', DomainName: 'contoso.eu', DomainType: 'Authoritative' });
    await s.setInboundConnector('Partner by IP', { AssociatedAcceptedDomains: ['contoso.eu'] });
    const err = await failure(s.removeAcceptedDomain('contoso.eu'));
    expect(err.message).toContain("inbound connector 'Partner by IP'");
  });
});

describe('inbound connectors', () => {
  const base = {
    Name: 'Tailspin', ConnectorType: 'Partner' as const, ConnectorSource: 'Default' as const, SenderDomains: ['tailspin.example'], SenderIPAddresses: ['203.0.113.0/24'],
    RestrictDomainsToIPAddresses: true, RestrictDomainsToCertificate: false, TlsSenderCertificateName: null, RequireTls: false, TreatMessagesAsInternal: false,
    CloudServicesMailEnabled: false, AssociatedAcceptedDomains: [], TrustedOrganizations: [], ClientHostNames: [], EFSkipLastIP: false, EFSkipIPs: [],
    EFSkipMailGateway: [], EFTestMode: false, EFUsers: [], ScanAndDropRecipients: [], Comment: null, Enabled: true,
  };

  it('creates, changes and removes a connector in the store', async () => {
    const s = services('Contoso');
    const c = await s.newInboundConnector({ ...base, Comment: 'by IP' });
    expect(c).toMatchObject({ Identity: 'Tailspin', Name: 'Tailspin', SenderIPAddresses: ['203.0.113.0/24'], Comment: 'by IP', TlsSenderCertificateName: null });
    expect(c.Guid).toMatch(/^[0-9a-f-]{36}$/);
    await s.setInboundConnector(c.Guid!, { Name: 'Tailspin by IP', Comment: null, SenderIPAddresses: ['203.0.113.5'] });
    const stored = config.organization('Contoso')!.InboundConnectors.find((x) => x.Guid === c.Guid)!;
    expect(stored).toMatchObject({ Name: 'Tailspin by IP', Comment: '', SenderIPAddresses: ['203.0.113.5'], RestrictDomainsToIPAddresses: true });
    expect((await s.getInboundConnectors('tailspin by ip'))[0].Comment).toBeNull();
    await s.removeInboundConnector('Tailspin by IP');
    expect((await s.getInboundConnectors()).map((x) => x.Name)).toEqual(['Partner by IP']);
  });

  it('refuses what the connector module refuses, naming the parameter', async () => {
    const s = services('Contoso');
    const cases: [Record<string, unknown>, string][] = [
      [{ SenderIPAddresses: ['10.0.0.0/8'] }, 'SenderIPAddresses'],
      [{ SenderDomains: [] }, 'SenderDomains'],
      [{ RestrictDomainsToIPAddresses: false, RestrictDomainsToCertificate: true }, 'RestrictDomainsToCertificate'],
      [{ AssociatedAcceptedDomains: ['fabrikam.com'] }, 'AssociatedAcceptedDomains'],
      [{ EFSkipIPs: ['192.0.2.0/24'] }, 'EFSkipIPs'],
      [{ TrustedOrganizations: ['fabrikam.onmicrosoft.com'] }, 'TrustedOrganizations'],
    ];
    for (const [change, parameter] of cases) {
      const err = await failure(s.newInboundConnector({ ...base, ...change } as typeof base));
      expect(err.parameter, JSON.stringify(change)).toBe(parameter);
      expect(err.message).toContain(parameter);
      expect(err.category).toBe('InvalidArgument');
    }
    expect((await failure(s.newInboundConnector({ ...base, Name: 'partner BY ip' }))).category).toBe('ResourceExists');
    await s.newInboundConnector(base);
    expect((await failure(s.setInboundConnector('Tailspin', { Name: 'Partner by IP' }))).parameter).toBe('Name');
    expect((await s.getInboundConnectors()).map((x) => x.Name)).toEqual(['Partner by IP', 'Tailspin']);
  });
});

describe('transport rules', () => {
  it('creates rules through the rules module, renumbers priorities, enables/disables and removes', async () => {
    const s = services('Contoso');
    await s.newTransportRule({ Name: 'First', Enabled: true, SubjectContainsWords: ['invoice'], PrependSubject: '[ext] ' });
    const q = await s.newTransportRule({
      Name: 'Quarantine Direct Send', Enabled: true, Priority: 0, Quarantine: true, StopRuleProcessing: true,
      ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs', ExceptIfHeaderContainsWords: ['Internal'], ExceptIfSenderIpRanges: ['203.0.113.0/24'],
    });
    expect(q).toMatchObject({ Identity: 'Quarantine Direct Send', Priority: 0, State: 'Enabled', Mode: 'Enforce', Quarantine: true });
    expect((await s.getTransportRules()).map((r) => [r.Name, r.Priority])).toEqual([['Quarantine Direct Send', 0], ['First', 1]]);
    await s.setTransportRule('First', { Priority: 0, Comments: 'moved' });
    await s.setTransportRuleState(q.Guid!, 'Disabled');
    expect((await s.getTransportRules()).map((r) => [r.Name, r.Priority, r.State, r.Comments])).toEqual([
      ['First', 0, 'Enabled', 'moved'],
      ['Quarantine Direct Send', 1, 'Disabled', null],
    ]);
    expect((await failure(s.newTransportRule({ Name: 'first', Enabled: true }))).category).toBe('ResourceExists');
    expect((await failure(s.setTransportRule('First', { Priority: 5 }))).parameter).toBe('Priority');
    expect((await failure(s.newTransportRule({ Name: 'AD', Enabled: true, FromMemberOf: ['group@contoso.com'] }))).parameter).toBe('FromMemberOf');
    await s.removeTransportRule('First');
    expect((await s.getTransportRules()).map((r) => [r.Name, r.Priority])).toEqual([['Quarantine Direct Send', 0]]);
  });

  it("keeps rules in the organization's TransportRules (the configuration version moves)", async () => {
    const before = config.configVersion();
    await services('Contoso').newTransportRule({ Name: 'Stored', Enabled: false, SubjectContainsWords: ['x'], SetSCL: 5 });
    expect(config.configVersion()).toBeGreaterThan(before);
    expect(storedRules('Contoso')).toEqual([expect.objectContaining({ Name: 'Stored', State: 'Disabled', SetSCL: 5, Priority: 0 })]);
    expect(storedRules('Fabrikam')).toEqual([]);

    expect(storedRules('Fabrikam')).toEqual([]);
  });
});

describe('message trace', () => {
  const window = { StartDate: new Date(NOW.getTime() - 48 * HOUR), EndDate: NOW };

  it("returns only the session's organization's rows, newest first, with Exchange's properties", async () => {
    const { contosoId, fabrikamId } = seedTrace();
    const s = services('Contoso');
    const rows = await s.getMessageTrace({ ...window, Page: 1, PageSize: 1000 });
    expect(rows.map((r) => r.RecipientAddress)).toEqual(['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com']);
    expect(rows[0]).toMatchObject({ SenderAddress: 'ops@tailspin.example', Subject: 'Quarterly report', Status: 'Delivered', FromIP: '203.0.113.9', ToIP: null, Size: 1234, MessageId: `<${contosoId}@mail.example>`, MessageTraceId: contosoId });
    expect(rows[0].Received).toEqual(new Date(NOW.getTime() - HOUR));
    // another organization's MessageTraceId, message id or recipient finds nothing
    expect(await s.getMessageTrace({ ...window, MessageTraceId: fabrikamId })).toEqual([]);
    expect(await s.getMessageTrace({ ...window, MessageId: [`<${fabrikamId}@mail.example>`] })).toEqual([]);
    expect(await s.getMessageTrace({ ...window, RecipientAddress: ['dave@fabrikam.com', '*@fabrikam.com'] })).toEqual([]);
    expect(await s.getMessageTraceDetail({ MessageTraceId: fabrikamId, RecipientAddress: 'dave@fabrikam.com' })).toEqual([]);
  });

  it('filters by sender (wildcards), recipient, status, message id, IP and subject, and pages', async () => {
    const { contosoId } = seedTrace();
    const s = services('Contoso');
    const names = async (q: Record<string, unknown>) => (await s.getMessageTrace({ ...window, ...q })).map((r) => r.RecipientAddress);
    expect(await names({ SenderAddress: ['*@lists.example'] })).toEqual(['carol@contoso.com']);
    expect(await names({ RecipientAddress: ['BOB@contoso.com'] })).toEqual(['bob@contoso.com']);
    expect(await names({ Status: ['Pending', 'Failed'] })).toEqual(['bob@contoso.com', 'carol@contoso.com']);
    expect(await names({ MessageId: [`${contosoId}@mail.example`] })).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    expect(await names({ FromIP: '198.51.100.1' })).toEqual([]);
    expect(await names({ Subject: 'weekly', SubjectFilterType: 'StartsWith', ResultSize: 1000 })).toEqual(['carol@contoso.com']);
    expect(await names({ Subject: 'report', ResultSize: 1000 })).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    expect(await names({ Page: 2, PageSize: 2 })).toEqual(['carol@contoso.com']);
    expect(await names({ StartDate: new Date(NOW.getTime() - 7 * 24 * HOUR) })).toContain('old@contoso.com');
    // V2 continuation: EndDate = last row's Received, StartingRecipientAddress = its recipient
    const first = await s.getMessageTrace({ ...window, ResultSize: 1 });
    expect(first.map((r) => r.RecipientAddress)).toEqual(['alice@contoso.com']);
    expect(await names({ EndDate: first[0].Received, StartingRecipientAddress: 'alice@contoso.com', ResultSize: 1000 })).toEqual(['bob@contoso.com', 'carol@contoso.com']);
  });

  it('shows the events of one message to one recipient, filtered by Event', async () => {
    const { contosoId } = seedTrace();
    const s = services('Contoso');
    const events = await s.getMessageTraceDetail({ MessageTraceId: contosoId, RecipientAddress: 'Alice@contoso.com' });
    expect(events.map((e) => [e.Event, e.Action])).toEqual([['RECEIVE', 'Receive'], ['DELIVER', 'Deliver']]);
    expect(events[0]).toMatchObject({ MessageTraceId: contosoId, RecipientAddress: 'alice@contoso.com', MessageId: `<${contosoId}@mail.example>`, Detail: 'RECEIVE detail', Data: null });
    expect((await s.getMessageTraceDetail({ MessageTraceId: contosoId, RecipientAddress: 'alice@contoso.com', Event: ['deliver'] })).map((e) => e.Event)).toEqual(['DELIVER']);
    expect(await s.getMessageTraceDetail({ MessageTraceId: contosoId, RecipientAddress: 'alice@contoso.com', SenderAddress: 'someone@else.example' })).toEqual([]);
  });
});

describe('what is not built yet', () => {
  it('says so instead of returning data', async () => {
    const s = services('Contoso');
    const calls: [Promise<unknown>, RegExp][] = [
      [s.getQuarantineMessages({ Page: 1, PageSize: 100 }), /hosted quarantine is not available/],
      [s.releaseQuarantineMessage('x', {}), /hosted quarantine is not available/],
      [s.startHistoricalSearch({ ReportTitle: 'r', StartDate: NOW, EndDate: NOW, ReportType: 'ConnectorReport' }), /Historical search is not available/],
      [s.getHistoricalSearches(), /Historical search is not available/],
      [s.simulate({ ClientIP: '192.0.2.1', MailFrom: 'a@b.example', Recipients: ['x@contoso.com'], TlsVersion: 'None', Authenticated: false }), /simulation .* not available/],
      [s.hunt('EmailEvents | take 1'), /hunting .* not available/],
      [s.inboundMessagesReport(), /Inbound messages report is not available/],
    ];
    for (const [p, message] of calls) {
      const err = await failure(p);
      expect(err.category).toBe('NotImplemented');
      expect(err.message).toMatch(message);
    }
  });
});

describe('reports', () => {
  it('the Inbound messages report covers 7 to 90 days of the organization, refusing other spans naming -Days', async () => {
    const r = await bed.admin.inboundMessagesReport({ days: 7, now: NOW.getTime() });
    expect(r.volumeByDay).toHaveLength(7);
    expect((await failure(bed.admin.inboundMessagesReport({ days: 6 }))).parameter).toBe('Days');
    expect((await failure(bed.admin.inboundMessagesReport({ days: 91 }))).message).toMatch(/7 to 90 days/);
  });
});

describe('hosted quarantine', () => {
  it("lists, previews, exports, releases and deletes only the organization's own messages, by any identity", async () => {
    const id = (n: number) => `8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a${n}`;
    const entry = (n: number) => `4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${n}`;
    const hold = (n: number, orgGuid: string, recipient: string) =>
      bed.hold({ orgGuid, networkMessageId: id(n), receivedAt: new Date(NOW.getTime() - HOUR), expiresAt: new Date(NOW.getTime() + 30 * 24 * HOUR), sender: 'x@tailspin.example', recipients: { [recipient]: entry(n) }, subject: `held ${n}`, internetMessageId: `<${n}@tailspin.example>`, body: 'body' });
    hold(1, contoso.Guid, 'alice@contoso.com');
    hold(2, fabrikam.Guid, 'dave@fabrikam.com');
    const q = bed.admin;
    expect((await q.getQuarantineMessages({ Page: 1, PageSize: 100 })).map((m) => m.Subject)).toEqual(['held 1']);
    expect((await q.previewQuarantineMessage(`${id(1)}\\${entry(1)}`)).Subject).toBe('held 1');
    const theirs = [`${id(2)}\\${entry(2)}`, id(2)];
    for (const identity of theirs) {
      expect(await q.getQuarantineMessages({ Identity: identity, Page: 1, PageSize: 100 }).catch((e) => e.category)).toBe('ObjectNotFound');
      expect((await failure(q.previewQuarantineMessage(identity))).category).toBe('ObjectNotFound');
      expect((await failure(q.exportQuarantineMessage(identity, {}))).category).toBe('ObjectNotFound');
      expect((await failure(q.releaseQuarantineMessage(identity, { ReleaseToAll: true }))).category).toBe('ObjectNotFound');
      expect((await failure(q.deleteQuarantineMessage(identity, {}))).category).toBe('ObjectNotFound');
    }
    // Fabrikam's message is still held
    expect(bed.db.prepare('SELECT release_status FROM quarantine WHERE org_guid = ?').pluck().all(fabrikam.Guid)).toEqual(['NotReleased']);
  });
});

