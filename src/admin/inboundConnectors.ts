// Get-/New-/Set-/Remove-InboundConnector. Postern's connector model is narrower than Exchange's;
// where it can't keep a setting, the operation says so naming the parameter rather than dropping
// it silently: TrustedOrganizations, ClientHostNames and the Enhanced Filtering settings
// (EFSkipLastIP, EFSkipIPs, EFUsers) are refused unless empty. Settings the shell already flags as
// having no effect (EFTestMode, EFSkipMailGateway, ScanAndDropRecipients) and ConnectorSource are
// accepted and not kept. Validation is the configuration's own (config/inboundConnector.ts).
import { randomUUID } from 'node:crypto';
import { inboundConnectorListProblems, validateInboundConnector, type InboundConnector } from '../config/inboundConnector.js';
import type { Organization } from '../config/model.js';
import { invalid, objectExists, objectNotFound, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { InboundConnectorAdmin, InboundConnectorObject, InboundConnectorSettings } from './types.js';

/** Exchange connector settings Postern doesn't model: always shown with these neutral values. */
export const UNMODELLED_CONNECTOR_SETTINGS = {
  TrustedOrganizations: [] as string[],
  ClientHostNames: [] as string[],
  EFSkipLastIP: false,
  EFSkipIPs: [] as string[],
  EFSkipMailGateway: [] as string[],
  EFTestMode: false,
  EFUsers: [] as string[],
  ScanAndDropRecipients: [] as string[],
};

/** Settings Postern's connector model can't keep; a non-default value is refused, naming the parameter. */
const UNSTORED_CONNECTOR_SETTINGS: Record<string, string> = {
  TrustedOrganizations: 'Postern has no cross-tenant trust; leave TrustedOrganizations empty',
  ClientHostNames: 'Postern identifies connector senders by IP address or certificate only; leave ClientHostNames empty',
  EFSkipLastIP: 'Enhanced Filtering for Connectors is not available in Postern; leave EFSkipLastIP $false',
  EFSkipIPs: 'Enhanced Filtering for Connectors is not available in Postern; leave EFSkipIPs empty',
  EFUsers: 'Enhanced Filtering for Connectors is not available in Postern; leave EFUsers empty',
};

/** Connector settings the model keeps, with `null` meaning "clear". */
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

function findConnector(org: Organization, identity: string): InboundConnector {
  const id = identity.trim();
  const c = org.InboundConnectors.find((x) => same(x.Name, id) || same(x.Guid, id));
  if (!c) throw objectNotFound(identity, 'inbound connector');
  return c;
}

/**
 * Validate one connector and the list it joins (names, AssociatedAcceptedDomains). A name another
 * connector of the organization has is Exchange's "already exists", for New- and Set- alike.
 */
function checkedConnectors(org: Organization, candidate: Record<string, unknown>, replacing?: InboundConnector): InboundConnector[] {
  const r = validateInboundConnector(candidate);
  if (!r.ok) throw invalid(r.errors[0].parameter, r.errors.map((p) => p.message).join(' '), 'InvalidConnectorSettings');
  const list = replacing ? org.InboundConnectors.map((c) => (c === replacing ? r.value : c)) : [...org.InboundConnectors, r.value];
  const index = replacing ? org.InboundConnectors.indexOf(replacing) : list.length - 1;
  const problems = inboundConnectorListProblems(list, org.AcceptedDomains.map((d) => d.DomainName)).filter((p) => p.index === index);
  if (problems.some((p) => p.parameter === 'Name')) throw objectExists(r.value.Name, 'inbound connector');
  if (problems.length) throw invalid(problems[0].parameter, problems.map((p) => p.message).join(' '), 'InvalidConnectorSettings');
  return list;
}

export function inboundConnectorAdmin(scope: OrganizationScope): InboundConnectorAdmin {
  return {
    async getInboundConnectors(identity) {
      const org = scope.current();
      if (identity) return [connectorObject(findConnector(org, identity))];
      return org.InboundConnectors.map(connectorObject);
    },

    async newInboundConnector(settings) {
      const fields = connectorModelChanges(settings);
      let created: InboundConnector | undefined;
      await scope.update((org) => {
        const list = checkedConnectors(org, { ...fields, Guid: randomUUID() });
        created = list[list.length - 1];
        return { ...org, InboundConnectors: list };
      });
      return connectorObject(created!);
    },

    async setInboundConnector(identity, changes) {
      const fields = connectorModelChanges(changes);
      await scope.update((org) => {
        const c = findConnector(org, identity);
        const list = checkedConnectors(org, { ...c, ...fields, Guid: c.Guid }, c);
        return { ...org, InboundConnectors: list };
      });
    },

    async removeInboundConnector(identity) {
      await scope.update((org) => {
        const c = findConnector(org, identity);
        return { ...org, InboundConnectors: org.InboundConnectors.filter((x) => x !== c) };
      });
    },
  };
}
