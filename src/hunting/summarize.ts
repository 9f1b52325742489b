// summarize: group-by columns first, then aggregates in the order written, with Kusto's
// automatic names; arg_max/arg_min rows come from a ROW_NUMBER() pass joined on the keys.
import type { Expr, NamedExpr } from './ast.js';
import type { Col, CompilerContext, Env, Rel, Scope } from './compileContext.js';
import { KqlError } from './errors.js';
import { isAggregateName } from './functions.js';

/** The `by` columns of summarize or make-series, with Kusto's names (added to `taken`). */
export function groupKeys(cc: CompilerContext, by: NamedExpr[], rowScope: Scope, taken: Set<string>, what: string, counter = { n: 0 }): Col[] {
  const byCols: Col[] = [];
  for (const b of by) {
    const e = cc.scalar(b.e, rowScope);
    if (e.type === 'dynamic') throw new KqlError('Cannot group by a dynamic value; convert it with tostring()', b.pos);
    const name = b.name ?? cc.autoName(b.e, rowScope) ?? cc.nextColumnN(taken, counter);
    if (taken.has(name)) throw new KqlError(`Duplicate column name '${name}' in ${what}`, b.pos);
    taken.add(name);
    byCols.push({ name, type: e.type, alias: cc.alias(), inline: e.sql });
  }
  return byCols;
}

export function summarize(cc: CompilerContext, rel: Rel, aggs: NamedExpr[], by: NamedExpr[], env: Env, pos: number): Rel {
  const rowScope: Scope = { cols: rel.cols, env };
  const taken = new Set<string>();
  const counter = { n: 0 };
  const byCols = groupKeys(cc, by, rowScope, taken, 'summarize', counter);
  const isArg = (a: NamedExpr) => a.e.k === 'call' && (a.e.name === 'arg_max' || a.e.name === 'arg_min');
  if (aggs.length === 1 && isArg(aggs[0])) return argMinMax(cc, rel, aggs[0], byCols, taken, env);
  // Columns in the order written; arg_max/arg_min parts are computed separately and joined.
  const parts: ({ k: 'agg'; col: Col } | { k: 'arg'; rel: Rel; outs: Col[] })[] = [];
  const aggScope: Scope = { cols: rel.cols, env, agg: { inside: false, rowScope } };
  for (const a of aggs) {
    if (isArg(a)) {
      const r = argMinMax(cc, rel, a, byCols, taken, env);
      parts.push({ k: 'arg', rel: r, outs: r.cols.slice(byCols.length) });
      continue;
    }
    const e = cc.scalar(a.e, aggScope);
    if (!containsAggregate(a.e)) throw new KqlError('summarize expects aggregation functions such as count(), dcount(x), sum(x)', a.pos);
    let name = a.name ?? (a.e.k === 'call' ? aggregateAutoName(a.e, (x) => cc.autoName(x, rowScope)) : undefined);
    if (!name) name = cc.nextColumnN(taken, counter);
    if (taken.has(name)) {
      if (a.name) throw new KqlError(`Duplicate column name '${name}' in summarize`, a.pos);
      name = cc.uniqueName(name, taken);
    }
    taken.add(name);
    let sql = e.sql;
    if (!by.length && a.e.k === 'call' && ['sum', 'sumif'].includes(a.e.name)) sql = `coalesce(${sql}, 0)`;
    parts.push({ k: 'agg', col: { name, type: e.type, alias: cc.alias(), inline: sql } });
  }
  const aggCols = parts.flatMap((p) => (p.k === 'agg' ? [p.col] : []));
  const cols = [...byCols, ...aggCols];
  const group = byCols.length ? ` GROUP BY ${byCols.map((c) => c.inline).join(', ')}` : '';
  if (!cols.length) throw new KqlError('summarize needs an aggregation or a by clause', pos);
  const grouped = cc.wrap(rel, cc.selectList(cols), cols.map((c) => ({ name: c.name, type: c.type, alias: c.alias })), group, false);
  const args = parts.filter((p) => p.k === 'arg');
  if (!args.length) return grouped;
  const G = `_g${++cc.aliasN}`;
  const sel: string[] = byCols.map((b) => `${G}.${cc.q(b.alias)}`);
  const from: string[] = [`(${grouped.sql}) AS ${G}`];
  const outCols: Col[] = byCols.map((b) => ({ name: b.name, type: b.type, alias: b.alias }));
  for (const p of parts) {
    if (p.k === 'agg') { sel.push(`${G}.${cc.q(p.col.alias)}`); outCols.push({ name: p.col.name, type: p.col.type, alias: p.col.alias }); continue; }
    const A = `_a${++cc.aliasN}`;
    const on = byCols.length ? byCols.map((b) => `${G}.${cc.q(b.alias)} IS ${A}.${cc.q(b.alias)}`).join(' AND ') : '1';
    from.push(`LEFT JOIN (${p.rel.sql}) AS ${A} ON ${on}`);
    for (const o of p.outs) { sel.push(`${A}.${cc.q(o.alias)}`); outCols.push({ name: o.name, type: o.type, alias: o.alias }); }
  }
  return { sql: `SELECT ${sel.join(', ')} FROM ${from.join(' ')}`, cols: outCols };
}

export function argMinMax(cc: CompilerContext, rel: Rel, a: NamedExpr, byCols: Col[], taken: Set<string>, env: Env): Rel {
  const call = a.e as Extract<Expr, { k: 'call' }>;
  if (call.args.length < 1) throw new KqlError(`${call.name}() needs an expression to maximize/minimize`, call.pos);
  const rowScope: Scope = { cols: rel.cols, env };
  const target = cc.scalar(call.args[0], rowScope);
  const outs: Col[] = [];
  const targetName = cc.uniqueName(a.name ?? cc.autoName(call.args[0], rowScope) ?? `${call.name}_`, taken);
  taken.add(targetName);
  outs.push({ name: targetName, type: target.type, alias: cc.alias(), inline: target.sql });
  const rest = call.args.slice(1);
  const targetCol = call.args[0].k === 'name' ? (call.args[0] as { name: string }).name : undefined;
  for (const r of rest) {
    if (r.k === 'star') {
      for (const c of rel.cols) {
        if (c.name === targetCol || byCols.some((b) => b.name === c.name && b.inline === cc.colSql(c))) continue;
        const name = cc.uniqueName(c.name, taken);
        taken.add(name);
        outs.push({ name, type: c.type, alias: cc.alias(), inline: cc.colSql(c) });
      }
      continue;
    }
    const e = cc.scalar(r, rowScope);
    const nm = (r.k === 'bin' && r.op === '=' ? undefined : cc.autoName(r, rowScope)) ?? cc.nextColumnN(taken, { n: 0 });
    const name = cc.uniqueName(nm, taken);
    taken.add(name);
    outs.push({ name, type: e.type, alias: cc.alias(), inline: e.sql });
  }
  const dir = call.name === 'arg_max' ? 'DESC' : 'ASC';
  const part = byCols.length ? `PARTITION BY ${byCols.map((b) => b.inline).join(', ')} ` : '';
  const inner = [...byCols, ...outs];
  const rn = cc.alias();
  const s = `_s${++cc.aliasN}`;
  const innerSql = `SELECT ${cc.selectList(inner)}, ROW_NUMBER() OVER (${part}ORDER BY (${target.sql}) IS NULL, ${target.sql} ${dir}) AS ${cc.q(rn)} FROM (${rel.sql}) AS ${s}`;
  const cols = inner.map((c) => ({ name: c.name, type: c.type, alias: c.alias }));
  return { sql: `SELECT ${cols.map((c) => cc.q(c.alias)).join(', ')} FROM (${innerSql}) AS _s${++cc.aliasN} WHERE ${cc.q(rn)} = 1`, cols };
}

export function containsAggregate(e: Expr): boolean {
  switch (e.k) {
    case 'call': return isAggregateName(e.name) || e.args.some(containsAggregate);
    case 'bin': return containsAggregate(e.l) || containsAggregate(e.r);
    case 'unary': return containsAggregate(e.e);
    case 'member': case 'index': return containsAggregate(e.e);
    case 'list': return containsAggregate(e.l);
    case 'between': return containsAggregate(e.l);
    default: return false;
  }
}

/** Kusto's automatic column names for aggregates: count_, dcount_X, sum_X, set_X … */
export function aggregateAutoName(e: Extract<Expr, { k: 'call' }>, nameOf: (x: Expr) => string | undefined): string | undefined {
  const prefix: Record<string, string> = {
    count: 'count_', countif: 'countif_', dcount: 'dcount_', dcountif: 'dcountif_', sum: 'sum_', sumif: 'sumif_',
    avg: 'avg_', avgif: 'avgif_', min: 'min_', max: 'max_', minif: 'minif_', maxif: 'maxif_', make_set: 'set_', make_list: 'list_',
    make_set_if: 'set_', make_list_if: 'list_', any: 'any_', count_distinct: 'count_distinct_', stdev: 'stdev_', variance: 'variance_',
  };
  if (e.name === 'take_any') return e.args[0] ? nameOf(e.args[0]) : undefined;
  const p = prefix[e.name];
  if (!p) return undefined;
  if (e.name === 'countif' || (e.name === 'count' && !e.args.length)) return p;
  const a = e.args[0] ? nameOf(e.args[0]) : undefined;
  return a ? `${p}${a}` : p;
}
