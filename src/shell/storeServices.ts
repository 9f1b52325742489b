// The ShellServices the real shell runs on: one organization of Postern's store. Reads come from
// the ConfigStore and the TraceQueries port; every change is a read-modify-write of the whole
// organization through ConfigStore.saveOrganization, which validates it and bumps the
// configuration version (running servers reload within one poll, ~0.5 s).
//
// Tenant isolation: the session resolves its organization once (by name or GUID) and keeps its
// GUID. Every lookup searches only that organization's objects and every trace query carries
// its GUID, so another organization's connector/rule/domain name or GUID is simply not found.
//
// Postern's organization model is narrower than Exchange's objects; where it can't keep a
// setting, the cmdlet says so naming the parameter rather than dropping it silently:
// - accepted domains keep their Name (the identity, as in Exchange; the domain name and GUID find
//   them too), no ExternalRelay, no wildcard domains (tenant attribution matches exact domains);
// - connectors don't store TrustedOrganizations, ClientHostNames or the Enhanced Filtering
//   settings (EFSkipLastIP, EFSkipIPs, EFUsers): non-empty values are refused. Parameters the
//   shell already flags as having no effect (EFTestMode, EFSkipMailGateway,
//   ScanAndDropRecipients) and ConnectorSource are accepted and not kept.
// Transport rules live in the organization's TransportRules, built and validated by rules/
// (buildRule/updateRule: errors name the parameter) and renumbered as Exchange does.
// Quarantine and historical search run when their ports are given (quarantine/, trace/
// historicalSearch.ts); simulation and hunting are not built yet: their methods throw a
// NotImplemented error saying so, never fake data.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { inboundConnectorListProblems, isDomainName, validateInboundConnector, type InboundConnector } from '../config/inboundConnector.js';
import { DEFAULT_ANTI_PHISH_POLICY, DEFAULT_ARC_CONFIG } from '../config/antiPhish.js';
import type { Organization } from '../config/model.js';
import { buildRule, updateRule } from '../rules/build.js';
import { RuleCompileError } from '../rules/compile.js';
import { RULE_LIMITS, insertRule, moveRule, normalizePriorities, regexSize, removeRule, type TransportRule } from '../rules/model.js';
import { DomainInUseError, type ConfigStore } from '../store/ports.js';
import type { QuarantineEntry, QuarantineStore } from '../store/quarantineStore.js';
import { QuarantineError, QuarantineService, type HeldContent } from '../quarantine/service.js';
import { HistoricalSearchError, type HistoricalSearches } from '../trace/historicalSearch.js';
import type { TraceQueries, TraceSummary } from '../store/traceQueries.js';
import { UNMODELLED_CONNECTOR_SETTINGS } from './cmdlets/inboundConnector.js';
import { ShellError, objectExists, objectNotFound } from './errors.js';
import type {
  AcceptedDomainChanges,
  AcceptedDomainObject,
  AcceptedDomainType,
  HistoricalSearchObject,
  InboundConnectorObject,
  InboundConnectorSettings,
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
  HistoricalSearchRequest,
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
  HuntingOptions,
  MailFlowSimulationRequest,
} from './services.js';

/** Where an organization keeps its transport rules (the organization model's `TransportRules`). */
export interface TransportRuleStorage {
  get(org: Organization): TransportRule[];
  /** The organization with its rule list replaced (saved by the caller). */
  with(org: Organization, rules: TransportRule[]): Organization;
}

export interface StoreServicesOptions {
  config: ConfigStore;
  trace: TraceQueries;
  /** Name or GUID of the organization the session acts on. */
  organization: string;
  /** Transport-rule storage; default: the organization model's `TransportRules`. */
  transportRules?: TransportRuleStorage;
  /** The hosted quarantine; without it the quarantine cmdlets say they are not available. */
  quarantine?: { store: QuarantineStore; content: HeldContent };
  /** Historical search jobs; without them the cmdlets say they are not available. */
  historicalSearches?: HistoricalSearches;
  /** Who acts (OS user and session), for the quarantine audit trail and job submitters. */
  actor?: string;
  /** Test-MailFlow: the gateway's decision path for this organization (the edge supplies it). */
  simulate?: (orgGuid: string, request: MailFlowSimulationRequest) => Promise<MailFlowSimulationResult>;
  /** Invoke-Hunting: KQL scoped to this organization (the edge supplies it). */
  hunt?: (orgGuid: string, query: string, options: HuntingOptions) => Promise<Record<string, unknown>[]>;
}

/** The organization model's own `TransportRules` list. */
export const modelTransportRules: TransportRuleStorage = {
  get: (org) => org.TransportRules ?? [],
  with: (org, rules) => ({ ...org, TransportRules: rules }),
};

/** Which quarantine types each policy type holds in Postern (Get-QuarantineMessage -PolicyTypes). */
const QUARANTINE_TYPE_OF_POLICY: Record<string, string[]> = { ExchangeTransportRule: ['TransportRule'], AntiPhishPolicy: ['Phish'] };
const POLICY_TYPE_OF_QUARANTINE_TYPE: Record<string, string> = { TransportRule: 'ExchangeTransportRule', Phish: 'AntiPhishPolicy' };
const same = (a: string | undefined | null, b: string | undefined | null) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

function invalid(parameter: string, message: string, errorId = 'InvalidParameterValue'): ShellError {
  return new ShellError(message, { errorId, category: 'InvalidArgument', parameter });
}

function notAvailable(message: string): ShellError {
  return new ShellError(message, { errorId: 'FeatureNotAvailable', category: 'NotImplemented' });
}

const QUARANTINE_UNAVAILABLE =
  "The hosted quarantine is not available in this version of Postern: quarantined messages can't be listed, previewed, exported, released or deleted yet.";

/** A stable GUID for an accepted domain (the model keys domains by name): derived from the organization and the domain. */
function domainGuid(orgGuid: string, domain: string): string {
  const h = createHash('sha1').update(`${orgGuid.toLowerCase()}:${domain.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function storableDomainType(type: AcceptedDomainType): 'Authoritative' | 'InternalRelay' {
  if (type === 'ExternalRelay') throw invalid('DomainType', 'DomainType: Postern accepts Authoritative and InternalRelay domains; ExternalRelay is not supported.');
  return type;
}

/** An accepted domain's Name: the one given to New-AcceptedDomain, else its domain name. */
function domainName(d: Organization['AcceptedDomains'][number]): string {
  return d.Name ?? d.DomainName;
}

/** Settings Postern's connector model can't keep; a non-default value is refused, naming the parameter. */
const UNSTORED_CONNECTOR_SETTINGS: Record<string, string> = {
  TrustedOrganizations: 'Postern has no cross-tenant trust; leave TrustedOrganizations empty',
  ClientHostNames: 'Postern identifies connector senders by IP address or certificate only; leave ClientHostNames empty',
  EFSkipLastIP: 'Enhanced Filtering for Connectors is not available in Postern; leave EFSkipLastIP $false',
  EFSkipIPs: 'Enhanced Filtering for Connectors is not available in Postern; leave EFSkipIPs empty',
  EFUsers: 'Enhanced Filtering for Connectors is not available in Postern; leave EFUsers empty',
};

/** Connector settings the model keeps, with the shell's `null` meaning "clear". */
const MODEL_CONNECTOR_FIELDS = [
  'Name', 'Enabled', 'ConnectorType', 'SenderDomains', 'SenderIPAddresses', 'RestrictDomainsToIPAddresses', 'RestrictDomainsToCertificate',
  'TlsSenderCertificateName', 'RequireTls', 'TreatMessagesAsInternal', 'CloudServicesMailEnabled', 'AssociatedAcceptedDomains', 'Comment',
] as const;

function connectorModelChanges(changes: Partial<InboundConnectorSettings>): Record<string, unknown> {
  const src = changes as Record<string, unknown>;
  for (const [name, why] of Object.entries(UNSTORED_CONNECTOR_SETTINGS)) {
    const v = src[name];
    if (v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
    throw invalid(name, `${name}: ${why}.`, 'UnsupportedConnectorSetting');
  }
  const out: Record<string, unknown> = {};
  for (const k of MODEL_CONNECTOR_FIELDS) {
    if (!(k in src)) continue;
    const v = src[k];
    if (v === null) out[k] = k === 'Comment' || k === 'TlsSenderCertificateName' ? null : k === 'Enabled' ? true : [];
    else out[k] = v;
  }
  return out;
}

function connectorObject(c: InboundConnector): InboundConnectorObject {
  return {
    Name: c.Name,
    ConnectorType: c.ConnectorType,
    ConnectorSource: 'Default',
    SenderDomains: [...c.SenderDomains],
    SenderIPAddresses: [...c.SenderIPAddresses],
    RestrictDomainsToIPAddresses: c.RestrictDomainsToIPAddresses,
    RestrictDomainsToCertificate: c.RestrictDomainsToCertificate,
    TlsSenderCertificateName: c.TlsSenderCertificateName ?? null,
    RequireTls: c.RequireTls,
    TreatMessagesAsInternal: c.TreatMessagesAsInternal,
    CloudServicesMailEnabled: c.CloudServicesMailEnabled,
    AssociatedAcceptedDomains: [...c.AssociatedAcceptedDomains],
    ...UNMODELLED_CONNECTOR_SETTINGS,
    Comment: c.Comment ? c.Comment : null,
    Enabled: c.Enabled,
    Identity: c.Name,
    Guid: c.Guid,
  };
}

function ruleObject(r: TransportRule): TransportRuleObject {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return {
    ...out,
    Identity: r.Name,
    Name: r.Name,
    Priority: r.Priority,
    State: r.State,
    Mode: r.Mode,
    Comments: r.Comments ?? null,
    Guid: r.Guid,
  };
}

/** A zod error from saveOrganization as a shell error naming the parameter at fault. */
function fromZod(e: z.ZodError): ShellError {
  const issue = e.issues[0];
  const parameter = [...issue.path].reverse().find((p): p is string => typeof p === 'string') ?? 'Identity';
  const message = issue.message.startsWith(`${parameter}:`) ? issue.message : `${parameter}: ${issue.message}`;
  return invalid(parameter, message);
}

/**
 * Get-TransportRule shows some Exchange properties Postern's rules don't have at their neutral
 * value (RuleSubType None, UseLegacyRegex $false); a rule piped back into New-TransportRule
 * carries them. Those neutral values are dropped; any other value still reaches buildRule and
 * is refused there, naming the parameter.
 */
const NEUTRAL_RULE_VALUES: Record<string, unknown[]> = {
  RuleSubType: ['None'],
  UseLegacyRegex: [false],
  RecipientAddressType: [null, ''],
  DlpPolicy: [null, ''],
};

function withoutNeutral(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([k, v]) => !(k in NEUTRAL_RULE_VALUES && NEUTRAL_RULE_VALUES[k].includes(v))));
}

function fromRuleError(e: RuleCompileError): ShellError {
  return invalid(e.parameter ?? 'Identity', e.message, e.limit ? 'RuleLimitExceeded' : 'InvalidTransportRule');
}

export class StoreShellServices implements ShellServices {
  readonly organization: string;
  private readonly guid: string;
  private readonly rules: TransportRuleStorage;

  constructor(private readonly options: StoreServicesOptions) {
    const org = options.config.organization(options.organization) ?? options.config.organization(options.organization.toLowerCase());
    if (!org) {
      throw new ShellError(`The organization '${options.organization}' couldn't be found. Give its name or GUID.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: 'Organization' });
    }
    this.organization = org.Name;
    this.guid = org.Guid;
    this.rules = options.transportRules ?? modelTransportRules;
  }

  // ------------------------------------------------------------------ the organization document

  private current(): Organization {
    const org = this.options.config.organization(this.guid);
    if (!org || org.Guid !== this.guid) {
      throw new ShellError(`The organization '${this.organization}' no longer exists.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound' });
    }
    return structuredClone(org);
  }

  /** Read, change, validate and save the organization; store refusals become shell errors. */
  private update(change: (org: Organization) => Organization): void {
    const next = change(this.current());
    try {
      this.options.config.saveOrganization(next);
    } catch (e) {
      if (e instanceof ShellError) throw e;
      if (e instanceof z.ZodError) throw fromZod(e);
      if (e instanceof DomainInUseError) {
        throw new ShellError(`DomainName: ${e.message} Choose a domain your organization owns.`, { errorId: 'DomainAlreadyInUse', category: 'ResourceExists', parameter: 'DomainName' });
      }
      const message = e instanceof Error ? e.message : String(e);
      throw new ShellError(message, { errorId: 'SaveFailed', category: 'InvalidOperation' });
    }
  }

  // ------------------------------------------------------------------ OrganizationConfig

  async getOrganizationConfig(): Promise<OrganizationConfigObject> {
    const org = this.current();
    return { Identity: org.Name, Name: org.Name, Guid: org.Guid, RejectDirectSend: org.Config.RejectDirectSend };
  }

  async setOrganizationConfig(changes: OrganizationConfigChanges): Promise<void> {
    this.update((org) => ({ ...org, Config: { ...org.Config, ...(changes.RejectDirectSend === undefined ? {} : { RejectDirectSend: changes.RejectDirectSend }) } }));
  }

  // ------------------------------------------------------------------ anti-phishing, ARC

  async getAntiPhishPolicy(): Promise<AntiPhishPolicyObject> {
    const p = this.current().AntiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY;
    return { Identity: p.Name, ...p };
  }

  async setAntiPhishPolicy(identity: string, changes: AntiPhishPolicyChanges): Promise<void> {
    this.update((org) => {
      const policy = org.AntiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY;
      if (!same(policy.Name, identity.trim())) throw objectNotFound(identity, 'anti-phishing policy');
      return { ...org, AntiPhishPolicy: { ...policy, ...changes } };
    });
  }

  async getArcConfig(): Promise<ArcConfigObject> {
    return { Identity: 'Default', ArcTrustedSealers: [...(this.current().ArcConfig ?? DEFAULT_ARC_CONFIG).ArcTrustedSealers] };
  }

  async setArcConfig(changes: { ArcTrustedSealers: string[] }): Promise<void> {
    this.update((org) => ({ ...org, ArcConfig: { ArcTrustedSealers: changes.ArcTrustedSealers.map((d) => d.toLowerCase()) } }));
  }

  // ------------------------------------------------------------------ accepted domains

  private domainObject(org: Organization, d: Organization['AcceptedDomains'][number]): AcceptedDomainObject {
    const name = domainName(d);
    return { Identity: name, Name: name, DomainName: d.DomainName, DomainType: d.DomainType, Default: d.Default, Guid: domainGuid(org.Guid, d.DomainName) };
  }

  /** By Name (Exchange's identity), domain name or GUID. */
  private findDomain(org: Organization, identity: string): Organization['AcceptedDomains'][number] {
    const id = identity.trim();
    const d = org.AcceptedDomains.find((x) => same(domainName(x), id)) ?? org.AcceptedDomains.find((x) => same(x.DomainName, id) || same(domainGuid(org.Guid, x.DomainName), id));
    if (!d) throw objectNotFound(identity, 'accepted domain');
    return d;
  }

  /** Names identify accepted domains, so two domains of an organization can't share one. */
  private checkDomainNameFree(org: Organization, name: string, except?: Organization['AcceptedDomains'][number]): void {
    if (org.AcceptedDomains.some((x) => x !== except && same(domainName(x), name))) throw objectExists(name, 'accepted domain');
  }

  async getAcceptedDomains(identity?: string): Promise<AcceptedDomainObject[]> {
    const org = this.current();
    if (identity) return [this.domainObject(org, this.findDomain(org, identity))];
    return org.AcceptedDomains.map((d) => this.domainObject(org, d));
  }

  async newAcceptedDomain(r: NewAcceptedDomainRequest): Promise<AcceptedDomainObject> {
    const domain = r.DomainName.trim().toLowerCase().replace(/\.$/, '');
    const domainType = storableDomainType(r.DomainType);
    if (domain.includes('*')) throw invalid('DomainName', `DomainName: '${r.DomainName}' is a wildcard; Postern attributes mail to an organization by exact domain, so add each domain on its own.`);
    if (!isDomainName(domain)) throw invalid('DomainName', `DomainName: '${r.DomainName}' is not a valid SMTP domain.`);
    const name = r.Name.trim();
    let created: AcceptedDomainObject | undefined;
    this.update((org) => {
      if (org.AcceptedDomains.some((d) => d.DomainName === domain)) throw objectExists(domain, 'accepted domain');
      this.checkDomainNameFree(org, name);
      const entry = { ...(same(name, domain) ? {} : { Name: name }), DomainName: domain, DomainType: domainType, Default: org.AcceptedDomains.length === 0 };
      created = this.domainObject(org, entry);
      return { ...org, AcceptedDomains: [...org.AcceptedDomains, entry] };
    });
    return created!;
  }

  async setAcceptedDomain(identity: string, changes: AcceptedDomainChanges): Promise<void> {
    const domainType = changes.DomainType === undefined ? undefined : storableDomainType(changes.DomainType);
    this.update((org) => {
      const d = this.findDomain(org, identity);
      const name = changes.Name?.trim();
      if (name !== undefined) this.checkDomainNameFree(org, name, d);
      if (changes.MakeDefault === false && d.Default) {
        throw invalid('MakeDefault', `MakeDefault: '${d.DomainName}' is the default domain; make another domain the default instead (Set-AcceptedDomain <domain> -MakeDefault $true).`);
      }
      const domains = org.AcceptedDomains.map((x) => {
        const y = { ...x };
        if (changes.MakeDefault) y.Default = x.DomainName === d.DomainName;
        if (x.DomainName === d.DomainName && domainType) y.DomainType = domainType;
        if (x.DomainName === d.DomainName && name !== undefined) {
          delete y.Name;
          if (!same(name, x.DomainName)) y.Name = name;
        }
        return y;
      });
      return { ...org, AcceptedDomains: domains };
    });
  }

  async removeAcceptedDomain(identity: string): Promise<void> {
    this.update((org) => {
      const d = this.findDomain(org, identity);
      if (d.Default) {
        throw invalid('Identity', `'${d.DomainName}' is the default accepted domain and can't be removed; make another domain the default first (Set-AcceptedDomain <domain> -MakeDefault $true).`, 'CannotRemoveDefaultDomain');
      }
      const user = org.InboundConnectors.find((c) => c.AssociatedAcceptedDomains.includes(d.DomainName));
      if (user) {
        throw invalid('Identity', `'${d.DomainName}' is in AssociatedAcceptedDomains of inbound connector '${user.Name}'; remove it there first (Set-InboundConnector).`, 'DomainInUse');
      }
      const delivery = Object.fromEntries(Object.entries(org.DomainDelivery).filter(([k]) => k.toLowerCase() !== d.DomainName));
      return { ...org, AcceptedDomains: org.AcceptedDomains.filter((x) => x !== d), DomainDelivery: delivery };
    });
  }

  // ------------------------------------------------------------------ inbound connectors

  private findConnector(org: Organization, identity: string): InboundConnector {
    const id = identity.trim();
    const c = org.InboundConnectors.find((x) => same(x.Name, id) || same(x.Guid, id));
    if (!c) throw objectNotFound(identity, 'inbound connector');
    return c;
  }

  /** Validate one connector and the list it joins (names, AssociatedAcceptedDomains). */
  private checkedConnectors(org: Organization, candidate: Record<string, unknown>, replacing?: InboundConnector): InboundConnector[] {
    const r = validateInboundConnector(candidate);
    if (!r.ok) throw invalid(r.errors[0].parameter, r.errors.map((p) => p.message).join(' '), 'InvalidConnectorSettings');
    const list = replacing ? org.InboundConnectors.map((c) => (c === replacing ? r.value : c)) : [...org.InboundConnectors, r.value];
    const index = replacing ? org.InboundConnectors.indexOf(replacing) : list.length - 1;
    const problems = inboundConnectorListProblems(list, org.AcceptedDomains.map((d) => d.DomainName)).filter((p) => p.index === index);
    const dup = problems.find((p) => p.parameter === 'Name');
    if (dup && !replacing) throw objectExists(r.value.Name, 'inbound connector');
    if (problems.length) throw invalid(problems[0].parameter, problems.map((p) => p.message).join(' '), 'InvalidConnectorSettings');
    return list;
  }

  async getInboundConnectors(identity?: string): Promise<InboundConnectorObject[]> {
    const org = this.current();
    if (identity) return [connectorObject(this.findConnector(org, identity))];
    return org.InboundConnectors.map(connectorObject);
  }

  async newInboundConnector(settings: InboundConnectorSettings): Promise<InboundConnectorObject> {
    const fields = connectorModelChanges(settings);
    let created: InboundConnector | undefined;
    this.update((org) => {
      const list = this.checkedConnectors(org, { ...fields, Guid: randomUUID() });
      created = list[list.length - 1];
      return { ...org, InboundConnectors: list };
    });
    return connectorObject(created!);
  }

  async setInboundConnector(identity: string, changes: Partial<InboundConnectorSettings>): Promise<void> {
    const fields = connectorModelChanges(changes);
    this.update((org) => {
      const c = this.findConnector(org, identity);
      const list = this.checkedConnectors(org, { ...c, ...fields, Guid: c.Guid }, c);
      return { ...org, InboundConnectors: list };
    });
  }

  async removeInboundConnector(identity: string): Promise<void> {
    this.update((org) => {
      const c = this.findConnector(org, identity);
      return { ...org, InboundConnectors: org.InboundConnectors.filter((x) => x !== c) };
    });
  }

  // ------------------------------------------------------------------ transport rules

  private ruleList(org: Organization): TransportRule[] {
    return normalizePriorities(this.rules.get(org));
  }

  private findRule(rules: TransportRule[], identity: string): TransportRule {
    const id = identity.trim();
    const r = rules.find((x) => same(x.Name, id) || same(x.Guid, id));
    if (!r) throw objectNotFound(identity, 'transport rule');
    return r;
  }

  /** Save a new rule list after the organization-wide limits. */
  private saveRules(org: Organization, rules: TransportRule[]): Organization {
    if (rules.length > RULE_LIMITS.rulesPerOrganization) {
      throw invalid('Name', `An organization can have at most ${RULE_LIMITS.rulesPerOrganization} transport rules; remove one first.`, 'RuleLimitExceeded');
    }
    const regex = rules.reduce((n, r) => n + regexSize(r), 0);
    if (regex > RULE_LIMITS.regexCharactersPerOrganization) {
      throw invalid('Identity', `The organization's transport rules would hold ${regex} characters of patterns; the limit is 20 KB (${RULE_LIMITS.regexCharactersPerOrganization}) per organization.`, 'RuleLimitExceeded');
    }
    return this.rules.with(org, rules);
  }

  private withRuleErrors<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof RuleCompileError) throw fromRuleError(e);
      if (e instanceof RangeError) throw invalid('Priority', e.message);
      throw e;
    }
  }

  async getTransportRules(identity?: string): Promise<TransportRuleObject[]> {
    const rules = this.ruleList(this.current());
    if (identity) return [ruleObject(this.findRule(rules, identity))];
    return rules.map(ruleObject);
  }

  async newTransportRule(request: NewTransportRuleRequest): Promise<TransportRuleObject> {
    const { Priority, ...params } = request;
    let created: TransportRule | undefined;
    this.update((org) =>
      this.withRuleErrors(() => {
        const rules = this.ruleList(org);
        if (rules.some((r) => same(r.Name, request.Name))) throw objectExists(request.Name, 'transport rule');
        const rule = buildRule(withoutNeutral(params), { defaultPriority: rules.length });
        const list = insertRule(rules, rule, Priority);
        created = list.find((r) => r.Guid === rule.Guid);
        return this.saveRules(org, list);
      }),
    );
    return ruleObject(created!);
  }

  async setTransportRule(identity: string, changes: TransportRuleSettings): Promise<void> {
    const { Priority, ...params } = changes;
    this.update((org) =>
      this.withRuleErrors(() => {
        const rules = this.ruleList(org);
        const rule = this.findRule(rules, identity);
        if (typeof params.Name === 'string' && rules.some((r) => r !== rule && same(r.Name, params.Name as string))) {
          throw objectExists(params.Name, 'transport rule');
        }
        const changed = withoutNeutral(params);
        const updated = Object.keys(changed).length ? updateRule(rule, changed) : rule;
        let list = rules.map((r) => (r === rule ? updated : r));
        if (typeof Priority === 'number') list = moveRule(list, rule.Guid, Priority);
        return this.saveRules(org, list);
      }),
    );
  }

  async setTransportRuleState(identity: string, state: TransportRuleState): Promise<void> {
    await this.setTransportRule(identity, { State: state });
  }

  async removeTransportRule(identity: string): Promise<void> {
    this.update((org) => {
      const rules = this.ruleList(org);
      const rule = this.findRule(rules, identity);
      return this.rules.with(org, removeRule(rules, rule.Guid));
    });
  }

  // ------------------------------------------------------------------ message trace

  async getMessageTrace(q: MessageTraceQuery): Promise<MessageTraceObject[]> {
    const v2 = q.ResultSize !== undefined;
    const pageSize = v2 ? (q.ResultSize ?? 1000) : (q.PageSize ?? 1000);
    const rows = this.options.trace.messageTrace({
      orgGuid: this.guid,
      start: q.StartDate.getTime(),
      end: q.EndDate.getTime(),
      senders: q.SenderAddress,
      recipients: q.RecipientAddress,
      messageIds: q.MessageId,
      networkMessageId: q.MessageTraceId,
      fromIp: q.FromIP,
      toIp: q.ToIP,
      statuses: q.Status,
      subject: q.Subject ? { text: q.Subject, match: q.SubjectFilterType ?? 'Contains' } : undefined,
      startingRecipient: q.StartingRecipientAddress,
      offset: v2 ? 0 : ((q.Page ?? 1) - 1) * pageSize,
      limit: pageSize,
    });
    return rows.map(traceObject);
  }

  async getMessageTraceDetail(q: MessageTraceDetailQuery): Promise<MessageTraceDetailObject[]> {
    const row = this.options.trace.messageTraceRow(this.guid, q.MessageTraceId, q.RecipientAddress);
    if (!row) return [];
    if (q.MessageId && row.internetMessageId.replace(/^<|>$/g, '') !== q.MessageId.trim().replace(/^<|>$/g, '')) return [];
    if (q.SenderAddress && !same(row.sender, q.SenderAddress)) return [];
    const events = this.options.trace.traceEvents({
      orgGuid: this.guid,
      networkMessageId: row.networkMessageId,
      recipient: row.recipient,
      events: q.Event,
      actions: q.Action,
      start: q.StartDate?.getTime(),
      end: q.EndDate?.getTime(),
    });
    return events.map((e) => ({
      Date: new Date(e.at),
      Event: e.event,
      Action: e.action || null,
      Detail: e.detail,
      Data: e.data || null,
      MessageId: row.internetMessageId,
      MessageTraceId: row.networkMessageId,
      RecipientAddress: row.recipient,
    }));
  }

  // ------------------------------------------------------------------ hosted quarantine

  private quarantineService(): QuarantineService {
    const q = this.options.quarantine;
    if (!q) throw notAvailable(QUARANTINE_UNAVAILABLE);
    return new QuarantineService({
      store: q.store,
      content: q.content,
      orgGuid: this.guid,
      actor: this.options.actor ?? 'postern shell',
      isOrgAddress: (a) => {
        const domain = a.slice(a.lastIndexOf('@') + 1).toLowerCase();
        return a.includes('@') && this.current().AcceptedDomains.some((d) => d.DomainName.toLowerCase() === domain);
      },
    });
  }

  private async withQuarantine<T>(fn: (q: QuarantineService) => Promise<T> | T): Promise<T> {
    try {
      return await fn(this.quarantineService());
    } catch (e) {
      if (e instanceof QuarantineError) {
        if (e.code === 'NotFound') throw new ShellError(e.message, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: e.parameter });
        throw new ShellError(e.message, { errorId: e.code, category: e.code === 'InvalidIdentity' || e.code === 'InvalidRecipient' ? 'InvalidArgument' : 'InvalidOperation', parameter: e.parameter });
      }
      throw e;
    }
  }

  async getQuarantineMessages(q: QuarantineQuery): Promise<QuarantineMessageObject[]> {
    return this.withQuarantine((svc) => {
      // Postern quarantines email by transport rule (ExchangeTransportRule) and for spoof or
      // DMARC failures (AntiPhishPolicy, QuarantineTypes Phish).
      if (q.EntityType && q.EntityType !== 'Email') return [];
      let types = q.QuarantineTypes;
      if (q.PolicyTypes?.length) {
        const byPolicy = q.PolicyTypes.flatMap((p) => QUARANTINE_TYPE_OF_POLICY[p] ?? []);
        if (!byPolicy.length) return [];
        types = types?.length ? types.filter((t) => byPolicy.some((b) => same(b, t))) : byPolicy;
        if (!types.length) return [];
      }
      if (q.Type && q.Type !== 'TransportRule' && q.Type !== 'Phish') return [];
      if (q.Type) {
        types = types ? types.filter((t) => same(t, q.Type)) : [q.Type];
        if (!types.length) return [];
      }
      if (q.Reported === true) return [];
      const entries = svc.list({
        identity: q.Identity,
        startReceived: q.StartReceivedDate?.getTime(),
        endReceived: q.EndReceivedDate?.getTime(),
        startExpires: q.StartExpiresDate?.getTime(),
        endExpires: q.EndExpiresDate?.getTime(),
        direction: q.Direction,
        domains: q.Domain,
        quarantineTypes: types,
        recipients: q.RecipientAddress,
        senders: q.SenderAddress,
        releaseStatus: q.ReleaseStatus,
        subject: q.Subject,
        messageId: q.MessageId,
        policyName: q.PolicyName,
        offset: (q.Page - 1) * q.PageSize,
        limit: q.PageSize,
      });
      return entries.map(quarantineObject);
    });
  }

  async previewQuarantineMessage(identity: string, recipientAddress?: string): Promise<QuarantinePreviewObject> {
    return this.withQuarantine(async (svc) => {
      const { entry, preview } = await svc.preview(identity, recipientAddress);
      return {
        Identity: entry.identity,
        ReceivedTime: new Date(entry.receivedAt),
        SenderAddress: entry.sender,
        From: preview.from,
        RecipientAddress: [entry.recipient],
        To: preview.to,
        Cc: preview.cc,
        Subject: preview.subject,
        Headers: preview.headers.map((h) => `${h.name}: ${h.value}`).join('\n'),
        Body: preview.text,
        IsHtml: preview.isHtml,
        Attachment: preview.attachments.map((a) => `${a.filename || '(unnamed)'} (${a.contentType}, ${a.size} bytes)`),
      };
    });
  }

  async exportQuarantineMessage(identity: string, options: QuarantineExportOptions): Promise<QuarantineExportObject> {
    return this.withQuarantine(async (svc) => {
      if (options.CompressOutput || options.PasswordV2) {
        throw new QuarantineError('Export-QuarantineMessage: -CompressOutput and -Password/-PasswordV2 are not available in Postern; export without them to get the .eml (Base64 in Eml).', 'Unsupported', options.CompressOutput ? 'CompressOutput' : 'PasswordV2');
      }
      const { entry, eml } = await svc.export(identity, { reason: options.ReasonForExport, recipient: options.RecipientAddress });
      return { Identity: entry.identity, Eml: eml.toString('base64'), BodyEncoding: 'Base64' };
    });
  }

  async releaseQuarantineMessage(identity: string, options: QuarantineReleaseOptions): Promise<void> {
    await this.withQuarantine(async (svc) => {
      if (options.ActionType && options.ActionType !== 'Release') {
        throw new QuarantineError(`-ActionType ${options.ActionType}: Postern has no end-user release requests; admins release directly (-ActionType Release or no -ActionType).`, 'Unsupported', 'ActionType');
      }
      if (options.AllowSender) throw new QuarantineError('-AllowSender: Postern has no allowed-senders list; use a transport rule exception instead.', 'Unsupported', 'AllowSender');
      await svc.release(identity, { releaseToAll: options.ReleaseToAll, users: options.User, force: options.Force });
    });
  }

  async deleteQuarantineMessage(identity: string, options: QuarantineDeleteOptions): Promise<void> {
    await this.withQuarantine((svc) => svc.delete(identity, { hard: options.HardDelete, recipient: options.RecipientAddress }));
  }

  // ------------------------------------------------------------------ historical search

  private searches(): HistoricalSearches {
    if (!this.options.historicalSearches) throw notAvailable('Historical search is not available in this session of Postern; use Get-MessageTrace (last 10 days) or Get-MessageTraceV2 (last 90 days) instead.');
    return this.options.historicalSearches;
  }

  async startHistoricalSearch(request: HistoricalSearchRequest): Promise<HistoricalSearchObject> {
    const org = this.current();
    const domains = new Set(org.AcceptedDomains.map((d) => d.DomainName.toLowerCase()));
    for (const a of request.NotifyAddress ?? []) {
      if (!domains.has(a.slice(a.lastIndexOf('@') + 1).toLowerCase())) throw invalid('NotifyAddress', `NotifyAddress: '${a}' is not in one of this organization's accepted domains; the report can only be sent inside the organization.`);
    }
    try {
      return this.searches().start(this.guid, request, this.options.actor ?? 'postern shell');
    } catch (e) {
      if (e instanceof HistoricalSearchError) throw invalid(e.parameter, e.message);
      throw e;
    }
  }

  async getHistoricalSearches(jobId?: string): Promise<HistoricalSearchObject[]> {
    const list = this.searches().list(this.guid, jobId);
    if (jobId && !list.length) throw objectNotFound(jobId, 'historical search');
    return list;
  }

  async stopHistoricalSearch(jobId: string): Promise<void> {
    const r = this.searches().stop(this.guid, jobId);
    if (r === 'notFound') throw objectNotFound(jobId, 'historical search');
    if (r === 'finished') throw new ShellError(`The historical search '${jobId}' has already finished; only a search that is NotStarted or InProgress can be stopped.`, { errorId: 'InvalidOperation', category: 'InvalidOperation', parameter: 'JobId' });
  }

  // ------------------------------------------------------------------ simulation and hunting

  async simulate(request: MailFlowSimulationRequest): Promise<MailFlowSimulationResult> {
    if (!this.options.simulate) throw notAvailable('Mail-flow simulation (Test-MailFlow) is not available in this session.');
    return this.options.simulate(this.guid, request);
  }

  async hunt(query: string, options: HuntingOptions = {}): Promise<Record<string, unknown>[]> {
    if (!this.options.hunt) throw notAvailable('Advanced hunting (Invoke-Hunting) is not available in this session.');
    return this.options.hunt(this.guid, query, options);
  }
}

function quarantineObject(e: QuarantineEntry): QuarantineMessageObject {
  return {
    Identity: e.identity,
    ReceivedTime: new Date(e.receivedAt),
    Organization: e.orgGuid,
    MessageId: e.internetMessageId,
    SenderAddress: e.sender,
    RecipientAddress: [e.recipient],
    Subject: e.subject,
    Size: e.size,
    Type: e.quarantineTypes === 'TransportRule' ? 'Transport rule' : e.quarantineTypes,
    PolicyType: POLICY_TYPE_OF_QUARANTINE_TYPE[e.quarantineTypes] ?? '',
    PolicyName: e.policyName,
    QuarantineTypes: e.quarantineTypes,
    Direction: e.direction === 'Outbound' ? 'Outbound' : 'Inbound',
    Expires: new Date(e.expiresAt),
    RecipientCount: 1,
    QuarantinedUser: [e.recipient],
    ReleasedUser: e.releasedTo ? e.releasedTo.split(',') : [],
    Reported: false,
    ReleaseStatus: e.releaseStatus,
    EntityType: 'Email',
  };
}

function traceObject(r: TraceSummary): MessageTraceObject {
  return {
    Received: new Date(r.receivedAt),
    SenderAddress: r.sender,
    RecipientAddress: r.recipient,
    Subject: r.subject,
    Status: r.status,
    ToIP: r.toIp || null,
    FromIP: r.fromIp || null,
    Size: r.size,
    MessageId: r.internetMessageId,
    MessageTraceId: r.networkMessageId,
  };
}

/** ShellServices for one organization of the store (by name or GUID; unknown: a ShellError). */
export function createStoreServices(options: StoreServicesOptions): ShellServices {
  return new StoreShellServices(options);
}
