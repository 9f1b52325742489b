// The composition root of the admin layer: the admin operations of one organization on this data
// directory's store, with the edges they need (quarantine content in the spool, historical search
// jobs, the hunting executor, the simulator). `postern shell`, `postern report` and the REST API
// (`postern serve`) all take their admin operations from here.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdminOptions, MailFlowSimulationRequest, MailFlowSimulationResult } from '../admin/index.js';
import type { ConfigStore } from '../store/ports.js';
import { Spool } from '../queue/spool.js';
import type { Db } from '../store/sqlite/db.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { runHunt } from '../store/sqlite/hunting/executor.js';
import { SqliteInboundReportSource } from '../store/sqlite/inboundReportSource.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { SqliteTraceQueries } from '../store/sqlite/traceQueries.js';
import { HistoricalSearches } from '../trace/historicalSearch.js';
import { simulate } from './simulate.js';

export interface Caller {
  /** Who acts, for the audit trail: an OS user and shell session, or an admin API user. */
  actor: string;
  clientIp?: string;
}

/** AdminOptions for any organization of this store, acting as a caller. */
export function adminOptions(dataDir: string, db: Db, config: ConfigStore): (organization: string, caller: Caller) => AdminOptions {
  const trace = new SqliteTraceQueries(db);
  const quarantine = new SqliteQuarantineStore(db);
  const inboundReports = new SqliteInboundReportSource(db);
  const spool = new Spool(dataDir);
  const connectorNames = (orgGuid: string, type: string) => (config.organization(orgGuid)?.InboundConnectors ?? []).filter((c) => c.ConnectorType === type).map((c) => c.Name);
  const historicalSearches = new HistoricalSearches(new SqliteHistoricalSearchStore(db), connectorNames);
  const dbFile = join(dataDir, 'postern.db');
  return (organization, caller) => ({
    config,
    trace,
    organization,
    quarantine: {
      store: quarantine,
      content: {
        read: (f) => readFile(f),
        // Through the spool, so that a backup in progress still finds the file.
        remove: (f) => spool.remove(f),
      },
    },
    historicalSearches,
    inboundReports,
    actor: caller.actor,
    simulate: (_orgGuid, request) => testMailFlow(dataDir, request),
    // In a worker thread on its own read-only connection: a long query never blocks the gateway.
    hunt: (orgGuid, query, options) => runHunt(dbFile, { orgId: orgGuid, query, maxRows: options.Limit, signal: options.signal }),
  });
}

/** Test-MailFlow: `postern simulate` for the session's organization (admin/ checks the recipients are its own). */
async function testMailFlow(dataDir: string, r: MailFlowSimulationRequest): Promise<MailFlowSimulationResult> {
  const headers = Object.entries({ ...(r.From && { From: r.From }), ...(r.Subject && { Subject: r.Subject }), ...r.Headers }).map(([k, v]) => `${k}: ${v}`);
  const result = await simulate({
    dataDir,
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

