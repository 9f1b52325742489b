// Get/New/Set/Remove-InboundConnector (reference §2). SenderIPAddresses takes IPv4 addresses
// and CIDR blocks /24–/32 only, as Exchange Online does.
import { UNMODELLED_CONNECTOR_SETTINGS } from '../../admin/inboundConnectors.js';
import type { ParameterDef } from '../registry.js';
import type { ExchangeCmdlet } from './common.js';
import type { InboundConnectorObject, InboundConnectorSettings } from '../../admin/types.js';
import {
  domainType,
  enumType,
  ipRangeType,
  multiValuedType,
  stringType,
  unlimitedType,
} from '../types.js';
import { tagged } from '../values.js';
import {
  bool,
  getByIdentity,
  identityParam,
  noChangesWarning,
  resolveEdits,
  str,
  strings,
} from './common.js';

const CONNECTOR_ID = 'Microsoft.Exchange.Configuration.Tasks.InboundConnectorIdParameter';

function connectorParameters(edit: boolean, forNew: boolean): ParameterDef[] {
  const p = (name: string, type: ParameterDef['type'], extra: Partial<ParameterDef> = {}): ParameterDef => ({ name, type, valueFromPipelineByPropertyName: forNew, ...extra });
  return [
    p('SenderDomains', multiValuedType(domainType({ wildcard: true, star: true }), { edit }), {
      mandatory: forNew,
      description: 'Source domains the connector applies to; *.contoso.com includes subdomains; * = all senders.',
    }),
    p('ConnectorType', enumType('Microsoft.Exchange.Data.TenantConnectorType', ['Partner', 'OnPremises'])),
    p('ConnectorSource', enumType('Microsoft.Exchange.Data.TenantConnectorSource', ['Default', 'HybridWizard', 'Migrated', 'AdminUI'])),
    p('SenderIPAddresses', multiValuedType(ipRangeType({ ipv4Only: true, minPrefix: 24, allowRanges: false }), { edit, splitStrings: true }), {
      description: 'IPv4 addresses or CIDR blocks /24 to /32.',
    }),
    p('RestrictDomainsToIPAddresses', bool()),
    p('RestrictDomainsToCertificate', bool()),
    p('TlsSenderCertificateName', domainType({ wildcard: true, typeName: 'Microsoft.Exchange.Data.TlsCertificate', nullable: true })),
    p('RequireTls', bool()),
    p('TreatMessagesAsInternal', bool()),
    p('CloudServicesMailEnabled', bool()),
    p('AssociatedAcceptedDomains', multiValuedType(domainType({ wildcard: false }), { edit })),
    p('TrustedOrganizations', strings(edit)),
    p('ClientHostNames', strings(edit)),
    p('EFSkipLastIP', bool()),
    p('EFSkipIPs', multiValuedType(ipRangeType(), { edit, splitStrings: true })),
    p('EFSkipMailGateway', strings(edit), { ignored: true }),
    p('EFTestMode', bool(), { ignored: true }),
    p('EFUsers', strings(edit)),
    p('ScanAndDropRecipients', strings(edit), { ignored: true }),
    p('Comment', stringType()),
    p('Enabled', bool()),
  ];
}

/** Exchange Online's defaults for a new connector. */
export function defaultConnector(name: string): InboundConnectorSettings {
  return {
    Name: name,
    ConnectorType: 'Partner',
    ConnectorSource: 'Default',
    SenderDomains: [],
    SenderIPAddresses: [],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    TlsSenderCertificateName: null,
    RequireTls: true, // Exchange: "$true ... This is the default value" (New-InboundConnector)
    TreatMessagesAsInternal: false,
    CloudServicesMailEnabled: false,
    AssociatedAcceptedDomains: [],
    ...UNMODELLED_CONNECTOR_SETTINGS,
    Comment: null,
    Enabled: true,
  };
}

const OUTPUT_ORDER = [
  'Enabled', 'ConnectorType', 'ConnectorSource', 'Comment', 'SenderIPAddresses', 'SenderDomains', 'AssociatedAcceptedDomains', 'RequireTls',
  'RestrictDomainsToIPAddresses', 'RestrictDomainsToCertificate', 'CloudServicesMailEnabled', 'TreatMessagesAsInternal', 'TlsSenderCertificateName',
  'EFTestMode', 'ScanAndDropRecipients', 'EFSkipLastIP', 'EFSkipIPs', 'EFSkipMailGateway', 'EFUsers', 'TrustedOrganizations', 'ClientHostNames',
  'Identity', 'Name', 'Guid', 'WhenCreated', 'WhenChanged',
];

/** Get-InboundConnector output in Exchange's property order. */
export function connectorOutput(c: InboundConnectorObject): Record<string, unknown> {
  const src = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of OUTPUT_ORDER) out[k] = src[k] ?? (k in defaultConnector('') ? (defaultConnector('') as unknown as Record<string, unknown>)[k] : null);
  for (const [k, v] of Object.entries(src)) if (!(k in out)) out[k] = v;
  return tagged(out, 'InboundConnector');
}

export const inboundConnectorCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Get-InboundConnector',
    synopsis: 'View inbound connectors.',
    outputType: 'InboundConnector',
    parameters: [identityParam(CONNECTOR_ID), { name: 'ResultSize', type: unlimitedType({ min: 1 }) }],
    async run(ctx, params) {
      let list = await getByIdentity(params.get<string>('Identity'), (id) => ctx.services.getInboundConnectors(id));
      const size = params.get<number | null>('ResultSize');
      if (typeof size === 'number') list = list.slice(0, size);
      return list.map(connectorOutput);
    },
  },
  {
    name: 'New-InboundConnector',
    synopsis: 'Create an inbound connector (trust or restrict senders by IP address or TLS certificate).',
    supportsShouldProcess: true,
    outputType: 'InboundConnector',
    parameters: [{ name: 'Name', type: str(64), mandatory: true, position: 1, valueFromPipelineByPropertyName: true }, ...connectorParameters(false, true)],
    async run(ctx, params) {
      const name = params.get<string>('Name') as string;
      const settings = { ...defaultConnector(name), ...(params.pick() as Partial<InboundConnectorSettings>), Name: name };
      if (!(await ctx.shouldProcess(name, 'Creating inbound connector'))) return;
      return connectorOutput(await ctx.services.newInboundConnector(settings));
    },
  },
  {
    name: 'Set-InboundConnector',
    synopsis: 'Change an inbound connector. Multi-valued settings accept @{Add=...; Remove=...}.',
    supportsShouldProcess: true,
    parameters: [identityParam(CONNECTOR_ID, { mandatory: true }), { name: 'Name', type: str(64) }, ...connectorParameters(true, false)],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (Object.keys(params.pick(['Identity'])).length === 0) return ctx.writeWarning(noChangesWarning(identity));
      const current = (await ctx.services.getInboundConnectors(identity))[0];
      const changes = resolveEdits(params.pick(['Identity']), current as Record<string, unknown> | undefined) as Partial<InboundConnectorSettings>;
      if (!(await ctx.shouldProcess(identity, 'Changing inbound connector'))) return;
      await ctx.services.setInboundConnector(identity, changes);
    },
  },
  {
    name: 'Remove-InboundConnector',
    synopsis: 'Remove an inbound connector.',
    supportsShouldProcess: true,
    confirmImpact: 'High',
    parameters: [identityParam(CONNECTOR_ID, { mandatory: true })],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!(await ctx.shouldProcess(identity, 'Removing inbound connector'))) return;
      await ctx.services.removeInboundConnector(identity);
    },
  },
];
