// join, lookup and union: Kusto's output schemas (left columns, then right ones with `1`
// suffixes), innerunique's one-left-row-per-key, '' for unmatched strings, schema-merging union.
import type { KustoType } from '../trace/tables.js';
import type { Expr } from './ast.js';
import { findCol, type Col, type CompilerContext, type Env, type Rel, type Scope, type SExpr } from './compileContext.js';
import { KqlError, unsupported } from './errors.js';

export function join(cc: CompilerContext, left: Rel, kind0: string, rightExpr: Expr, on: Expr[], env: Env, pos: number, lookup: boolean): Rel {
  const kind = kind0 === 'anti' || kind0 === 'leftantisemi' ? 'leftanti' : kind0 === 'rightantisemi' ? 'rightanti' : kind0;
  const right = cc.tabular(rightExpr, env);
  const L = `_l${++cc.aliasN}`, R = `_r${++cc.aliasN}`;
  const leftScope: Scope = { cols: left.cols, qual: L, env };
  const rightScope: Scope = { cols: right.cols, qual: R, env };
  const pairs: { l: SExpr; r: SExpr; same?: string; rightName?: string }[] = [];
  const flat: Expr[] = [];
  const flatten = (x: Expr) => { if (x.k === 'bin' && x.op === 'and') { flatten(x.l); flatten(x.r); } else flat.push(x); };
  on.forEach(flatten);
  for (const c of flat) {
    if (c.k === 'name') {
      if (!findCol(left.cols, c.name)) throw new KqlError(`Join key '${c.name}' is not a column of the left side`, c.pos);
      if (!findCol(right.cols, c.name)) throw new KqlError(`Join key '${c.name}' is not a column of the right side`, c.pos);
      pairs.push({ l: cc.scalar(c, leftScope), r: cc.scalar(c, rightScope), same: c.name });
      continue;
    }
    if (c.k === 'bin' && c.op === '==') {
      const sides = { left: leftScope, right: rightScope };
      const a = cc.scalar(c.l, { cols: [], env, sides });
      const b = cc.scalar(c.r, { cols: [], env, sides });
      const side = (x: Expr) => (x.k === 'member' && x.e.k === 'name' ? x.e.name : undefined);
      const [sl, sr] = [side(c.l), side(c.r)];
      const member = (x: Expr) => (x.k === 'member' ? x.name : undefined);
      if (sl === '$left' && sr === '$right') pairs.push({ l: a, r: b, rightName: member(c.r) });
      else if (sl === '$right' && sr === '$left') pairs.push({ l: b, r: a, rightName: member(c.l) });
      else throw new KqlError('Join conditions compare $left.Column == $right.Column', c.pos);
      continue;
    }
    throw unsupported('Join conditions other than equality of columns', c.pos);
  }
  if (!pairs.length) throw new KqlError('join needs an on clause', pos);
  for (const p of pairs) {
    const cls = (t: KustoType) => (t === 'int' || t === 'long' || t === 'real' ? 'num' : t);
    if (cls(p.l.type) !== cls(p.r.type)) throw new KqlError(`Join keys have different types (${p.l.type} and ${p.r.type})`, pos);
  }
  // Anchored on both sides so SQLite evaluates it per joined pair, not per left row.
  const cancel = cc.d.cancellationPoint(`${pairs[0].l.sql}, ${pairs[0].r.sql}`);
  const cond = pairs.map((p) => `${p.l.sql} = ${p.r.sql}`).join(' AND ') + (cancel ? ` AND ${cancel}` : '');
  const lq = (c: Col) => `${L}.${cc.q(c.alias)}`;
  const rq = (c: Col) => `${R}.${cc.q(c.alias)}`;
  if (kind === 'leftsemi' || kind === 'leftanti' || kind === 'rightsemi' || kind === 'rightanti') {
    // Semi/anti joins as IN over the other side's keys (SQLite indexes the IN list once).
    const keepLeft = kind.startsWith('left');
    const [keep, other, kq, oq] = keepLeft ? [left, right, L, R] : [right, left, R, L];
    const mine = pairs.map((p) => (keepLeft ? p.l.sql : p.r.sql));
    const theirs = pairs.map((p) => (keepLeft ? p.r.sql : p.l.sql));
    const tuple = (xs: string[]) => (xs.length === 1 ? xs[0] : `(${xs.join(', ')})`);
    const sub = `SELECT ${theirs.join(', ')} FROM (${other.sql}) AS ${oq} WHERE ${theirs.map((t) => `${t} IS NOT NULL`).join(' AND ')}`;
    const test = kind.endsWith('anti')
      ? `(${mine.map((m) => `${m} IS NULL`).join(' OR ')} OR ${tuple(mine)} NOT IN (${sub}))`
      : `${tuple(mine)} IN (${sub})`;
    const sql = `SELECT ${keep.cols.map((c) => `${kq}.${cc.q(c.alias)}`).join(', ')} FROM (${keep.sql}) AS ${kq} WHERE ${test}`;
    return { sql, cols: keep.cols.map((c) => ({ name: c.name, type: c.type, alias: c.alias })) };
  }
  const taken = new Set(left.cols.map((c) => c.name));
  const leftAliases = new Set(left.cols.map((c) => c.alias));
  const nullableLeft = kind === 'rightouter' || kind === 'fullouter';
  const nullableRight = kind === 'leftouter' || kind === 'fullouter';
  const fill = (sql: string, c: Col, nullable: boolean) => (nullable && c.type === 'string' ? `coalesce(${sql}, '')` : sql);
  const sel: string[] = [];
  const cols: Col[] = [];
  for (const c of left.cols) {
    const s = fill(lq(c), c, nullableLeft);
    sel.push(`${s} AS ${cc.q(c.alias)}`);
    cols.push({ name: c.name, type: c.type, alias: c.alias });
  }
  for (const c of right.cols) {
    // lookup keeps one copy of each key: the right side's key columns are dropped.
    if (lookup && pairs.some((p) => (p.same ?? p.rightName) === c.name)) continue;
    const name = cc.uniqueName(c.name, taken);
    taken.add(name);
    const alias = leftAliases.has(c.alias) ? cc.alias() : c.alias;
    leftAliases.add(alias);
    sel.push(`${fill(rq(c), c, nullableRight)} AS ${cc.q(alias)}`);
    cols.push({ name, type: c.type, alias });
  }
  let leftSql = left.sql;
  if (kind === 'innerunique') {
    // One (arbitrary) left row per key, then an inner join.
    const rn = cc.alias();
    const keys = pairs.map((p) => p.l.sql.replace(`${L}.`, '')).join(', ');
    leftSql = `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${keys}) AS ${cc.q(rn)} FROM (${left.sql}) AS _u${++cc.aliasN}) AS _u${++cc.aliasN} WHERE ${cc.q(rn)} = 1`;
  }
  const joinKw = { innerunique: 'JOIN', inner: 'JOIN', leftouter: 'LEFT JOIN', rightouter: 'RIGHT JOIN', fullouter: 'FULL JOIN' }[kind];
  if (!joinKw) throw unsupported(`join kind=${kind}`, pos);
  return { sql: `SELECT ${sel.join(', ')} FROM (${leftSql}) AS ${L} ${joinKw} ${cc.d.materialize(right.sql, `_m${++cc.aliasN}`)} AS ${R} ON ${cond}`, cols };
}

export function union(cc: CompilerContext, first: Rel[], tables: Expr[], kind: 'outer' | 'inner', withsource: string | undefined, env: Env, pos: number): Rel {
  const rels: { rel: Rel; label: string }[] = first.map((r) => ({ rel: r, label: r.source ?? '' }));
  for (const t of tables) {
    const rel = cc.tabular(t, env);
    rels.push({ rel, label: t.k === 'name' ? t.name : rel.source ?? '' });
  }
  const merged: { name: string; type: KustoType; alias: string }[] = [];
  for (const { rel } of rels) {
    for (const c of rel.cols) {
      const m = merged.find((x) => x.name === c.name);
      if (!m) merged.push({ name: c.name, type: c.type, alias: cc.alias() });
      else if (m.type !== c.type) throw unsupported(`union of column '${c.name}' with different types (${m.type}, ${c.type})`, pos);
    }
  }
  const cols = kind === 'inner' ? merged.filter((m) => rels.every(({ rel }) => rel.cols.some((c) => c.name === m.name))) : merged;
  const branches = rels.map(({ rel, label }) => {
    const sel = cols.map((m) => {
      const c = rel.cols.find((x) => x.name === m.name);
      const v = c ? cc.q(c.alias) : m.type === 'string' ? `''` : 'NULL';
      return `${v} AS ${cc.q(m.alias)}`;
    });
    if (withsource) sel.unshift(`${cc.param(label)} AS ${cc.q('_src')}`);
    return `SELECT ${sel.join(', ')} FROM (${rel.sql}) AS _s${++cc.aliasN}`;
  });
  const outCols: Col[] = cols.map((m) => ({ ...m }));
  if (withsource) {
    if (outCols.some((c) => c.name === withsource)) throw new KqlError(`A column named '${withsource}' already exists`, pos);
    outCols.unshift({ name: withsource, type: 'string', alias: '_src' });
  }
  return { sql: `SELECT * FROM (${branches.join(' UNION ALL ')}) AS _s${++cc.aliasN}`, cols: outCols };
}
