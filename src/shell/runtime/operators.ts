// The operators' arithmetic and formatting (PowerShell's +, -, *, /, %, -f, indexing, -is), and
// how `catch [Type]` matches an error.
import type { Statement } from '../ast.js';
import { ShellError } from '../errors.js';
import { Hashtable, ScriptBlock, enumerate, findProperty, isPlainObject, toNumber, toStr } from '../values.js';

/**
 * Whether `catch [Type]` takes the error. Postern's errors aren't .NET exceptions: the base types
 * take everything, otherwise the type's name must match the error id or its category.
 */
export function catches(type: string, error: ShellError): boolean {
  const name = type.toLowerCase().replace(/^system\.(management\.automation\.)?/, '');
  if (['exception', 'runtimeexception', 'systemexception'].includes(name)) return true;
  const short = name.split('.').pop() as string;
  return short === error.errorId.toLowerCase() || short === `${error.category.toLowerCase()}exception` || (short === 'itemnotfoundexception' && error.category === 'ObjectNotFound');
}

export function stmtOffset(s: Statement): number {
  return s.offset;
}

export function typeLabel(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'System.String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
  if (typeof v === 'boolean') return 'System.Boolean';
  if (v instanceof Date) return 'System.DateTime';
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  if (v instanceof ScriptBlock) return 'System.Management.Automation.ScriptBlock';
  return 'System.Management.Automation.PSCustomObject';
}

export function isType(v: unknown, typeRaw: unknown): boolean {
  const t = toStr(typeRaw).replace(/^\[|\]$/g, '').toLowerCase().replace(/^system\./, '');
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'int': case 'int32': case 'long': return typeof v === 'number' && Number.isInteger(v);
    case 'double': return typeof v === 'number';
    case 'bool': case 'boolean': return typeof v === 'boolean';
    case 'datetime': return v instanceof Date;
    case 'array': case 'object[]': return Array.isArray(v);
    case 'hashtable': return v instanceof Hashtable;
    case 'scriptblock': return v instanceof ScriptBlock;
    case 'pscustomobject': return isPlainObject(v);
    default: return false;
  }
}

export function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let a = 0, b = s.length;
  if (start) while (a < b && chars.includes(s[a])) a++;
  if (end) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

export function indexValue(target: unknown, idx: unknown): unknown {
  if (target === null || target === undefined) return null;
  if (Array.isArray(idx)) return idx.map((i) => indexValue(target, i));
  if (target instanceof Hashtable) return target.get(toStr(idx)) ?? null;
  if (isPlainObject(target)) {
    if (typeof idx === 'number') return idx === 0 || idx === -1 ? target : null;
    return findProperty(target, toStr(idx))?.[1] ?? null;
  }
  const n = toNumber(idx);
  if (Array.isArray(target)) return target[n < 0 ? target.length + n : n] ?? null;
  if (typeof target === 'string') return target[n < 0 ? target.length + n : n] ?? null;
  return n === 0 || n === -1 ? target : null;
}

export function add(left: unknown, right: unknown, err?: () => Error): unknown {
  if (left === null || left === undefined) return Array.isArray(right) ? [...right] : right;
  if (Array.isArray(left)) return [...left, ...enumerate(right)];
  if (left instanceof Hashtable) {
    const h = Hashtable.from(left.entries());
    if (right instanceof Hashtable) for (const [k, v] of right.entries()) h.set(k, v);
    return h;
  }
  if (typeof left === 'string') return left + toStr(right);
  if (left instanceof Date) return new Date(left.getTime() + toNumber(right));
  return arith('+', left, right, err);
}

export function arith(op: string, left: unknown, right: unknown, err?: () => Error): unknown {
  if (op === '*' && typeof left === 'string' && Number.isFinite(toNumber(right))) return left.repeat(Math.max(0, Math.min(toNumber(right), 1_000_000)));
  if (op === '*' && Array.isArray(left) && Number.isFinite(toNumber(right))) return Array.from({ length: Math.min(toNumber(right), 100_000) }, () => left).flat();
  const a = toNumber(left), b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) {
    if (err) throw err();
    throw new Error(`Cannot convert value "${toStr(Number.isNaN(a) ? left : right)}" to type "System.Int32".`);
  }
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return a % b;
  }
}

/** The -f operator: "{0} rules, {1:N0} bytes" -f $a, $b (index, alignment and N/D/X formats). */
export function formatOperator(format: string, args: unknown[]): string {
  return format.replace(/\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}/g, (all, i, align, fmt) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const v = args[Number(i)];
    let s: string;
    const f = (fmt ?? '') as string;
    if (/^[Nn]\d*$/.test(f)) s = toNumber(v).toLocaleString('en-US', { minimumFractionDigits: f.length > 1 ? +f.slice(1) : 2, maximumFractionDigits: f.length > 1 ? +f.slice(1) : 2 });
    else if (/^[Dd]\d*$/.test(f)) s = String(Math.trunc(toNumber(v))).padStart(f.length > 1 ? +f.slice(1) : 0, '0');
    else if (/^[Xx]\d*$/.test(f)) s = Math.trunc(toNumber(v)).toString(16)[f[0] === 'X' ? 'toUpperCase' : 'toLowerCase']().padStart(f.length > 1 ? +f.slice(1) : 0, '0');
    else if (v instanceof Date && f) s = formatDateWith(v, f);
    else s = toStr(v);
    if (align) {
      const w = Number(align);
      s = w < 0 ? s.padEnd(-w) : s.padStart(w);
    }
    return s;
  });
}

/** A subset of .NET custom date formats: yyyy MM dd HH mm ss, and 'o'/'s'/'u'. */
export function formatDateWith(d: Date, fmt: string): string {
  if (!fmt) return toStr(d);
  if (fmt === 'o' || fmt === 'O') return d.toISOString().replace('Z', '0000Z');
  if (fmt === 's') return d.toISOString().slice(0, 19);
  if (fmt === 'u') return d.toISOString().slice(0, 19).replace('T', ' ') + 'Z';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return fmt.replace(/yyyy|MM|dd|HH|mm|ss|fff/g, (t) => {
    switch (t) {
      case 'yyyy': return p(d.getUTCFullYear(), 4);
      case 'MM': return p(d.getUTCMonth() + 1);
      case 'dd': return p(d.getUTCDate());
      case 'HH': return p(d.getUTCHours());
      case 'mm': return p(d.getUTCMinutes());
      case 'ss': return p(d.getUTCSeconds());
      default: return p(d.getUTCMilliseconds(), 3);
    }
  });
}
