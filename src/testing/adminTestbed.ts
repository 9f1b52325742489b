// Test scaffolding: the real admin operations (admin/) for one organization on the real SQLite
// adapter, in memory (better-sqlite3 ':memory:' with every migration). Tests of the shell, its
// cmdlets and the admin modules run on this, so what they check is what `postern shell` does.
// Only the edges the composition root supplies outside the store are stand-ins that record what
// they were asked: the mail-flow simulator and the hunting executor (each tested on its own).
import { randomUUID } from 'node:crypto';
import { createOrganizationAdmin } from '../admin/index.js';
import type { HuntingOptions, MailFlowSimulationRequest, MailFlowSimulationResult, OrganizationAdmin } from '../admin/types.js';
import type { Organization } from '../config/model.js';
import type { TransportRule } from '../rules/model.js';
import type { MessageTraceRow, TraceEvent } from '../store/ports.js';
import { SqliteAdminAuditLog } from '../store/sqlite/adminAuditLog.js';
import { SqliteConfigStore } from '../store/sqlite/configStore.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteDirectSendRows } from '../store/sqlite/directSendRows.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { SqliteInboundReportSource } from '../store/sqlite/inboundReportSource.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { SqliteQueueStore } from '../store/sqlite/queueStore.js';
import { SqliteTraceQueries } from '../store/sqlite/traceQueries.js';
import { SqliteTraceStore } from '../store/sqlite/traceStore.js';
import { HistoricalSearches, type HistoricalSearchStore } from '../trace/historicalSearch.js';

/** Another organization for tenant isolation tests: one accepted domain, Maildir delivery, nothing else unless given. */
export function neighbourOrganization(name: string, domain: string, more: Partial<Organization> = {}): Organization {
  return {
    Name: name,
    Guid: randomUUID(),
    AcceptedDomains: [{ DomainName: domain, DomainType: 'Authoritative', Default: true }],
    Delivery: { kind: 'maildir', path: 'maildir' },
    DomainDelivery: {},
    Config: { RejectDirectSend: false },
    InboundConnectors: [],
    TransportRules: [],
    ...more,
  } as Organization;
}

export interface AdminTestbedOptions {
  /** The organization's name (default 'contoso'). */
  organization?: string;
  /** Its accepted domains, the first the default (default: contoso.com). */
  domains?: string[];
  /** More of the organization's document (connectors, rules ..., even its Name and Guid). */
  seed?: Partial<Organization>;
  /** Other organizations in the same store (tenant isolation tests). */
  neighbours?: Organization[];
  /** The clock of historical search (default: the real one). */
  now?: () => Date;
  /** The caller's address, as the REST API would give it (the audit log's ClientIP). */
  clientIp?: string;
}

/** A message held in the quarantine, as the gateway would have enqueued it. */
export interface HeldMessage {
  /** The organization whose copy it is (default: the testbed's). */
  orgGuid?: string;
  networkMessageId: string;
  receivedAt: Date;
  expiresAt: Date;
  sender: string;
  /** Each recipient's entry, by the GUID of its identity (Exchange's `NetworkMessageId\GUID`). */
  recipients: Record<string, string>;
  subject: string;
  internetMessageId: string;
  types?: 'TransportRule' | 'Phish';
  body?: string;
}

export interface AdminTestbed {
  db: Db;
  config: SqliteConfigStore;
  admin: OrganizationAdmin;
  /** The organization's stored document, as the gateway reads it. */
  organization(): Organization;
  /** Its stored transport rules, in priority order. */
  rules(): TransportRule[];
  /**
   * The admin operations of any organization in the store (by name or GUID) with only the
   * configuration, trace and audit log ports: quarantine, historical search, simulation, hunting
   * and the reports say they are not available. `actor` is the audit log's Caller.
   */
  adminFor(organization: string, actor?: string): OrganizationAdmin;
  /** The historical search jobs as stored (what the runner reads and updates). */
  searchStore: HistoricalSearchStore;
  hold(message: HeldMessage): void;
  /** Message-trace rows and events as the gateway records them; orgGuid defaults to the organization's. */
  recordTrace(rows: WithOrg<MessageTraceRow>[], events?: WithOrg<TraceEvent>[]): void;
  /** Test-MailFlow requests received, and the answer given. */
  simulations: MailFlowSimulationRequest[];
  simulationResult: MailFlowSimulationResult;
  /** Invoke-Hunting queries received, and the rows answered. */
  huntQueries: { query: string; options: HuntingOptions }[];
  huntRows: Record<string, unknown>[];
}

type WithOrg<T extends { orgGuid: string }> = Omit<T, 'orgGuid'> & { orgGuid?: string };

export function adminTestbed(options: AdminTestbedOptions = {}): AdminTestbed {
  const db = openDatabase(':memory:');
  const config = new SqliteConfigStore(db);
  const domains = options.domains ?? ['contoso.com'];
  const org: Organization = {
    Name: options.organization ?? 'contoso',
    Guid: randomUUID(),
    AcceptedDomains: domains.map((d, i) => ({ DomainName: d, DomainType: 'Authoritative', Default: i === 0 })),
    Delivery: { kind: 'maildir', path: 'maildir' },
    DomainDelivery: {},
    Config: { RejectDirectSend: false },
    InboundConnectors: [],
    TransportRules: [],
    ...options.seed,
  };
  config.saveOrganization(org);
  const { Name: name, Guid: guid } = org;
  for (const o of options.neighbours ?? []) config.saveOrganization(o);
  const files = new Map<string, Buffer>();
  const content = {
    read: async (f: string) => {
      const b = files.get(f);
      if (!b) throw new Error(`ENOENT: no such file '${f}'`);
      return b;
    },
    remove: async (f: string) => void files.delete(f),
  };
  const now = () => (options.now ? options.now().getTime() : Date.now());
  const searchStore = new SqliteHistoricalSearchStore(db);
  const connectorNames = (orgGuid: string, type: string) => (config.organization(orgGuid)?.InboundConnectors ?? []).filter((c) => c.ConnectorType === type).map((c) => c.Name);

  const bed: AdminTestbed = {
    db,
    config,
    admin: createOrganizationAdmin({
      config,
      trace: new SqliteTraceQueries(db),
      organization: name,
      quarantine: { store: new SqliteQuarantineStore(db), content },
      historicalSearches: new HistoricalSearches(searchStore, connectorNames, now),
      inboundReports: new SqliteInboundReportSource(db),
      directSend: new SqliteDirectSendRows(db),
      auditLog: new SqliteAdminAuditLog(db),
      actor: 'tester (adminTestbed)',
      clientIp: options.clientIp,
      now: options.now,
      simulate: async (_org, request) => {
        bed.simulations.push(request);
        return { ...bed.simulationResult };
      },
      hunt: async (_org, query, huntOptions) => {
        bed.huntQueries.push({ query, options: huntOptions });
        const rows = bed.huntRows.map((r) => ({ ...r }));
        return { columns: Object.keys(rows[0] ?? {}).map((name) => ({ name, type: 'string' as const })), rows: rows as never, truncated: false, elapsedMs: 0 };
      },
    }),
    adminFor: (organization, actor) => createOrganizationAdmin({ config, trace: new SqliteTraceQueries(db), auditLog: new SqliteAdminAuditLog(db), organization, actor, now: options.now }),
    organization: () => config.organization(guid)!,
    searchStore,
    rules: () => [...(config.organization(guid)!.TransportRules ?? [])].sort((a, b) => a.Priority - b.Priority),
    hold(m) {
      const { networkMessageId } = m;
      const recipients = Object.keys(m.recipients);
      const file = `spool/${randomUUID()}`;
      const text = `From: ${m.sender}\r\nTo: ${recipients.join(', ')}\r\nSubject: ${m.subject}\r\nMessage-ID: ${m.internetMessageId}\r\n\r\n${m.body ?? ''}\r\n`;
      files.set(file, Buffer.from(text));
      new SqliteQueueStore(db).enqueue({
        id: randomUUID(),
        spoolFile: file,
        receivedAt: m.receivedAt.getTime(),
        mailFrom: m.sender,
        client: { ip: '203.0.113.9', helo: 'mail.example' },
        size: text.length,
        copies: [{
          networkMessageId,
          orgGuid: m.orgGuid ?? guid,
          recipients,
          edits: { prepend: [], remove: [], set: [] },
          quarantine: { types: m.types ?? 'TransportRule', policyName: 'Test rule', ruleGuid: randomUUID(), reason: 'test', expiresAt: m.expiresAt.getTime(), sender: m.sender, subject: m.subject, internetMessageId: m.internetMessageId },
        }],
      });
      // The store draws each entry's GUID itself; the test names them.
      for (const [recipient, entry] of Object.entries(m.recipients)) {
        db.prepare('UPDATE quarantine SET identity = ? WHERE network_message_id = ? AND recipient = ?').run(`${networkMessageId}\\${entry}`.toLowerCase(), networkMessageId, recipient);
      }
    },
    recordTrace(rows, events = []) {
      new SqliteTraceStore(db).recordReceive(rows.map((r) => ({ ...r, orgGuid: r.orgGuid ?? guid })), events.map((e) => ({ ...e, orgGuid: e.orgGuid ?? guid })), []);
    },
    simulations: [],
    simulationResult: { Decision: 'Deliver', SmtpResponse: '250 2.6.0 Queued', Connector: null },
    huntQueries: [],
    huntRows: [],
  };
  return bed;
}
