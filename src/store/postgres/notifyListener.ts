// A LISTEN session that outlives its connection. PostgreSQL delivers a NOTIFY only to sessions
// listening when it commits: while the connection is down (the server restarted, an operator
// ended the backend, the network failed) notifications are lost, so after every reconnect the
// owner is told to catch up by other means (onReconnect). Reconnects back off exponentially with
// jitter, so a fleet of nodes does not hammer a PostgreSQL that is starting up.
import type pg from 'pg';

export interface NotifyListenerOptions {
  channel: string;
  /** A new, unconnected session (Postgres.dedicatedClient). */
  newClient: () => pg.Client;
  onNotify: (payload: string) => void;
  /** Connected again after a loss: notifications sent meanwhile are gone. */
  onReconnect: () => void;
  /** The connection was lost; the next attempt is in `retryInMs`. */
  onLost?: (err: Error | undefined, retryInMs: number) => void;
  backoff?: { initialMs: number; maxMs: number };
}

const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5_000 };

export class NotifyListener {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private readonly backoff;

  constructor(private readonly o: NotifyListenerOptions) {
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    if (!/^[a-z_][a-z0-9_]*$/.test(o.channel)) throw new Error(`'${o.channel}' is not a plain channel name`);
  }

  /** Listening now (false while reconnecting). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** The first connection: its failure is the caller's (a node that cannot reach its store does not start). */
  async start(): Promise<void> {
    this.client = await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = this.o.newClient();
    // Errors arrive as events too (the backend ended, the socket reset); one loss per client.
    let lost = false;
    const onLoss = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.lost(err);
    };
    client.on('error', onLoss);
    client.on('end', () => onLoss());
    client.on('notification', (n) => {
      if (n.channel === this.o.channel) this.o.onNotify(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.o.channel}`);
      if (lost) throw new Error('the connection was lost while it was set up');
    } catch (err) {
      lost = true;
      await client.end().catch(() => {});
      throw err;
    }
    return client;
  }

  private lost(err: Error | undefined): void {
    this.client = undefined;
    if (!this.closed) this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: Error | undefined): void {
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
    // Half fixed, half random: spread out, yet never much sooner than the ceiling intends.
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.failures++;
    this.o.onLost?.(err, delay);
    this.retry = setTimeout(() => void this.reconnect(), delay);
    this.retry.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (err) {
      if (!this.closed) this.scheduleReconnect(err as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    this.o.onReconnect();
  }
}
