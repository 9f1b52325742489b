// What an import produces and the port the store implements to keep it.
import type { MessageTraceRow, TraceEvent } from '../records.js';
import type { HuntingRow } from '../tables.js';
import type { ExportSource } from './formats.js';

/** One hunting row from one line of an export, ready to store. */
export interface ImportRow {
  /** The line of the file the record began on. */
  line: number;
  /** The hunting table (EmailEvents, EmailAttachmentInfo, ...). */
  table: string;
  /** The row, OrgId included. */
  row: HuntingRow;
  /**
   * EmailEvents rows: the message-trace row and its RECEIVE event, so Get-MessageTrace and the
   * Inbound messages report see the message too. Its (NetworkMessageId, recipient) is the row's
   * identity: a second import of the same message and recipient adds nothing.
   */
  trace?: { row: MessageTraceRow; receive: TraceEvent };
}

export interface WriteResult {
  inserted: number;
  /** Rows already present (imported before): lines. */
  duplicates: number[];
  /** Rows whose NetworkMessageId and recipient another organization holds: lines. */
  taken: number[];
}

/** Storage of imported rows (adapter: store/sqlite/importStore.ts). One call is one transaction. */
export interface ImportWriter {
  write(rows: ImportRow[]): WriteResult;
}

export interface SkippedLine {
  line: number;
  reason: string;
}

/** The end-of-file summary, per file. */
export interface ImportSummary {
  File: string;
  Format: string;
  Source: ExportSource | '';
  Organization: string;
  Records: number;
  Imported: number;
  AlreadyImported: number;
  Skipped: number;
  /** The first skipped lines (at most SKIPPED_LISTED) with their reasons. */
  SkippedLines: SkippedLine[];
  /** What the export could not tell, and how Postern filled it in. */
  Notes: string[];
  DryRun: boolean;
}

export const SKIPPED_LISTED = 20;
