// The composition root's one recipe for the admin layer on a data directory: every store adapter
// (configuration, trace, quarantine, historical search, reports, Direct Send rows, the admin audit
// log) and the edges the admin operations call (Test-MailFlow, Invoke-Hunting), for one
// organization and one caller. `postern shell`, the CLI reports and the REST API all build their
// AdminOptions here, so every one of them is audited the same way.
import { readFile } from 'node:fs/promises';
import type { AdminOptions, MailFlowSimulationRequest, MailFlowSimulationResult } from '../admin/index.js';
import { Spool } from '../queue/spool.js';
import type { AsyncConfigStore, ConfigReader } from '../store/ports.js';
import { SqliteAdminAuditLog } from '../store/sqlite/adminAuditLog.js';
import type { Db } from '../store/sqlite/db.js';
import { SqliteDirectSendRows } from '../store/sqlite/directSendRows.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { runHunt } from '../store/sqlite/hunting/executor.js';
import { SqliteInboundReportSource } from '../store/sqlite/inboundReportSource.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { SqliteTraceQueries } from '../store/sqlite/traceQueries.js';
import { HistoricalSearches } from '../trace/historicalSearch.js';
import { databaseFile } from './common.js';
import { simulate } from './simulate.js';

/** Who acts: recorded as the admin audit log's Caller and ClientIP, the quarantine audit trail's actor, a search's submitter. */
export interface AdminCaller {
  /** e.g. "alice (postern shell, pid 42)" or a signed-in user's name. */
  actor?: string;
  /** The client's address (REST API); none for a local shell. */
  clientIp?: string;
}

/** The AdminOptions for `organization` (name or GUID) on an open data directory's store. */
export function adminOptionsFor(store: { db: Db; config: AsyncConfigStore }, dataDir: string, organization: string, caller: AdminCaller = {}): AdminOptions {
  const { db, config } = store;
  const connectorNames = (orgGuid: string, type: string) =>
    (config.organization(orgGuid)?.InboundConnectors ?? []).filter((c) => c.ConnectorType === type).map((c) => c.Name);
  return {
    config,
    trace: new SqliteTraceQueries(db),
    organization,
    quarantine: {
      store: new SqliteQuarantineStore(db),
      content: {
        read: (f) => readFile(f),
        // Through the spool, so that a backup in progress still finds the file.
        remove: (f) => new Spool(dataDir).remove(f),
      },
    },
    historicalSearches: new HistoricalSearches(new SqliteHistoricalSearchStore(db), connectorNames),
    inboundReports: new SqliteInboundReportSource(db),
    directSend: new SqliteDirectSendRows(db),
    auditLog: new SqliteAdminAuditLog(db),
    ...(caller.actor !== undefined && { actor: caller.actor }),
    ...(caller.clientIp !== undefined && { clientIp: caller.clientIp }),
    simulate: (_orgGuid, request) => testMailFlow(dataDir, config, request),
    // In a worker thread on its own read-only connection: a long query never blocks the gateway.
    hunt: (orgGuid, query, options) => runHunt(databaseFile(dataDir), { orgId: orgGuid, query, maxRows: options.Limit, signal: options.signal }),
  };
}

/** Test-MailFlow: `postern simulate` for the organization (admin/ checks the recipients are its own). */
async function testMailFlow(dataDir: string, config: ConfigReader, r: MailFlowSimulationRequest): Promise<MailFlowSimulationResult> {
  const headers = Object.entries({ ...(r.From && { From: r.From }), ...(r.Subject && { Subject: r.Subject }), ...r.Headers }).map(([k, v]) => `${k}: ${v}`);
  const result = await simulate({
    dataDir,
    config,
    format: 'json',
    messageText: r.MessageText,
    header: headers,
    clientIp: r.ClientIP,
    helo: r.HeloName ?? '',
    tls: r.TlsVersion === 'None' ? undefined : `TLSv${r.TlsVersion.slice(3)}`,
    certName: r.CertificateName ? [r.CertificateName] : [],
    mailFrom: r.MailFrom,
    rcpt: r.Recipients,
    dnsServer: [],
  });
  const copy = result.copies[0];
  return {
    Decision: [...new Set(Object.values(result.disposition))].join(', '),
    SmtpResponse: result.recipients.find((x) => !x.rcptReply.startsWith('250'))?.rcptReply ?? result.dataReply,
    Connector: copy?.connector || result.recipients[0]?.connector || null,
    AuthAs: copy?.authAs ?? null,
    EmailDirection: copy?.emailDirection ?? null,
    Recipients: result.disposition,
    HeaderFirewallRemoved: copy?.headerFirewall.removed ?? [],
    Rules: copy?.ruleSummary ?? [],
    Reasons: [...new Set(result.recipients.flatMap((x) => [...x.attribution, ...x.admission]))],
  };
}
