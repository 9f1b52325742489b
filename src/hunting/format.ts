// Plain-text renderings of a hunting result for the CLI: an aligned table, CSV (RFC 4180) or JSON.
import type { HuntResult, KustoValue } from './results.js';

export type HuntFormat = 'table' | 'json' | 'csv';

export function formatHuntResult(result: HuntResult, format: HuntFormat = 'table'): string {
  switch (format) {
    case 'json': return formatJson(result);
    case 'csv': return formatCsv(result);
    case 'table': return formatTable(result);
    default: throw new Error(`Unknown format '${String(format)}': use table, json or csv`);
  }
}

/** A cell as text: dynamic values as compact JSON, nulls as empty. */
export function cellText(v: KustoValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatJson(result: HuntResult): string {
  return JSON.stringify({ columns: result.columns, rows: result.rows, truncated: result.truncated, ...(result.chart ? { chart: result.chart } : {}) }, null, 2) + '\n';
}

export function formatCsv(result: HuntResult): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [result.columns.map((c) => q(c.name)).join(',')];
  for (const r of result.rows) lines.push(result.columns.map((c) => q(cellText(r[c.name]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function formatTable(result: HuntResult, maxCell = 60): string {
  const clip = (s: string) => {
    const one = s.replace(/[\r\n\t]+/g, ' ');
    return one.length > maxCell ? `${one.slice(0, maxCell - 1)}…` : one;
  };
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((r) => result.columns.map((c) => clip(cellText(r[c.name]))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)];
  const n = result.rows.length;
  out.push('', `${n} row${n === 1 ? '' : 's'}${result.truncated ? ' (truncated: the result exceeded the row limit; narrow the query)' : ''}`);
  if (result.chart) out.push(`chart: ${result.chart.kind}`);
  return out.join('\n') + '\n';
}
