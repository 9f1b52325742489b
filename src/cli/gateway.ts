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
        await Promise.all(listeners.map((l) => l.close()));
        await runner.stop();
        smtpDelivery.close();
        watcher.stop();
        await app.close();
        await wal.close();
        db.close();
      })()),
  };
}
