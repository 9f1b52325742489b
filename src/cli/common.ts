// Options and output every `postern` command shares: --data-dir, --format table|json|csv, and
// the one way to open a data directory (only `postern init` creates one).
import { Option, type Command } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteConfigStore } from '../store/sqlite/configStore.js';
import { openDatabase, type Db } from '../store/sqlite/db.js';

export type Format = 'table' | 'json' | 'csv';

export function withDataDir(cmd: Command): Command {
  return cmd.option('-d, --data-dir <dir>', 'data directory', process.env.POSTERN_DATA_DIR ?? './data');
}

export function withFormat(cmd: Command): Command {
  return cmd.addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'));
}

/** A failure the user can act on: main prints the sentence (no stack trace) and exits with the code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The database file of a data directory. */
export const databaseFile = (dataDir: string): string => join(resolve(dataDir), 'postern.db');

/**
 * The data directory, resolved, if it holds Postern data. A command pointed at the wrong place
 * must say so rather than answer from an empty database it made there.
 */
export function requireDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  if (!existsSync(databaseFile(dir))) throw new CliError(`no Postern data directory at ${dir} (run postern init)`);
  return dir;
}

/** Open an existing data directory's store. */
export function openStore(dataDir: string): { db: Db; config: SqliteConfigStore } {
  const db = openDatabase(databaseFile(requireDataDir(dataDir)));
  return { db, config: new SqliteConfigStore(db) };
}

/** Create (or open) a data directory's store: `postern init` only. */
export function createStore(dataDir: string): { db: Db; config: SqliteConfigStore } {
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const db = openDatabase(databaseFile(dataDir));
  return { db, config: new SqliteConfigStore(db) };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Print rows in the chosen format; tables are sized to their content. */
export function printRows(rows: Record<string, unknown>[], format: Format, columns?: string[]): void {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (format === 'json') {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (format === 'csv') {
    console.log([cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n'));
    return;
  }
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => text(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => (v.length > widths[i] ? v.slice(0, widths[i] - 1) + '…' : v.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => text(r[c]))));
  if (!rows.length) console.log('(no rows)');
}
