// evaluate bag_unpack and pivot: operators whose output columns come from the data. Without an
// output schema the compiler asks the data first (CompilerContext.discover: a query over the same
// tenant-scoped input, so column names never come from another tenant's rows), then compiles
// the operator with the columns found. Names found in the data are result names only: the SQL
// refers to generated aliases and binds every name it looks up as a parameter.
import type { KustoType } from '../trace/tables.js';
import type { Expr, Op, OutputSchema } from './ast.js';
import { findCol, type Col, type CompilerContext, type Env, type Rel, type Scope, type SExpr } from './compileContext.js';
import { KqlError, unsupported } from './errors.js';

type Evaluate = Extract<Op, { op: 'evaluate' }>;

/** More columns than any report needs; SQLite allows 2,000 in a result. */
export const MAX_DISCOVERED_COLUMNS = 1000;

// ---- bag_unpack ---------------------------------------------------------------------------------

/** `evaluate bag_unpack(Column [, OutputColumnPrefix [, columnsConflict [, ignoredProperties]]])`:
 * each top-level property of the bag becomes a column (sorted by name, after the input's other
 * columns), typed as its values are when they all have one type, dynamic otherwise. */
export function bagUnpack(cc: CompilerContext, rel: Rel, op: Evaluate, env: Env): Rel {
  const byName = pluginArgs(op, ['Column', 'OutputColumnPrefix', 'columnsConflict', 'ignoredProperties']);
  const [colArg, prefixArg, conflictArg, ignoredArg] = byName;
  if (!colArg) throw new KqlError('bag_unpack takes a column, and optionally a column prefix, a columnsConflict mode and ignored properties', op.pos);
  // An expression (bag_unpack(parse_json(x))) is unpacked as a column of its own.
  if (colArg.k !== 'name') rel = withColumn(cc, rel, cc.scalar(colArg, { cols: rel.cols, env }));
  const source = colArg.k === 'name' ? columnArg(rel, colArg, 'bag_unpack') : rel.cols[rel.cols.length - 1];
  if (source.type !== 'dynamic') throw new KqlError(`bag_unpack needs a dynamic value; '${source.name}' is ${source.type}: unpack parse_json(${source.name})`, colArg.pos);
  const constant = (e: Expr | undefined) => (e ? cc.scalar(e, { cols: [], env }).konst?.v : undefined);
  const prefix = prefixArg ? constant(prefixArg) : '';
  if (typeof prefix !== 'string') throw new KqlError('bag_unpack: the column prefix must be a string literal', prefixArg!.pos);
  const conflict = conflictArg ? constant(conflictArg) : 'error';
  if (conflict !== 'error' && conflict !== 'replace_source' && conflict !== 'keep_source') throw new KqlError(`bag_unpack: columnsConflict must be 'error', 'replace_source' or 'keep_source'`, conflictArg!.pos);
  const ignoredValue = ignoredArg ? constant(ignoredArg) : [];
  if (!Array.isArray(ignoredValue)) throw new KqlError('bag_unpack: ignoredProperties must be a dynamic array of names', ignoredArg!.pos);
  const ignored = new Set(ignoredValue.map(String));

  const S = `_s${++cc.aliasN}`;
  const bag = `${S}.${cc.q(source.alias)}`;
  const slots = op.schema
    ? op.schema.cols.map((c) => ({ key: c.name.slice(prefix.length), name: c.name, type: c.type, declared: true }))
    : discoverSlots(cc, rel, source, op.pos).filter((k) => !ignored.has(k.key)).map((k) => ({ key: k.key, name: prefix + k.key, type: k.type, declared: false }));

  // The input's other columns, then the properties in name order. A property named like an input
  // column takes that column's place in the properties' order, holding the bag's value
  // (replace_source) or the column's (keep_source), as Kusto's documented examples show.
  const out = op.schema && !op.schema.wildcard ? [] : rel.cols.filter((c) => c !== source);
  const added: { name: string; type: KustoType; sql: string }[] = [];
  for (const slot of slots) {
    const clash = out.find((c) => c.name === slot.name);
    if (clash) {
      if (conflict === 'error') throw new KqlError(`bag_unpack: the property '${slot.key}' would make a second column named '${slot.name}' (pass 'replace_source' or 'keep_source' as columnsConflict, or a prefix)`, op.pos);
      out.splice(out.indexOf(clash), 1);
      if (conflict === 'keep_source') { added.push({ name: clash.name, type: clash.type, sql: `${S}.${cc.q(clash.alias)}` }); continue; }
    }
    const path = cc.param(`$."${slot.key.replace(/"/g, '\\"')}"`);
    added.push({ name: slot.name, type: slot.type, sql: slotValue(cc, bag, path, slot.type, slot.declared) });
  }
  const cols: Col[] = [];
  const sel: string[] = [];
  for (const c of out) { sel.push(`${S}.${cc.q(c.alias)}`); cols.push({ name: c.name, type: c.type, alias: c.alias }); }
  for (const a of added) {
    const alias = cc.alias();
    sel.push(`${a.sql} AS ${cc.q(alias)}`);
    cols.push({ name: a.name, type: a.type, alias });
  }
  if (!cols.length) throw new KqlError('bag_unpack would leave no columns', op.pos);
  return { sql: `SELECT ${sel.join(', ')} FROM (${rel.sql}) AS ${S}`, cols };
}

/** Property names in the tenant's rows, sorted, each with the one type of its values or dynamic. */
function discoverSlots(cc: CompilerContext, rel: Rel, source: Col, pos: number): { key: string; type: KustoType }[] {
  const S = `_s${++cc.aliasN}`;
  const v = `${S}.${cc.q(source.alias)}`;
  const sql = `SELECT _j.key, group_concat(DISTINCT _j.type) FROM (${rel.sql}) AS ${S}, json_each(CASE WHEN json_type(${v}) = 'object' THEN ${v} END) AS _j GROUP BY _j.key ORDER BY _j.key LIMIT ${MAX_DISCOVERED_COLUMNS + 1}`;
  const rows = cc.discover(sql, `evaluate bag_unpack(${source.name})`, pos);
  if (rows.length > MAX_DISCOVERED_COLUMNS) throw new KqlError(`bag_unpack would make more than ${MAX_DISCOVERED_COLUMNS} columns; list the ones you need in an output schema: evaluate bag_unpack(${source.name}) : (Name:type, …)`, pos);
  return rows.map(([key, types]) => ({ key: String(key), type: slotType(String(types ?? '').split(',')) }));
}

const JSON_TYPE: Record<string, KustoType> = { integer: 'long', real: 'real', text: 'string', true: 'bool', false: 'bool', object: 'dynamic', array: 'dynamic' };
function slotType(jsonTypes: string[]): KustoType {
  const kinds = new Set(jsonTypes.filter((t) => t !== 'null' && t !== '').map((t) => JSON_TYPE[t] ?? 'dynamic'));
  return kinds.size === 1 ? [...kinds][0] : 'dynamic';
}

function slotValue(cc: CompilerContext, bag: string, path: string, type: KustoType, declared: boolean): string {
  const member = cc.d.jsonMember(bag, path);
  if (declared) return type === 'string' ? `coalesce(${cc.convertDynamic(member, type)}, '')` : cc.convertDynamic(member, type);
  const scalar = cc.d.jsonMemberScalar(bag, path);
  switch (type) {
    case 'string': return `coalesce(${scalar}, '')`;
    case 'long': case 'real': case 'bool': return scalar;
    default: return `NULLIF(${member}, 'null')`;
  }
}

// ---- pivot --------------------------------------------------------------------------------------

/** Aggregations pivot accepts, and the filtered form each takes for one pivot value. */
const PIVOT_AGGS: Record<string, { filtered: string; zero?: boolean }> = {
  count: { filtered: 'countif' }, sum: { filtered: 'sumif', zero: true }, dcount: { filtered: 'dcountif' },
  avg: { filtered: 'avgif' }, min: { filtered: 'minif' }, max: { filtered: 'maxif' }, take_any: { filtered: 'maxif' },
  any: { filtered: 'maxif' }, make_list: { filtered: 'make_list_if' }, make_set: { filtered: 'make_set_if' },
};

/** `evaluate pivot(PivotColumn [, Aggregation [, Column, …]])`: one row per group (the listed
 * columns, or every column the pivot and the aggregation do not use), one column per value of
 * the pivot column in order of appearance, holding the aggregation (count() by default). */
export function pivot(cc: CompilerContext, rel: Rel, op: Evaluate, env: Env): Rel {
  if (Object.keys(op.named).length) throw new KqlError('pivot takes its arguments by position: pivot(Column, Aggregation, GroupColumn, …)', op.pos);
  const [pivotArg, aggArg, ...groupArgs] = op.args;
  if (!pivotArg) throw new KqlError('pivot takes the column to pivot, and optionally an aggregation and the columns to group by', op.pos);
  const pivotCol = columnArg(rel, pivotArg, 'pivot');
  const agg: Extract<Expr, { k: 'call' }> = aggArg?.k === 'call' ? aggArg : { k: 'call', name: 'count', args: [], pos: op.pos };
  if (aggArg && aggArg.k !== 'call') throw new KqlError('pivot: the second argument is an aggregation such as count(), sum(x), dcount(x)', aggArg.pos);
  const spec = Object.hasOwn(PIVOT_AGGS, agg.name) ? PIVOT_AGGS[agg.name] : undefined;
  if (!spec) throw unsupported(`pivot with ${agg.name}()`, agg.pos, `pivot aggregates with ${Object.keys(PIVOT_AGGS).join(', ')}`);
  const used = new Set<string>([pivotCol.name]);
  collectNames(agg, used);
  const groups = groupArgs.length ? groupArgs.map((g) => columnArg(rel, g, 'pivot')) : rel.cols.filter((c) => !used.has(c.name));
  for (const g of groups) if (g.type === 'dynamic') throw new KqlError(`pivot cannot group by the dynamic column '${g.name}'; convert it with tostring() first`, op.pos);

  const rowScope: Scope = { cols: rel.cols, env };
  const keyText = cc.toStringSql(cc.scalar({ k: 'name', name: pivotCol.name, pos: pivotArg.pos }, rowScope));
  const groupNames = new Set(groups.map((g) => g.name));
  const values: { value: string; name: string; type?: KustoType }[] = op.schema
    ? schemaValues(op.schema, groupNames)
    : discoverValues(cc, rel, keyText, pivotCol.name, op.pos).map((v) => ({ value: v, name: v }));

  const aggScope: Scope = { cols: rel.cols, env, agg: { inside: false, rowScope } };
  const taken = new Set(groupNames);
  const counter = { n: 0 };
  const sel = groups.map((g) => `${cc.colSql(g)} AS ${cc.q(g.alias)}`);
  const cols: Col[] = groups.map((g) => ({ name: g.name, type: g.type, alias: g.alias }));
  for (const v of values) {
    const isValue: Expr = { k: 'bin', op: '==', l: { k: 'call', name: 'tostring', args: [{ k: 'name', name: pivotCol.name, pos: pivotArg.pos }], pos: pivotArg.pos }, r: { k: 'lit', type: 'string', value: v.value, pos: pivotArg.pos }, pos: agg.pos };
    const filtered: Expr = { k: 'call', name: spec.filtered, args: agg.name === 'count' ? [isValue] : [agg.args[0], isValue, ...agg.args.slice(1)], pos: agg.pos };
    if (agg.name !== 'count' && !agg.args[0]) throw new KqlError(`${agg.name}() needs a column`, agg.pos);
    const e = cc.scalar(filtered, aggScope);
    const type = v.type ?? e.type;
    let sql = spec.zero ? `coalesce(${e.sql}, 0)` : e.sql;
    if (v.type && v.type !== e.type) sql = `CAST(${sql} AS ${v.type === 'real' ? 'REAL' : 'INTEGER'})`;
    const name = v.name === '' || taken.has(v.name) ? (v.name === '' ? cc.nextColumnN(taken, counter) : cc.uniqueName(v.name, taken)) : v.name;
    taken.add(name);
    const alias = cc.alias();
    sel.push(`${sql} AS ${cc.q(alias)}`);
    cols.push({ name, type, alias });
  }
  const group = groups.length ? ` GROUP BY ${groups.map((g) => cc.colSql(g)).join(', ')}` : '';
  return cc.wrap(rel, sel.join(', '), cols, group, false);
}

/** The pivot column's values in the tenant's rows, in order of first appearance. */
function discoverValues(cc: CompilerContext, rel: Rel, keyText: string, name: string, pos: number): string[] {
  const sql = `SELECT _v FROM (SELECT ${keyText} AS _v, ROW_NUMBER() OVER () AS _n FROM (${rel.sql}) AS _s${++cc.aliasN}) GROUP BY _v ORDER BY MIN(_n) LIMIT ${MAX_DISCOVERED_COLUMNS + 1}`;
  const rows = cc.discover(sql, `evaluate pivot(${name})`, pos);
  if (rows.length > MAX_DISCOVERED_COLUMNS) throw new KqlError(`pivot would make more than ${MAX_DISCOVERED_COLUMNS} columns; filter ${name} first, or give an output schema`, pos);
  return rows.map(([v]) => String(v ?? ''));
}

function schemaValues(schema: OutputSchema, groups: Set<string>): { value: string; name: string; type: KustoType }[] {
  return schema.cols.filter((c) => !groups.has(c.name)).map((c) => ({ value: c.name, name: c.name, type: c.type }));
}

/** Positional and named arguments (`columnsConflict='replace_source'`) in the plugin's order. */
function pluginArgs(op: Evaluate, names: string[]): (Expr | undefined)[] {
  if (op.args.length > names.length) throw new KqlError(`${op.plugin} takes at most ${names.length} arguments`, op.pos);
  const out: (Expr | undefined)[] = names.map((_, i) => op.args[i]);
  for (const [k, e] of Object.entries(op.named)) {
    const i = names.indexOf(k);
    if (i < 0) throw new KqlError(`${op.plugin} has no argument named '${k}' (its arguments: ${names.join(', ')})`, e.pos);
    out[i] = e;
  }
  return out;
}

function withColumn(cc: CompilerContext, rel: Rel, e: SExpr): Rel {
  const alias = cc.alias();
  return cc.wrap(rel, `*, ${e.sql} AS ${cc.q(alias)}`, [...rel.cols, { name: '', type: e.type, alias }]);
}

function columnArg(rel: Rel, e: Expr, what: string): Col {
  if (e.k !== 'name') throw new KqlError(`${what}: a column name is expected here`, e.pos);
  const c = findCol(rel.cols, e.name);
  if (!c) throw new KqlError(`${what}: unknown column '${e.name}'`, e.pos);
  return c;
}

function collectNames(e: Expr, into: Set<string>): void {
  switch (e.k) {
    case 'name': into.add(e.name); break;
    case 'call': e.args.forEach((a) => collectNames(a, into)); break;
    case 'bin': collectNames(e.l, into); collectNames(e.r, into); break;
    case 'unary': case 'member': case 'index': collectNames(e.e, into); break;
    case 'list': collectNames(e.l, into); e.list.forEach((a) => collectNames(a, into)); break;
    case 'between': collectNames(e.l, into); collectNames(e.lo, into); collectNames(e.hi, into); break;
    default: break;
  }
}
