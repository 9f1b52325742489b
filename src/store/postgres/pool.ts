// Connecting to PostgreSQL: one bounded pool per node for queries, plus dedicated connections
// outside it for what holds a session open (LISTEN). Every statement runs under a time limit, so
// a slow query or a lock held elsewhere ends in an error instead of a session that never answers.
import pg from 'pg';

export interface PostgresOptions {
  /** Connections in the pool (PostgreSQL's own limit is shared by every node: default 10 each). */
  max?: number;
  /** statement_timeout of every pooled session, in milliseconds (0: none). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection, to the server or from a full pool. */
  connectionTimeoutMs?: number;
  /** application_name, so pg_stat_activity tells nodes (and their listeners) apart. */
  applicationName?: string;
  /** An idle pooled connection failed (PostgreSQL restarted): the pool drops it and reconnects on the next query. */
  onIdleError?: (err: Error) => void;
}

export const POSTGRES_DEFAULTS = { max: 10, statementTimeoutMs: 30_000, connectionTimeoutMs: 5_000, applicationName: 'postern' };

/** A node's way to PostgreSQL: the pool and, beside it, dedicated sessions. */
export interface Postgres {
  readonly pool: pg.Pool;
  /** The connection string without its password, for messages. */
  readonly where: string;
  /** A new, unconnected session outside the pool, named `<applicationName> <role>` in pg_stat_activity. */
  dedicatedClient(role: string): pg.Client;
  close(): Promise<void>;
}

export function connectPostgres(url: string, options: PostgresOptions = {}): Postgres {
  const o = { ...POSTGRES_DEFAULTS, ...options };
  const base: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: o.connectionTimeoutMs,
    // A connection whose peer vanished without a FIN (a network partition) is found by TCP keepalive.
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...base, max: o.max, statement_timeout: o.statementTimeoutMs || false, application_name: o.applicationName, idleTimeoutMillis: 30_000 });
  // Without a listener an idle connection's error (the server restarted) would end the process.
  pool.on('error', (err) => o.onIdleError?.(err));
  return {
    pool,
    where: redactUrl(url),
    dedicatedClient: (role) => new pg.Client({ ...base, application_name: `${o.applicationName} ${role}` }),
    close: () => pool.end(),
  };
}

/** The connection string with its password replaced by ***, or a placeholder when it is not a URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable connection string)';
  }
}

/**
 * Why a store could not be opened, as one sentence: the server is unreachable (the socket's error
 * code), the database has no Postern schema yet, or PostgreSQL's own message (authentication,
 * no such database).
 */
export function describeOpenError(where: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const sqlState = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
  const message = !sqlState
    ? `PostgreSQL at ${where} is not reachable (${e?.code ?? e?.message ?? String(err)})`
    : e.code === '42P01'
      ? `the PostgreSQL database at ${where} has no Postern schema: run postern migrate --store <its URL> first`
      : `PostgreSQL at ${where} refused: ${e.message}`;
  return new Error(message, { cause: err });
}

/** Run `work` in one transaction on one pooled session; rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A failed ROLLBACK means the session is gone (it leaves the pool); the original error is the one to report.
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
