// Operators that reshape rows: mv-expand (arrays and bags into rows), parse (text into
// columns), and datatable (inline literal rows).
import type { KustoType } from '../trace/tables.js';
import type { Expr, Op } from './ast.js';
import { isNumeric, type Col, type Compiler, type Env, type Rel } from './compiler.js';
import { KqlError, unsupported } from './errors.js';

export function mvExpand(cc: Compiler, rel: Rel, op: Extract<Op, { op: 'mv-expand' }>, env: Env): Rel {
  if (op.items.length !== 1) throw unsupported('mv-expand of several columns at once', op.items[1]?.pos ?? op.pos);
  if (op.limit) throw unsupported('mv-expand … limit', op.pos);
  const it = op.items[0];
  const S = `_s${++cc.aliasN}`, J = `_j${++cc.aliasN}`;
  const e = cc.scalar(it.e, { cols: rel.cols, qual: S, env });
  if (e.type !== 'dynamic') throw new KqlError('mv-expand expects a dynamic array or property bag (use parse_json() or split())', it.pos);
  const name = it.name ?? cc.autoName(it.e, { cols: rel.cols, env });
  if (!name) throw new KqlError('mv-expand of an expression needs a name: mv-expand Name = expression', it.pos);
  const dyn = `(${e.sql})`;
  // Element as JSON text; a property bag expands into one-entry bags. Kusto: a null value gives
  // one row holding null, an empty array or bag gives no row.
  const elem = `CASE ${J}.type WHEN 'object' THEN ${J}.value WHEN 'array' THEN ${J}.value WHEN 'null' THEN NULL WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'text' THEN json_quote(${J}.value) ELSE CAST(${J}.value AS TEXT) END`;
  let item = `CASE WHEN json_type(${dyn}) = 'object' THEN json_object(${J}.key, json(${elem})) ELSE ${elem} END`;
  let type: KustoType = 'dynamic';
  if (it.to) { item = cc.convertDynamic(item, it.to); type = it.to; }
  const alias = cc.alias();
  const newCol: Col = { name, type, alias };
  const cols: Col[] = [];
  let replaced = false;
  const sel: string[] = [];
  for (const c of rel.cols) {
    if (c.name === name) { cols.push(newCol); sel.push(`${item} AS ${cc.q(alias)}`); replaced = true; }
    else { cols.push({ ...c }); sel.push(`${S}.${cc.q(c.alias)}`); }
  }
  if (!replaced) { cols.push(newCol); sel.push(`${item} AS ${cc.q(alias)}`); }
  return { sql: `SELECT ${sel.join(', ')} FROM (${rel.sql}) AS ${S}, ${cc.d.jsonEach(`CASE WHEN ${dyn} IS NULL THEN '[null]' WHEN json_type(${dyn}) IN ('array', 'object') THEN ${dyn} ELSE json_array(json(${dyn})) END`, J)}`, cols, order: undefined };
}

export function parseOp(cc: Compiler, rel: Rel, op: Extract<Op, { op: 'parse' }>, env: Env): Rel {
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
export function datatable(cc: Compiler, e: Extract<Expr, { k: 'datatable' }>, env: Env): Rel {
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
