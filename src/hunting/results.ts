// Converting stored values back to Kusto values, and the result shape every caller sees.
import type { KustoType } from '../trace/tables.js';
import type { ChartHint, ColumnInfo } from './compileContext.js';
import { formatTimespan } from './udfs.js';

/** A Kusto value as returned to callers: datetimes are ISO-8601 UTC strings (ms precision),
 * timespans Kusto-formatted strings (`1.02:03:04`), dynamic values parsed JSON, strings never null. */
export type KustoValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

export interface HuntResult {
  columns: ColumnInfo[];
  rows: Record<string, KustoValue>[];
  chart?: ChartHint;
  /** True when the result had more rows than maxRows and was cut. */
  truncated: boolean;
  /** Milliseconds spent executing the SQL. */
  elapsedMs: number;
}

export function convertValue(v: unknown, type: KustoType): KustoValue {
  if (type === 'string') return v === null || v === undefined ? '' : String(v);
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'datetime': { const d = new Date(Number(v)); return Number.isNaN(d.getTime()) ? null : d.toISOString(); }
    case 'timespan': return formatTimespan(Number(v));
    case 'bool': return Number(v) !== 0;
    case 'dynamic':
      try { return JSON.parse(String(v)) as KustoValue; } catch { return String(v); }
    default: return typeof v === 'bigint' ? Number(v) : (v as number);
  }
}

export function convertRow(raw: unknown[], columns: ColumnInfo[]): Record<string, KustoValue> {
  const row: Record<string, KustoValue> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i].name] = convertValue(raw[i], columns[i].type);
  return row;
}
