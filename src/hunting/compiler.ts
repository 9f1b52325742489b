// KQL → SQL. Walks the syntax tree, propagating the schema of every pipeline stage (column
// names, Kusto types), and emits one SELECT with bound parameters only: values from the query
// text always travel as parameters, and the only identifiers in the SQL are schema names and
// aliases the compiler generates. Every table reference is wrapped in a tenant filter
// (`OrgId = ?`) and the lookback window, so nothing a query says can reach another tenant.
// This file is the tabular half (tables, lets, pipeline operators); expressions.ts the scalar one.
import { ORG_COLUMN, type HuntingTable, type KustoType } from '../trace/tables.js';
import type { Expr, NamedExpr, Op, SortKey, Statement } from './ast.js';
import { Env, findCol, type Binding, type Col, type CompiledQuery, type CompileOptions, type Rel, type Scope, type SExpr } from './compileContext.js';
import { KqlError, unsupported } from './errors.js';
import { ExpressionCompiler } from './expressions.js';
import { join, union } from './joins.js';
import { parseQuery } from './parser.js';
import { datatable, mvExpand, parseOp } from './reshape.js';
import { bagUnpack, pivot } from './plugins.js';
import { makeSeries } from './series.js';
import { summarize } from './summarize.js';

export type { ChartHint, ColumnInfo, CompiledQuery, CompileOptions } from './compileContext.js';

/** Functions whose unnamed result takes the name of their first argument (checked against Kusto). */
const FIRST_ARG_NAMED = new Set([
  'tostring', 'toint', 'tolong', 'todouble', 'toreal', 'tobool', 'toboolean', 'todatetime', 'totimespan',
  'parse_json', 'todynamic', 'parsejson', 'bin', 'floor', 'startofday', 'split', 'abs', 'round', 'format_datetime',
]);
const PREFIX_NAMED = new Set(['strlen']);

const CLR_TYPE: Record<KustoType, string> = {
  string: 'System.String', long: 'System.Int64', int: 'System.Int32', real: 'System.Double', bool: 'System.SByte',
  datetime: 'System.DateTime', timespan: 'System.TimeSpan', dynamic: 'System.Object',
};

export class Compiler extends ExpressionCompiler {

  // ---- entry ----------------------------------------------------------------------------
  compile(): CompiledQuery {
    const env = this.bindLets(this.query.lets, new Env());
    const rel = this.tabular(this.query.body, env);
    let sql = rel.sql;
    if (rel.order?.length) sql = `SELECT * FROM (${rel.sql}) AS _r ORDER BY ${rel.order.join(', ')}`;
    return { sql, params: this.params, columns: rel.cols.map((c) => ({ name: c.name, type: c.type })), chart: this.chart, now: this.now };
  }

  /** Binds let statements in order, each in a scope of its own: a value sees only the names bound
   * before it, as in Kusto (`let EmailEvents = EmailEvents | …` reads the table), so nothing can
   * refer to itself and expand forever. Returns the scope holding them all. */
  bindLets(lets: Statement[], outer: Env): Env {
    let env = outer;
    for (const s of lets) {
      const next = new Env(env);
      if (s.k === 'letfn') next.set(s.name, { k: 'fn', def: s, env });
      else if (this.isTabular(s.value, env)) next.set(s.name, { k: 'tabular', expr: s.value, env });
      else next.set(s.name, { k: 'scalar', e: this.scalar(s.value, { cols: [], env }) });
      env = next;
    }
    return env;
  }

  /** Whether an expression denotes a table (decides let kinds and operator operands). */
  isTabular(e: Expr, env: Env): boolean {
    switch (e.k) {
      case 'pipe': case 'union': case 'datatable': case 'print': return true;
      case 'name': {
        const b = env.get(e.name);
        if (b) return b.k === 'tabular' || (b.k === 'fn' && b.def.params.length === 0 && this.isTabular(b.def.result, b.env));
        return this.tables.has(e.name);
      }
      case 'call': {
        if (['materialize', 'table', 'view', 'database', 'cluster', 'datatable', 'externaldata'].includes(e.name)) return true;
        const b = env.get(e.name);
        return !!b && b.k === 'fn' && this.isTabular(b.def.result, b.env);
      }
      case 'member': return e.e.k === 'call' && (e.e.name === 'database' || e.e.name === 'cluster');
      default: return false;
    }
  }

  // ---- tabular expressions -----------------------------------------------------------------
  tabular(e: Expr, env: Env): Rel {
    switch (e.k) {
      case 'name': {
        const b = env.get(e.name);
        if (b?.k === 'tabular') return (b.rel ??= this.tabular(b.expr, b.env));
        if (b?.k === 'fn') return this.tabular(b.def.result, this.fnEnv(b, [], e.pos));
        if (b?.k === 'scalar') throw new KqlError(`'${e.name}' is a scalar value, but a table is expected here`, e.pos);
        const t = this.tables.get(e.name);
        if (t) return this.tableRel(t);
        if (e.name === ORG_COLUMN) throw new KqlError(`'${e.name}' is not a table`, e.pos);
        throw new KqlError(`Unknown table '${e.name}'. Tables: ${[...this.tables.keys()].join(', ')}`, e.pos);
      }
      case 'call': {
        if (e.name === 'materialize' || e.name === 'view') {
          if (e.args.length !== 1) throw new KqlError(`${e.name}() takes one tabular argument`, e.pos);
          return this.tabular(e.args[0], env);
        }
        if (e.name === 'table') {
          const a = e.args[0];
          if (e.args.length !== 1 || a.k !== 'lit' || a.type !== 'string') throw new KqlError(`table() takes one string literal naming a table`, e.pos);
          const t = this.tables.get(String(a.value));
          if (!t) throw new KqlError(`Unknown table '${String(a.value)}'`, a.pos);
          return this.tableRel(t);
        }
        if (['database', 'cluster', 'datatable', 'externaldata', 'workspace', 'app', 'adx'].includes(e.name)) throw unsupported(`${e.name}()`, e.pos);
        const b = env.get(e.name);
        if (b?.k === 'fn') {
          const fenv = this.fnEnv(b, e.args.map((a) => this.scalar(a, { cols: [], env })), e.pos);
          return this.tabular(b.def.result, fenv);
        }
        throw new KqlError(`'${e.name}(…)' does not produce a table`, e.pos);
      }
      case 'member':
        throw unsupported('A cross-database or cross-cluster reference (database(), cluster())', e.pos);
      case 'pipe': {
        let rel = this.tabular(e.source, env);
        e.ops.forEach((op, i) => {
          if (this.chart) throw new KqlError(`'render' must be the last operator`, op.pos);
          rel = this.operator(rel, op, env);
          if (op.op === 'render' && i !== e.ops.length - 1) throw new KqlError(`'render' must be the last operator`, op.pos);
        });
        return rel;
      }
      case 'union': return union(this, [], e.tables, e.kind, e.withsource, env, e.pos);
      case 'datatable': return datatable(this, e, env);
      case 'print': return this.print(e.items, env, e.pos);
      default:
        throw new KqlError('A table was expected here', e.pos);
    }
  }

  /** `print x = 1, 'a'`: one row of scalars; unnamed ones are print_0, print_1… by position. */
  private print(items: NamedExpr[], env: Env, pos: number): Rel {
    const cols: Col[] = [];
    items.forEach((it, i) => {
      const e = this.scalar(it.e, { cols: [], env });
      if (e.rel) throw new KqlError('print takes scalar values (use toscalar() for a table)', it.pos);
      const name = it.name ?? `print_${i}`;
      if (cols.some((c) => c.name === name)) throw new KqlError(`Duplicate column name '${name}' in print`, it.pos);
      cols.push({ name, type: e.type, alias: this.alias(), inline: e.type === 'string' ? `coalesce(${e.sql}, '')` : e.sql });
    });
    if (!cols.length) throw new KqlError('print needs at least one value', pos);
    return { sql: `SELECT ${this.selectList(cols)}`, cols: cols.map((c) => ({ name: c.name, type: c.type, alias: c.alias })) };
  }

  /** The only way a table enters a query: visible columns, this tenant, the lookback window. */
  tableRel(t: HuntingTable): Rel {
    const cols: Col[] = t.columns.map((c) => ({ name: c.name, type: c.type, alias: c.name }));
    const where = [`${this.q(ORG_COLUMN)} = ${this.orgParam}`];
    const ts = cols.find((c) => c.name === 'Timestamp');
    if (ts) {
      where.push(`${this.q('Timestamp')} >= ${this.windowParam}`);
      ts.min = this.windowStart; // every row of this relation is at or after it
    }
    const cancel = this.d.cancellationPoint('rowid');
    if (cancel) where.push(cancel);
    const sql = `SELECT ${cols.map((c) => this.q(c.name)).join(', ')} FROM ${this.q(t.name)} WHERE ${where.join(' AND ')}`;
    return { sql, cols, source: t.name };
  }

  fnEnv(b: Extract<Binding, { k: 'fn' }>, args: SExpr[], pos: number): Env {
    const { def } = b;
    if (args.length > def.params.length) throw new KqlError(`Function '${def.name}' takes ${def.params.length} argument(s)`, pos);
    const fenv = new Env(b.env);
    def.params.forEach((p, i) => {
      let a = args[i];
      if (!a) {
        if (!p.def) throw new KqlError(`Function '${def.name}': missing argument '${p.name}'`, pos);
        a = this.scalar(p.def, { cols: [], env: b.env });
      }
      fenv.set(p.name, { k: 'scalar', e: a });
    });
    return this.bindLets(def.body, fenv);
  }

  wrap(rel: Rel, select: string, cols: Col[], tail = '', keepOrder = true, limit = ''): Rel {
    const s = `_s${++this.aliasN}`;
    let order: string[] | undefined;
    let orderSql = '';
    if (keepOrder && rel.order?.length) {
      orderSql = ` ORDER BY ${rel.order.join(', ')}`;
      const aliases = new Set(cols.filter((c) => !c.inline).map((c) => this.q(c.alias)));
      if (rel.order.every((o) => aliases.has(o.split(' ')[0]))) order = rel.order;
    }
    return { sql: `SELECT ${select} FROM (${rel.sql}) AS ${s}${tail}${orderSql}${limit}`, cols, order };
  }

  colSql(c: Col, qual?: string): string {
    if (c.inline) return c.inline;
    return qual ? `${qual}.${this.q(c.alias)}` : this.q(c.alias);
  }

  selectList(cols: Col[]): string {
    // The same source column selected twice needs a second alias.
    const seen = new Set<string>();
    for (const c of cols) {
      if (seen.has(c.alias) && !c.inline) { c.inline = this.q(c.alias); c.alias = this.alias(); }
      seen.add(c.alias);
    }
    return cols.map((c) => (c.inline ? `${c.inline} AS ${this.q(c.alias)}` : this.q(c.alias))).join(', ');
  }

  operator(rel: Rel, op: Op, env: Env): Rel {
    const scope: Scope = { cols: rel.cols, env };
    switch (op.op) {
      case 'where': {
        const p = this.scalar(op.pred, scope);
        return this.wrap(rel, '*', rel.cols, ` WHERE ${this.toBool(p, op.pred.pos)}`);
      }
      case 'serialize': return rel;
      case 'project': case 'extend': return this.projectExtend(rel, op.op, op.items, env);
      case 'project-away': case 'project-keep': {
        const hit = new Set<Col>();
        for (const n of op.names) {
          const m = this.matchCols(rel.cols, n.pattern);
          if (!m.length && !n.pattern.includes('*')) throw new KqlError(`Unknown column '${n.pattern}'`, n.pos);
          m.forEach((c) => hit.add(c));
        }
        const cols = rel.cols.filter((c) => hit.has(c) === (op.op === 'project-keep'));
        if (!cols.length) throw new KqlError(`${op.op} would remove every column`, op.pos);
        return this.wrap(rel, this.selectList(cols), cols);
      }
      case 'project-reorder': {
        const first: Col[] = [];
        for (const n of op.names) {
          const m = this.matchCols(rel.cols, n.pattern);
          if (!m.length && !n.pattern.includes('*')) throw new KqlError(`Unknown column '${n.pattern}'`, n.pos);
          m.forEach((c) => { if (!first.includes(c)) first.push(c); });
        }
        const cols = [...first, ...rel.cols.filter((c) => !first.includes(c))];
        return this.wrap(rel, this.selectList(cols), cols);
      }
      case 'project-rename': {
        const cols = rel.cols.map((c) => ({ ...c }));
        for (const p of op.pairs) {
          const c = findCol(cols, p.from);
          if (!c) throw new KqlError(`Unknown column '${p.from}'`, p.pos);
          if (cols.some((x) => x.name === p.to && x !== c)) throw new KqlError(`A column named '${p.to}' already exists`, p.pos);
          c.name = p.to;
        }
        return { ...rel, cols };
      }
      case 'summarize': return summarize(this, rel, op.aggs, op.by, env, op.pos);
      case 'join': return join(this, rel, op.kind, op.right, op.on, env, op.pos, false);
      case 'lookup': {
        if (op.kind !== 'leftouter' && op.kind !== 'inner') throw new KqlError(`lookup supports kind=leftouter or kind=inner`, op.pos);
        return join(this, rel, op.kind, op.right, op.on, env, op.pos, true);
      }
      case 'union': return union(this, [rel], op.tables, op.kind, op.withsource, env, op.pos);
      case 'sort': {
        const order = op.keys.map((k) => this.sortTerm(k, scope));
        const r = this.wrap(rel, '*', rel.cols, ` ORDER BY ${order.join(', ')}`, false);
        return { ...r, order: order.every((o) => /^"[^"]+"( |$)/.test(o)) ? order : undefined };
      }
      case 'top': {
        const n = this.count(op.n, env);
        const order = [this.sortTerm(op.by, scope)];
        const r = this.wrap(rel, '*', rel.cols, ` ORDER BY ${order[0]} LIMIT ${n}`, false);
        return { ...r, order: /^"[^"]+"( |$)/.test(order[0]) ? order : undefined };
      }
      case 'take': return this.wrap(rel, '*', rel.cols, '', true, ` LIMIT ${this.count(op.n, env)}`);
      case 'count': {
        const a = this.alias();
        return this.wrap(rel, `COUNT(*) AS ${this.q(a)}`, [{ name: 'Count', type: 'long', alias: a }], '', false);
      }
      case 'distinct': {
        if (op.items === '*') return this.wrap(rel, `DISTINCT ${this.selectList(rel.cols)}`, rel.cols, '', false);
        const cols = this.namedCols(op.items, scope, 'distinct');
        return this.wrap(rel, `DISTINCT ${this.selectList(cols)}`, cols.map((c) => ({ name: c.name, type: c.type, alias: c.alias })), '', false);
      }
      case 'mv-expand': return mvExpand(this, rel, op, env);
      case 'make-series': return makeSeries(this, rel, op, env);
      case 'evaluate': return op.plugin === 'pivot' ? pivot(this, rel, op, env) : bagUnpack(this, rel, op, env);
      case 'parse': return parseOp(this, rel, op, env);
      case 'render': {
        this.chart = { kind: op.kind, ...op.props };
        return rel;
      }
      case 'getschema': {
        const out: Col[] = [
          { name: 'ColumnName', type: 'string', alias: this.alias() }, { name: 'ColumnOrdinal', type: 'long', alias: this.alias() },
          { name: 'DataType', type: 'string', alias: this.alias() }, { name: 'ColumnType', type: 'string', alias: this.alias() },
        ];
        const rows = rel.cols.map((c, i) => `SELECT ${[this.param(c.name), this.param(i), this.param(CLR_TYPE[c.type]), this.param(c.type)].map((v, j) => `${v} AS ${this.q(out[j].alias)}`).join(', ')}`);
        return { sql: `SELECT * FROM (${rows.join(' UNION ALL ')}) AS _g${++this.aliasN}`, cols: out };
      }
    }
  }

  private count(e: Expr, env: Env): string {
    const n = this.scalar(e, { cols: [], env });
    if (n.type !== 'long' && n.type !== 'int') throw new KqlError('A row count must be an integer', e.pos);
    if (n.konst && (typeof n.konst.v !== 'number' || n.konst.v < 0)) throw new KqlError('A row count must be a non-negative integer', e.pos);
    return n.sql;
  }

  private sortTerm(k: SortKey, scope: Scope): string {
    const e = this.scalar(k.e, scope);
    if (e.type === 'dynamic') throw new KqlError('Cannot sort by a dynamic value; convert it with tostring() or tolong()', k.pos);
    const nullsFirst = k.nulls ? k.nulls === 'first' : !k.desc;
    return `${e.sql} ${k.desc ? 'DESC' : 'ASC'}${this.d.nulls(nullsFirst)}`;
  }

  matchCols(cols: Col[], pattern: string): Col[] {
    if (!pattern.includes('*')) { const c = findCol(cols, pattern); return c ? [c] : []; }
    const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return cols.filter((c) => re.test(c.name));
  }

  /** Kusto's name for an unnamed expression, or undefined for ColumnN. */
  autoName(e: Expr, scope: Scope): string | undefined {
    switch (e.k) {
      case 'name': return findCol(scope.cols, e.name) ? e.name : undefined;
      case 'member': { const b = this.autoName(e.e, scope); return b ? `${b}_${e.name}` : undefined; }
      case 'index': {
        const b = this.autoName(e.e, scope);
        return b && e.index.k === 'lit' && (e.index.type === 'string' || e.index.type === 'long') ? `${b}_${String(e.index.value)}` : undefined;
      }
      case 'call': {
        if (FIRST_ARG_NAMED.has(e.name) && e.args.length) return this.autoName(e.args[0], scope);
        if (PREFIX_NAMED.has(e.name) && e.args.length) { const b = this.autoName(e.args[0], scope); return b ? `${e.name}_${b}` : undefined; }
        return undefined;
      }
      default: return undefined;
    }
  }

  uniqueName(name: string, taken: Set<string>): string {
    if (!taken.has(name)) return name;
    for (let i = 1; ; i++) if (!taken.has(`${name}${i}`)) return `${name}${i}`;
  }

  nextColumnN(taken: Set<string>, counter: { n: number }): string {
    for (;;) { const n = `Column${++counter.n}`; if (!taken.has(n)) return n; }
  }

  namedCols(items: NamedExpr[], scope: Scope, what: string): Col[] {
    const out: Col[] = [];
    const taken = new Set<string>();
    const counter = { n: 0 };
    for (const it of items) {
      const e = this.scalar(it.e, scope);
      const name = it.name ?? this.autoName(it.e, scope) ?? this.nextColumnN(taken, counter);
      if (taken.has(name)) throw new KqlError(`Duplicate column name '${name}' in ${what}`, it.pos);
      taken.add(name);
      const plain = it.e.k === 'name' ? scope.cols.find((c) => c.name === (it.e as { name: string }).name && !c.inline) : undefined;
      if (plain && !scope.qual) out.push({ name, type: plain.type, alias: plain.alias, min: plain.min });
      else out.push({ name, type: e.type, alias: this.alias(), inline: e.sql });
    }
    return out;
  }

  private projectExtend(rel: Rel, kind: 'project' | 'extend', items: NamedExpr[], env: Env): Rel {
    // Later items may refer to earlier ones: they are substituted inline.
    const cols: Col[] = kind === 'extend' ? rel.cols.slice() : [];
    const visible: Col[] = rel.cols.slice();
    const taken = new Set(cols.map((c) => c.name));
    const counter = { n: 0 };
    for (const it of items) {
      const scope: Scope = { cols: visible, env };
      const e = this.scalar(it.e, scope);
      if (e.rel) throw new KqlError('A table cannot be used as a column value', it.pos);
      let name = it.name ?? this.autoName(it.e, scope);
      if (!name) name = this.nextColumnN(new Set([...taken, ...visible.map((c) => c.name)]), counter);
      const plain = it.e.k === 'name' ? visible.find((c) => c.name === (it.e as { name: string }).name) : undefined;
      const col: Col = plain && !plain.inline ? { name, type: plain.type, alias: plain.alias, min: plain.min } : { name, type: e.type, alias: this.alias(), inline: e.sql };
      if (kind === 'project') {
        if (cols.some((c) => c.name === name)) throw new KqlError(`Duplicate column name '${name}' in project`, it.pos);
        if (cols.some((c) => c.alias === col.alias)) { col.alias = this.alias(); col.inline = this.colSql(plain!); }
        cols.push(col);
      } else {
        const at = cols.findIndex((c) => c.name === name);
        if (at >= 0) cols[at] = col; else cols.push(col);
      }
      taken.add(name);
      const vi = visible.findIndex((c) => c.name === name);
      if (vi >= 0) visible[vi] = col; else visible.push(col);
    }
    const select = this.selectList(cols);
    return this.wrap(rel, select, cols.map((c) => ({ name: c.name, type: c.type, alias: c.alias })));
  }

}


export function compileKql(query: string, opts: CompileOptions): CompiledQuery {
  const parsed = parseQuery(query);
  try {
    return new Compiler(parsed, opts).compile();
  } catch (e) {
    if (e instanceof KqlError && !e.line) throw e.locate(query);
    throw e;
  }
}

