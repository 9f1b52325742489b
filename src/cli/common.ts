// Options and output every `postern` command shares: --data-dir, --format table|json|csv.
import { Option, type Command } from 'commander';
import { mkdirSync } from 'node:fs';
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

export function openStore(dataDir: string): { db: Db; config: SqliteConfigStore } {
  mkdirSync(resolve(dataDir), { recursive: true });
  const db = openDatabase(join(resolve(dataDir), 'postern.db'));
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
