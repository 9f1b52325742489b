// Kusto semantics that SQL lacks, as plain functions: term matching (`has`), Unicode case
// folding, RE2 regular expressions, 0-based string functions, calendar arithmetic, IPv4.
// The SQLite executor registers them as user functions under these names; a PostgreSQL
// dialect would install SQL equivalents.
import RE2 from 're2';
import { KqlError } from './errors.js';
import { parseDatetimeText, parseTimespanText } from './exprParser.js';

type V = string | number | bigint | null;

const reCache = new Map<string, RE2>();
export function re2(pattern: string, flags = ''): RE2 {
  const key = `${flags}/${pattern}`;
  let r = reCache.get(key);
  if (!r) {
    try {
      r = new RE2(pattern, flags);
    } catch (e) {
      throw new KqlError(`Invalid regular expression '${pattern}': ${(e as Error).message}`, 0, { cause: e });
    }
    if (reCache.size > 500) reCache.clear();
    reCache.set(key, r);
  }
  return r;
}

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Kusto `has`: needle occurs as whole term(s): no alphanumeric neighbour where the needle has one. */
export function hasTerm(hay: string, needle: string, caseSensitive: boolean, mode: 'term' | 'prefix' | 'suffix' = 'term'): boolean {
  if (needle === '') return true;
  const h = caseSensitive ? hay : hay.toLowerCase();
  const n = caseSensitive ? needle : needle.toLowerCase();
  const checkBefore = mode !== 'suffix' && isAlnum(n.charCodeAt(0));
  const checkAfter = mode !== 'prefix' && isAlnum(n.charCodeAt(n.length - 1));
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    if (checkBefore && i > 0 && isAlnum(h.charCodeAt(i - 1))) continue;
    const end = i + n.length;
    if (checkAfter && end < h.length && isAlnum(h.charCodeAt(end))) continue;
    return true;
  }
  return false;
}

const listCache = new Map<string, string[]>();
function list(json: string): string[] {
  let l = listCache.get(json);
  if (!l) {
    const v = JSON.parse(json) as unknown;
    l = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    if (listCache.size > 500) listCache.clear();
    listCache.set(json, l);
  }
  return l;
}

const b = (x: boolean | null): number | null => (x === null ? null : x ? 1 : 0);
const s = (x: V): string => (x === null ? '' : String(x));

// ---- time ----------------------------------------------------------------------------------
const DAY = 86_400_000;

/** Kusto's rendering of a datetime: ISO 8601 with 7 fractional digits. */
export function formatDatetime(ms: number): string {
  const d = new Date(Math.floor(ms));
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}${String(Math.round((ms - Math.floor(ms)) * 10000)).padStart(4, '0')}Z`;
}

/** Kusto's rendering of a timespan: [-][d.]hh:mm:ss[.fffffff]. */
export function formatTimespan(ms: number): string {
  const neg = ms < 0;
  let t = Math.abs(ms);
  const days = Math.floor(t / DAY); t -= days * DAY;
  const h = Math.floor(t / 3_600_000); t -= h * 3_600_000;
  const m = Math.floor(t / 60_000); t -= m * 60_000;
  const sec = Math.floor(t / 1000); t -= sec * 1000;
  const ticks = Math.round(t * 10_000);
  const p2 = (x: number) => String(x).padStart(2, '0');
  return `${neg ? '-' : ''}${days ? `${days}.` : ''}${p2(h)}:${p2(m)}:${p2(sec)}${ticks ? `.${String(ticks).padStart(7, '0')}` : ''}`;
}

function startOf(kind: string, ms: number, offset: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth();
  const base = kind.replace(/^(start|end)of/, '');
  const start = (k: number): number => {
    switch (base) {
      case 'day': return Math.floor(ms / DAY) * DAY + k * DAY;
      case 'week': { const day = Math.floor(ms / DAY) * DAY; const dow = new Date(day).getUTCDay(); return day - dow * DAY + k * 7 * DAY; }
      case 'month': return Date.UTC(y, mo + k, 1);
      default: return Date.UTC(y + k, 0, 1);
    }
  };
  return kind.startsWith('start') ? start(offset) : start(offset + 1) - 0.0001;
}

function isoWeek(ms: number): number {
  const d = new Date(Math.floor(ms / DAY) * DAY);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((d.getTime() - firstThursday.getTime()) / DAY - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}

function datePart(part: string, ms: number): number {
  const d = new Date(ms);
  switch (part) {
    case 'year': case 'getyear': return d.getUTCFullYear();
    case 'quarter': return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'month': case 'getmonth': case 'monthofyear': return d.getUTCMonth() + 1;
    case 'day': case 'dayofmonth': return d.getUTCDate();
    case 'dayofyear': return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
    case 'hour': case 'hourofday': return d.getUTCHours();
    case 'minute': return d.getUTCMinutes();
    case 'second': return d.getUTCSeconds();
    case 'millisecond': return d.getUTCMilliseconds();
    case 'dayofweek': return d.getUTCDay() * DAY;
    case 'week_of_year': case 'weekofyear': return isoWeek(ms);
    default: throw new Error(`Unknown datetime part '${part}'`);
  }
}

const UNIT_MS: Record<string, number> = { day: DAY, hour: 3_600_000, minute: 60_000, second: 1000, millisecond: 1, microsecond: 0.001, nanosecond: 0.000001 };

function datetimeDiff(part: string, a: number, bb: number): number {
  const da = new Date(a), db = new Date(bb);
  switch (part) {
    case 'year': return da.getUTCFullYear() - db.getUTCFullYear();
    case 'quarter': return (da.getUTCFullYear() * 4 + Math.floor(da.getUTCMonth() / 3)) - (db.getUTCFullYear() * 4 + Math.floor(db.getUTCMonth() / 3));
    case 'month': return (da.getUTCFullYear() * 12 + da.getUTCMonth()) - (db.getUTCFullYear() * 12 + db.getUTCMonth());
    case 'week': case 'weekofyear': case 'week_of_year': return Math.round((startOf('startofweek', a, 0) - startOf('startofweek', bb, 0)) / (7 * DAY));
    default: {
      const u = UNIT_MS[part];
      if (!u) throw new Error(`Unknown datetime part '${part}'`);
      return Math.floor(a / u) - Math.floor(bb / u);
    }
  }
}

function datetimeAdd(part: string, n: number, ms: number): number {
  const d = new Date(ms);
  switch (part) {
    case 'year': d.setUTCFullYear(d.getUTCFullYear() + n); return d.getTime();
    case 'quarter': d.setUTCMonth(d.getUTCMonth() + 3 * n); return d.getTime();
    case 'month': d.setUTCMonth(d.getUTCMonth() + n); return d.getTime();
    case 'week': case 'weekofyear': case 'week_of_year': return ms + n * 7 * DAY;
    default: {
      const u = UNIT_MS[part];
      if (!u) throw new Error(`Unknown datetime part '${part}'`);
      return ms + n * u;
    }
  }
}

export function formatDatetimeWith(ms: number, fmt: string): string {
  const d = new Date(ms);
  const p = (x: number, w: number) => String(x).padStart(w, '0');
  const frac = p(d.getUTCMilliseconds(), 3) + '0000';
  return fmt.replace(/yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt/g, (t) => {
    switch (t) {
      case 'yyyy': return p(d.getUTCFullYear(), 4);
      case 'yy': return p(d.getUTCFullYear() % 100, 2);
      case 'MM': return p(d.getUTCMonth() + 1, 2);
      case 'M': return String(d.getUTCMonth() + 1);
      case 'dd': return p(d.getUTCDate(), 2);
      case 'd': return String(d.getUTCDate());
      case 'HH': return p(d.getUTCHours(), 2);
      case 'H': return String(d.getUTCHours());
      case 'hh': return p(d.getUTCHours() % 12 || 12, 2);
      case 'h': return String(d.getUTCHours() % 12 || 12);
      case 'mm': return p(d.getUTCMinutes(), 2);
      case 'm': return String(d.getUTCMinutes());
      case 'ss': return p(d.getUTCSeconds(), 2);
      case 's': return String(d.getUTCSeconds());
      case 'tt': return d.getUTCHours() < 12 ? 'AM' : 'PM';
      default: return t[0] === 'f' ? frac.slice(0, t.length) : frac.slice(0, t.length).replace(/0+$/, '');
    }
  });
}

// ---- IPv4 ------------------------------------------------------------------------------------
export function parseIpv4(text: string): number | null {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  if (o.some((x) => x > 255)) return null;
  let v = ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
  if (m[5] !== undefined) {
    const pfx = Number(m[5]);
    if (pfx > 32) return null;
    v = maskIp(v, pfx);
  }
  return v;
}

function maskIp(v: number, prefix: number): number {
  if (prefix <= 0) return 0;
  const size = 2 ** (32 - prefix);
  return Math.floor(v / size) * size;
}

function ipAndPrefix(text: string): { ip: number; prefix: number } | null {
  const [addr, pfx] = text.trim().split('/');
  const ip = parseIpv4(addr);
  if (ip === null) return null;
  const prefix = pfx === undefined ? 32 : Number(pfx);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
  return { ip, prefix };
}

export function ipv4InRange(ip: string, range: string): boolean | null {
  const a = ipAndPrefix(ip), r = ipAndPrefix(range);
  if (!a || !r) return null;
  return maskIp(a.ip, r.prefix) === maskIp(r.ip, r.prefix);
}

export function ipv4Private(ip: string): boolean | null {
  const a = ipAndPrefix(ip);
  if (!a) return null;
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some((r) => ipv4InRange(ip, r));
}

function ipv4Compare(x: string, y: string, prefix: number | null): number | null {
  const a = ipAndPrefix(x), c = ipAndPrefix(y);
  if (!a || !c) return null;
  const p = Math.min(a.prefix, c.prefix, prefix ?? 32);
  const d = maskIp(a.ip, p) - maskIp(c.ip, p);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

// ---- conversions ---------------------------------------------------------------------------
export function toLong(x: V): number | null {
  if (x === null) return null;
  if (typeof x === 'number') return Number.isFinite(x) ? Math.trunc(x) : null;
  if (typeof x === 'bigint') return Number(x);
  const t = x.trim();
  if (t === '') return null;
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true' ? 1 : 0;
  const n = Number(t);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

export function toReal(x: V): number | null {
  if (x === null) return null;
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  const t = x.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isNaN(n) ? null : n;
}

export function toBool(x: V): number | null {
  if (x === null) return null;
  if (typeof x === 'number' || typeof x === 'bigint') return Number(x) !== 0 ? 1 : 0;
  const t = x.trim().toLowerCase();
  if (t === 'true' || t === '1') return 1;
  if (t === 'false' || t === '0') return 0;
  return null;
}

/** Kusto tostring() of a stored value of the given type; never null. */
export function toStringOf(x: V, kind: string): string {
  if (x === null) return '';
  switch (kind) {
    case 'datetime': return formatDatetime(Number(x));
    case 'timespan': return formatTimespan(Number(x));
    case 'bool': return Number(x) ? 'true' : 'false';
    case 'real': { const n = Number(x); return Number.isInteger(n) ? String(n) : String(n); }
    case 'dynamic': {
      const t = String(x);
      if (t.startsWith('"')) { try { return JSON.parse(t) as string; } catch { return t; } }
      return t === 'null' ? '' : t;
    }
    default: return String(x);
  }
}

function parseUrl(text: string): string {
  try {
    const u = new URL(text);
    const q: Record<string, string> = {};
    u.searchParams.forEach((v, k) => { q[k] = v; });
    return JSON.stringify({
      Scheme: u.protocol.replace(/:$/, ''), Host: u.hostname, Port: u.port, Path: u.pathname,
      Username: decodeURIComponent(u.username), Password: decodeURIComponent(u.password), 'Query Parameters': q, Fragment: u.hash.replace(/^#/, ''),
    });
  } catch {
    return '{}';
  }
}

// ---- the function table -------------------------------------------------------------------
export interface UdfState { deadline: number; timeoutMs: number }
export const udfState: UdfState = { deadline: Infinity, timeoutMs: 0 };

export class QueryInterrupted extends Error {
  constructor() { super('query interrupted: time limit exceeded'); this.name = 'QueryInterrupted'; }
}

export const SCALAR_UDFS: Record<string, (...args: any[]) => V> = {
  kql_has: (h: V, n: V) => b(hasTerm(s(h), s(n), false)),
  kql_has_cs: (h: V, n: V) => b(hasTerm(s(h), s(n), true)),
  kql_hasprefix: (h: V, n: V, cs: number) => b(hasTerm(s(h), s(n), !!cs, 'prefix')),
  kql_hassuffix: (h: V, n: V, cs: number) => b(hasTerm(s(h), s(n), !!cs, 'suffix')),
  kql_has_any: (h: V, l: string) => b(list(l).some((n) => hasTerm(s(h), n, false))),
  kql_has_all: (h: V, l: string) => b(list(l).every((n) => hasTerm(s(h), n, false))),
  kql_contains: (h: V, n: V) => b(s(h).toLowerCase().includes(s(n).toLowerCase())),
  kql_startswith: (h: V, n: V, cs: number) => b(cs ? s(h).startsWith(s(n)) : s(h).toLowerCase().startsWith(s(n).toLowerCase())),
  kql_endswith: (h: V, n: V, cs: number) => b(cs ? s(h).endsWith(s(n)) : s(h).toLowerCase().endsWith(s(n).toLowerCase())),
  kql_lower: (x: V) => s(x).toLowerCase(),
  kql_upper: (x: V) => s(x).toUpperCase(),
  kql_regex: (x: V, p: V) => b(re2(s(p)).test(s(x))),
  kql_extract: (p: V, g: V, x: V) => {
    const m = s(x).match(re2(s(p)));
    return m ? (m[Number(g)] ?? null) : null;
  },
  kql_parse_match: (p: V, x: V, g: V) => {
    const m = s(x).match(re2(s(p)));
    return m ? (m[Number(g)] ?? null) : null;
  },
  kql_replace_regex: (x: V, p: V, r: V) => s(x).replace(re2(s(p), 'g'), s(r).replace(/\\(\d)/g, '$$$1')),
  kql_replace_string: (x: V, l: V, r: V) => (s(l) === '' ? s(x) : s(x).split(s(l)).join(s(r))),
  kql_trim: (kind: string, p: V, x: V) => {
    let v = s(x);
    if (kind !== 'trim_end') v = v.replace(re2(`^(?:${s(p)})+`), '');
    if (kind !== 'trim_start') v = v.replace(re2(`(?:${s(p)})+$`), '');
    return v;
  },
  kql_split: (x: V, d: V) => JSON.stringify(s(d) === '' ? [s(x)] : s(x).split(s(d))),
  kql_substring: (x: V, start: V, len: V) => {
    const str = s(x);
    const st = Math.max(0, Number(start ?? 0));
    return len === null ? str.slice(st) : str.slice(st, st + Math.max(0, Number(len)));
  },
  kql_indexof: (x: V, l: V, start: V) => {
    const st = Number(start ?? 0);
    if (st < 0 || st > s(x).length) return null;
    return s(x).indexOf(s(l), st);
  },
  kql_countof: (x: V, l: V, regex: number) => {
    const str = s(x), sub = s(l);
    if (sub === '') return 0;
    if (regex) return (str.match(re2(sub, 'g')) ?? []).length;
    let n = 0;
    for (let i = str.indexOf(sub); i >= 0; i = str.indexOf(sub, i + 1)) n++;
    return n;
  },
  kql_base64_decode: (x: V) => Buffer.from(s(x), 'base64').toString('utf8'),
  kql_base64_encode: (x: V) => Buffer.from(s(x), 'utf8').toString('base64'),
  kql_tostring: (x: V, kind: string) => toStringOf(x, kind),
  // mv-expand of several arrays: the longest one (JSON text), which sets the number of rows.
  kql_mv_longest: (...arrays: V[]) => {
    let best: V = '[]', bestLength = -1;
    for (const a of arrays) {
      const length = a === null ? 0 : (JSON.parse(String(a)) as unknown[]).length;
      if (length > bestLength) { best = a; bestLength = length; }
    }
    return best;
  },
  kql_series_fill: (n: V, def: V) => `[${new Array<string>(seriesCount(n)).fill(String(def)).join(',')}]`,
  kql_series_axis: (start: V, step: V, n: V, kind: string) => JSON.stringify(Array.from({ length: seriesCount(n) }, (_, i) => {
    const v = Number(start) + i * Number(step);
    return kind === 'datetime' ? formatDatetime(v) : kind === 'timespan' ? formatTimespan(v) : v;
  })),
  kql_tolong: (x: V) => toLong(x),
  kql_toreal: (x: V) => toReal(x),
  kql_tobool: (x: V) => toBool(x),
  kql_todatetime: (x: V) => (x === null || x === '' ? null : typeof x === 'number' ? x : parseDatetimeText(String(x))),
  kql_totimespan: (x: V) => (x === null || x === '' ? null : typeof x === 'number' ? x : parseTimespanText(String(x))),
  kql_format_datetime: (x: V, f: V) => (x === null ? '' : formatDatetimeWith(Number(x), s(f))),
  kql_datetime_diff: (p: string, a: V, c: V) => (a === null || c === null ? null : datetimeDiff(p, Number(a), Number(c))),
  kql_datetime_add: (p: string, n: V, d: V) => (n === null || d === null ? null : datetimeAdd(p, Number(n), Number(d))),
  kql_startof: (kind: string, d: V, off: V) => (d === null ? null : startOf(kind, Number(d), Number(off ?? 0))),
  kql_datepart: (p: string, d: V) => (d === null ? null : datePart(p, Number(d))),
  kql_ipv4_in_range: (ip: V, r: V) => b(ipv4InRange(s(ip), s(r))),
  kql_ipv4_private: (ip: V) => b(ipv4Private(s(ip))),
  kql_parse_ipv4: (ip: V) => parseIpv4(s(ip)),
  kql_ipv4_compare: (x: V, y: V, p: V) => ipv4Compare(s(x), s(y), p === null ? null : Number(p)),
  kql_bag_keys: (d: V) => {
    if (d === null) return null;
    const v = JSON.parse(String(d)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(Object.keys(v)) : null;
  },
  kql_parse_url: (x: V) => parseUrl(s(x)),
  kql_tick: () => {
    if (Date.now() > udfState.deadline) throw new QueryInterrupted();
    return 1;
  },
};

/** make_set / make_list over JSON texts of the values; nulls are skipped. */
export const AGGREGATE_UDFS = {
  kql_make_set: { distinct: true },
  kql_make_list: { distinct: false },
} as const;

/** make-series: (step index, value) pairs of one group → a JSON array of n values, `def` (JSON
 * text) where a step has no value. */
export const SERIES_UDF = {
  start: () => ({ n: -1, def: 'null', at: new Map<number, V>() }),
  step: (st: { n: number; def: string; at: Map<number, V> }, i: V, v: V, n: V, def: V) => {
    if (st.n < 0) { st.n = seriesCount(n); st.def = String(def); }
    if (i !== null) st.at.set(Number(i), v);
  },
  result: (st: { n: number; def: string; at: Map<number, V> }) => {
    const out: string[] = new Array<string>(Math.max(st.n, 0)).fill(st.def);
    for (const [i, v] of st.at) if (i >= 0 && i < out.length) out[i] = v === null ? 'null' : JSON.stringify(typeof v === 'bigint' ? Number(v) : v);
    return `[${out.join(',')}]`;
  },
};

/** Kusto's limit on the values of one make-series series (2^20). */
const MAX_SERIES_POINTS = 1_048_576;
function seriesCount(n: V): number {
  const count = Math.max(0, Number(n ?? 0));
  if (count > MAX_SERIES_POINTS) throw new KqlError(`make-series would make series of ${count} values; Kusto's limit is ${MAX_SERIES_POINTS}: use a larger step or a shorter range`, 0);
  return count;
}

export function makeAggregate(distinct: boolean) {
  return {
    start: () => ({ items: [] as string[], seen: distinct ? new Set<string>() : null, limit: Infinity }),
    step: (st: { items: string[]; seen: Set<string> | null; limit: number }, v: V, limit: V) => {
      if (limit !== null && limit !== undefined) st.limit = Number(limit);
      if (v === null || v === 'null' || st.items.length >= st.limit) return;
      const t = String(v);
      if (st.seen) { if (st.seen.has(t)) return; st.seen.add(t); }
      st.items.push(t);
    },
    result: (st: { items: string[] }) => `[${st.items.join(',')}]`,
  };
}
