// `postern migrate`: apply the pending schema migrations to the node's store: --store, else the
// settings file's `store` (as serve reads it), else the data directory's SQLite. SQLite is also
// migrated whenever it is opened, so this matters for PostgreSQL, whose schema several nodes
// share: an operator migrates it once, before starting nodes of a new release.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { storeEngine, storeProblem } from '../config/server.js';
import { migrate, MigrationFailedError } from '../store/postgres/migrate.js';
import { connectPostgres, describeOpenError } from '../store/postgres/pool.js';
import { CliError, databaseFile, openStore, requireDataDir, withDataDir } from './common.js';
import { readSettings, settingsFile } from './settings.js';

export function register(program: Command): void {
  withDataDir(program.command('migrate'))
    .description("apply the pending schema migrations: to the PostgreSQL that --store names, or to the data directory's SQLite")
    .option('--store <url>', "a PostgreSQL URL, e.g. postgres://postern@db.example:5432/postern (default: the settings' store)")
    .option('-c, --config <file>', 'server settings YAML (default <data-dir>/postern.yaml when present)')
    .action(async (opts: { dataDir: string; store?: string; config?: string }) => {
      const problem = opts.store === undefined ? undefined : storeProblem(opts.store);
      if (problem) throw new CliError(`--store: ${problem}`);
      const file = opts.store === undefined ? settingsFile(resolve(opts.dataDir), opts.config) : undefined;
      const store = opts.store ?? (file ? readSettings(file, {}).store : 'sqlite');
      console.log(storeEngine(store) === 'postgres' ? await migratePostgres(store) : migrateSqlite(opts.dataDir));
    });
}

async function migratePostgres(url: string): Promise<string> {
  const db = connectPostgres(url, { max: 1, applicationName: 'postern migrate' });
  try {
    const applied = await migrate(db.pool);
    const { rows } = await db.pool.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
    return summary(`PostgreSQL at ${db.where}`, applied, rows[0].version);
  } catch (err) {
    throw new CliError(err instanceof MigrationFailedError ? err.message : describeOpenError(db.where, err).message);
  } finally {
    await db.close();
  }
}

function migrateSqlite(dataDir: string): string {
  const file = databaseFile(requireDataDir(dataDir));
  const versions = (): number[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
    } finally {
      db.close();
    }
  };
  const before = new Set(versions());
  openStore(dataDir).db.close(); // opening migrates
  const after = versions();
  return summary(`the SQLite database ${file}`, after.filter((v) => !before.has(v)), after[after.length - 1]);
}

function summary(where: string, applied: number[], version: number): string {
  return applied.length
    ? `${where}: applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}; schema version ${version}`
    : `${where}: up to date (schema version ${version})`;
}
