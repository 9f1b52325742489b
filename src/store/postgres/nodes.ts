// The nodes sharing a PostgreSQL store, as each one reports itself: every few seconds a running
// node writes its heartbeat — the configuration version it serves and its queue depth — so that
// `postern status` on any node can say which nodes run, whether they serve the current
// configuration, and when each was last heard from.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { StoreLogger } from './configStore.js';

export interface NodeState {
  configVersion: number;
  queueDepth: number;
}

export interface NodeRow {
  hostname: string;
  pid: number;
  startedAt: string;
  lastSeen: string;
  /** Seconds since last_seen, by PostgreSQL's clock (so the nodes' clocks need not agree). */
  silentSeconds: number;
  configVersion: number;
  queueDepth: number;
}

export class NodeHeartbeat {
  private readonly id = randomUUID();
  private readonly startedAt = new Date();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly me: { hostname: string; pid: number },
    private readonly state: () => NodeState,
    private readonly logger?: StoreLogger,
  ) {}

  /** Beat now, then every `intervalMs`. */
  start(intervalMs: number): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), intervalMs);
    this.timer.unref();
  }

  /** Write the heartbeat; a failure is logged once until a beat succeeds again (the store may be restarting). */
  async beat(): Promise<void> {
    const { configVersion, queueDepth } = this.state();
    try {
      await this.pool.query(
        `INSERT INTO nodes (id, hostname, pid, started_at, last_seen, config_version, queue_depth) VALUES ($1, $2, $3, $4, now(), $5, $6)
         ON CONFLICT (id) DO UPDATE SET last_seen = now(), config_version = excluded.config_version, queue_depth = excluded.queue_depth`,
        [this.id, this.me.hostname, this.me.pid, this.startedAt, configVersion, queueDepth],
      );
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger?.warn({ err: (err as Error).message }, 'node heartbeat not written; retrying');
      this.failing = true;
    }
  }

  /** Stop beating and leave the list (a node that dies instead stays, its last beat growing old). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.query('DELETE FROM nodes WHERE id = $1', [this.id]).catch(() => {});
  }
}

/** Every node that reported itself, oldest first. */
export async function listNodes(pool: pg.Pool): Promise<NodeRow[]> {
  const { rows } = await pool.query<{ hostname: string; pid: number; started_at: Date; last_seen: Date; silent: number; config_version: string; queue_depth: number }>(
    `SELECT hostname, pid, started_at, last_seen, extract(epoch FROM now() - last_seen)::float8 AS silent, config_version, queue_depth
       FROM nodes ORDER BY started_at, id`,
  );
  return rows.map((r) => ({
    hostname: r.hostname,
    pid: r.pid,
    startedAt: r.started_at.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    silentSeconds: Math.max(0, Math.round(r.silent)),
    configVersion: Number(r.config_version),
    queueDepth: r.queue_depth,
  }));
}
