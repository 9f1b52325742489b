// What `postern status` says about a PostgreSQL store: the database, its schema version, the
// configuration version in it, and each node as its heartbeat last reported it (nodes.ts).
import { listNodes, type NodeRow } from './nodes.js';
import { describeOpenError, type Postgres } from './pool.js';

export interface PostgresStoreStatus {
  engine: 'postgres';
  /** The connection string without its password. */
  where: string;
  schemaVersion?: number;
  configVersion?: number;
  nodes?: NodeRow[];
  /** Why it could not be read (unreachable, no schema), in one sentence. */
  error?: string;
}

export async function postgresStoreStatus(db: Postgres): Promise<PostgresStoreStatus> {
  try {
    const schema = await db.pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const config = await db.pool.query<{ version: string }>('SELECT version FROM config_version');
    return {
      engine: 'postgres',
      where: db.where,
      schemaVersion: schema.rows[0].version ?? 0,
      configVersion: Number(config.rows[0].version),
      nodes: await listNodes(db.pool),
    };
  } catch (err) {
    return { engine: 'postgres', where: db.where, error: describeOpenError(db.where, err).message };
  }
}
