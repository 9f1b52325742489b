// Get/Set-OrganizationConfig and Get/New/Set/Remove-AcceptedDomain.
import type { ExchangeCmdlet } from './common.js';
import type { AcceptedDomainChanges, AcceptedDomainType } from '../../admin/types.js';
import { domainType, enumType, identityType, unlimitedType } from '../types.js';
import { tagged } from '../values.js';
import { bool, getByIdentity, identityParam, noChangesWarning, str, tagAll } from './common.js';

const DOMAIN_ID = 'Microsoft.Exchange.Configuration.Tasks.AcceptedDomainIdParameter';
const DOMAIN_TYPES = ['Authoritative', 'InternalRelay', 'ExternalRelay'];

export const organizationCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Get-OrganizationConfig',
    synopsis: "View the organization's configuration (RejectDirectSend ...).",
    outputType: 'OrganizationConfig',
    parameters: [
      { name: 'Identity', type: identityType('Microsoft.Exchange.Configuration.Tasks.OrganizationIdParameter'), position: 1 },
    ],
    async run(ctx) {
      return tagged({ ...(await ctx.services.getOrganizationConfig()) }, 'OrganizationConfig');
    },
  },
  {
    name: 'Set-OrganizationConfig',
    synopsis: 'Change organization-wide settings. -RejectDirectSend $true rejects unauthenticated mail that uses an accepted domain as MAIL FROM and matches no connector (550 5.7.68).',
    supportsShouldProcess: true,
    parameters: [
      {
        name: 'RejectDirectSend',
        type: bool(),
        description: '$true: reject Direct Send (anonymous mail from an accepted domain that matches no IP/certificate connector) with 550 5.7.68.',
      },
    ],
    async run(ctx, params) {
      const changes: Record<string, unknown> = {};
      if (params.has('RejectDirectSend')) changes.RejectDirectSend = params.get('RejectDirectSend');
      if (Object.keys(changes).length === 0) return ctx.writeWarning(noChangesWarning(ctx.services.organization));
      if (!(await ctx.shouldProcess(ctx.services.organization, 'Setting organization configuration'))) return;
      await ctx.services.setOrganizationConfig(changes);
    },
  },
  {
    name: 'Get-AcceptedDomain',
    synopsis: 'View the accepted domains of the organization.',
    outputType: 'AcceptedDomain',
    parameters: [identityParam(DOMAIN_ID, { properties: ['Identity', 'DomainName', 'Name'] }), { name: 'ResultSize', type: unlimitedType({ min: 1 }) }],
    async run(ctx, params) {
      let domains = await getByIdentity(params.get<string>('Identity'), (id) => ctx.services.getAcceptedDomains(id), ['Identity', 'Name', 'DomainName']);
      const size = params.get<number | null>('ResultSize');
      if (typeof size === 'number') domains = domains.slice(0, size);
      return tagAll(domains, 'AcceptedDomain');
    },
  },
  {
    name: 'New-AcceptedDomain',
    synopsis: 'Add an accepted domain.',
    supportsShouldProcess: true,
    outputType: 'AcceptedDomain',
    parameters: [
      { name: 'Name', type: str(64), mandatory: true, position: 1 },
      { name: 'DomainName', type: domainType({ wildcard: true }), mandatory: true },
      { name: 'DomainType', type: enumType('Microsoft.Exchange.Data.AcceptedDomainType', DOMAIN_TYPES) },
      { name: 'AuthenticationType', type: enumType('Microsoft.Exchange.Data.AuthenticationType', ['Managed', 'Federated']), ignored: true },
      { name: 'LiveIdInstanceType', type: enumType('Microsoft.Exchange.Data.LiveIdInstanceType', ['Consumer', 'Business']), ignored: true },
      { name: 'OutboundOnly', type: bool(), ignored: true },
    ],
    async run(ctx, params) {
      const name = params.get<string>('Name') as string;
      if (!(await ctx.shouldProcess(name, 'Creating accepted domain'))) return;
      const d = await ctx.services.newAcceptedDomain({
        Name: name,
        DomainName: params.get<string>('DomainName') as string,
        DomainType: (params.get<AcceptedDomainType>('DomainType') ?? 'Authoritative'),
      });
      return tagged({ ...d }, 'AcceptedDomain');
    },
  },
  {
    name: 'Set-AcceptedDomain',
    synopsis: 'Change an accepted domain (type, default).',
    supportsShouldProcess: true,
    parameters: [
      identityParam(DOMAIN_ID, { mandatory: true, properties: ['Identity', 'DomainName', 'Name'] }),
      { name: 'DomainType', type: enumType('Microsoft.Exchange.Data.AcceptedDomainType', DOMAIN_TYPES) },
      { name: 'MakeDefault', type: bool() },
      { name: 'Name', type: str(64) },
      { name: 'OutboundOnly', type: bool(), ignored: true },
      { name: 'SendingFromDomainDisabled', type: bool(), ignored: true },
      { name: 'CanHaveCloudCache', type: bool(), ignored: true },
      { name: 'EnableNego2Authentication', type: bool(), ignored: true },
    ],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      const changes: AcceptedDomainChanges = {};
      if (params.has('DomainType')) changes.DomainType = params.get<AcceptedDomainType>('DomainType');
      if (params.has('MakeDefault')) changes.MakeDefault = params.get<boolean>('MakeDefault');
      if (params.has('Name')) changes.Name = params.get<string>('Name');
      if (Object.keys(changes).length === 0) return ctx.writeWarning(noChangesWarning(identity));
      if (!(await ctx.shouldProcess(identity, 'Changing accepted domain'))) return;
      await ctx.services.setAcceptedDomain(identity, changes);
    },
  },
  {
    name: 'Remove-AcceptedDomain',
    synopsis: 'Remove an accepted domain.',
    supportsShouldProcess: true,
    confirmImpact: 'High',
    parameters: [identityParam(DOMAIN_ID, { mandatory: true, properties: ['Identity', 'DomainName', 'Name'] })],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!(await ctx.shouldProcess(identity, 'Removing accepted domain'))) return;
      await ctx.services.removeAcceptedDomain(identity);
    },
  },
];
