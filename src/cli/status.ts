// `postern status`: what the data directory holds — database size and the space that retention
// freed, rows per table, the spool, and the retention horizon.
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ServerSettings } from '../config/server.js';
import { tableCounts } from '../store/sqlite/backup.js';
import { openDatabase } from '../store/sqlite/db.js';
import { printRows, requireDataDir, withDataDir, withFormat, type Format } from './common.js';

const DAY = 86_400_000;
const AUTO_VACUUM = ['none', 'full', 'incremental'];

const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** The trace retention the server in this data directory applies (postern.yaml's traceRetentionDays). */
export function retentionDays(dataDir: string): number {
  const file = join(dataDir, 'postern.yaml');
  const parsed = ServerSettings.safeParse(existsSync(file) ? (parse(readFileSync(file, 'utf8')) ?? {}) : {});
  return (parsed.success ? parsed.data : ServerSettings.parse({})).traceRetentionDays;
}

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
}

export function dataDirStatus(dataDir: string): DataDirStatus {
  const dbFile = join(dataDir, 'postern.db');
  const db = openDatabase(dbFile, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const oldest = db.prepare('SELECT min(received_at) FROM message_trace').pluck().get() as number | null;
    const spool = join(dataDir, 'spool');
    const spoolFiles = existsSync(spool) ? readdirSync(spool, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')) : [];
    const days = retentionDays(dataDir);
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

export function register(program: Command): void {
  withFormat(withDataDir(program.command('status')))
    .description('what the data directory holds: database size and reclaimable space, rows per table, spool, retention horizon')
    .action((opts: { dataDir: string; format: Format }) => {
      const dataDir = requireDataDir(opts.dataDir);
      const s = dataDirStatus(dataDir);
      if (opts.format === 'json') return console.log(JSON.stringify(s, null, 2));
      const rows = Object.entries(s.rows).map(([Table, Rows]) => ({ Table, Rows }));
      if (opts.format === 'csv') return printRows(rows, 'csv');
      console.log(
        [
          `Data directory  ${s.dataDir}`,
          `Database        ${mb(s.databaseBytes)} (+ ${mb(s.walBytes)} WAL); ${mb(s.freeBytes)} free inside, auto_vacuum ${s.autoVacuum}`,
          `Spool           ${s.spoolFiles} file(s), ${mb(s.spoolBytes)}`,
          `Retention       ${s.retentionDays} days: trace older than ${s.retentionCutoff.slice(0, 10)} is removed hourly; oldest trace row ${s.oldestTrace?.slice(0, 10) ?? '(none)'}`,
          '',
        ].join('\n'),
      );
      printRows(rows, 'table');
    });
}
