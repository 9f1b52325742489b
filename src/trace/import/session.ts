// One file's import, record by record: the header (after PowerShell's #TYPE line) names the
// format, every later record becomes rows or a skipped line with its reason, and the rows leave
// in batches for the store. Pure: the caller reads the file and hands the batches to the store.
import { isTypeLine, KNOWN_FORMATS, recogniseHeader, type ExportFormat } from './formats.js';
import { RowMapper, type ConnectorOf, type ImportOrganization } from './mapping.js';
import { SKIPPED_LISTED, type ImportRow, type ImportSummary, type SkippedLine, type WriteResult } from './types.js';
import type { CsvEnd, CsvRecord } from './csvReader.js';

export class ImportFormatError extends Error {}

export const BATCH_ROWS = 2000;

export interface ImportOptions {
  /** Read and check, write nothing. */
  dryRun?: boolean;
  /** The trace retention (traceRetentionDays) and now: rows older than it are counted in a note. */
  retention?: { days: number; now: number };
}

export class ImportSession {
  private mapper: RowMapper | undefined;
  private batch: ImportRow[] = [];
  private readonly skipped: SkippedLine[] = [];
  private skippedCount = 0;
  records = 0;
  rows = 0;
  private imported = 0;
  private duplicates = 0;
  private older = 0;

  constructor(
    private readonly org: ImportOrganization & { Name: string },
    private readonly fileName: string,
    private readonly connectorOf: ConnectorOf,
    private readonly options: ImportOptions = {},
  ) {}

  private get dryRun(): boolean {
    return this.options.dryRun ?? false;
  }

  get format(): ExportFormat | undefined {
    return this.mapper?.format;
  }

  /** Take one record; returns a full batch to write when there is one. Throws ImportFormatError on a header Postern does not read. */
  take(rec: CsvRecord): ImportRow[] | undefined {
    if (rec.fields.length === 1 && rec.fields[0].trim() === '') return undefined; // blank line
    if (!this.mapper) {
      if (isTypeLine(rec.fields)) return undefined;
      const format = recogniseHeader(rec.fields);
      if (!format) throw new ImportFormatError(`line ${rec.line}: the header (${rec.fields.slice(0, 6).join(', ')}${rec.fields.length > 6 ? ', ...' : ''}) is not one Postern reads; expected ${KNOWN_FORMATS}`);
      this.mapper = new RowMapper(format, this.org, this.fileName, this.connectorOf);
      return undefined;
    }
    this.records++;
    const mapped = this.mapper.map(rec.fields, rec.line);
    if ('skip' in mapped) {
      this.skip(rec.line, mapped.skip);
      return undefined;
    }
    this.rows += mapped.rows.length;
    const r = this.options.retention;
    if (r) this.older += mapped.rows.filter((row) => Number(row.row.Timestamp) < r.now - r.days * 86_400_000).length;
    this.batch.push(...mapped.rows);
    return this.batch.length >= BATCH_ROWS ? this.flush() : undefined;
  }

  /** The end of the file: the last record (complete or cut); returns the last batch. */
  end(end: CsvEnd): ImportRow[] {
    const last = end.records.at(-1);
    for (const rec of end.records) {
      // A last line with too few fields is one the export was cut in.
      if (rec === last && this.mapper && rec.fields.length < this.mapper.format.header.length && !(rec.fields.length === 1 && rec.fields[0] === '')) {
        this.records++;
        this.skip(rec.line, `truncated last line: ${rec.fields.length} field(s) where the header has ${this.mapper.format.header.length}`);
      } else this.take(rec);
    }
    if (end.unterminated) {
      if (this.mapper) this.records++;
      this.skip(end.unterminated.line, 'truncated last line: the file ends inside a quoted field');
    }
    if (!this.mapper) throw new ImportFormatError('the file has no header row (it is empty)');
    return this.flush();
  }

  flush(): ImportRow[] {
    const out = this.batch;
    this.batch = [];
    return out;
  }

  /** What the store did with a batch. */
  written(result: WriteResult): void {
    this.imported += result.inserted;
    this.duplicates += result.duplicates.length;
    for (const line of result.taken) this.skip(line, "its NetworkMessageId and recipient are already recorded for another organization");
  }

  skip(line: number, reason: string): void {
    this.skippedCount++;
    if (this.skipped.length < SKIPPED_LISTED) this.skipped.push({ line, reason });
  }

  summary(): ImportSummary {
    const notes = this.mapper?.notes() ?? [];
    if (this.dryRun) notes.unshift('Dry run: nothing was written; Imported counts the rows that would be.');
    if (this.older) notes.push(`${this.older} row(s) are older than the trace retention (${this.options.retention?.days} days): a running server removes them in its next retention pass.`);
    return {
      File: this.fileName,
      Format: this.mapper?.format.label ?? '',
      Source: this.mapper?.format.source ?? '',
      Organization: this.org.Name,
      Records: this.records,
      Imported: this.dryRun ? this.rows : this.imported,
      AlreadyImported: this.duplicates,
      Skipped: this.skippedCount,
      SkippedLines: this.skipped,
      Notes: notes,
      DryRun: this.dryRun,
    };
  }
}
