// The composition root: opens the store, builds the SMTP listener(s), the queue runner and the
// admin HTTP server, and stops them in order on shutdown.
//
// A node runs as one process, or (smtpProcesses > 1) as a primary with SMTP worker processes
// sharing the listening sockets, so that SMTP sessions use every core. Every process that takes
// mail opens its own connection to the store, its own group commit and WAL fsync (SQLite in WAL
// mode serialises the writers); the primary alone runs delivery, housekeeping and the admin HTTP
// server, and counts connections per client IP for all workers (src/cli/cluster.ts).
import cluster from 'node:cluster';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GatewayMetrics, type WorkerMetrics } from '../api/metrics.js';
import { Authenticator, dnsServersOf } from '../auth/authenticator.js';
import { startHttp } from '../api/server.js';
import { createOrganizationAdmin, createProviderAdmin } from '../admin/index.js';
import { randomUUID } from 'node:crypto';
import { prepareAdminAccess } from './adminAccess.js';
import { POSTERN_VERSION } from './version.js';
import { adminOptionsFor } from './adminOptions.js';
import { SqliteAdminAuditLog } from '../store/sqlite/adminAuditLog.js';
import { splitHostPort, type ServerSettings } from '../config/server.js';
import { SmtpDelivery } from '../delivery/smtp.js';
import { DEFAULT_RETRY, QueueRunner } from '../queue/runner.js';
import { GroupCommit, Spool } from '../queue/spool.js';
import type { ListenerContext } from '../smtp/context.js';
import { PerIpCounter, type ConnectionCounter } from '../smtp/connections.js';
import { DEFAULT_LIMITS } from '../smtp/limits.js';
import { createListener, type Listener } from '../smtp/server.js';
import { loadOrCreateTls } from '../smtp/tls.js';
import { ConfigWatcher } from './configWatcher.js';
import { openConfigStore } from './nodeStore.js';
import { NodeHeartbeat } from '../store/postgres/nodes.js';
import { prefixTrie } from '../mailflow/snapshot.js';
import { openDatabase, WalSync, type Db } from '../store/sqlite/db.js';
import { SqliteQueueStore } from '../store/sqlite/queueStore.js';
import { SqliteTraceStore } from '../store/sqlite/traceStore.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { HistoricalSearchRunner } from '../queue/historicalSearchRunner.js';
import { purgeExpiredQuarantine } from '../quarantine/service.js';
import { SqliteRetentionStore } from '../store/sqlite/retention.js';
import { SqliteSignalStore } from '../store/sqlite/signalStore.js';
import { applyRetention } from '../trace/retention.js';
import { fixedWorkerPorts, forkSmtpWorkers, workerLink } from './cluster.js';

export interface Gateway {
  smtpPort: number;
  smtpsPort?: number;
  httpPort: number;
  /** The admin user this start created (loopback, first start): its password is shown once. */
  firstLogin?: { userName: string; password: string };
  stop(): Promise<void>;
}

/** How often a node on PostgreSQL writes its heartbeat. */
const HEARTBEAT_MS = 5_000;

/** How many processes take SMTP sessions: 'auto' is one per core (at most 8). */
export function smtpProcessCount(settings: ServerSettings): number {
  return settings.smtpProcesses === 'auto' ? Math.min(8, availableParallelism()) : settings.smtpProcesses;
}

/** Runs a batch of writes as one SQLite transaction. */
function inOneTransaction(db: Db): (writes: (() => void)[]) => void {
  const run = db.transaction((writes: (() => void)[]) => writes.forEach((w) => w()));
  return (writes) => run(writes);
}

/**
 * What every process that takes mail opens: a store connection, the configuration store the
 * settings name (SQLite's, or PostgreSQL's shared by several nodes), the spool, the group commit.
 */
async function openIngest(dataDir: string, settings: ServerSettings, logger: Logger) {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'postern.db'));
  // On PostgreSQL another node's change arrives by NOTIFY: it is compiled at once, not at the next poll.
  const changed = { poll: () => {} };
  const configStore = await openConfigStore(settings.store, db, {
    applicationName: `postern ${cluster.isWorker ? 'smtp worker' : 'node'} ${process.pid}`,
    ...(cluster.isWorker && { max: 2 }),
    logger,
    onChange: () => changed.poll(),
  }).catch((err: unknown) => {
    db.close();
    throw err;
  });
  const reloaded: (() => void)[] = [];
  const watcher = new ConfigWatcher(configStore.config, (s) => {
    logger.info({ version: s.version }, 'configuration reloaded');
    for (const f of reloaded) f();
  });
  changed.poll = () => watcher.poll();
  watcher.start(settings.configPollMs);
  const spool = new Spool(dataDir);
  const wal = new WalSync(db);
  const commit = new GroupCommit(() => spool.syncDir(), inOneTransaction(db), () => wal.sync());
  return {
    db, spool, commit, watcher, config: configStore.config, configStore,
    /** Call `f` after each new configuration is compiled. */
    onReload: (f: () => void) => reloaded.push(f),
    queue: new SqliteQueueStore(db),
    trace: new SqliteTraceStore(db),
    close: async () => {
      watcher.stop();
      await wal.close();
      spool.close();
      await configStore.close();
      db.close();
    },
  };
}
type Ingest = Awaited<ReturnType<typeof openIngest>>;

/**
 * The queue runner of a process that takes mail: it delivers the first attempt of what this
 * process accepts, from the bytes in hand; the primary's also works through the queue (retries,
 * messages released by others, reports).
 */
function deliveryRunner(ingest: Ingest, dataDir: string, settings: ServerSettings, logger: Logger, metrics: GatewayMetrics) {
  const { db, queue, trace, spool, commit, watcher } = ingest;
  const smtp = new SmtpDelivery(dataDir, settings.hostname);
  const bookkeeping = new GroupCommit(async () => {}, inOneTransaction(db), async () => {});
  const runner = new QueueRunner({
    queue, trace, spool, commit, smtp, dataDir, logger,
    hostname: settings.hostname,
    snapshot: () => watcher.snapshot(),
    retry: { ...DEFAULT_RETRY, ...settings.retry },
    concurrency: settings.deliveryConcurrency,
    transact: (fn) => bookkeeping.commit(fn),
    onAttempt: (attempt) => metrics.delivered(attempt),
  });
  return {
    runner,
    stop: async () => {
      await runner.stop();
      smtp.close();
    },
  };
}

/**
 * /health: the queue, the configuration version in force, and whether the configuration store
 * answers. A node whose PostgreSQL does not answer still takes mail under its last configuration
 * (the queue is its own), so it is 'degraded', not down: changes can't be made or received.
 */
async function health(ingest: Ingest): Promise<Record<string, unknown>> {
  const reachable = await ingest.configStore.reachable();
  return {
    ...(!reachable && { status: 'degraded' }),
    queue: ingest.queue.pendingCount(),
    configVersion: ingest.watcher.snapshot().version,
    configStore: { engine: ingest.configStore.engine, reachable },
  };
}

/** The listeners' TLS material (a self-signed certificate is made on first start). */
function tlsFor(dataDir: string, settings: ServerSettings) {
  const caFile = settings.clientCaFile && !existsSync(settings.clientCaFile) ? join(dataDir, settings.clientCaFile) : settings.clientCaFile;
  return loadOrCreateTls(dataDir, settings.hostname, caFile);
}

/** The SMTP listener(s) of one process. */
async function startListeners(
  ingest: Ingest, settings: ServerSettings, logger: Logger,
  metrics: GatewayMetrics, connections: ConnectionCounter, delivery: Pick<ListenerContext, 'deliveryLease' | 'onQueued'>, dataDir: string,
): Promise<{ smtpPort: number; smtpsPort?: number; close(): Promise<void> }> {
  const tls = tlsFor(dataDir, settings);
  const trustedNetworks = prefixTrie(settings.trustedNetworks);
  const { watcher } = ingest;
  const authenticator = settings.senderAuthentication
    ? new Authenticator({ dnsServers: dnsServersOf(settings.dnsServers), dnsTimeoutMs: settings.dnsTimeoutMs, authenticationTimeoutMs: settings.authenticationTimeoutMs }, createReadStream)
    : undefined;
  const ctx: ListenerContext = {
    authenticator,
    hostname: settings.hostname,
    limits: { ...DEFAULT_LIMITS, ...settings.limits },
    tls, logger, metrics, connections, ...delivery,
    spool: ingest.spool, commit: ingest.commit, queue: ingest.queue, trace: ingest.trace,
    snapshot: () => watcher.snapshot(),
    trustedProxies: settings.trustedProxies,
    // The early-talker pause is for strangers: configured networks and connector IPs are greeted at once.
    greetDelayMs: (ip) =>
      settings.earlyTalkerDelayMs === 0 || trustedNetworks.lookup(ip).length || watcher.snapshot().connectorIps.lookup(ip).length ? 0 : settings.earlyTalkerDelayMs,
  };
  const listeners: Listener[] = [createListener(ctx)];
  const smtp = splitHostPort(settings.smtp);
  const smtpPort = await listeners[0].listen(smtp.port, smtp.host);
  let smtpsPort: number | undefined;
  if (settings.smtps) {
    const l = createListener(ctx, { implicitTls: true });
    listeners.push(l);
    const hp = splitHostPort(settings.smtps);
    smtpsPort = await l.listen(hp.port, hp.host);
  }
  return {
    smtpPort,
    smtpsPort,
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()));
      authenticator?.close();
    },
  };
}

const withPort = (hostPort: string, port: number) => `${hostPort.slice(0, hostPort.lastIndexOf(':'))}:${port}`;

/** An SMTP worker process: listeners only; delivery and connection counts are the primary's. */
export async function startSmtpWorker(dataDir: string, settings: ServerSettings, logger: Logger): Promise<void> {
  const link = workerLink();
  const fixed = fixedWorkerPorts();
  if (fixed) {
    settings = { ...settings, smtp: withPort(settings.smtp, fixed.smtpPort) };
    if (settings.smtps && fixed.smtpsPort) settings.smtps = withPort(settings.smtps, fixed.smtpsPort);
  }
  const ingest = await openIngest(dataDir, settings, logger);
  const metrics = new GatewayMetrics(() => ingest.watcher.snapshot());
  // The worker delivers the first attempt of what it accepts; the rest of the queue is the primary's.
  const delivery = deliveryRunner(ingest, dataDir, settings, logger, metrics);
  const { runner } = delivery;
  const smtp = await startListeners(ingest, settings, logger, metrics, link.connections, { deliveryLease: () => runner.lease(), onQueued: (fresh) => runner.take(fresh, link.queued) }, dataDir);
  link.ready({ smtpPort: smtp.smtpPort, smtpsPort: smtp.smtpsPort }, () => metrics.snapshot(), async () => {
    await smtp.close();
    await delivery.stop();
    await ingest.close();
  });
}

export async function startGateway(dataDir: string, settings: ServerSettings, logger: Logger): Promise<Gateway> {
  if (cluster.isWorker) throw new Error('startGateway runs in the primary; workers run startSmtpWorker');
  const ingest = await openIngest(dataDir, settings, logger);
  const { db, queue, trace, spool, commit, watcher } = ingest;
  const metrics = new GatewayMetrics(() => watcher.snapshot());
  metrics.observe(new SqliteSignalStore(db));
  // No process holds a delivery lease yet: what an earlier run (or a crash) left leased is due now.
  const released = queue.releaseLeases(Date.now());
  if (released) logger.info({ recipients: released }, 'delivery leases of an earlier run released');
  const delivery = deliveryRunner(ingest, dataDir, settings, logger, metrics);
  const { runner } = delivery;

  // A worker that dies leaves its first attempts to the primary at once.
  const releaseLeasesOf = (pid: number) => {
    const n = queue.releaseLeases(Date.now(), pid);
    if (n) logger.warn({ pid, recipients: n }, 'delivery leases of a dead SMTP worker released');
    runner.kick();
  };
  const connections = new PerIpCounter({ ...DEFAULT_LIMITS, ...settings.limits }.maxConnectionsPerIp);
  const workers = smtpProcessCount(settings);
  // Workers start together: the primary makes the first start's certificate, or each would make its own.
  if (workers > 1) tlsFor(dataDir, settings);
  const smtp: { smtpPort: number; smtpsPort?: number; close(): Promise<void>; workerMetrics?(): Promise<WorkerMetrics[]> } =
    workers > 1
      ? await forkSmtpWorkers(workers, { connections, queued: () => runner.kick(), died: (pid) => releaseLeasesOf(pid), logger })
      : await startListeners(ingest, settings, logger, metrics, connections, { deliveryLease: () => runner.lease(), onQueued: (fresh) => runner.take(fresh) }, dataDir);
  const { smtpPort, smtpsPort } = smtp;
  runner.start(settings.queuePollMs);
  // On PostgreSQL the node reports itself to the others (postern status): its configuration version and queue.
  const pg = ingest.configStore.postgres;
  const heartbeat = pg && new NodeHeartbeat(pg.pool, { hostname: hostname(), pid: process.pid }, () => ({ configVersion: watcher.snapshot().version, queueDepth: queue.pendingCount() }), logger);
  heartbeat?.start(HEARTBEAT_MS);
  // A new configuration is reported at once, so status shows which nodes serve it.
  if (heartbeat) ingest.onReload(() => void heartbeat.beat());
  // Background housekeeping: historical searches, and the quarantine expiry purge (every minute).
  const searches = new HistoricalSearchRunner({
    searches: new SqliteHistoricalSearchStore(db), dataDir, logger, spool, commit, queue, trace,
    snapshot: () => watcher.snapshot(), hostname: settings.hostname,
  });
  searches.start(Math.max(settings.queuePollMs, 500));
  const quarantine = new SqliteQuarantineStore(db);
  const purge = () =>
    purgeExpiredQuarantine(quarantine, { read: async () => Buffer.alloc(0), remove: (f) => spool.remove(f) }, Date.now())
      .then((n) => n && logger.info({ purged: n }, 'expired quarantine entries purged'))
      .catch((err) => logger.error({ err }, 'quarantine purge failed'));
  // Trace retention (traceRetentionDays, default 90) in bounded batches, hourly.
  const retention = new SqliteRetentionStore(db);
  const keepMs = settings.traceRetentionDays * 86_400_000;
  let retaining = false;
  let closing = false;
  const retain = () => {
    if (retaining) return;
    retaining = true;
    applyRetention(retention, Date.now() - keepMs, { stopped: () => closing })
      .then((n) => n && logger.info({ removed: n }, 'trace rows past retention removed'))
      .catch((err) => logger.error({ err }, 'trace retention failed'))
      .finally(() => (retaining = false));
  };
  void purge();
  retain();
  let ticks = 0;
  const housekeeping = setInterval(() => {
    void purge();
    if (++ticks % 60 === 0) retain();
  }, 60_000);
  housekeeping.unref();
  const http = splitHostPort(settings.http);
  const adminAccess = await prepareAdminAccess(db, settings, logger);
  const { app, port: httpPort } = await startHttp({
    host: http.host,
    port: http.port,
    metrics,
    workerMetrics: smtp.workerMetrics && (() => smtp.workerMetrics!()),
    health: () => health(ingest),
    tls: adminAccess.tls,
    logger: logger.child({ component: 'admin-api' }),
    admin: {
      access: adminAccess.access,
      dataDir,
      version: POSTERN_VERSION,
      context: {
        provider: createProviderAdmin(ingest.config, randomUUID),
        auditLog: new SqliteAdminAuditLog(db),
        adminFor: (org, caller) => createOrganizationAdmin(adminOptionsFor({ db, config: ingest.config }, dataDir, org.Guid, { actor: `${caller.userName} (admin API)`, clientIp: caller.clientIp })),
      },
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    smtpPort,
    smtpsPort,
    httpPort,
    firstLogin: adminAccess.firstLogin,
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(housekeeping);
        closing = true;
        await smtp.close();
        await searches.stop();
        await delivery.stop();
        await app.close();
        await heartbeat?.stop();
        await ingest.close();
      })()),
  };
}
