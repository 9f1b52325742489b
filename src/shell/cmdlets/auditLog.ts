// Search-AdminAuditLog: the organization's admin audit log, newest first (admin/audit.ts).
import type { AdminAuditLogQuery } from '../../admin/types.js';
import { dateTimeType, int32Type, multiValuedType, stringType } from '../types.js';
import { bool, tagAll, type ExchangeCmdlet } from './common.js';

const names = () => multiValuedType(stringType(), { typeName: 'Microsoft.Exchange.Data.MultiValuedProperty' });

export const auditLogCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Search-AdminAuditLog',
    synopsis: 'Search the admin audit log: who changed what (cmdlet, parameters, old and new values), through the shell, the CLI or the REST API.',
    outputType: 'AdminAuditLogEvent',
    parameters: [
      { name: 'StartDate', type: dateTimeType() },
      { name: 'EndDate', type: dateTimeType() },
      { name: 'Cmdlets', type: names(), description: 'Only these cmdlets (Set-OrganizationConfig, New-InboundConnector, ...).' },
      { name: 'Parameters', type: names(), description: 'With -Cmdlets: only runs that used one of these parameters.' },
      { name: 'ObjectIds', type: names(), description: 'Only changes to these objects (their Identity).' },
      { name: 'UserIds', type: names(), description: 'Only changes by these users.' },
      { name: 'IsSuccess', type: bool(), description: '$true: changes that succeeded; $false: attempts that failed.' },
      { name: 'ExternalAccess', type: bool(), description: 'Postern has no external (datacenter) administrators: $true finds nothing.' },
      { name: 'StartIndex', type: int32Type({ min: 0 }) },
      { name: 'ResultSize', type: int32Type({ min: 1, max: 250_000 }) },
    ],
    async run(ctx, params) {
      if (params.get<boolean>('ExternalAccess') === true) return [];
      const query = params.pick(['ExternalAccess']) as AdminAuditLogQuery;
      return tagAll(await ctx.services.searchAdminAuditLog(query), 'AdminAuditLogEvent');
    },
  },
];
