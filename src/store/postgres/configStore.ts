// Configuration on PostgreSQL, shared by several nodes. The gateway reads its configuration
// synchronously (ConfigReader, as on SQLite), so each node keeps a consistent snapshot of every
// organization in memory and serves reads from it. The snapshot is reloaded when another node
// changes something: every write bumps the version and NOTIFYs postern_config, which each node
// LISTENs to (changes arrive within a second). Notifications sent while a node's listener is
// reconnecting are lost, so after a reconnect, and every second while it is down, the node polls
// the version instead; a slow safety poll covers a connection that died without anyone noticing.
import { Organization } from '../../config/model.js';
import { DomainInUseError, OrganizationNameInUseError, type AsyncConfigStore } from '../ports.js';
import { NotifyListener } from './notifyListener.js';
import { describeOpenError, inTransaction, type Postgres } from './pool.js';
import type pg from 'pg';

export const CONFIG_CHANNEL = 'postern_config';

/** What the store reports about its connection (pino's Logger fits). */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PostgresConfigStoreOptions {
  /** While the listener is down, the version is polled this often (ms). */
  pollMs?: number;
  /** While it is up, the version is still checked this often (ms), in case the connection died silently. */
  safetyPollMs?: number;
  /** The listener's reconnect backoff. */
  backoff?: { initialMs: number; maxMs: number };
  logger?: StoreLogger;
  /** A new snapshot is in place (another node's change, or this one's). */
  onChange?: (version: number) => void;
}

interface Snapshot {
  version: number;
  orgs: Organization[];
}

// The domain itself, a parent of it, or a subdomain of it, held by another organization; the
// first wanted domain (in the document's order) that clashes, as SQLite reports it.
const HELD_ELSEWHERE = `
  SELECT w.domain AS wanted, h.domain AS held
    FROM unnest($2::text[]) WITH ORDINALITY AS w (domain, i)
    JOIN accepted_domains h ON h.org_guid <> $1
     AND (h.domain = w.domain OR right(w.domain, length(h.domain) + 1) = '.' || h.domain OR right(h.domain, length(w.domain) + 1) = '.' || w.domain)
   ORDER BY w.i LIMIT 1`;

// One statement, one snapshot: the version and exactly the documents it counts. Ordered as
// SQLite's NOCASE orders names (byte order after ASCII folding), whatever the database's collation.
const LOAD = `
  SELECT v.version, o.doc FROM config_version v LEFT JOIN organizations o ON true
   ORDER BY lower(o.name) COLLATE "C", o.name COLLATE "C"`;

/** Create or replace one (validated) organization inside a writer's transaction. */
async function saveIn(c: pg.PoolClient, org: Organization): Promise<void> {
  const clash = await c.query('SELECT 1 FROM organizations WHERE lower(name) = lower($1) AND guid <> $2', [org.Name, org.Guid]);
  if (clash.rowCount) throw new OrganizationNameInUseError(org.Name);
  await c.query(
    'INSERT INTO organizations (guid, name, doc) VALUES ($1, $2, $3) ON CONFLICT (guid) DO UPDATE SET name = excluded.name, doc = excluded.doc',
    [org.Guid, org.Name, JSON.stringify(org)],
  );
  await c.query('DELETE FROM accepted_domains WHERE org_guid = $1', [org.Guid]);
  const domains = org.AcceptedDomains.map((d) => d.DomainName);
  const held = await c.query<{ wanted: string; held: string }>(HELD_ELSEWHERE, [org.Guid, domains]);
  if (held.rowCount) throw new DomainInUseError(held.rows[0].wanted, held.rows[0].held);
  await c.query('INSERT INTO accepted_domains (domain, org_guid) SELECT unnest($2::text[]), $1', [org.Guid, domains]);
}

export class PostgresConfigStore implements AsyncConfigStore {
  private snapshot: Snapshot = { version: -1, orgs: [] };
  private readonly listener: NotifyListener;
  private readonly o: Required<Pick<PostgresConfigStoreOptions, 'pollMs' | 'safetyPollMs'>> & PostgresConfigStoreOptions;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  private lastCheck = Date.now();
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** Listening, and holding the current snapshot; refuses to open (one sentence) when PostgreSQL cannot be used. */
  static async open(db: Postgres, options: PostgresConfigStoreOptions = {}): Promise<PostgresConfigStore> {
    const store = new PostgresConfigStore(db, options);
    try {
      // Listen before the first load: a change committed in between is in the load or notified after it.
      await store.listener.start();
      await store.reload();
    } catch (err) {
      await store.close();
      throw describeOpenError(db.where, err);
    }
    store.poller = setInterval(() => void store.poll(), store.o.pollMs);
    store.poller.unref();
    return store;
  }

  private constructor(
    private readonly db: Postgres,
    options: PostgresConfigStoreOptions,
  ) {
    this.o = { pollMs: 1000, safetyPollMs: 30_000, ...options };
    this.listener = new NotifyListener({
      channel: CONFIG_CHANNEL,
      newClient: () => db.dedicatedClient('config listener'),
      backoff: options.backoff,
      // The payload is the new version: this node's own writes have loaded it already.
      onNotify: (payload) => {
        if (Number(payload) !== this.snapshot.version) this.reloadInBackground();
      },
      onReconnect: () => {
        this.o.logger?.info({ store: db.where }, 'configuration listener reconnected; catching up');
        void this.catchUp();
      },
      onLost: (err, retryInMs) => this.o.logger?.warn({ store: db.where, err: err?.message, retryInMs }, 'configuration listener lost its connection; polling until it is back'),
    });
  }

  organizations(): Organization[] {
    // Copies: a caller that edits what it read (read-modify-write) must not edit the snapshot.
    return this.snapshot.orgs.map((o) => structuredClone(o));
  }

  organization(nameOrGuid: string): Organization | undefined {
    const name = nameOrGuid.toLowerCase();
    const org = this.snapshot.orgs.find((o) => o.Guid === nameOrGuid || o.Name.toLowerCase() === name);
    return org && structuredClone(org);
  }

  configVersion(): number {
    return this.snapshot.version;
  }

  async saveOrganizationAsync(input: Organization): Promise<void> {
    const org = Organization.parse(input);
    await this.write((c) => saveIn(c, org));
  }

  async removeOrganizationAsync(guid: string): Promise<void> {
    // Its accepted domains go with it (ON DELETE CASCADE).
    await this.write((c) => c.query('DELETE FROM organizations WHERE guid = $1', [guid]).then(() => {}));
  }

  async replaceOrganizationsAsync(input: Organization[]): Promise<void> {
    const orgs = input.map((o) => Organization.parse(o));
    await this.write(async (c) => {
      await c.query('DELETE FROM organizations WHERE NOT (guid = ANY ($1::text[]))', [orgs.map((o) => o.Guid)]);
      for (const org of orgs) await saveIn(c, org);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    await this.listener.close();
    await Promise.allSettled([this.inFlight, this.queued]);
  }

  private async write(change: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    await inTransaction(this.db.pool, async (c) => {
      // First the counter: its row lock serializes configuration writers, so the checks in
      // `change` see every domain an earlier writer committed (READ COMMITTED: a new snapshot per statement).
      const { rows } = await c.query<{ version: string }>('UPDATE config_version SET version = version + 1 RETURNING version');
      await change(c);
      // Delivered to every listening node when (and only if) this transaction commits.
      await c.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, rows[0].version]);
    });
    // This node reads its own write as soon as the promise resolves.
    await this.reload().catch((err) => this.o.logger?.warn({ store: this.db.where, err: (err as Error).message }, 'configuration saved, but reloading it failed; retrying by polling'));
  }

  /**
   * Load a snapshot that begins after this call. Loads run one at a time (so a later one never
   * installs older data); calls made while one runs share the single load queued after it.
   */
  private reload(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.load().finally(() => (this.inFlight = undefined));
      return this.inFlight;
    }
    this.queued ??= this.inFlight
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.reload();
      });
    return this.queued;
  }

  private reloadInBackground(): void {
    if (this.closed) return;
    this.reload().catch((err) => this.o.logger?.warn({ store: this.db.where, err: (err as Error).message }, 'configuration reload failed; serving the previous snapshot'));
  }

  private async load(): Promise<void> {
    const { rows } = await this.db.pool.query<{ version: string; doc: unknown }>(LOAD);
    const version = Number(rows[0].version);
    if (version === this.snapshot.version) return;
    this.snapshot = { version, orgs: rows.filter((r) => r.doc !== null).map((r) => Organization.parse(r.doc)) };
    this.o.onChange?.(version);
  }

  private async poll(): Promise<void> {
    if (this.polling || (this.listener.listening && Date.now() - this.lastCheck < this.o.safetyPollMs)) return;
    this.polling = true;
    await this.catchUp();
    this.polling = false;
  }

  /** Compare the version with PostgreSQL's and reload when they differ; failures keep the snapshot. */
  private async catchUp(): Promise<void> {
    if (this.closed) return;
    this.lastCheck = Date.now();
    try {
      const { rows } = await this.db.pool.query<{ version: string }>('SELECT version FROM config_version');
      if (Number(rows[0].version) !== this.snapshot.version) await this.reload();
    } catch (err) {
      this.o.logger?.warn({ store: this.db.where, err: (err as Error).message }, 'configuration version check failed; serving the previous snapshot');
    }
  }
}
