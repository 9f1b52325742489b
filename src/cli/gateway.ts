// The composition root: opens the store, builds the SMTP listener(s), the queue runner and the
// admin HTTP server, and stops them in order on shutdown.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GatewayMetrics } from '../api/metrics.js';
import { startHttp } from '../api/server.js';
import { splitHostPort, type ServerSettings } from '../config/server.js';
import { SmtpDelivery } from '../delivery/smtp.js';
import { DEFAULT_RETRY, QueueRunner } from '../queue/runner.js';
import { GroupCommit, Spool } from '../queue/spool.js';
import type { ListenerContext } from '../smtp/context.js';
import { DEFAULT_LIMITS } from '../smtp/limits.js';
import { createListener, type Listener } from '../smtp/server.js';
import { loadOrCreateTls } from '../smtp/tls.js';
import { ConfigWatcher } from '../store/configWatcher.js';
import { prefixTrie } from '../mailflow/snapshot.js';
import { SqliteConfigStore } from '../store/sqlite/configStore.js';
import { openDatabase, WalSync } from '../store/sqlite/db.js';
import { SqliteQueueStore } from '../store/sqlite/queueStore.js';
import { SqliteTraceStore } from '../store/sqlite/traceStore.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { HistoricalSearchRunner } from '../queue/historicalSearchRunner.js';
import { purgeExpiredQuarantine } from '../quarantine/service.js';
import { SqliteRetentionStore } from '../store/sqlite/retention.js';
import { applyRetention } from '../trace/retention.js';

export interface Gateway {
  smtpPort: number;
  smtpsPort?: number;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startGateway(dataDir: string, settings: ServerSettings, logger: Logger): Promise<Gateway> {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'postern.db'));
  const configStore = new SqliteConfigStore(db);
  const queue = new SqliteQueueStore(db);
  const trace = new SqliteTraceStore(db);
  const metrics = new GatewayMetrics();
  const watcher = new ConfigWatcher(configStore, (s) => logger.info({ version: s.version }, 'configuration reloaded'));
  watcher.start(settings.configPollMs);
  const spool = new Spool(dataDir);
  const wal = new WalSync(db);
  const commitBatch = db.transaction((writes: (() => void)[]) => writes.forEach((w) => w()));
  const commit = new GroupCommit(
    () => spool.syncDir(),
    (writes) => commitBatch(writes),
    () => wal.sync(),
  );
  const transact = db.transaction((fn: () => void) => fn());
  const smtpDelivery = new SmtpDelivery(dataDir, settings.hostname);
  const caFile = settings.clientCaFile && !existsSync(settings.clientCaFile) ? join(dataDir, settings.clientCaFile) : settings.clientCaFile;
  const tls = loadOrCreateTls(dataDir, settings.hostname, caFile);

  const runner = new QueueRunner({
    queue, trace, spool, commit, smtp: smtpDelivery, dataDir, logger,
    hostname: settings.hostname,
    snapshot: () => watcher.snapshot(),
    retry: { ...DEFAULT_RETRY, ...settings.retry },
    concurrency: settings.deliveryConcurrency,
    transact,
    onDelivered: (status, n) => metrics.delivered(status, n),
  });

  const trustedNetworks = prefixTrie(settings.trustedNetworks);
  const ctx: ListenerContext = {
    hostname: settings.hostname,
    limits: { ...DEFAULT_LIMITS, ...settings.limits },
    tls, spool, commit, queue, trace, logger, metrics,
    snapshot: () => watcher.snapshot(),
    trustedProxies: settings.trustedProxies,
    // The early-talker pause is for strangers: configured networks and connector IPs are greeted at once.
    greetDelayMs: (ip) =>
      settings.earlyTalkerDelayMs === 0 || trustedNetworks.lookup(ip).length || watcher.snapshot().connectorIps.lookup(ip).length ? 0 : settings.earlyTalkerDelayMs,
    onQueued: () => runner.kick(),
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
  runner.start(settings.queuePollMs);

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
  const { app, port: httpPort } = await startHttp({
    host: http.host,
    port: http.port,
    metrics,
    health: () => ({ queue: queue.pendingCount(), configVersion: watcher.snapshot().version }),
  });
  const depth = setInterval(() => metrics.queueDepth.set(queue.pendingCount()), 5000);
  depth.unref();

  let stopped: Promise<void> | undefined;
  return {
    smtpPort,
    smtpsPort,
    httpPort,
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(depth);
        clearInterval(housekeeping);
        closing = true;
        await Promise.all(listeners.map((l) => l.close()));
        await searches.stop();
        await runner.stop();
        smtpDelivery.close();
        watcher.stop();
        await app.close();
        await wal.close();
        db.close();
      })()),
  };
}
