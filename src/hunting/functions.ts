// Scalar and aggregation functions: argument checking, result types, and their SQL. Anything
// not listed here is rejected by name.
import type { KustoType } from '../trace/tables.js';
import type { Expr } from './ast.js';
import type { CompilerContext, Scope, SExpr } from './compileContext.js';
import { KqlError, unsupported } from './errors.js';
import { re2 } from './udfs.js';

/** A pattern known at compile time is checked now, so a bad regex is reported with its position. */
export function checkRegex(x: SExpr, pos: number): void {
  if (!x.konst || typeof x.konst.v !== 'string') return;
  try {
    re2(x.konst.v);
  } catch (e) {
    throw new KqlError((e as Error).message, pos);
  }
}

type Call = Extract<Expr, { k: 'call' }>;

const AGGREGATES = new Set([
  'count', 'countif', 'dcount', 'dcountif', 'count_distinct', 'sum', 'sumif', 'avg', 'avgif', 'min', 'max', 'minif', 'maxif',
  'make_set', 'make_list', 'make_set_if', 'make_list_if', 'any', 'take_any', 'arg_max', 'arg_min',
  'percentile', 'percentiles', 'stdev', 'variance', 'make_bag', 'hll', 'tdigest', 'binary_all_or', 'buildschema',
]);

export function isAggregateName(name: string): boolean { return AGGREGATES.has(name); }

const UNSUPPORTED_FUNCTIONS = new Set([
  'geo_info_from_ip_address', 'series_decompose_anomalies', 'make_series', 'bag_unpack', 'hash', 'hash_sha256', 'hash_md5',
  'row_number', 'prev', 'next', 'externaldata', 'jaccard_index', 'unicode_codepoints_from_string', 'zip', 'array_sort_asc',
]);

function argc(c: Call, min: number, max = min): void {
  if (c.args.length < min || c.args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new KqlError(`${c.name}() takes ${want} argument(s), got ${c.args.length}`, c.pos);
  }
}

function isNum(t: KustoType): boolean { return t === 'int' || t === 'long' || t === 'real'; }

export function callAggregate(cc: CompilerContext, c: Call, scope: Scope): SExpr {
  const a = (i: number) => cc.scalar(c.args[i], scope);
  const pred = (i: number) => cc.toBool(a(i), c.args[i].pos);
  switch (c.name) {
    case 'count':
      argc(c, 0, 1);
      return { sql: c.args.length ? `COUNT(${a(0).sql})` : 'COUNT(*)', type: 'long' };
    case 'countif': argc(c, 1); return { sql: `COUNT(CASE WHEN ${pred(0)} THEN 1 END)`, type: 'long' };
    case 'dcount': case 'count_distinct': {
      argc(c, 1, 2);
      const x = a(0);
      return { sql: `COUNT(DISTINCT ${x.type === 'dynamic' ? cc.toStringSql(x) : x.sql})`, type: 'long' };
    }
    case 'dcountif': argc(c, 2, 3); return { sql: `COUNT(DISTINCT CASE WHEN ${pred(1)} THEN ${a(0).sql} END)`, type: 'long' };
    case 'sum': case 'sumif': {
      argc(c, c.name === 'sum' ? 1 : 2);
      const x = a(0);
      if (!isNum(x.type) && x.type !== 'timespan') throw new KqlError(`${c.name}() needs a numeric argument, not ${x.type}`, c.args[0].pos);
      const v = c.name === 'sumif' ? `CASE WHEN ${pred(1)} THEN ${x.sql} END` : x.sql;
      return { sql: `SUM(${v})`, type: x.type === 'int' ? 'long' : x.type };
    }
    case 'avg': case 'avgif': {
      argc(c, c.name === 'avg' ? 1 : 2);
      const x = a(0);
      if (!isNum(x.type) && x.type !== 'timespan' && x.type !== 'datetime') throw new KqlError(`${c.name}() needs a numeric argument, not ${x.type}`, c.args[0].pos);
      const v = c.name === 'avgif' ? `CASE WHEN ${pred(1)} THEN ${x.sql} END` : x.sql;
      return { sql: `AVG(${v})`, type: isNum(x.type) ? 'real' : x.type };
    }
    case 'min': case 'max': case 'minif': case 'maxif': {
      const base = c.name.slice(0, 3).toUpperCase();
      argc(c, c.name.length === 3 ? 1 : 2);
      const x = a(0);
      if (x.type === 'dynamic' || x.type === 'bool') throw new KqlError(`${c.name}() cannot aggregate ${x.type} values`, c.args[0].pos);
      const v = c.name.length > 3 ? `CASE WHEN ${pred(1)} THEN ${x.sql} END` : x.sql;
      // Strings are never null in Kusto: ignore empty strings as min() does for nulls.
      const vv = x.type === 'string' ? `NULLIF(${v}, '')` : v;
      return { sql: x.type === 'string' ? `coalesce(${base}(${vv}), '')` : `${base}(${vv})`, type: x.type };
    }
    case 'any': case 'take_any': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'string') return { sql: `coalesce(MAX(NULLIF(${x.sql}, '')), '')`, type: 'string' };
      return { sql: `MAX(${x.sql})`, type: x.type };
    }
    case 'make_set': case 'make_list': case 'make_set_if': case 'make_list_if': {
      const isIf = c.name.endsWith('_if');
      argc(c, isIf ? 2 : 1, isIf ? 3 : 2);
      const x = a(0);
      const json = cc.toJsonSql(x);
      const limitArg = c.args[isIf ? 2 : 1];
      const limit = limitArg ? cc.scalar(limitArg, { cols: [], env: scope.env }) : undefined;
      const v = isIf ? `CASE WHEN ${pred(1)} THEN ${json} END` : json;
      const fn = c.name.startsWith('make_set') ? 'kql_make_set' : 'kql_make_list';
      return { sql: cc.helper(fn, [v, limit ? limit.sql : '1048576']), type: 'dynamic' };
    }
    case 'arg_max': case 'arg_min':
      throw unsupported(`${c.name}() inside an expression`, c.pos);
    default:
      throw unsupported(`The aggregation function '${c.name}()'`, c.pos);
  }
}

// eslint-disable-next-line max-lines-per-function -- one table: a case per KQL scalar function, each a few lines; a new function is one more case (DESIGN.md)
export function callScalar(cc: CompilerContext, c: Call, scope: Scope): SExpr {
  const a = (i: number) => {
    const x = cc.scalar(c.args[i], scope);
    if (x.rel) throw new KqlError(`Argument ${i + 1} of ${c.name}() is a table; a scalar is expected (use toscalar())`, c.args[i].pos);
    return x;
  };
  const str = (i: number) => cc.toStringSql(a(i));
  const konstString = (i: number): string => {
    const x = a(i);
    if (!x.konst || typeof x.konst.v !== 'string') throw new KqlError(`Argument ${i + 1} of ${c.name}() must be a string literal`, c.args[i].pos);
    return x.konst.v;
  };
  const needType = (x: SExpr, types: KustoType[], i: number) => {
    if (!types.includes(x.type)) throw new KqlError(`Argument ${i + 1} of ${c.name}() must be ${types.join(' or ')}, not ${x.type}`, c.args[i].pos);
    return x;
  };
  const h = cc.helper.bind(cc);
  const n = c.name;
  switch (n) {
    // ---- time ----
    case 'now': {
      argc(c, 0, 1);
      if (!c.args.length) return { sql: cc.nowParam(), type: 'datetime', konst: { v: cc.now } };
      const off = needType(a(0), ['timespan'], 0);
      if (off.konst && typeof off.konst.v === 'number') { const v = cc.now + off.konst.v; return { sql: cc.param(Math.round(v)), type: 'datetime', konst: { v } }; }
      return { sql: `(${cc.nowParam()} + ${off.sql})`, type: 'datetime' };
    }
    case 'ago': {
      argc(c, 1);
      const ts = needType(a(0), ['timespan'], 0);
      if (ts.konst && typeof ts.konst.v === 'number') { const v = Math.round(cc.now - ts.konst.v); return { sql: cc.param(v), type: 'datetime', konst: { v } }; }
      return { sql: `(${cc.nowParam()} - ${ts.sql})`, type: 'datetime' };
    }
    case 'bin': case 'floor': {
      argc(c, 2);
      const x = needType(a(0), ['int', 'long', 'real', 'datetime', 'timespan'], 0);
      const size = a(1);
      if (x.type === 'datetime' || x.type === 'timespan') needType(size, ['timespan'], 1);
      else needType(size, ['int', 'long', 'real'], 1);
      return { sql: cc.bin(x.sql, size, x.type, x.min), type: x.type };
    }
    case 'startofday': case 'startofweek': case 'startofmonth': case 'startofyear': case 'endofday': case 'endofweek': case 'endofmonth': case 'endofyear': {
      argc(c, 1, 2);
      const x = needType(a(0), ['datetime'], 0);
      const off = c.args[1] ? needType(a(1), ['int', 'long'], 1).sql : '0';
      return { sql: h('kql_startof', [`'${n}'`, x.sql, off]), type: 'datetime' };
    }
    case 'datetime_diff': {
      argc(c, 3);
      const part = konstString(0).toLowerCase();
      if (!DATE_PARTS.has(part)) throw new KqlError(`Unknown datetime part '${part}'`, c.args[0].pos);
      return { sql: h('kql_datetime_diff', [cc.param(part), needType(a(1), ['datetime'], 1).sql, needType(a(2), ['datetime'], 2).sql]), type: 'long' };
    }
    case 'datetime_add': {
      argc(c, 3);
      const part = konstString(0).toLowerCase();
      if (!DATE_PARTS.has(part)) throw new KqlError(`Unknown datetime part '${part}'`, c.args[0].pos);
      return { sql: h('kql_datetime_add', [cc.param(part), needType(a(1), ['int', 'long'], 1).sql, needType(a(2), ['datetime'], 2).sql]), type: 'datetime' };
    }
    case 'datetime_part': case 'getyear': case 'getmonth': case 'monthofyear': case 'dayofmonth': case 'dayofyear': case 'hourofday': case 'dayofweek': case 'weekofyear': case 'week_of_year': {
      let part: string;
      let x: SExpr;
      if (n === 'datetime_part') { argc(c, 2); part = konstString(0).toLowerCase(); x = needType(a(1), ['datetime'], 1); }
      else { argc(c, 1); part = n; x = needType(a(0), ['datetime'], 0); }
      return { sql: h('kql_datepart', [cc.param(part), x.sql]), type: n === 'dayofweek' ? 'timespan' : n === 'datetime_part' ? 'int' : 'int' };
    }
    case 'format_datetime': argc(c, 2); return { sql: h('kql_format_datetime', [needType(a(0), ['datetime'], 0).sql, cc.param(konstString(1))]), type: 'string' };
    case 'unixtime_seconds_todatetime': argc(c, 1); return { sql: `(CAST(${needType(a(0), ['int', 'long', 'real'], 0).sql} * 1000 AS INTEGER))`, type: 'datetime' };
    case 'unixtime_milliseconds_todatetime': argc(c, 1); return { sql: `(CAST(${needType(a(0), ['int', 'long', 'real'], 0).sql} AS INTEGER))`, type: 'datetime' };

    // ---- strings ----
    case 'tolower': argc(c, 1); return { sql: h('kql_lower', [str(0)]), type: 'string' };
    case 'toupper': argc(c, 1); return { sql: h('kql_upper', [str(0)]), type: 'string' };
    case 'strlen': argc(c, 1); return { sql: `length(${str(0)})`, type: 'long' };
    case 'strcat': {
      if (!c.args.length) throw new KqlError('strcat() needs at least one argument', c.pos);
      return { sql: `(${c.args.map((_, i) => str(i)).join(' || ')})`, type: 'string' };
    }
    case 'strcat_delim': {
      if (c.args.length < 2) throw new KqlError('strcat_delim() needs a delimiter and at least one value', c.pos);
      const d = str(0);
      return { sql: `(${c.args.slice(1).map((_, i) => str(i + 1)).join(` || ${d} || `)})`, type: 'string' };
    }
    case 'substring': argc(c, 2, 3); return { sql: h('kql_substring', [str(0), needType(a(1), ['int', 'long'], 1).sql, c.args[2] ? needType(a(2), ['int', 'long'], 2).sql : 'NULL']), type: 'string' };
    case 'indexof': argc(c, 2, 3); return { sql: h('kql_indexof', [str(0), str(1), c.args[2] ? needType(a(2), ['int', 'long'], 2).sql : '0']), type: 'long' };
    case 'split': {
      argc(c, 2, 3);
      const sql = h('kql_split', [str(0), str(1)]);
      if (c.args.length === 3) {
        const i = needType(a(2), ['int', 'long'], 2);
        return { sql: `json_array(json(${sql} -> ('$[' || ${i.sql} || ']')))`, type: 'dynamic' };
      }
      return { sql, type: 'dynamic' };
    }
    case 'extract': {
      argc(c, 3, 4);
      const re = a(0);
      needType(re, ['string'], 0);
      checkRegex(re, c.args[0].pos);
      const g = needType(a(1), ['int', 'long'], 1);
      const raw = h('kql_extract', [re.sql, g.sql, str(2)]);
      if (c.args[3]) {
        const t = c.args[3];
        if (t.k !== 'typeof') throw new KqlError('The 4th argument of extract() must be typeof(type)', t.pos);
        return { sql: cc.convertText(raw, t.type), type: t.type };
      }
      return { sql: `coalesce(${raw}, '')`, type: 'string' };
    }
    case 'replace_string': case 'replace': argc(c, 3); return { sql: h('kql_replace_string', [str(0), str(1), str(2)]), type: 'string' };
    case 'replace_regex': {
      argc(c, 3);
      const re = needType(a(1), ['string'], 1);
      checkRegex(re, c.args[1].pos);
      return { sql: h('kql_replace_regex', [str(0), re.sql, str(2)]), type: 'string' };
    }
    case 'trim': case 'trim_start': case 'trim_end': {
      argc(c, 2);
      const re = needType(a(0), ['string'], 0);
      checkRegex(re, c.args[0].pos);
      return { sql: h('kql_trim', [`'${n}'`, re.sql, str(1)]), type: 'string' };
    }
    case 'countof': {
      argc(c, 2, 3);
      const kind = c.args[2] ? konstString(2) : 'normal';
      if (kind !== 'normal' && kind !== 'regex') throw new KqlError(`countof() kind must be 'normal' or 'regex'`, c.args[2].pos);
      if (kind === 'regex') checkRegex(a(1), c.args[1].pos);
      return { sql: h('kql_countof', [str(0), str(1), kind === 'regex' ? '1' : '0']), type: 'long' };
    }
    case 'base64_decode_tostring': argc(c, 1); return { sql: h('kql_base64_decode', [str(0)]), type: 'string' };
    case 'base64_encode_tostring': argc(c, 1); return { sql: h('kql_base64_encode', [str(0)]), type: 'string' };

    // ---- conversion ----
    case 'tostring': argc(c, 1); return { sql: str(0), type: 'string' };
    case 'toint': case 'tolong': {
      argc(c, 1);
      const x = a(0);
      const t: KustoType = n === 'toint' ? 'int' : 'long';
      if (x.type === 'string') return { sql: h('kql_tolong', [x.sql]), type: t };
      if (x.type === 'dynamic') return { sql: h('kql_tolong', [cc.cmpOperand(x)]), type: t };
      if (x.type === 'real') return { sql: `CAST(${x.sql} AS INTEGER)`, type: t };
      if (x.type === 'datetime' || x.type === 'timespan') return { sql: `CAST(${x.sql} * 10000 AS INTEGER)`, type: t };
      return { sql: x.sql, type: t };
    }
    case 'todouble': case 'toreal': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'string') return { sql: h('kql_toreal', [x.sql]), type: 'real' };
      if (x.type === 'dynamic') return { sql: h('kql_toreal', [cc.cmpOperand(x)]), type: 'real' };
      if (x.type === 'datetime' || x.type === 'timespan') return { sql: `(CAST(${x.sql} AS REAL) * 10000)`, type: 'real' };
      return { sql: `CAST(${x.sql} AS REAL)`, type: 'real' };
    }
    case 'tobool': case 'toboolean': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'bool') return x;
      if (isNum(x.type)) return { sql: `(${x.sql} <> 0)`, type: 'bool' };
      return { sql: h('kql_tobool', [x.type === 'dynamic' ? cc.cmpOperand(x) : x.sql]), type: 'bool' };
    }
    case 'todatetime': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'datetime') return x;
      if (x.type === 'string' || x.type === 'dynamic') return { sql: h('kql_todatetime', [x.type === 'dynamic' ? cc.cmpOperand(x) : x.sql]), type: 'datetime' };
      throw new KqlError(`todatetime() cannot convert ${x.type}`, c.args[0].pos);
    }
    case 'totimespan': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'timespan') return x;
      if (x.type === 'string' || x.type === 'dynamic') return { sql: h('kql_totimespan', [x.type === 'dynamic' ? cc.cmpOperand(x) : x.sql]), type: 'timespan' };
      throw new KqlError(`totimespan() cannot convert ${x.type}`, c.args[0].pos);
    }
    case 'parse_json': case 'todynamic': case 'parsejson': {
      argc(c, 1);
      const x = a(0);
      if (x.type === 'dynamic') return x;
      if (x.type !== 'string') return { sql: cc.toJsonSql(x), type: 'dynamic' };
      if (x.konst && typeof x.konst.v === 'string') {
        let v: unknown;
        try { v = JSON.parse(x.konst.v); } catch { v = x.konst.v; }
        return x.konst.v === '' ? { sql: 'NULL', type: 'dynamic', konst: { v: null } } : { sql: cc.param(JSON.stringify(v)), type: 'dynamic', konst: { v } };
      }
      // Valid JSON → (minified) JSON; anything else → a JSON string holding the text; '' → null.
      return { sql: `CASE WHEN ${x.sql} = '' THEN NULL WHEN json_valid(${x.sql}) THEN json(${x.sql}) ELSE json_quote(${x.sql}) END`, type: 'dynamic' };
    }
    case 'array_length': {
      argc(c, 1);
      const x = needType(a(0), ['dynamic'], 0);
      return { sql: `CASE WHEN ${cc.d.jsonType(x.sql)} = 'array' THEN json_array_length(${x.sql}) END`, type: 'long' };
    }
    case 'pack_array': return { sql: `json_array(${c.args.map((_, i) => `json(${cc.toJsonSql(a(i))})`).join(', ')})`, type: 'dynamic' };
    case 'pack': case 'bag_pack': {
      if (c.args.length % 2) throw new KqlError(`${n}() takes key/value pairs`, c.pos);
      const kv: string[] = [];
      for (let i = 0; i < c.args.length; i += 2) kv.push(str(i), `json(${cc.toJsonSql(a(i + 1))})`);
      return { sql: `json_object(${kv.join(', ')})`, type: 'dynamic' };
    }
    case 'bag_keys': argc(c, 1); return { sql: h('kql_bag_keys', [needType(a(0), ['dynamic'], 0).sql]), type: 'dynamic' };
    case 'parse_url': argc(c, 1); return { sql: h('kql_parse_url', [str(0)]), type: 'dynamic' };
    case 'set_has_element': case 'array_index_of': {
      argc(c, 2);
      const arr = needType(a(0), ['dynamic'], 0);
      const v = a(1);
      const hit = `(SELECT MIN(key) FROM json_each(${arr.sql}) WHERE value = ${v.type === 'dynamic' ? cc.cmpOperand(v) : v.sql})`;
      return n === 'set_has_element' ? { sql: `(${hit} IS NOT NULL)`, type: 'bool' } : { sql: `CASE WHEN json_type(${arr.sql}) = 'array' THEN coalesce(${hit}, -1) END`, type: 'long' };
    }

    // ---- logic ----
    case 'iff': case 'iif': {
      argc(c, 3);
      const cond = cc.toBool(a(0), c.args[0].pos);
      const [x, y] = unify(cc, a(1), a(2), c);
      return { sql: `CASE WHEN ${cond} THEN ${x.sql} ELSE ${y.sql} END`, type: x.type };
    }
    case 'case': {
      if (c.args.length < 3 || c.args.length % 2 === 0) throw new KqlError('case() takes condition/value pairs and a final else value', c.pos);
      const vals: SExpr[] = [];
      const conds: string[] = [];
      for (let i = 0; i + 1 < c.args.length; i += 2) { conds.push(cc.toBool(a(i), c.args[i].pos)); vals.push(a(i + 1)); }
      const els = a(c.args.length - 1);
      let type = els.type;
      for (const v of vals) if (v.konst?.v !== null) { type = v.type; break; }
      for (const v of [...vals, els]) if (v.type !== type && !(isNum(v.type) && isNum(type)) && v.konst?.v !== null) throw new KqlError(`case() values must have one type (${type} and ${v.type})`, c.pos);
      const fix = (v: SExpr) => (type === 'string' && v.konst?.v === null ? `''` : v.sql);
      return { sql: `CASE ${conds.map((cd, i) => `WHEN ${cd} THEN ${fix(vals[i])}`).join(' ')} ELSE ${fix(els)} END`, type };
    }
    case 'coalesce': {
      if (c.args.length < 1) throw new KqlError('coalesce() needs arguments', c.pos);
      const xs = c.args.map((_, i) => a(i));
      const type = xs.find((x) => x.konst?.v !== null)?.type ?? xs[0].type;
      if (type === 'string') {
        // Kusto: the first non-empty string.
        return { sql: `CASE ${xs.slice(0, -1).map((x) => `WHEN ${cc.toStringSql(x)} <> '' THEN ${cc.toStringSql(x)}`).join(' ')} ELSE ${cc.toStringSql(xs[xs.length - 1])} END`.replace('CASE  ELSE', 'CASE WHEN 1 THEN'), type };
      }
      return { sql: xs.length === 1 ? xs[0].sql : `coalesce(${xs.map((x) => x.sql).join(', ')})`, type };
    }
    case 'not': argc(c, 1); return { sql: `(NOT ${cc.toBool(a(0), c.args[0].pos)})`, type: 'bool' };
    case 'isempty': case 'isnotempty': {
      argc(c, 1);
      const x = a(0);
      const neg = n === 'isnotempty';
      if (x.type === 'string') return { sql: `(${x.sql} ${neg ? '<>' : '='} '')`, type: 'bool' };
      if (x.type === 'dynamic') return { sql: neg ? `(${x.sql} IS NOT NULL AND ${x.sql} NOT IN ('""', 'null'))` : `(${x.sql} IS NULL OR ${x.sql} IN ('""', 'null'))`, type: 'bool' };
      return { sql: `(${x.sql} IS ${neg ? 'NOT ' : ''}NULL)`, type: 'bool' };
    }
    case 'isnull': case 'isnotnull': {
      argc(c, 1);
      const x = a(0);
      const neg = n === 'isnotnull';
      if (x.type === 'string') return { sql: neg ? '1' : '0', type: 'bool' };
      if (x.type === 'dynamic') return { sql: neg ? `(${x.sql} IS NOT NULL AND ${x.sql} <> 'null')` : `(${x.sql} IS NULL OR ${x.sql} = 'null')`, type: 'bool' };
      return { sql: `(${x.sql} IS ${neg ? 'NOT ' : ''}NULL)`, type: 'bool' };
    }
    case 'toscalar': {
      argc(c, 1);
      const rel = cc.tabular(c.args[0], scope.env);
      const col = rel.cols[0];
      if (!col) throw new KqlError('toscalar() of a table with no columns', c.pos);
      return { sql: `(SELECT ${cc.q(col.alias)} FROM (${rel.sql}) AS _ts LIMIT 1)`, type: col.type };
    }
    case 'materialize': case 'table':
      throw new KqlError(`${n}() produces a table; it cannot be used as a scalar`, c.pos);

    // ---- math ----
    case 'abs': argc(c, 1); { const x = needType(a(0), ['int', 'long', 'real', 'timespan'], 0); return { sql: `abs(${x.sql})`, type: x.type }; }
    case 'round': {
      argc(c, 1, 2);
      const x = needType(a(0), ['int', 'long', 'real'], 0);
      return { sql: `round(${x.sql}, ${c.args[1] ? needType(a(1), ['int', 'long'], 1).sql : '0'})`, type: x.type === 'real' ? 'real' : x.type };
    }
    case 'ceiling': argc(c, 1); return { sql: `ceiling(${needType(a(0), ['int', 'long', 'real'], 0).sql})`, type: 'real' };
    case 'sqrt': case 'log': case 'log10': case 'log2': case 'exp':
      argc(c, 1); return { sql: `${n === 'log' ? 'ln' : n}(${needType(a(0), ['int', 'long', 'real'], 0).sql})`, type: 'real' };
    case 'pow': argc(c, 2); return { sql: `pow(${needType(a(0), ['int', 'long', 'real'], 0).sql}, ${needType(a(1), ['int', 'long', 'real'], 1).sql})`, type: 'real' };
    case 'min_of': case 'max_of': {
      if (c.args.length < 2) throw new KqlError(`${n}() needs at least two arguments`, c.pos);
      const xs = c.args.map((_, i) => a(i));
      return { sql: `${n === 'min_of' ? 'min' : 'max'}(${xs.map((x) => x.sql).join(', ')})`, type: xs[0].type };
    }

    // ---- network ----
    case 'ipv4_is_in_range': argc(c, 2); return { sql: h('kql_ipv4_in_range', [str(0), str(1)]), type: 'bool' };
    case 'ipv4_is_match': argc(c, 2, 3); return { sql: `(${h('kql_ipv4_compare', [str(0), str(1), c.args[2] ? a(2).sql : 'NULL'])} = 0)`, type: 'bool' };
    case 'ipv4_compare': argc(c, 2, 3); return { sql: h('kql_ipv4_compare', [str(0), str(1), c.args[2] ? a(2).sql : 'NULL']), type: 'long' };
    case 'ipv4_is_private': argc(c, 1); return { sql: h('kql_ipv4_private', [str(0)]), type: 'bool' };
    case 'parse_ipv4': argc(c, 1); return { sql: h('kql_parse_ipv4', [str(0)]), type: 'long' };

    default:
      if (UNSUPPORTED_FUNCTIONS.has(n)) throw unsupported(`The function '${n}()'`, c.pos);
      throw new KqlError(`Unknown or unsupported function '${n}()'`, c.pos);
  }
}

const DATE_PARTS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond', 'dayofyear', 'weekofyear', 'week_of_year']);

function unify(cc: CompilerContext, x: SExpr, y: SExpr, c: Call): [SExpr, SExpr] {
  if (x.type === y.type) return [x, y];
  if (isNum(x.type) && isNum(y.type)) {
    const t: KustoType = x.type === 'real' || y.type === 'real' ? 'real' : 'long';
    return [{ ...x, type: t }, { ...y, type: t }];
  }
  if (x.konst?.v === null) return [{ sql: y.type === 'string' ? `''` : 'NULL', type: y.type }, y];
  if (y.konst?.v === null) return [x, { sql: x.type === 'string' ? `''` : 'NULL', type: x.type }];
  if (x.type === 'dynamic' || y.type === 'dynamic') return [{ sql: cc.toJsonSql(x), type: 'dynamic' }, { sql: cc.toJsonSql(y), type: 'dynamic' }];
  throw new KqlError(`${c.name}() branches have different types (${x.type} and ${y.type})`, c.pos);
}
