// Applying the PostgreSQL migrations. Several nodes may start at once against one database: each
// takes the same session-level advisory lock before looking at schema_migrations, so one applies
// what is pending and the others, once they get the lock, find nothing left to do.
import type pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations.js';

/** pg_advisory_lock's two-key form: Postern's key ('pstn') and the lock's purpose. */
const MIGRATION_LOCK = [0x7073746e, 1];

/** A migration failed; it was rolled back (the message says which). */
export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';
}

/** Apply the pending migrations; returns the versions this call applied (none when up to date). */
export async function migrate(pool: pg.Pool, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  try {
    // Waiting for another node's migration, or running a long one, is not a stuck statement.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1, $2)', MIGRATION_LOCK);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', MIGRATION_LOCK);
    }
  } finally {
    // The session's settings changed: it leaves the pool rather than carry them to another query.
    client.release(true);
  }
}

async function applyPending(client: pg.PoolClient, migrations: Migration[]): Promise<number[]> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    await client.query('BEGIN');
    try {
      for (const stmt of m.up) await client.query(stmt);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {}); // the session may be gone; report the migration's error
      throw new MigrationFailedError(`PostgreSQL migration ${m.version} failed and was rolled back: ${(err as Error).message}`, { cause: err });
    }
    applied.push(m.version);
  }
  return applied;
}

/** The database's schema is not this release's. */
export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/**
 * The schema version of the database, refused in one sentence unless it is the one this
 * release's migrations make: nodes of one release share one schema, applied by `postern migrate`.
 */
export async function requireCurrentSchema(pool: pg.Pool, where: string, migrations: Migration[] = MIGRATIONS): Promise<number> {
  const { rows } = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  const have = rows[0].version ?? 0;
  const want = Math.max(...migrations.map((m) => m.version));
  if (have < want) throw new SchemaVersionError(`the PostgreSQL database at ${where} has schema version ${have}, this release needs ${want}: run postern migrate --store <its URL> first`);
  if (have > want) throw new SchemaVersionError(`the PostgreSQL database at ${where} has schema version ${have}, newer than this release knows (${want}): run this node's newer release`);
  return have;
}
