// Organization settings, accepted domains, inbound connectors and transport rules. Reads call the
// admin operations; every change runs the Exchange cmdlet itself (invokeCmdlet), so a request is
// validated, defaulted and refused exactly as in `postern shell`.
import { z } from 'zod';
import { objectNotFound } from '../../admin/errors.js';
import { invokeCmdlet } from '../../shell/index.js';
import { TRANSPORT_RULE_PROPERTIES } from '../../shell/index.js';
import { ApiError } from '../http/errors.js';
import { PageQuery, readCursor, slicePage } from '../http/paging.js';
import { route, type RouteSpec } from '../http/route.js';

const Org = z.object({ org: z.string() });
const OrgAnd = (key: string) => z.object({ org: z.string(), [key]: z.string() });
/** Cmdlet parameters by Exchange name; the cmdlet's binder checks names, types and ranges. */
const Parameters = z.record(z.string(), z.unknown()).describe("The cmdlet's parameters by their Exchange names; see the cmdlet's documentation.");

/** A multi-valued setting: the whole list, or (when changing) { Add, Remove } as PowerShell's @{Add=...; Remove=...}. */
const multiValued = (edit: boolean) =>
  edit ? z.union([z.array(z.string()), z.object({ Add: z.array(z.string()), Remove: z.array(z.string()) }).partial().strict()]) : z.array(z.string());

const connectorSettings = (edit: boolean) => z
  .object({
    Name: z.string(),
    ConnectorType: z.enum(['Partner', 'OnPremises']),
    SenderIPAddresses: multiValued(edit),
    SenderDomains: multiValued(edit),
    RestrictDomainsToIPAddresses: z.boolean(),
    RestrictDomainsToCertificate: z.boolean(),
    TlsSenderCertificateName: z.string().nullable(),
    RequireTls: z.boolean(),
    TreatMessagesAsInternal: z.boolean(),
    CloudServicesMailEnabled: z.boolean(),
    AssociatedAcceptedDomains: multiValued(edit),
    Comment: z.string().nullable(),
    Enabled: z.boolean(),
  })
  .partial()
  .catchall(z.unknown());


async function one<T>(list: Promise<T[]>, kind: string, id: string): Promise<T> {
  const [found] = await list;
  if (!found) throw objectNotFound(id, kind, 'Identity');
  return found;
}

/** List, one, remove: the routes of an object the shell's Get-/Remove-<Noun> cmdlets manage. */
function objectRoutes(noun: 'InboundConnector' | 'TransportRule', path: string, tag: string, what: { list: string; one: string; remove: string }): Record<'list' | 'one' | 'remove', RouteSpec> {
  return {
    list: route({
      method: 'GET', path: `/organizations/{org}/${path}`, tag, permission: 'read', cmdlet: `Get-${noun}`, summary: what.list,
      params: Org, query: PageQuery,
      handler: async ({ admin, query }) => slicePage((await invokeCmdlet(admin, `Get-${noun}`, {})).output, readCursor(query)),
    }),
    one: route({
      method: 'GET', path: `/organizations/{org}/${path}/{id}`, tag, permission: 'read', cmdlet: `Get-${noun}`, summary: what.one,
      params: OrgAnd('id'),
      handler: async ({ admin, params }) => (await invokeCmdlet(admin, `Get-${noun}`, { Identity: params.id })).output[0],
    }),
    remove: route({
      method: 'DELETE', path: `/organizations/{org}/${path}/{id}`, tag, permission: 'configure', status: 204, cmdlet: `Remove-${noun}`, summary: what.remove,
      params: OrgAnd('id'),
      handler: async ({ admin, params }) => void (await invokeCmdlet(admin, `Remove-${noun}`, { Identity: params.id })),
    }),
  };
}

export function configurationRoutes(): RouteSpec[] {
  const connectors = objectRoutes('InboundConnector', 'inbound-connectors', 'Inbound connectors', { list: 'Inbound connectors.', one: 'One inbound connector.', remove: 'Remove an inbound connector.' });
  const rules = objectRoutes('TransportRule', 'transport-rules', 'Transport rules', {
    list: 'Transport rules in priority order, with every condition, exception and action.',
    one: 'One transport rule.',
    remove: 'Remove a transport rule.',
  });
  return [
    route({
      method: 'GET', path: '/organizations/{org}/config', tag: 'Organization', permission: 'read', cmdlet: 'Get-OrganizationConfig', summary: 'Organization settings (Reject Direct Send).',
      params: Org,
      handler: ({ admin }) => admin.getOrganizationConfig(),
    }),
    route({
      method: 'PATCH', path: '/organizations/{org}/config', tag: 'Organization', permission: 'configure', cmdlet: 'Set-OrganizationConfig', summary: 'Change organization settings.',
      params: Org, body: z.object({ RejectDirectSend: z.boolean() }).partial().strict(),
      async handler({ admin, body }) {
        await invokeCmdlet(admin, 'Set-OrganizationConfig', body);
        return admin.getOrganizationConfig();
      },
    }),
    route({
      method: 'GET', path: '/organizations/{org}/accepted-domains', tag: 'Accepted domains', permission: 'read', cmdlet: 'Get-AcceptedDomain', summary: 'Accepted domains.',
      params: Org, query: PageQuery,
      handler: async ({ admin, query }) => slicePage(await admin.getAcceptedDomains(), readCursor(query)),
    }),
    route({
      method: 'POST', path: '/organizations/{org}/accepted-domains', tag: 'Accepted domains', permission: 'configure', status: 201, cmdlet: 'New-AcceptedDomain', summary: 'Add an accepted domain.',
      params: Org, body: z.object({ Name: z.string(), DomainName: z.string(), DomainType: z.enum(['Authoritative', 'InternalRelay', 'ExternalRelay']).optional() }).strict(),
      async handler({ admin, body }) {
        await invokeCmdlet(admin, 'New-AcceptedDomain', body);
        return one(admin.getAcceptedDomains(body.Name), 'AcceptedDomain', body.Name);
      },
    }),
    route({
      method: 'PATCH', path: '/organizations/{org}/accepted-domains/{id}', tag: 'Accepted domains', permission: 'configure', cmdlet: 'Set-AcceptedDomain', summary: 'Change an accepted domain.',
      params: OrgAnd('id'), body: z.object({ Name: z.string(), DomainType: z.enum(['Authoritative', 'InternalRelay', 'ExternalRelay']), MakeDefault: z.boolean() }).partial().strict(),
      async handler({ admin, params, body }) {
        await invokeCmdlet(admin, 'Set-AcceptedDomain', { Identity: params.id, ...body });
        return one(admin.getAcceptedDomains(body.Name ?? params.id), 'AcceptedDomain', params.id);
      },
    }),
    route({
      method: 'DELETE', path: '/organizations/{org}/accepted-domains/{id}', tag: 'Accepted domains', permission: 'configure', status: 204, cmdlet: 'Remove-AcceptedDomain', summary: 'Remove an accepted domain.',
      params: OrgAnd('id'),
      handler: async ({ admin, params }) => void (await invokeCmdlet(admin, 'Remove-AcceptedDomain', { Identity: params.id })),
    }),
    connectors.list,
    route({
      method: 'POST', path: '/organizations/{org}/inbound-connectors', tag: 'Inbound connectors', permission: 'configure', status: 201, cmdlet: 'New-InboundConnector', summary: 'Create an inbound connector (trusted or restricted by IP range or certificate).',
      params: Org, body: connectorSettings(false).required({ Name: true }),
      handler: async ({ admin, body }) => (await invokeCmdlet(admin, 'New-InboundConnector', body)).output[0],
    }),
    connectors.one,
    route({
      method: 'PATCH', path: '/organizations/{org}/inbound-connectors/{id}', tag: 'Inbound connectors', permission: 'configure', cmdlet: 'Set-InboundConnector', summary: 'Change an inbound connector; multi-valued settings also take { Add, Remove }.',
      params: OrgAnd('id'), body: connectorSettings(true),
      async handler({ admin, params, body }) {
        await invokeCmdlet(admin, 'Set-InboundConnector', { Identity: params.id, ...body });
        return (await invokeCmdlet(admin, 'Get-InboundConnector', { Identity: typeof body.Name === 'string' ? body.Name : params.id })).output[0];
      },
    }),
    connectors.remove,
    rules.list,
    route({
      method: 'GET', path: '/transport-rules/vocabulary', tag: 'Transport rules', permission: 'authenticated', summary: "New-TransportRule's conditions, exceptions (ExceptIf…), actions and properties, with their types.",
      handler: async () => ({ items: TRANSPORT_RULE_PROPERTIES, nextCursor: null }),
    }),
    route({
      method: 'POST', path: '/organizations/{org}/transport-rules', tag: 'Transport rules', permission: 'configure', status: 201, cmdlet: 'New-TransportRule', summary: "Create a transport rule from New-TransportRule's parameters.",
      params: Org, body: Parameters,
      handler: async ({ admin, body }) => (await invokeCmdlet(admin, 'New-TransportRule', body)).output[0],
    }),
    rules.one,
    route({
      method: 'PATCH', path: '/organizations/{org}/transport-rules/{id}', tag: 'Transport rules', permission: 'configure', cmdlet: 'Set-TransportRule', summary: "Change a transport rule: Set-TransportRule's parameters (Priority reorders), or State 'Enabled'/'Disabled'.",
      params: OrgAnd('id'), body: Parameters,
      async handler({ admin, params, body }) {
        const { State, ...changes } = body;
        if (State !== undefined && State !== 'Enabled' && State !== 'Disabled') throw new ApiError(400, "State: 'Enabled' or 'Disabled'.", { errorId: 'InvalidParameterValue', category: 'InvalidArgument', parameter: 'State' });
        if (Object.keys(changes).length) await invokeCmdlet(admin, 'Set-TransportRule', { Identity: params.id, ...changes });
        const identity = typeof changes.Name === 'string' ? changes.Name : params.id;
        if (State) await invokeCmdlet(admin, State === 'Enabled' ? 'Enable-TransportRule' : 'Disable-TransportRule', { Identity: identity });
        return (await invokeCmdlet(admin, 'Get-TransportRule', { Identity: identity })).output[0];
      },
    }),
    rules.remove,
  ];
}
