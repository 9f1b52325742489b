// A small in-memory ShellServices, for the shell's own language and pipeline tests (and as a
// worked example of the contract). The real implementation comes from the store; this one does
// no mail-flow evaluation: simulate() and hunt() return canned answers set by the test.
import { randomUUID } from 'node:crypto';
import { DEFAULT_ANTI_PHISH_POLICY } from '../config/antiPhish.js';
import { objectExists, objectNotFound } from './errors.js';
import type {
  AcceptedDomainChanges,
  AcceptedDomainObject,
  HistoricalSearchObject,
  HistoricalSearchRequest,
  InboundConnectorObject,
  InboundConnectorSettings,
  MailFlowSimulationRequest,
  MailFlowSimulationResult,
  MessageTraceDetailObject,
  MessageTraceDetailQuery,
  MessageTraceObject,
  MessageTraceQuery,
  NewAcceptedDomainRequest,
  NewTransportRuleRequest,
  OrganizationConfigChanges,
  OrganizationConfigObject,
  AntiPhishPolicyChanges,
  AntiPhishPolicyObject,
  ArcConfigObject,
  QuarantineDeleteOptions,
  QuarantineExportObject,
  QuarantineExportOptions,
  QuarantineMessageObject,
  QuarantinePreviewObject,
  QuarantineQuery,
  QuarantineReleaseOptions,
  ShellServices,
  TransportRuleObject,
  TransportRuleSettings,
  TransportRuleState,
} from './services.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class MemoryShellServices implements ShellServices {
  config: OrganizationConfigObject;
  domains: AcceptedDomainObject[] = [];
  connectors: InboundConnectorObject[] = [];
  rules: TransportRuleObject[] = [];
  quarantine: (QuarantineMessageObject & { Body?: string })[] = [];
  released: { identity: string; options: QuarantineReleaseOptions }[] = [];
  trace: MessageTraceObject[] = [];
  traceDetail: MessageTraceDetailObject[] = [];
  searches: HistoricalSearchObject[] = [];
  simulations: MailFlowSimulationRequest[] = [];
  huntQueries: string[] = [];
  huntRows: Record<string, unknown>[] = [];
  simulationResult: MailFlowSimulationResult = { Decision: 'Deliver', SmtpResponse: '250 2.6.0 Queued', Connector: null };

  constructor(readonly organization = 'contoso', private readonly clock: () => Date = () => new Date()) {
    this.config = { Identity: organization, Name: organization, RejectDirectSend: false };
  }

  async getOrganizationConfig(): Promise<OrganizationConfigObject> {
    return { ...this.config };
  }

  async setOrganizationConfig(changes: OrganizationConfigChanges): Promise<void> {
    Object.assign(this.config, changes);
  }

  antiPhish: AntiPhishPolicyObject = { Identity: DEFAULT_ANTI_PHISH_POLICY.Name, ...DEFAULT_ANTI_PHISH_POLICY };
  arcConfig: ArcConfigObject = { Identity: 'Default', ArcTrustedSealers: [] };

  async getAntiPhishPolicy(): Promise<AntiPhishPolicyObject> {
    return { ...this.antiPhish };
  }

  async setAntiPhishPolicy(identity: string, changes: AntiPhishPolicyChanges): Promise<void> {
    if (!same(this.antiPhish.Name, identity)) throw objectNotFound(identity, 'anti-phishing policy');
    Object.assign(this.antiPhish, changes);
  }

  async getArcConfig(): Promise<ArcConfigObject> {
    return { ...this.arcConfig, ArcTrustedSealers: [...this.arcConfig.ArcTrustedSealers] };
  }

  async setArcConfig(changes: { ArcTrustedSealers: string[] }): Promise<void> {
    this.arcConfig.ArcTrustedSealers = [...changes.ArcTrustedSealers];
  }

  private domain(identity: string): AcceptedDomainObject {
    const d = this.domains.find((x) => same(x.Name, identity) || same(x.DomainName, identity) || same(x.Identity, identity));
    if (!d) throw objectNotFound(identity, 'accepted domain');
    return d;
  }

  async getAcceptedDomains(identity?: string): Promise<AcceptedDomainObject[]> {
    return identity ? [{ ...this.domain(identity) }] : this.domains.map((d) => ({ ...d }));
  }

  async newAcceptedDomain(r: NewAcceptedDomainRequest): Promise<AcceptedDomainObject> {
    if (this.domains.some((d) => same(d.Name, r.Name) || same(d.DomainName, r.DomainName))) throw objectExists(r.Name, 'accepted domain');
    const d: AcceptedDomainObject = { Identity: r.Name, Name: r.Name, DomainName: r.DomainName, DomainType: r.DomainType, Default: this.domains.length === 0, Guid: randomUUID() };
    this.domains.push(d);
    return { ...d };
  }

  async setAcceptedDomain(identity: string, changes: AcceptedDomainChanges): Promise<void> {
    const d = this.domain(identity);
    if (changes.MakeDefault) for (const x of this.domains) x.Default = x === d;
    if (changes.DomainType) d.DomainType = changes.DomainType;
    if (changes.Name) d.Name = d.Identity = changes.Name;
  }

  async removeAcceptedDomain(identity: string): Promise<void> {
    const d = this.domain(identity);
    this.domains = this.domains.filter((x) => x !== d);
  }

  private connector(identity: string): InboundConnectorObject {
    const c = this.connectors.find((x) => same(x.Name, identity) || same(x.Identity, identity) || same(String(x.Guid), identity));
    if (!c) throw objectNotFound(identity, 'inbound connector');
    return c;
  }

  async getInboundConnectors(identity?: string): Promise<InboundConnectorObject[]> {
    return identity ? [{ ...this.connector(identity) }] : this.connectors.map((c) => ({ ...c }));
  }

  async newInboundConnector(settings: InboundConnectorSettings): Promise<InboundConnectorObject> {
    if (this.connectors.some((c) => same(c.Name, settings.Name))) throw objectExists(settings.Name, 'inbound connector');
    const c: InboundConnectorObject = { ...settings, Identity: settings.Name, Guid: randomUUID() };
    this.connectors.push(c);
    return { ...c };
  }

  async setInboundConnector(identity: string, changes: Partial<InboundConnectorSettings>): Promise<void> {
    const c = this.connector(identity);
    Object.assign(c, changes);
    c.Identity = c.Name;
  }

  async removeInboundConnector(identity: string): Promise<void> {
    const c = this.connector(identity);
    this.connectors = this.connectors.filter((x) => x !== c);
  }

  private rule(identity: string): TransportRuleObject {
    const r = this.rules.find((x) => same(x.Name, identity) || same(x.Identity, identity) || same(String(x.Guid), identity));
    if (!r) throw objectNotFound(identity, 'transport rule');
    return r;
  }

  private renumber(): void {
    this.rules.sort((a, b) => a.Priority - b.Priority);
    this.rules.forEach((r, i) => (r.Priority = i));
  }

  async getTransportRules(identity?: string): Promise<TransportRuleObject[]> {
    return identity ? [{ ...this.rule(identity) }] : this.rules.map((r) => ({ ...r }));
  }

  async newTransportRule(request: NewTransportRuleRequest): Promise<TransportRuleObject> {
    if (this.rules.some((r) => same(r.Name, request.Name))) throw objectExists(request.Name, 'transport rule');
    const { Enabled, Priority, ...settings } = request;
    const priority = Priority ?? this.rules.length;
    for (const r of this.rules) if (r.Priority >= priority) r.Priority++;
    const rule: TransportRuleObject = {
      ...settings,
      Identity: request.Name,
      Name: request.Name,
      Priority: priority,
      State: Enabled ? 'Enabled' : 'Disabled',
      Mode: (settings.Mode as TransportRuleObject['Mode']) ?? 'Enforce',
      Comments: (settings.Comments as string) ?? null,
      Guid: randomUUID(),
      WhenChanged: this.clock(),
    };
    this.rules.push(rule);
    this.renumber();
    return { ...rule };
  }

  async setTransportRule(identity: string, changes: TransportRuleSettings): Promise<void> {
    const r = this.rule(identity);
    const { Priority, ...rest } = changes;
    Object.assign(r, rest);
    r.Identity = r.Name;
    if (typeof Priority === 'number') {
      this.rules = this.rules.filter((x) => x !== r);
      this.rules.splice(Math.min(Priority, this.rules.length), 0, r);
      this.rules.forEach((x, i) => (x.Priority = i));
    }
  }

  async setTransportRuleState(identity: string, state: TransportRuleState): Promise<void> {
    this.rule(identity).State = state;
  }

  async removeTransportRule(identity: string): Promise<void> {
    const r = this.rule(identity);
    this.rules = this.rules.filter((x) => x !== r);
    this.renumber();
  }

  private message(identity: string): QuarantineMessageObject & { Body?: string } {
    const m = this.quarantine.find((x) => x.Identity === identity);
    if (!m) throw objectNotFound(identity, 'quarantined message');
    return m;
  }

  async getQuarantineMessages(q: QuarantineQuery): Promise<QuarantineMessageObject[]> {
    if (q.Identity) return [{ ...this.message(q.Identity) }];
    const inList = (list: string[] | undefined, v: string) => !list || list.some((x) => same(x, v));
    const out = this.quarantine.filter((m) =>
      inList(q.QuarantineTypes, m.Type) &&
      inList(q.SenderAddress, m.SenderAddress) &&
      (!q.RecipientAddress || m.RecipientAddress.some((r) => inList(q.RecipientAddress, r))) &&
      inList(q.ReleaseStatus, m.ReleaseStatus) &&
      (!q.Direction || m.Direction === q.Direction) &&
      (!q.StartReceivedDate || m.ReceivedTime >= q.StartReceivedDate) &&
      (!q.EndReceivedDate || m.ReceivedTime <= q.EndReceivedDate) &&
      (!q.Subject || m.Subject.toLowerCase().includes(q.Subject.toLowerCase())),
    );
    return out.slice((q.Page - 1) * q.PageSize, q.Page * q.PageSize).map(({ Body: _body, ...m }) => ({ ...m }));
  }

  async previewQuarantineMessage(identity: string): Promise<QuarantinePreviewObject> {
    const m = this.message(identity);
    return { Identity: m.Identity, ReceivedTime: m.ReceivedTime, SenderAddress: m.SenderAddress, RecipientAddress: m.RecipientAddress, Subject: m.Subject, Body: m.Body ?? '', IsHtml: false };
  }

  async exportQuarantineMessage(identity: string, _options: QuarantineExportOptions): Promise<QuarantineExportObject> {
    const m = this.message(identity);
    const eml = `From: ${m.SenderAddress}\r\nSubject: ${m.Subject}\r\n\r\n${m.Body ?? ''}`;
    return { Identity: identity, Eml: Buffer.from(eml).toString('base64'), BodyEncoding: 'Base64' };
  }

  async releaseQuarantineMessage(identity: string, options: QuarantineReleaseOptions): Promise<void> {
    const m = this.message(identity);
    m.ReleaseStatus = 'Released';
    this.released.push({ identity, options });
  }

  async deleteQuarantineMessage(identity: string, _options: QuarantineDeleteOptions): Promise<void> {
    this.message(identity);
    this.quarantine = this.quarantine.filter((x) => x.Identity !== identity);
  }

  async getMessageTrace(q: MessageTraceQuery): Promise<MessageTraceObject[]> {
    const inList = (list: string[] | undefined, v: string) => !list || list.some((x) => same(x, v));
    return this.trace
      .filter((t) => t.Received >= q.StartDate && t.Received <= q.EndDate && inList(q.SenderAddress, t.SenderAddress) && inList(q.RecipientAddress, t.RecipientAddress) && inList(q.Status, t.Status) && (!q.FromIP || t.FromIP === q.FromIP))
      .map((t) => ({ ...t }));
  }

  async getMessageTraceDetail(q: MessageTraceDetailQuery): Promise<MessageTraceDetailObject[]> {
    return this.traceDetail.filter((d) => d.MessageTraceId === q.MessageTraceId && same(d.RecipientAddress, q.RecipientAddress)).map((d) => ({ ...d }));
  }

  async startHistoricalSearch(r: HistoricalSearchRequest): Promise<HistoricalSearchObject> {
    const s: HistoricalSearchObject = { JobId: randomUUID(), SubmitDate: this.clock(), ReportTitle: r.ReportTitle, Status: 'NotStarted', Rows: 0, ErrorCode: null, ErrorDescription: null, ReportType: r.ReportType, StartDate: r.StartDate, EndDate: r.EndDate, Request: r };
    this.searches.push(s);
    return { ...s };
  }

  async getHistoricalSearches(jobId?: string): Promise<HistoricalSearchObject[]> {
    const list = jobId ? this.searches.filter((s) => s.JobId === jobId) : this.searches;
    if (jobId && list.length === 0) throw objectNotFound(jobId, 'historical search');
    return list.map((s) => ({ ...s }));
  }

  async stopHistoricalSearch(jobId: string): Promise<void> {
    const s = this.searches.find((x) => x.JobId === jobId);
    if (!s) throw objectNotFound(jobId, 'historical search');
    s.Status = 'Cancelled';
  }

  async simulate(request: MailFlowSimulationRequest): Promise<MailFlowSimulationResult> {
    this.simulations.push(request);
    return { ...this.simulationResult };
  }

  async hunt(query: string): Promise<Record<string, unknown>[]> {
    this.huntQueries.push(query);
    return this.huntRows.map((r) => ({ ...r }));
  }
}
