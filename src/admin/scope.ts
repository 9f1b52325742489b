// One organization's slice of the store, the scope every admin operation works in. The scope
// resolves its organization once (by name or GUID) and keeps its GUID: every read comes from that
// organization's document and every trace, quarantine or search query carries its GUID, so
// another organization's name or GUID is simply not found.
//
// Every change is a read-modify-write of the whole organization through the store's
// saveOrganizationAsync (PostgreSQL writes over the network; SQLite offers it too), which
// validates it and bumps the configuration version (running servers reload within one poll,
// ~0.5 s, or a NOTIFY on PostgreSQL). Store refusals become AdminErrors naming the parameter.
import { z } from 'zod';
import type { Organization } from '../config/model.js';
import type { HuntResult } from '../hunting/results.js';
import type { HeldContent } from '../quarantine/service.js';
import { DomainInUseError, type AdminAuditLog, type AsyncConfigStore, type DirectSendRows } from '../store/ports.js';
import type { QuarantineStore } from '../store/quarantineStore.js';
import type { TraceQueries } from '../store/traceQueries.js';
import type { HistoricalSearches } from '../trace/historicalSearch.js';
import type { InboundReportSource } from '../trace/inboundReport.js';
import { AdminError, invalid } from './errors.js';
import type { HuntingOptions, MailFlowSimulationRequest, MailFlowSimulationResult } from './types.js';

/** The ports and edges an organization's admin operations run on (wired by the composition root). */
export interface AdminOptions {
  config: AsyncConfigStore;
  trace: TraceQueries;
  /** Name or GUID of the organization to act on. */
  organization: string;
  /** The hosted quarantine; without it the quarantine operations say they are not available. */
  quarantine?: { store: QuarantineStore; content: HeldContent };
  /** Historical search jobs; without them the operations say they are not available. */
  historicalSearches?: HistoricalSearches;
  /** The counts behind the Inbound messages report; without them the report is not available. */
  inboundReports?: InboundReportSource;
  /** The clock (UTC) for windows such as message trace's "the last 10 days"; default the system's. */
  now?: () => Date;
  /** Who acts (OS user and session, or the signed-in user): the admin audit log's Caller, the quarantine audit trail, job submitters. */
  actor?: string;
  /** Where the caller connected from (the REST API's client address): the admin audit log's ClientIP. */
  clientIp?: string;
  /** The admin audit log: every state-changing operation leaves a record; without it nothing is recorded and Search-AdminAuditLog says it is not available. */
  auditLog?: AdminAuditLog;
  /** The trace rows behind the Direct Send preview; without them the preview is not available. */
  directSend?: DirectSendRows;
  /** Test-MailFlow: the gateway's decision path for this organization (the edge supplies it). */
  simulate?: (orgGuid: string, request: MailFlowSimulationRequest) => Promise<MailFlowSimulationResult>;
  /** Invoke-Hunting: KQL scoped to this organization (the edge supplies it). */
  hunt?: (orgGuid: string, query: string, options: HuntingOptions) => Promise<HuntResult>;
}

/** A zod error from saveOrganization as an AdminError naming the parameter at fault. */
function fromZod(e: z.ZodError): AdminError {
  const issue = e.issues[0];
  const parameter = [...issue.path].reverse().find((p): p is string => typeof p === 'string') ?? 'Identity';
  const message = issue.message.startsWith(`${parameter}:`) ? issue.message : `${parameter}: ${issue.message}`;
  return invalid(parameter, message);
}

/** Validate and save a whole organization; the store's refusals become AdminErrors naming the parameter. */
export async function saveOrganization(config: AsyncConfigStore, org: Organization): Promise<void> {
  try {
    await config.saveOrganizationAsync(org);
  } catch (e) {
    if (e instanceof AdminError) throw e;
    if (e instanceof z.ZodError) throw fromZod(e);
    if (e instanceof DomainInUseError) {
      throw new AdminError(`DomainName: ${e.message} Choose a domain your organization owns.`, { errorId: 'DomainAlreadyInUse', category: 'ResourceExists', parameter: 'DomainName' });
    }
    const message = e instanceof Error ? e.message : String(e);
    throw new AdminError(message, { errorId: 'SaveFailed', category: 'InvalidOperation' });
  }
}

export class OrganizationScope {
  readonly name: string;
  readonly guid: string;

  constructor(readonly options: AdminOptions) {
    const org = options.config.organization(options.organization) ?? options.config.organization(options.organization.toLowerCase());
    if (!org) {
      throw new AdminError(`The organization '${options.organization}' couldn't be found. Give its name or GUID.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter: 'Organization' });
    }
    this.name = org.Name;
    this.guid = org.Guid;
  }

  now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  get actor(): string {
    return this.options.actor ?? 'postern shell';
  }

  /** A private copy of the organization's current document. */
  current(): Organization {
    const org = this.options.config.organization(this.guid);
    if (!org || org.Guid !== this.guid) {
      throw new AdminError(`The organization '${this.name}' no longer exists.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound' });
    }
    return structuredClone(org);
  }

  /** Read, change, validate and save the organization; store refusals become AdminErrors. */
  update(change: (org: Organization) => Organization): Promise<void> {
    // The change runs first: its own refusal is thrown as it is, before anything is written.
    return saveOrganization(this.options.config, change(this.current()));
  }

  /** Whether an address is in one of this organization's accepted domains. */
  isOrgAddress(address: string): boolean {
    if (!address.includes('@')) return false;
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return this.current().AcceptedDomains.some((d) => d.DomainName.toLowerCase() === domain);
  }
}
