// Runtime values. Objects are plain JS objects whose property names are Exchange's; member
// access is case-insensitive like PowerShell's. A hidden type tag chooses the default view
// (Format-Table columns) without showing up in ConvertTo-Json.
import type { Statement } from './ast.js';

/** Symbol key carrying an object's Exchange type name ('TransportRule', 'InboundConnector' ...). */
export const TYPE_NAME = Symbol.for('postern.shell.typeName');

export type PSObject = Record<string, unknown> & { [TYPE_NAME]?: string };

/** Tags an object with its type name (used by the default formatter). Returns the same object. */
export function tagged<T extends object>(obj: T, typeName: string): T {
  Object.defineProperty(obj, TYPE_NAME, { value: typeName, enumerable: false, configurable: true, writable: true });
  return obj;
}

export function typeNameOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') return (value as PSObject)[TYPE_NAME];
  return undefined;
}

/** A PowerShell hashtable: case-insensitive keys, insertion order kept. */
export class Hashtable {
  private readonly map = new Map<string, [string, unknown]>();

  static from(entries: Iterable<[string, unknown]>): Hashtable {
    const h = new Hashtable();
    for (const [k, v] of entries) h.set(k, v);
    return h;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): unknown {
    return this.map.get(key.toLowerCase())?.[1];
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  set(key: string, value: unknown): void {
    const k = key.toLowerCase();
    const existing = this.map.get(k);
    this.map.set(k, [existing ? existing[0] : key, value]);
  }

  delete(key: string): boolean {
    return this.map.delete(key.toLowerCase());
  }

  keys(): string[] {
    return [...this.map.values()].map(([k]) => k);
  }

  entries(): [string, unknown][] {
    return [...this.map.values()].map(([k, v]) => [k, v]);
  }

  toObject(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const [k, v] of this.entries()) o[k] = v;
    return o;
  }
}

/** A `{ ... }` script block. Evaluated by the runtime (Where-Object, ForEach-Object, calculated properties). */
export class ScriptBlock {
  constructor(readonly body: Statement[], readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * `$_` in a catch block: PowerShell's ErrorRecord, with the properties scripts read
 * ($_.Exception.Message, $_.FullyQualifiedErrorId, $_.CategoryInfo.Category); as a string, the message.
 */
export class ErrorRecord<E extends Error & { errorId: string; category: string; command?: string } = Error & { errorId: string; category: string; command?: string }> {
  readonly Exception: { Message: string };
  readonly FullyQualifiedErrorId: string;
  readonly CategoryInfo: { Category: string };
  readonly TargetObject = null;

  constructor(readonly error: E) {
    Object.defineProperty(this, 'error', { enumerable: false });
    this.Exception = { Message: error.message };
    this.FullyQualifiedErrorId = error.command ? `${error.errorId},${error.command}` : error.errorId;
    this.CategoryInfo = { Category: error.category };
  }

  toString(): string {
    return this.Exception.Message;
  }
}

/** Text produced by Format-Table / Format-List; rendered as-is at the end of the pipeline. */
export class FormattedText {
  constructor(readonly text: string) {}
}

export function isPlainObject(v: unknown): v is PSObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Hashtable) && !(v instanceof ScriptBlock) && !(v instanceof FormattedText);
}

/** Case-insensitive property lookup. Returns [canonicalName, value] or undefined. */
export function findProperty(obj: unknown, name: string): [string, unknown] | undefined {
  if (obj instanceof Hashtable) return obj.has(name) ? [name, obj.get(name)] : undefined;
  if (!isPlainObject(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, name)) return [name, obj[name]];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return [k, obj[k]];
  return undefined;
}

/** Property names of an object in order (hashtables: their keys). */
export function propertyNames(obj: unknown): string[] {
  if (obj instanceof Hashtable) return obj.keys();
  if (isPlainObject(obj)) return Object.keys(obj);
  return [];
}

/** PowerShell member access on any value, including a few .NET members admins use. */
export function getMember(value: unknown, name: string): unknown {
  const lower = name.toLowerCase();
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    if (lower === 'count' || lower === 'length') return value.length;
    // member enumeration: (Get-TransportRule).Name
    const out: unknown[] = [];
    for (const item of value) {
      const v = getMember(item, name);
      if (Array.isArray(v)) out.push(...v);
      else if (v !== null && v !== undefined) out.push(v);
    }
    return out;
  }
  if (typeof value === 'string') {
    if (lower === 'length') return value.length;
    return null;
  }
  if (value instanceof Date) {
    switch (lower) {
      case 'year': return value.getUTCFullYear();
      case 'month': return value.getUTCMonth() + 1;
      case 'day': return value.getUTCDate();
      case 'hour': return value.getUTCHours();
      case 'minute': return value.getUTCMinutes();
      case 'second': return value.getUTCSeconds();
      case 'dayofweek': return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][value.getUTCDay()];
      case 'date': return new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate()));
      case 'ticks': return value.getTime() * 10000 + 621355968000000000;
      default: return null;
    }
  }
  if (value instanceof Hashtable) {
    if (value.has(name)) return value.get(name);
    if (lower === 'count') return value.size;
    if (lower === 'keys') return value.keys();
    if (lower === 'values') return value.entries().map(([, v]) => v);
    return null;
  }
  if (value instanceof ScriptBlock) return null;
  const p = findProperty(value, name);
  if (p) return p[1] === undefined ? null : p[1];
  if (lower === 'count' || lower === 'length') return 1;
  return null;
}

// ------------------------------------------------------------------ conversions

/** PowerShell truthiness. */
export function toBool(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) {
    if (v.length === 0) return false;
    if (v.length === 1) return toBool(v[0]);
    return true;
  }
  return true;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** en-US general date/time, the format PowerShell shows in tables: 11/1/2026 2:05:00 PM (UTC). */
export function formatDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** PowerShell's string conversion: True/False, dates en-US, arrays joined by spaces. */
export function toStr(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (v instanceof Date) return formatDate(v);
  if (Array.isArray(v)) return v.map(toStr).join(' ');
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  if (v instanceof ScriptBlock) return v.text;
  if (v instanceof FormattedText) return v.text;
  if (v instanceof ErrorRecord) return v.toString();
  if (isPlainObject(v)) {
    const id = findProperty(v, 'Identity') ?? findProperty(v, 'Name');
    if (id && typeof id[1] === 'string') return id[1];
    return '@{' + Object.entries(v).map(([k, x]) => `${k}=${toStr(x)}`).join('; ') + '}';
  }
  return String(v);
}

/** Numeric conversion as PowerShell does for arithmetic/comparison; NaN when impossible. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return 0;
    const m = /^([+-]?(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+))(kb|mb|gb|tb|pb)?$/i.exec(t);
    if (!m) return NaN;
    const base = m[1].toLowerCase().includes('0x') ? parseInt(m[1].replace(/0x/i, ''), 16) * (m[1].startsWith('-') ? -1 : 1) : Number(m[1]);
    const mult = m[2] ? 1024 ** (['kb', 'mb', 'gb', 'tb', 'pb'].indexOf(m[2].toLowerCase()) + 1) : 1;
    return base * mult;
  }
  if (v instanceof Date) return v.getTime();
  return NaN;
}

/** Flattens one level: what a pipeline emits for a value. */
export function enumerate(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  return [v];
}

/** The value of collected pipeline output: nothing → $null, one → it, several → array. */
export function collapse(items: unknown[]): unknown {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0];
  return items;
}

// ------------------------------------------------------------------ comparison operators

/** Converts the wildcard pattern of -like to a RegExp (* ? [abc], backtick escapes). */
export function wildcardToRegExp(pattern: string, caseSensitive = false): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '`' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i]);
    } else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end > i) {
        re += '[' + pattern.slice(i + 1, end).replace(/\\/g, '\\\\') + ']';
        i = end;
      } else re += '\\[';
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, caseSensitive ? 'u' : 'iu');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Converts .NET regex syntax to JS where the two differ in ways admins hit. */
export function dotnetRegex(pattern: string, caseSensitive = false): RegExp {
  const p = pattern.replace(/\(\?<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\\A/g, '^').replace(/\\[Zz]/g, '$');
  return new RegExp(p, caseSensitive ? 'u' : 'iu');
}

function compareScalars(a: unknown, b: unknown, caseSensitive: boolean): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number') {
    const nb = toNumber(b);
    if (Number.isNaN(nb)) return compareStrings(toStr(a), toStr(b), caseSensitive);
    return a < nb ? -1 : a > nb ? 1 : 0;
  }
  if (typeof a === 'boolean') {
    const bb = toBool(b);
    return a === bb ? 0 : a ? 1 : -1;
  }
  if (a instanceof Date) {
    const tb = b instanceof Date ? b.getTime() : Date.parse(toStr(b));
    const ta = a.getTime();
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  return compareStrings(toStr(a), toStr(b), caseSensitive);
}

function compareStrings(a: string, b: string, caseSensitive: boolean): number {
  const x = caseSensitive ? a : a.toLowerCase();
  const y = caseSensitive ? b : b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Ordering used by Sort-Object and -gt/-lt (case-insensitive strings, numbers numerically). */
export function compareValues(a: unknown, b: unknown, caseSensitive = false): number {
  return compareScalars(a, b, caseSensitive);
}

export interface CompareState {
  /** Set by -match: the $Matches hashtable. */
  matches?: Hashtable;
}

/** Evaluates `left -op right` with PowerShell semantics (arrays on the left filter). */
export function compare(opRaw: string, left: unknown, right: unknown, state: CompareState = {}): unknown {
  let op = opRaw.toLowerCase();
  let cs = false;
  if (op.length > 2 && (op.startsWith('c') || op.startsWith('i')) && !['contains', 'in', 'is', 'isnot'].includes(op)) {
    const rest = op.slice(1);
    if (['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains', 'in', 'notin', 'replace', 'split'].includes(rest)) {
      cs = op.startsWith('c');
      op = rest;
    }
  }
  if (op === 'contains' || op === 'notcontains') {
    const found = enumerate(left).some((x) => compareScalars(x, right, cs) === 0 && sameKind(x, right));
    return op === 'contains' ? found : !found;
  }
  if (op === 'in' || op === 'notin') {
    const found = enumerate(right).some((x) => compareScalars(x, left, cs) === 0 && sameKind(x, left));
    return op === 'in' ? found : !found;
  }
  if (op === 'replace') {
    const [pat, rep] = Array.isArray(right) ? [toStr(right[0]), toStr(right[1] ?? '')] : [toStr(right), ''];
    const re = new RegExp(dotnetRegex(pat, cs).source, cs ? 'gu' : 'giu');
    const f = (s: unknown) => toStr(s).replace(re, rep.replace(/\$(\d)/g, '$$$1'));
    return Array.isArray(left) ? left.map(f) : f(left);
  }
  if (op === 'split') {
    const re = dotnetRegex(toStr(right), cs);
    return toStr(left).split(new RegExp(re.source, re.flags));
  }
  if (op === 'join') return enumerate(left).map(toStr).join(toStr(right));
  if (Array.isArray(left)) return left.filter((x) => toBool(compareOne(op, cs, x, right, state)) === true);
  return compareOne(op, cs, left, right, state);
}

function sameKind(a: unknown, b: unknown): boolean {
  // 1 -eq '1' is true in PowerShell; we only guard against null matching empty.
  return !((a === null) !== (b === null));
}

function compareOne(op: string, cs: boolean, left: unknown, right: unknown, state: CompareState): boolean {
  switch (op) {
    case 'eq': return (left === null || left === undefined) ? right === null || right === undefined : compareScalars(left, right, cs) === 0 && right !== null && right !== undefined;
    case 'ne': return !compareOne('eq', cs, left, right, state);
    case 'gt': return compareScalars(left, right, cs) > 0;
    case 'ge': return compareScalars(left, right, cs) >= 0;
    case 'lt': return compareScalars(left, right, cs) < 0;
    case 'le': return compareScalars(left, right, cs) <= 0;
    case 'like': return wildcardToRegExp(toStr(right), cs).test(toStr(left));
    case 'notlike': return !wildcardToRegExp(toStr(right), cs).test(toStr(left));
    case 'match':
    case 'notmatch': {
      const m = dotnetRegex(toStr(right), cs).exec(toStr(left));
      if (m && op === 'match') {
        const h = new Hashtable();
        m.forEach((g, i) => {
          if (g !== undefined) h.set(String(i), g);
        });
        for (const [k, g] of Object.entries(m.groups ?? {})) if (g !== undefined) h.set(k, g);
        state.matches = h;
      }
      return op === 'match' ? m !== null : m === null;
    }
    default:
      throw new Error(`Unsupported operator -${op}`);
  }
}
