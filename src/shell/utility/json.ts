// Runtime values as JSON data, PowerShell 7 style (ConvertTo-Json, Select-Object -Unique).
import { FormattedText, Hashtable, ScriptBlock, isPlainObject, toStr } from '../values.js';

export interface JsonState {
  truncated: boolean;
}

/** A runtime value as JSON data, PowerShell 7 style; deeper than `depth` becomes its string form. */
export function jsonValue(v: unknown, depth: number, state: JsonState): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof ScriptBlock) return v.text;
  if (v instanceof FormattedText) return v.text;
  if (Array.isArray(v)) {
    if (depth < 0) {
      state.truncated = true;
      return v.map(toStr).join(' ');
    }
    return v.map((x) => jsonValue(x, depth - 1, state));
  }
  const entries = v instanceof Hashtable ? v.entries() : isPlainObject(v) ? Object.entries(v) : [];
  if (depth < 0) {
    state.truncated = true;
    return toStr(v);
  }
  const o: Record<string, unknown> = {};
  for (const [k, x] of entries) o[k] = jsonValue(x, depth - 1, state);
  return o;
}
