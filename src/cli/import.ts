// `postern import FILE... --organization NAME`: Exchange Online exports (historical search
// reports, Get-MessageTrace(V2) | Export-Csv, advanced hunting results) into one organization's
// EmailEvents and message trace, so `postern hunt`, `postern directsend preview` and the reports
// work on them. The file streams through (a 2 GB export in bounded memory); the core reads the
// records (trace/import/) and the store writes each batch in one transaction.
import { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CsvReader, CsvRecordTooLong, ExportDecoder } from '../trace/import/csvReader.js';
import { ImportFormatError, ImportSession } from '../trace/import/session.js';
import type { ImportRow, ImportSummary, ImportWriter } from '../trace/import/types.js';
import type { Organization } from '../config/model.js';
import { connectorByAttribution } from '../mailflow/importAttribution.js';
import { SqliteImportStore } from '../store/sqlite/importStore.js';
import { readSettings, settingsFile } from './settings.js';
import { openNodeStore } from './nodeStore.js';
import { CliError, printRows, withDataDir, withFormat, type Format } from './common.js';

interface Options {
  dataDir: string;
  organization: string;
  dryRun?: boolean;
  format: Format;
}

export function register(program: Command): void {
  withFormat(withDataDir(program.command('import')))
    .description('load Exchange Online exports (historical search reports, Get-MessageTrace(V2) | Export-Csv, advanced hunting results) into an organization\'s EmailEvents and message trace')
    .argument('<file...>', 'CSV exports, each recognised by its header row')
    .requiredOption('-o, --organization <name>', 'the organization the rows belong to')
    .option('--dry-run', 'read and check every row, write nothing')
    .addHelpText(
      'after',
      `
Rows are marked as imported (AdditionalFields {"Imported": "<file>", "Source": "<format>"}); a
message and recipient already imported is not added again. Rows that cannot be read are skipped
and listed with their line numbers (the first 20 per file).
Exit status: 0 when every file was read (rows may have been skipped); 1 when a file could not be
read or is not an export Postern knows; 2 for a usage error.`,
    )
    .action(async (files: string[], opts: Options) => {
      // The organizations come from the store the settings name (PostgreSQL on several nodes); the rows go to this node's data directory.
      const { db, config, close } = await openNodeStore(resolve(opts.dataDir), undefined, 'import');
      const summaries: ImportSummary[] = [];
      let failed = false;
      try {
        const org = config.organization(opts.organization);
        if (!org) throw new CliError(`No organization named '${opts.organization}'.`, 2);
        const store = new SqliteImportStore(db);
        for (const file of files) {
          try {
            summaries.push(await importFile(file, org, store, opts.dryRun ?? false, resolve(opts.dataDir)));
          } catch (e) {
            if (!(e instanceof ImportFormatError) && !(e as NodeJS.ErrnoException).code) throw e;
            failed = true;
            console.error(`postern import: ${file}: ${e instanceof ImportFormatError ? e.message : (e as Error).message}`);
          }
        }
      } finally {
        await close();
      }
      printSummaries(summaries, opts.format);
      if (failed) process.exitCode = 1;
    });
}

async function importFile(file: string, org: Organization, store: ImportWriter, dryRun: boolean, dataDir: string): Promise<ImportSummary> {
  const { size } = await stat(file);
  const session = new ImportSession(org, basename(file), connectorByAttribution(org), { dryRun, retention: { days: readSettings(settingsFile(dataDir, undefined), {}).traceRetentionDays, now: Date.now() } });
  const decoder = new ExportDecoder();
  const reader = new CsvReader();
  const progress = new Progress(basename(file), size);
  const write = (rows: ImportRow[] | undefined) => {
    if (rows?.length && !dryRun) session.written(store.write(rows));
  };
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 << 10 })) {
      bytes += (chunk as Buffer).length;
      for (const rec of reader.push(decoder.push(chunk as Buffer))) write(session.take(rec));
      progress.show(bytes, session.rows);
    }
    const tail = reader.push(decoder.end());
    for (const rec of tail) write(session.take(rec));
    write(session.end(reader.end()));
  } catch (e) {
    // A quote that never closes: nothing after it can be read as records.
    if (e instanceof CsvRecordTooLong) throw new ImportFormatError(`${e.message}; ${session.summary().Imported} row(s) before it were imported`);
    throw e;
  } finally {
    progress.done();
  }
  return session.summary();
}

/** One line on a terminal, rewritten in place at most five times a second; nothing when stderr is not a terminal (CI logs). */
class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly name: string,
    private readonly size: number,
  ) {}

  show(bytes: number, rows: number): void {
    if (!process.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const pct = this.size ? Math.floor((bytes / this.size) * 100) : 100;
    process.stderr.write(`\r\x1b[K${this.name}: ${mb(bytes)} of ${mb(this.size)} (${pct}%), ${rows.toLocaleString('en-US')} rows`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
  }
}

function mb(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GB` : `${(n / (1 << 20)).toFixed(1)} MB`;
}

function printSummaries(summaries: ImportSummary[], format: Format): void {
  if (format === 'json') {
    console.log(JSON.stringify(summaries, null, 2));
    return;
  }
  if (format === 'csv') {
    printRows(summaries.map((s) => ({ ...s, SkippedLines: s.SkippedLines.map((l) => `${l.line}: ${l.reason}`).join('; '), Notes: s.Notes.join(' ') })), 'csv');
    return;
  }
  for (const s of summaries) {
    console.log(`${s.File}: ${s.Format} → organization ${s.Organization}`);
    console.log(`  ${s.Records} record(s); ${s.DryRun ? 'would import' : 'imported'} ${s.Imported} row(s); ${s.AlreadyImported} already imported; ${s.Skipped} skipped`);
    for (const l of s.SkippedLines) console.log(`    line ${l.line}: ${l.reason}`);
    if (s.Skipped > s.SkippedLines.length) console.log(`    ... and ${s.Skipped - s.SkippedLines.length} more`);
    for (const n of s.Notes) console.log(`  Note: ${n}`);
  }
}
