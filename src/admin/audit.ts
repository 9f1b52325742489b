// The admin audit log (Exchange's admin audit log, Search-AdminAuditLog). Every state-changing
// operation is audited here, in one place: createOrganizationAdmin wraps the operations listed in
// AUDITED, so the shell, the CLI and the REST API leave the same record whoever calls. A record
// says who (AdminOptions.actor, clientIp), which cmdlet with which parameters, on which object,
// and each property's value before and after, read through the operations' own Get- side. A
// refused change is an audited attempt: recorded with its error, then rethrown.
import type { AdminAuditLog, AdminAuditRecord, AuditModifiedProperty } from '../store/ports.js';
import { invalid, notAvailable, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { AdminAuditLogEvent, AuditLogAdmin, OrganizationAdmin } from './types.js';

type Args = unknown[];
type Snapshot = Record<string, unknown> | undefined;

interface AuditSpec {
  cmdlet: string | ((args: Args) => string);
  /** The parameters as given, by Exchange's names. */
  parameters(args: Args): Record<string, unknown>;
  /** The existing object acted on; undefined when the operation creates one. */
  identity(args: Args): string | undefined;
  /** The name a new object is given (its identity when creating fails). */
  created?(args: Args): string;
  /** The object's auditable state; undefined when it does not exist. */
  read(admin: OrganizationAdmin, identity: string): Promise<Snapshot>;
}

const first = async (list: Promise<object[]>): Promise<Snapshot> => (await list)[0] as Snapshot;
const pick = (o: object | undefined, names: string[]): Snapshot =>
  o && Object.fromEntries(names.map((n) => [n, (o as Record<string, unknown>)[n]]));
const arg = (i: number) => (args: Args) => String(args[i]);
const fields = (i: number) => (args: Args) => ({ ...(args[i] as object) });
const identityAnd = (name: string) => (args: Args) => ({ [name]: args[0], ...(args[1] as object | undefined) });
const nameOf = (args: Args) => String((args[0] as { Name?: unknown }).Name ?? '');

const organization = { identity: () => '', read: async (a: OrganizationAdmin) => (await a.getOrganizationConfig()) as Snapshot };
const domain = { read: (a: OrganizationAdmin, id: string) => first(a.getAcceptedDomains(id)) };
const connector = { read: (a: OrganizationAdmin, id: string) => first(a.getInboundConnectors(id)) };
const rule = { read: (a: OrganizationAdmin, id: string) => first(a.getTransportRules(id)) };
const quarantined = {
  identity: arg(0),
  parameters: identityAnd('Identity'),
  // What release and delete change; the message itself is not the admin's change.
  read: async (a: OrganizationAdmin, id: string) => pick((await a.getQuarantineMessages({ Identity: id, Page: 1, PageSize: 1 }))[0], ['Identity', 'ReleaseStatus', 'ReleasedUser']),
};
/** The organization has one policy: another name finds nothing. */
const antiPhishPolicy = async (a: OrganizationAdmin, id: string): Promise<Snapshot> => {
  const policy = await a.getAntiPhishPolicy();
  return same(policy.Identity, id.trim()) ? policy : undefined;
};
const search = { read: (a: OrganizationAdmin, id: string) => first(a.getHistoricalSearches(id)) };

/** Every state-changing operation, by the name OrganizationAdmin gives it. */
const AUDITED = {
  setOrganizationConfig: { cmdlet: 'Set-OrganizationConfig', parameters: fields(0), ...organization },
  setAntiPhishPolicy: { cmdlet: 'Set-AntiPhishPolicy', parameters: identityAnd('Identity'), identity: arg(0), read: antiPhishPolicy },
  setArcConfig: { cmdlet: 'Set-ArcConfig', parameters: fields(0), identity: () => '', read: async (a) => (await a.getArcConfig()) as Snapshot },
  newAcceptedDomain: { cmdlet: 'New-AcceptedDomain', parameters: fields(0), identity: () => undefined, created: nameOf, ...domain },
  setAcceptedDomain: { cmdlet: 'Set-AcceptedDomain', parameters: identityAnd('Identity'), identity: arg(0), ...domain },
  removeAcceptedDomain: { cmdlet: 'Remove-AcceptedDomain', parameters: identityAnd('Identity'), identity: arg(0), ...domain },
  newInboundConnector: { cmdlet: 'New-InboundConnector', parameters: fields(0), identity: () => undefined, created: nameOf, ...connector },
  setInboundConnector: { cmdlet: 'Set-InboundConnector', parameters: identityAnd('Identity'), identity: arg(0), ...connector },
  removeInboundConnector: { cmdlet: 'Remove-InboundConnector', parameters: identityAnd('Identity'), identity: arg(0), ...connector },
  newTransportRule: { cmdlet: 'New-TransportRule', parameters: fields(0), identity: () => undefined, created: nameOf, ...rule },
  setTransportRule: { cmdlet: 'Set-TransportRule', parameters: identityAnd('Identity'), identity: arg(0), ...rule },
  setTransportRuleState: { cmdlet: (args) => (args[1] === 'Enabled' ? 'Enable-TransportRule' : 'Disable-TransportRule'), parameters: (args) => ({ Identity: args[0] }), identity: arg(0), ...rule },
  removeTransportRule: { cmdlet: 'Remove-TransportRule', parameters: identityAnd('Identity'), identity: arg(0), ...rule },
  releaseQuarantineMessage: { cmdlet: 'Release-QuarantineMessage', ...quarantined },
  deleteQuarantineMessage: { cmdlet: 'Delete-QuarantineMessage', ...quarantined },
  startHistoricalSearch: { cmdlet: 'Start-HistoricalSearch', parameters: fields(0), identity: () => undefined, created: (args) => String((args[0] as { ReportTitle?: unknown }).ReportTitle ?? ''), ...search },
  stopHistoricalSearch: { cmdlet: 'Stop-HistoricalSearch', parameters: (args) => ({ JobId: args[0] }), identity: arg(0), ...search },
} satisfies Partial<Record<keyof OrganizationAdmin, AuditSpec>>;

/** The names of the audited operations (tests check each leaves a record). */
export const AUDITED_OPERATIONS = Object.keys(AUDITED);

/** A value as the log keeps it: JSON (dates as ISO strings, undefined as null). */
const json = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
const isEmpty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && v.length === 0);
const MASKED = /password/i;
/** Derived from other properties, or the log's own business. */
const NOT_PROPERTIES = new Set(['Identity', 'WhenChanged', 'WhenCreated']);

/**
 * The parameters as a list of { Name, Value }. A New- operation receives every setting, filled with
 * defaults by the caller: the empty ones were not given. (A Set- operation's null clears a value.)
 */
function parameterList(params: Record<string, unknown>, creates: boolean): AdminAuditRecord['cmdletParameters'] {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && !(creates && isEmpty(json(v))))
    .map(([Name, v]) => ({ Name, Value: MASKED.test(Name) ? '********' : json(v) }));
}

/** Each property whose value differs; a created object lists what it holds, a removed one what it held. */
export function modifiedProperties(before: Snapshot, after: Snapshot): AuditModifiedProperty[] {
  const out: AuditModifiedProperty[] = [];
  for (const name of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    if (NOT_PROPERTIES.has(name)) continue;
    const OldValue = json(before?.[name]);
    const NewValue = json(after?.[name]);
    if (JSON.stringify(OldValue) === JSON.stringify(NewValue)) continue;
    if ((!before && isEmpty(NewValue)) || (!after && isEmpty(OldValue))) continue;
    out.push({ Name: name, OldValue, NewValue });
  }
  return out;
}

/** The identity that still finds the object after the change (a rename keeps its GUID). */
const stableId = (o: Record<string, unknown>): string => String(o.Guid ?? o.JobId ?? o.Identity);

/** What the record names as ObjectModified: the object's Identity (a historical search's JobId). */
const objectName = (o: Snapshot): unknown => o?.Identity ?? o?.JobId;

/** Reads for the record never decide the operation: a failed read is "no object". */
async function quietly(read: () => Promise<Snapshot>): Promise<Snapshot> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** The operations, with every state-changing one recorded in the organization's audit log (when it has one). */
export function withAuditLog(admin: OrganizationAdmin, scope: OrganizationScope): OrganizationAdmin {
  const log = scope.options.auditLog;
  if (!log) return admin;
  const audited: Record<string, unknown> = { ...admin };
  for (const [operation, spec] of Object.entries(AUDITED) as [string, AuditSpec][]) {
    const inner = (admin as unknown as Record<string, (...args: Args) => Promise<unknown>>)[operation];
    audited[operation] = (...args: Args) => recorded(log, scope, admin, spec, args, () => inner(...args));
  }
  return audited as unknown as OrganizationAdmin;
}

async function recorded(log: AdminAuditLog, scope: OrganizationScope, admin: OrganizationAdmin, spec: AuditSpec, args: Args, run: () => Promise<unknown>): Promise<unknown> {
  const id = spec.identity(args);
  const before = id === undefined ? undefined : await quietly(() => spec.read(admin, id));
  const record = (succeeded: boolean, objectModified: unknown, changes: AuditModifiedProperty[], error = '') =>
    log.append({
      orgGuid: scope.guid,
      at: scope.now().getTime(),
      caller: scope.actor,
      cmdletName: typeof spec.cmdlet === 'string' ? spec.cmdlet : spec.cmdlet(args),
      cmdletParameters: parameterList(spec.parameters(args), spec.created !== undefined),
      objectModified: String(objectModified ?? ''),
      modifiedProperties: changes,
      succeeded,
      errorMessage: error,
      clientIp: scope.options.clientIp ?? '',
    });
  let result: unknown;
  try {
    result = await run();
  } catch (e) {
    record(false, objectName(before) ?? id ?? spec.created?.(args), [], e instanceof Error ? e.message : String(e));
    throw e;
  }
  const createdId = result && typeof result === 'object' ? stableId(result as Record<string, unknown>) : undefined;
  const afterId = before ? stableId(before) : (id ?? createdId);
  const after = afterId === undefined ? undefined : await quietly(() => spec.read(admin, afterId));
  record(true, objectName(before) ?? objectName(after) ?? id ?? spec.created?.(args), modifiedProperties(before, after));
  return result;
}

const MAX_RESULT_SIZE = 250_000;

function event(r: ReturnType<AdminAuditLog['search']>[number]): AdminAuditLogEvent {
  return {
    RunDate: new Date(r.at),
    Caller: r.caller,
    CmdletName: r.cmdletName,
    CmdletParameters: r.cmdletParameters,
    ObjectModified: r.objectModified,
    ModifiedProperties: r.modifiedProperties,
    Succeeded: r.succeeded,
    Error: r.succeeded ? null : r.errorMessage,
    ClientIP: r.clientIp || null,
    ExternalAccess: false,
    Identity: String(r.id),
  };
}

/** Search-AdminAuditLog over the organization's records. */
export function auditLogAdmin(scope: OrganizationScope): AuditLogAdmin {
  return {
    async searchAdminAuditLog(q = {}) {
      const log = scope.options.auditLog;
      if (!log) throw notAvailable('The admin audit log is not available in this session of Postern.');
      if (q.StartDate && q.EndDate && q.StartDate > q.EndDate) throw invalid('EndDate', 'EndDate: the end date is before the start date; give an EndDate later than the StartDate.');
      if (q.Parameters?.length && !q.Cmdlets?.length) throw invalid('Parameters', 'Parameters: give -Cmdlets too; the parameters are searched in the records of those cmdlets.');
      const size = q.ResultSize ?? 1000;
      if (!Number.isInteger(size) || size < 1 || size > MAX_RESULT_SIZE) throw invalid('ResultSize', `ResultSize: give a whole number from 1 to ${MAX_RESULT_SIZE}.`);
      const offset = q.StartIndex ?? 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalid('StartIndex', 'StartIndex: give a whole number, 0 or more.');
      if (q.Cursor !== undefined && !/^[1-9]\d{0,15}$/.test(q.Cursor)) throw invalid('Cursor', "Cursor: give the Identity of the last event of the previous page.");
      const records = log.search({
        orgGuid: scope.guid,
        start: q.StartDate?.getTime(),
        end: q.EndDate?.getTime(),
        cmdlets: q.Cmdlets,
        objectIds: q.ObjectIds,
        callers: q.UserIds,
        parameters: q.Parameters,
        succeeded: q.IsSuccess,
        before: q.Cursor === undefined ? undefined : Number(q.Cursor),
        offset,
        limit: size,
      });
      return records.map(event);
    },
  };
}
