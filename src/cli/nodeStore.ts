// The configuration store a node's settings name: the data directory's SQLite (the default) or
// the PostgreSQL that `store:` names, which several nodes share. `postern serve`, `postern shell`
// and `postern config` open it here, so they act on the same organizations. The rest of a node's
// state (queue, trace, quarantine, hunting, admin users) stays in its data directory's SQLite for
// now, whatever the store.
import { resolve } from 'node:path';
import { storeEngine } from '../config/server.js';
import type { AsyncConfigStore } from '../store/ports.js';
import { PostgresConfigStore, type StoreLogger } from '../store/postgres/configStore.js';
import { requireCurrentSchema, SchemaVersionError } from '../store/postgres/migrate.js';
import { connectPostgres, describeOpenError, type Postgres } from '../store/postgres/pool.js';
import { SqliteConfigStore } from '../store/sqlite/configStore.js';
import type { Db } from '../store/sqlite/db.js';
import { CliError, openStore } from './common.js';
import { readSettings, settingsFile } from './settings.js';

export interface OpenedConfigStore {
  config: AsyncConfigStore;
  engine: 'sqlite' | 'postgres';
  /** 'sqlite', or PostgreSQL's URL without its password. */
  where: string;
  /** PostgreSQL's pool, for the rest of the node's shared state (its heartbeat); none on SQLite. */
  postgres?: Postgres;
  /** The schema version of a PostgreSQL store (undefined on SQLite, which migrates itself). */
  schemaVersion?: number;
  /** Whether the store answers now: a round trip to PostgreSQL; SQLite is the node's own file. */
  reachable(): Promise<boolean>;
  /** Ends the listener and the pool (SQLite's connection is the caller's). */
  close(): Promise<void>;
}

export interface ConfigStoreOptions {
  /** pg_stat_activity's application_name: which node or command this is. */
  applicationName: string;
  /** Pool size (a command needs 1 or 2; a node the default). */
  max?: number;
  logger?: StoreLogger;
  /** A new configuration snapshot is in place (another node's change arrived). */
  onChange?: () => void;
}

/** How long /health waits for PostgreSQL before calling it unreachable (a probe must not hang). */
const REACHABLE_WITHIN_MS = 1000;

/** Whether a round trip to PostgreSQL completes within `ms`. */
async function answersWithin(pg: Postgres, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([pg.pool.query('SELECT 1').then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Open the configuration store `store` names; refuses in one sentence when PostgreSQL can't be used. */
export async function openConfigStore(store: string, db: Db, o: ConfigStoreOptions): Promise<OpenedConfigStore> {
  if (storeEngine(store) === 'sqlite') return { config: new SqliteConfigStore(db), engine: 'sqlite', where: 'sqlite', reachable: async () => true, close: async () => {} };
  const pg = connectPostgres(store, { applicationName: o.applicationName, ...(o.max && { max: o.max }), onIdleError: (err) => o.logger?.warn({ store: pg.where, err: err.message }, 'an idle PostgreSQL connection failed; the pool reconnects') });
  let schemaVersion: number;
  try {
    schemaVersion = await requireCurrentSchema(pg.pool, pg.where).catch((err: unknown) => {
      throw err instanceof SchemaVersionError ? err : describeOpenError(pg.where, err);
    });
  } catch (err) {
    await pg.close();
    throw err;
  }
  // PostgresConfigStore.open closes what it opened when it fails, and describes why.
  const config = await PostgresConfigStore.open(pg, { logger: o.logger, onChange: o.onChange }).catch(async (err: unknown) => {
    await pg.close();
    throw err;
  });
  return {
    config,
    engine: 'postgres',
    postgres: pg,
    where: pg.where,
    schemaVersion,
    reachable: () => answersWithin(pg, REACHABLE_WITHIN_MS),
    close: async () => {
      await config.close();
      await pg.close();
    },
  };
}

/**
 * A command's store on a data directory: its SQLite, and the configuration store its settings
 * name (--config, else <data-dir>/postern.yaml, as `postern serve` reads them).
 */
export async function openNodeStore(dataDir: string, configFile: string | undefined, command: string): Promise<{ db: Db; config: AsyncConfigStore; close(): Promise<void> }> {
  const file = settingsFile(resolve(dataDir), configFile);
  const settings = readSettings(file, {});
  const { db } = openStore(dataDir);
  let opened: OpenedConfigStore;
  try {
    opened = await openConfigStore(settings.store, db, { applicationName: `postern ${command}`, max: 2 });
  } catch (err) {
    db.close();
    throw new CliError((err as Error).message);
  }
  return {
    db,
    config: opened.config,
    close: async () => {
      await opened.close();
      db.close();
    },
  };
}
