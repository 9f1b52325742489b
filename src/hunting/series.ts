// make-series: the aggregates of each group along an axis, as arrays with one element per step
// (`default`, 0 unless given, where a step has no rows), then the axis itself as an array. Output
// columns: the by columns, the aggregates, the axis (checked against Kusto's binder).
import type { KustoType } from '../trace/tables.js';
import type { Op } from './ast.js';
import { isNumeric, type Col, type CompilerContext, type Env, type Rel, type Scope } from './compileContext.js';
import { KqlError } from './errors.js';
import { aggregateAutoName, containsAggregate, groupKeys } from './summarize.js';

/** Kusto's limit on the values of one series (2^20). */
export const MAX_SERIES_POINTS = 1_048_576;

export function makeSeries(cc: CompilerContext, rel: Rel, op: Extract<Op, { op: 'make-series' }>, env: Env): Rel {
  const rowScope: Scope = { cols: rel.cols, env };
  const constScope: Scope = { cols: [], env };
  const axis = cc.scalar(op.axis, rowScope);
  const timeAxis = axis.type === 'datetime' || axis.type === 'timespan';
  if (!timeAxis && !isNumeric(axis.type)) throw new KqlError(`make-series needs a datetime, timespan or numeric axis, not ${axis.type}`, op.axis.pos);
  const step = cc.scalar(op.step, constScope);
  if ((timeAxis ? step.type !== 'timespan' : !isNumeric(step.type)) || !step.konst || typeof step.konst.v !== 'number' || !(step.konst.v > 0)) {
    throw new KqlError(`make-series step must be a positive ${timeAxis ? 'timespan' : 'number'} known before the query runs (e.g. 1d)`, op.step.pos);
  }
  const bound = (e: NonNullable<typeof op.from>, what: string) => {
    const x = cc.scalar(e, constScope);
    const ok = x.type === axis.type || (isNumeric(x.type) && isNumeric(axis.type));
    if (!ok) throw new KqlError(`make-series '${what}' must be ${axis.type} like the axis, not ${x.type}`, e.pos);
    return x.sql;
  };

  const taken = new Set<string>();
  const byCols = groupKeys(cc, op.by, rowScope, taken, 'make-series');
  const aggScope: Scope = { cols: rel.cols, env, agg: { inside: false, rowScope } };
  const aggs = op.aggs.map((a) => {
    if (!containsAggregate(a.e)) throw new KqlError('make-series expects aggregation functions such as count(), sum(x), avg(x)', a.pos);
    const e = cc.scalar(a.e, aggScope);
    if (!isNumeric(e.type)) throw new KqlError(`make-series aggregates numbers; this aggregation gives ${e.type}`, a.pos);
    const def = a.def ? cc.scalar(a.def, constScope) : undefined;
    if (def && (!def.konst || (def.konst.v !== null && typeof def.konst.v !== 'number'))) throw new KqlError('make-series default must be a number or null', a.def!.pos);
    let name = a.name ?? (a.e.k === 'call' ? aggregateAutoName(a.e, (x) => cc.autoName(x, rowScope)) : undefined) ?? cc.nextColumnN(taken, { n: 0 });
    if (taken.has(name)) {
      if (a.name) throw new KqlError(`Duplicate column name '${name}' in make-series`, a.pos);
      name = cc.uniqueName(name, taken);
    }
    taken.add(name);
    return { name, type: e.type, sql: e.sql, def: cc.param(JSON.stringify(def ? def.konst!.v : 0)) };
  });
  const axisName = cc.uniqueName(cc.autoName(op.axis, rowScope) ?? cc.nextColumnN(taken, { n: 0 }), taken);

  // The range: as given, or from the bin of the earliest axis value to the end of the bin of the
  // latest (over all groups, so every series has the same axis).
  const stepSql = cc.param(step.konst.v);
  const R = `_rg${++cc.aliasN}`;
  let range = '';
  let start: string, end: string;
  if (op.from && op.to) {
    start = bound(op.from, 'from');
    end = bound(op.to, 'to');
  } else {
    const lo = op.from ? bound(op.from, 'from') : cc.bin(`MIN(${axis.sql})`, step, axis.type);
    // The end of the last step with data: steps count from `from` when it is given.
    const hi = op.to ? bound(op.to, 'to')
      : op.from ? `(${lo} + (CAST(floor(CAST(MAX(${axis.sql}) - (${lo}) AS REAL) / ${stepSql}) AS INTEGER) + 1) * ${stepSql})`
        : `(${cc.bin(`MAX(${axis.sql})`, step, axis.type)} + ${stepSql})`;
    range = ` CROSS JOIN (SELECT ${lo} AS lo, ${hi} AS hi FROM (${rel.sql}) AS _s${++cc.aliasN}) AS ${R}`;
    start = `${R}.lo`;
    end = `${R}.hi`;
  }
  const points = `CAST(ceil(CAST((${end}) - (${start}) AS REAL) / ${stepSql}) AS INTEGER)`;
  const index = `CAST(floor(CAST((${axis.sql}) - (${start}) AS REAL) / ${stepSql}) AS INTEGER)`;

  const S = `_s${++cc.aliasN}`, I = `_i${++cc.aliasN}`;
  const [iA, stA, nA] = [cc.alias(), cc.alias(), cc.alias()];
  const aggAliases = aggs.map(() => cc.alias());
  const inner = [
    ...byCols.map((b) => `${b.inline} AS ${cc.q(b.alias)}`),
    `${index} AS ${cc.q(iA)}`, `${start} AS ${cc.q(stA)}`, `${points} AS ${cc.q(nA)}`,
    ...aggs.map((a, j) => `${a.sql} AS ${cc.q(aggAliases[j])}`),
  ];
  const group = [...byCols.map((b) => b.inline as string), index];
  const innerSql = `SELECT ${inner.join(', ')} FROM (${rel.sql}) AS ${S}${range} WHERE ${axis.sql} >= ${start} AND ${axis.sql} < ${end} GROUP BY ${group.join(', ')}`;

  const cols: Col[] = byCols.map((b) => ({ name: b.name, type: b.type, alias: b.alias }));
  const outer = byCols.map((b) => `${I}.${cc.q(b.alias)}`);
  for (const [j, a] of aggs.entries()) {
    const alias = cc.alias();
    outer.push(`${cc.helper('kql_series', [`${I}.${cc.q(iA)}`, `${I}.${cc.q(aggAliases[j])}`, `${I}.${cc.q(nA)}`, a.def])} AS ${cc.q(alias)}`);
    cols.push({ name: a.name, type: 'dynamic', alias });
  }
  const axisAlias = cc.alias();
  const kind: KustoType = axis.type;
  outer.push(`${cc.helper('kql_series_axis', [`MIN(${I}.${cc.q(stA)})`, stepSql, `MIN(${I}.${cc.q(nA)})`, `'${kind}'`])} AS ${cc.q(axisAlias)}`);
  cols.push({ name: axisName, type: 'dynamic', alias: axisAlias });
  // No rows, no series (Kusto gives an empty result, also without `by`), unless kind=nonempty:
  // then one row of defaults over the given range.
  const tail = byCols.length ? ` GROUP BY ${byCols.map((b) => `${I}.${cc.q(b.alias)}`).join(', ')}` : ` HAVING COUNT(*) > 0`;
  let sql = `SELECT ${outer.join(', ')} FROM (${innerSql}) AS ${I}${tail}`;
  if (op.nonempty) {
    if (range) throw new KqlError('make-series kind=nonempty needs both from and to (with no rows there is no range to take from the data)', op.pos);
    const defaults = [
      ...byCols.map((b) => (b.type === 'string' ? `''` : 'NULL')),
      ...aggs.map((a) => cc.helper('kql_series_fill', [points, a.def])),
      cc.helper('kql_series_axis', [start, stepSql, points, `'${kind}'`]),
    ];
    sql = `SELECT * FROM (${sql}) UNION ALL SELECT ${defaults.map((d, i) => `${d} AS ${cc.q(cols[i].alias)}`).join(', ')} WHERE NOT EXISTS (SELECT 1 FROM (${rel.sql}) AS _s${++cc.aliasN} WHERE ${axis.sql} >= ${start} AND ${axis.sql} < ${end})`;
    sql = `SELECT * FROM (${sql}) AS _n${++cc.aliasN}`;
  }
  return { sql, cols };
}
