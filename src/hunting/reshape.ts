// Operators that reshape rows: mv-expand (arrays and bags into rows), parse (text into
// columns), and datatable (inline literal rows).
import type { KustoType } from '../trace/tables.js';
import type { Expr, Op } from './ast.js';
import { isNumeric, type Col, type CompilerContext, type Env, type Rel } from './compileContext.js';
import { KqlError } from './errors.js';

export function mvExpand(cc: CompilerContext, rel: Rel, op: Extract<Op, { op: 'mv-expand' }>, env: Env): Rel {
  const S = `_s${++cc.aliasN}`, J = `_j${++cc.aliasN}`;
  const items = op.items.map((it) => {
    const e = cc.scalar(it.e, { cols: rel.cols, qual: S, env });
    if (e.type !== 'dynamic') throw new KqlError('mv-expand expects a dynamic array or property bag (use parse_json() or split())', it.pos);
    const name = it.name ?? cc.autoName(it.e, { cols: rel.cols, env });
    if (!name) throw new KqlError('mv-expand of an expression needs a name: mv-expand Name = expression', it.pos);
    return { name, dyn: `(${e.sql})`, to: it.to, pos: it.pos };
  });
  items.forEach((it, i) => { if (items.findIndex((x) => x.name === it.name) !== i) throw new KqlError(`mv-expand names '${it.name}' twice`, it.pos); });
  let from: string;
  let values: string[];
  let where = '';
  const entry = op.bagsAsArrays ? 'json_array' : 'json_object';
  if (items.length === 1 && !op.itemIndex && !op.limit) {
    // One column: its elements (a property bag: its entries, as one-entry bags). Kusto: a null
    // value gives one row holding null, an empty array or bag gives no row.
    const { dyn } = items[0];
    const elem = `CASE ${J}.type WHEN 'object' THEN ${J}.value WHEN 'array' THEN ${J}.value WHEN 'null' THEN NULL WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'text' THEN json_quote(${J}.value) ELSE CAST(${J}.value AS TEXT) END`;
    values = [`CASE WHEN json_type(${dyn}) = 'object' THEN ${entry}(${J}.key, json(${elem})) ELSE ${elem} END`];
    from = cc.d.jsonEach(`CASE WHEN ${dyn} IS NULL THEN '[null]' WHEN json_type(${dyn}) IN ('array', 'object') THEN ${dyn} ELSE json_array(json(${dyn})) END`, J);
  } else {
    // Several columns expand side by side (Kusto's zip): as many rows as the longest array, the
    // shorter ones padded with null; a property bag counts as the array of its entries.
    const arrays = items.map((it) => asArray(it.dyn, entry));
    from = cc.d.jsonEach(items.length === 1 ? arrays[0] : cc.helper('kql_mv_longest', arrays), J);
    values = arrays.map((a) => `NULLIF(${a} -> ('$[' || ${J}.key || ']'), 'null')`);
    if (op.limit) where = ` WHERE ${J}.key < ${cc.scalar(op.limit, { cols: [], env }).sql}`;
  }
  const out = items.map((it, i) => ({ ...it, sql: it.to ? castElement(cc, values[i], it.to) : values[i], type: (it.to ?? 'dynamic') as KustoType, alias: cc.alias() }));
  const cols: Col[] = [];
  const sel: string[] = [];
  for (const c of rel.cols) {
    const x = out.find((o) => o.name === c.name);
    if (x) { cols.push({ name: x.name, type: x.type, alias: x.alias }); sel.push(`${x.sql} AS ${cc.q(x.alias)}`); }
    else { cols.push({ ...c }); sel.push(`${S}.${cc.q(c.alias)}`); }
  }
  for (const x of out) {
    if (rel.cols.some((c) => c.name === x.name)) continue;
    cols.push({ name: x.name, type: x.type, alias: x.alias });
    sel.push(`${x.sql} AS ${cc.q(x.alias)}`);
  }
  if (op.itemIndex) {
    if (cols.some((c) => c.name === op.itemIndex)) throw new KqlError(`A column named '${op.itemIndex}' already exists`, op.pos);
    const alias = cc.alias();
    cols.push({ name: op.itemIndex, type: 'long', alias });
    sel.push(`CAST(${J}.key AS INTEGER) AS ${cc.q(alias)}`);
  }
  return { sql: `SELECT ${sel.join(', ')} FROM (${rel.sql}) AS ${S}, ${from}${where}`, cols, order: undefined };
}

/** A dynamic value as the JSON array mv-expand walks: an array as is, a bag as its entries
 * (one-entry bags, or [key, value] arrays with kind=array), null as [null], a scalar as a
 * one-element array. */
function asArray(dyn: string, entryFn: string): string {
  const entry = `${entryFn}(_b.key, json(CASE _b.type WHEN 'text' THEN json_quote(_b.value) WHEN 'null' THEN 'null' WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(_b.value AS TEXT) END))`;
  return `(CASE WHEN ${dyn} IS NULL THEN '[null]' WHEN json_type(${dyn}) = 'array' THEN ${dyn} WHEN json_type(${dyn}) = 'object' THEN (SELECT json_group_array(json(${entry})) FROM json_each(${dyn}) AS _b) ELSE json_array(json(${dyn})) END)`;
}

/** `to typeof(T)` casts, it does not convert (Kusto): an element of another JSON type is null
 * ('' for string). Datetimes and timespans live in JSON as text, so text is read as them. */
function castElement(cc: CompilerContext, json: string, to: KustoType): string {
  const t = `json_type(${json})`;
  switch (to) {
    case 'long': case 'int': return `CASE WHEN ${t} = 'integer' THEN (${json} ->> '$') END`;
    case 'real': return `CASE WHEN ${t} IN ('integer', 'real') THEN CAST(${json} ->> '$' AS REAL) END`;
    case 'bool': return `CASE ${t} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END`;
    case 'string': return `CASE WHEN ${t} = 'text' THEN (${json} ->> '$') ELSE '' END`;
    default: return cc.convertDynamic(json, to);
  }
}

export function parseOp(cc: CompilerContext, rel: Rel, op: Extract<Op, { op: 'parse' }>, env: Env): Rel {
  const src = cc.scalar(op.e, { cols: rel.cols, env });
  const s = src.type === 'string' ? src.sql : cc.toStringSql(src);
  let re = '^';
  let group = 0;
  const outs: { name: string; type: KustoType; group: number }[] = [];
  op.parts.forEach((p, i) => {
    const last = i === op.parts.length - 1;
    if (p.k === 'star') re += last ? '[\\s\\S]*' : '[\\s\\S]*?';
    else if (p.k === 'text') re += escapeRe2(p.text);
    else {
      group++;
      re += p.type === 'long' || p.type === 'int' ? '(-?\\d+)' : last ? '([\\s\\S]*)' : '([\\s\\S]*?)';
      if (outs.some((o) => o.name === p.name)) throw new KqlError(`Column '${p.name}' appears twice in the parse pattern`, p.pos);
      outs.push({ name: p.name, type: p.type, group });
    }
  });
  if (!outs.length) throw new KqlError('parse pattern names no column', op.pos);
  const reParam = cc.param(re);
  const cols = rel.cols.map((c) => ({ ...c }));
  const extra: Col[] = [];
  for (const o of outs) {
    const raw = cc.helper('kql_parse_match', [reParam, s, String(o.group)]);
    const conv = o.type === 'string' ? `coalesce(${raw}, '')` : o.type === 'dynamic' ? cc.helper('kql_tostring', [raw, `'string'`]) : cc.convertText(raw, o.type);
    const col: Col = { name: o.name, type: o.type, alias: cc.alias(), inline: conv };
    const at = cols.findIndex((c) => c.name === o.name);
    if (at >= 0) cols[at] = col; else extra.push(col);
  }
  const all = [...cols, ...extra];
  return cc.wrap(rel, cc.selectList(all), all.map((c) => ({ name: c.name, type: c.type, alias: c.alias })));
}

/** Inline data: every value a literal of its column's type, bound as parameters. */
export function datatable(cc: CompilerContext, e: Extract<Expr, { k: 'datatable' }>, env: Env): Rel {
  const n = e.cols.length;
  if (!n) throw new KqlError('datatable needs at least one column', e.pos);
  if (e.values.length % n) throw new KqlError(`datatable has ${e.values.length} values, not a multiple of its ${n} columns`, e.pos);
  const cols: Col[] = e.cols.map((c) => ({ name: c.name, type: c.type, alias: cc.alias() }));
  const rows: string[] = [];
  for (let i = 0; i < e.values.length; i += n) {
    const vals = cols.map((c, j) => {
      const x = cc.scalar(e.values[i + j], { cols: [], env });
      if (!x.konst) throw new KqlError('datatable values must be literals', e.values[i + j].pos);
      if (x.konst.v === null) return c.type === 'string' ? `''` : 'NULL';
      const ok = x.type === c.type || (isNumeric(x.type) && isNumeric(c.type)) || c.type === 'dynamic';
      if (!ok) throw new KqlError(`datatable column '${c.name}' is ${c.type}, but the value is ${x.type}`, e.values[i + j].pos);
      return c.type === 'dynamic' && x.type !== 'dynamic' ? cc.param(JSON.stringify(x.konst.v)) : x.sql;
    });
    rows.push(`SELECT ${vals.map((v, j) => `${v} AS ${cc.q(cols[j].alias)}`).join(', ')}`);
  }
  const sql = rows.length ? rows.join(' UNION ALL ') : `SELECT ${cols.map((c) => `NULL AS ${cc.q(c.alias)}`).join(', ')} WHERE 0`;
  return { sql: `SELECT * FROM (${sql}) AS _d${++cc.aliasN}`, cols };
}

function escapeRe2(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
