// `postern status`: what the data directory holds — database size and the space that retention
// freed, rows per table, the spool, and the retention horizon — and, when the settings name a
// PostgreSQL store, that database: its schema version, the configuration version in it, and each
// node with the configuration version it serves, its queue and its last heartbeat.
import type { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { storeEngine } from '../config/server.js';
import { MIGRATIONS } from '../store/postgres/migrations.js';
import { connectPostgres } from '../store/postgres/pool.js';
import { postgresStoreStatus, type PostgresStoreStatus } from '../store/postgres/status.js';
import { tableCounts } from '../store/sqlite/backup.js';
import { openDatabase } from '../store/sqlite/db.js';
import { printRows, requireDataDir, withDataDir, withFormat, type Format } from './common.js';
import { readSettings, settingsFile } from './settings.js';

const DAY = 86_400_000;
const AUTO_VACUUM = ['none', 'full', 'incremental'];

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export interface DataDirStatus {
  dataDir: string;
  databaseBytes: number;
  walBytes: number;
  freeBytes: number;
  autoVacuum: string;
  spoolFiles: number;
  spoolBytes: number;
  retentionDays: number;
  retentionCutoff: string;
  oldestTrace: string | null;
  rows: Record<string, number>;
  /** The configuration store: the data directory's SQLite, or the PostgreSQL several nodes share. */
  store: { engine: 'sqlite' } | PostgresStoreStatus;
}

export function dataDirStatus(dataDir: string, days: number): Omit<DataDirStatus, 'store'> {
  const dbFile = join(dataDir, 'postern.db');
  const db = openDatabase(dbFile, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const oldest = db.prepare('SELECT min(received_at) FROM message_trace').pluck().get() as number | null;
    const spool = join(dataDir, 'spool');
    const spoolFiles = existsSync(spool) ? readdirSync(spool, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')) : [];
    return {
      dataDir,
      databaseBytes: size(dbFile),
      walBytes: size(`${dbFile}-wal`),
      freeBytes: free * pageSize,
      autoVacuum: AUTO_VACUUM[db.pragma('auto_vacuum', { simple: true }) as number] ?? 'unknown',
      spoolFiles: spoolFiles.length,
      spoolBytes: spoolFiles.reduce((n, e) => n + size(join(spool, e.name)), 0),
      retentionDays: days,
      retentionCutoff: new Date(Date.now() - days * DAY).toISOString(),
      oldestTrace: oldest === null ? null : new Date(oldest).toISOString(),
      rows: tableCounts(db),
    };
  } finally {
    db.close();
  }
}

async function storeStatus(store: string): Promise<DataDirStatus['store']> {
  if (storeEngine(store) === 'sqlite') return { engine: 'sqlite' };
  const db = connectPostgres(store, { max: 1, applicationName: 'postern status' });
  try {
    return await postgresStoreStatus(db);
  } finally {
    await db.close();
  }
}

/** A node heard from less recently than this has missed several heartbeats (gateway.ts beats every 5 s). */
const SILENT_AFTER_S = 30;

function storeLines(store: DataDirStatus['store']): string[] {
  if (store.engine === 'sqlite') return [];
  if (store.error) return [`Store           ${store.error}`];
  const release = Math.max(...MIGRATIONS.map((m) => m.version));
  const nodes = store.nodes!.map(
    (n) =>
      `                ${n.hostname} pid ${n.pid}: configuration version ${n.configVersion}${n.configVersion === store.configVersion ? '' : ' (behind)'}, ` +
      `queue ${n.queueDepth}, last heartbeat ${n.silentSeconds} s ago${n.silentSeconds > SILENT_AFTER_S ? ' (silent: stopped without leaving, or cut off)' : ''}`,
  );
  return [
    `Store           PostgreSQL at ${store.where}: schema version ${store.schemaVersion} (this release: ${release}), configuration version ${store.configVersion}`,
    `Nodes           ${nodes.length} running`,
    ...nodes,
  ];
}

export function register(program: Command): void {
  withFormat(withDataDir(program.command('status')))
    .description('what the data directory holds: database size and reclaimable space, rows per table, spool, retention horizon; and a PostgreSQL store\'s schema, configuration version and nodes')
    .option('-c, --config <file>', 'server settings YAML (default <data-dir>/postern.yaml when present)')
    .action(async (opts: { dataDir: string; format: Format; config?: string }) => {
      const dataDir = requireDataDir(opts.dataDir);
      const settings = readSettings(settingsFile(dataDir, opts.config), {});
      const s: DataDirStatus = { ...dataDirStatus(dataDir, settings.traceRetentionDays), store: await storeStatus(settings.store) };
      if (opts.format === 'json') return console.log(JSON.stringify(s, null, 2));
      const rows = Object.entries(s.rows).map(([Table, Rows]) => ({ Table, Rows }));
      if (opts.format === 'csv') return printRows(rows, 'csv');
      console.log(
        [
          `Data directory  ${s.dataDir}`,
          `Database        ${mb(s.databaseBytes)} (+ ${mb(s.walBytes)} WAL); ${mb(s.freeBytes)} free inside, auto_vacuum ${s.autoVacuum}`,
          `Spool           ${s.spoolFiles} file(s), ${mb(s.spoolBytes)}`,
          `Retention       ${s.retentionDays} days: trace older than ${s.retentionCutoff.slice(0, 10)} is removed hourly; oldest trace row ${s.oldestTrace?.slice(0, 10) ?? '(none)'}`,
          ...storeLines(s.store),
          '',
        ].join('\n'),
      );
      printRows(rows, 'table');
    });
}
