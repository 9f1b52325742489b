// What `postern status` says about a PostgreSQL store: the database, its schema version, the
// configuration version the nodes share, and which nodes listen for configuration changes now
// (their listener sessions, named `postern node <pid> config listener` in pg_stat_activity;
// a node's SMTP workers and a shell listen too, under other names).
import { describeOpenError, type Postgres } from './pool.js';

export interface PostgresStoreStatus {
  engine: 'postgres';
  /** The connection string without its password. */
  where: string;
  schemaVersion?: number;
  configVersion?: number;
  /** The sessions of nodes listening for configuration changes. */
  listeners?: { name: string; clientAddress: string | null; since: string }[];
  /** Why it could not be read (unreachable, no schema), in one sentence. */
  error?: string;
}

export async function postgresStoreStatus(db: Postgres): Promise<PostgresStoreStatus> {
  try {
    const schema = await db.pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const config = await db.pool.query<{ version: string }>('SELECT version FROM config_version');
    const listeners = await db.pool.query<{ name: string; client: string | null; since: Date }>(
      `SELECT regexp_replace(application_name, ' config listener$', '') AS name, host(client_addr) AS client, backend_start AS since
         FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'postern node % config listener'
        ORDER BY backend_start`,
    );
    return {
      engine: 'postgres',
      where: db.where,
      schemaVersion: schema.rows[0].version ?? 0,
      configVersion: Number(config.rows[0].version),
      listeners: listeners.rows.map((r) => ({ name: r.name, clientAddress: r.client, since: r.since.toISOString() })),
    };
  } catch (err) {
    return { engine: 'postgres', where: db.where, error: describeOpenError(db.where, err).message };
  }
}
