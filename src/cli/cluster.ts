// SMTP worker processes (node:cluster) and the primary's side of them. Workers share the
// listening sockets (the kernel hands each new connection to one of them) and run SMTP sessions
// through to the durable commit; the primary counts connections per client IP for all of them
// (as Postfix's anvil does for its smtpd processes), starts delivery when a worker has queued
// mail, sums their metrics for /metrics, and replaces a worker that dies.
//
// The IPC messages, all tagged `postern`:
//   worker → primary: ready {smtpPort, smtpsPort} · metrics {id, data} · batch {items}, where the
//                     items, gathered over one turn of the worker's event loop, are
//                     open {id, ip} · close {ip} · queued
//   primary → worker: opened {results: [id, ok][]} · metrics? {id} · stop
// Batching matters: under load one IPC message carries the opens and closes of many sessions.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../api/metrics.js';
import type { ConnectionCounter, PerIpCounter } from '../smtp/connections.js';

type Msg = { postern: string; [k: string]: unknown };
const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null && typeof (m as Msg).postern === 'string';

export interface SmtpWorkers {
  smtpPort: number;
  smtpsPort?: number;
  workerMetrics(): Promise<WorkerMetrics[]>;
  /** Stop every worker: listeners close, sessions in flight finish, then the processes exit. */
  close(): Promise<void>;
}

const RESPAWN_DELAY_MS = 1000;
const WORKER_PORTS_ENV = 'POSTERN_WORKER_PORTS';

/** The ports a worker must bind when the primary has fixed them (see fork()). */
export function fixedWorkerPorts(): { smtpPort: number; smtpsPort?: number } | undefined {
  const v = process.env[WORKER_PORTS_ENV];
  return v ? JSON.parse(v) : undefined;
}
const METRICS_TIMEOUT_MS = 2000;

export async function forkSmtpWorkers(
  n: number,
  o: { connections: PerIpCounter; queued: () => void; died: (pid: number) => void; logger: Logger },
): Promise<SmtpWorkers> {
  // The kernel spreads connections over the workers' accept() calls; the primary never touches them.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  let metricsSeq = 0;
  const metricsWaiters = new Map<number, (m: WorkerMetrics) => void>();
  let ports: { smtpPort: number; smtpsPort?: number } | undefined;
  const ready = new Set<Worker>();

  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      // Once the ports are known, later workers bind exactly them: with a configured port 0 a
      // replacement would otherwise get a new random port if every worker had died.
      const worker = cluster.fork(ports ? { [WORKER_PORTS_ENV]: JSON.stringify(ports) } : {});
      const held = new Map<string, number>(); // this worker's counted connections, released if it dies
      const handle = (m: Msg, opened: [unknown, boolean][]) => {
        switch (m.postern) {
          case 'open': {
            const ip = String(m.ip);
            const ok = o.connections.open(ip);
            if (ok) held.set(ip, (held.get(ip) ?? 0) + 1);
            opened.push([m.id, ok]);
            break;
          }
          case 'close': {
            const ip = String(m.ip);
            const h = held.get(ip) ?? 0;
            if (h <= 0) break;
            if (h === 1) held.delete(ip);
            else held.set(ip, h - 1);
            o.connections.close(ip);
            break;
          }
          case 'queued':
            o.queued();
            break;
        }
      };
      worker.on('message', (m: unknown) => {
        if (!isMsg(m)) return;
        if (m.postern === 'batch') {
          const opened: [unknown, boolean][] = [];
          for (const item of m.items as unknown[]) if (isMsg(item)) handle(item, opened);
          if (opened.length && worker.isConnected()) worker.send({ postern: 'opened', results: opened });
        } else if (m.postern === 'ready') {
          ready.add(worker);
          ports = { smtpPort: m.smtpPort as number, smtpsPort: m.smtpsPort as number | undefined };
          resolve(worker);
        } else if (m.postern === 'metrics') {
          metricsWaiters.get(m.id as number)?.(m.data as WorkerMetrics);
        }
      });
      worker.once('exit', (code, signal) => {
        ready.delete(worker);
        o.died(worker.process.pid!);
        for (const [ip, count] of held) for (let i = 0; i < count; i++) o.connections.close(ip);
        held.clear();
        reject(new Error(`SMTP worker ${worker.process.pid} exited (${signal ?? code}) before it was ready`));
        if (stopping) return;
        o.logger.error({ pid: worker.process.pid, code, signal }, 'SMTP worker died; starting a new one');
        setTimeout(() => {
          if (!stopping) fork().catch((err) => o.logger.error({ err: err.message }, 'SMTP worker failed to start'));
        }, RESPAWN_DELAY_MS).unref();
      });
    });

  try {
    await Promise.all(Array.from({ length: n }, fork));
  } catch (err) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    throw err;
  }
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());

  return {
    smtpPort: ports!.smtpPort,
    smtpsPort: ports!.smtpsPort,
    workerMetrics: () =>
      Promise.all(
        live().map(
          (w) =>
            new Promise<WorkerMetrics>((resolve) => {
              const id = ++metricsSeq;
              const done = (m: WorkerMetrics) => {
                clearTimeout(timer);
                metricsWaiters.delete(id);
                resolve(m);
              };
              const timer = setTimeout(() => done([]), METRICS_TIMEOUT_MS); // a busy or dying worker: skip it
              metricsWaiters.set(id, done);
              w.send({ postern: 'metrics?', id });
            }),
        ),
      ),
    close: async () => {
      stopping = true;
      await Promise.all(
        Object.values(cluster.workers ?? {}).map(
          (w) =>
            new Promise<void>((resolve) => {
              if (!w || w.isDead()) return resolve();
              w.once('exit', () => resolve());
              // A worker still starting has nothing in flight (and may not hear messages yet).
              if (ready.has(w) && w.isConnected()) w.send({ postern: 'stop' });
              else w.process.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

/** The worker's side: a connection counter and a queue kick that go to the primary. */
export function workerLink(): {
  connections: ConnectionCounter;
  queued(): void;
  ready(ports: { smtpPort: number; smtpsPort?: number }, metrics: () => Promise<WorkerMetrics>, stop: () => Promise<void>): void;
} {
  // Signals are the primary's to act on (Ctrl-C reaches the whole process group): it stops the
  // workers in order. If the primary dies, the IPC channel closes and node:cluster ends the worker.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const send = (m: Msg) => {
    if (process.connected) process.send!(m);
  };
  let outbox: Msg[] = [];
  let queuedInOutbox = false;
  const post = (m: Msg) => {
    if (!outbox.length) {
      setImmediate(() => {
        const items = outbox;
        outbox = [];
        queuedInOutbox = false;
        send({ postern: 'batch', items });
      });
    }
    outbox.push(m);
  };
  let seq = 0;
  const opening = new Map<number, (ok: boolean) => void>();
  let onMessage: (m: Msg) => void = () => {};
  process.on('message', (m: unknown) => {
    if (!isMsg(m)) return;
    if (m.postern === 'opened') {
      for (const [id, ok] of m.results as [number, boolean][]) {
        const done = opening.get(id);
        opening.delete(id);
        done?.(ok === true);
      }
    } else onMessage(m);
  });
  return {
    connections: {
      open: (ip) =>
        new Promise((resolve) => {
          const id = ++seq;
          opening.set(id, resolve);
          post({ postern: 'open', id, ip });
        }),
      close: (ip) => post({ postern: 'close', ip }),
    },
    // One kick per turn of the event loop, however many messages were committed in it.
    queued: () => {
      if (queuedInOutbox) return;
      queuedInOutbox = true;
      post({ postern: 'queued' });
    },
    ready: (ports, metrics, stop) => {
      let stopping = false;
      onMessage = (m) => {
        if (m.postern === 'metrics?') {
          void metrics().then((data) => send({ postern: 'metrics', id: m.id, data }));
        } else if (m.postern === 'stop' && !stopping) {
          stopping = true;
          void stop().finally(() => process.exit(0));
        }
      };
      send({ postern: 'ready', ...ports });
    },
  };
}
