// KQL → SQL. Walks the syntax tree, propagating the schema of every pipeline stage (column
// names, Kusto types), and emits one SELECT with bound parameters only: values from the query
// text always travel as parameters, and the only identifiers in the SQL are schema names and
// aliases the compiler generates. Every table reference is wrapped in a tenant filter
// (`OrgId = ?`) and the lookback window, so nothing a query says can reach another tenant.
import { HUNTING_TABLES, ORG_COLUMN, type HuntingTable, type KustoType } from '../trace/tables.js';
import type { Expr, NamedExpr, Op, Query, SortKey, Statement } from './ast.js';
import { sqliteDialect, type HelperName, type SqlDialect } from './dialect.js';
import { KqlError, unsupported } from './errors.js';
import { callAggregate, callScalar, checkRegex, isAggregateName } from './functions.js';
import { join, union } from './joins.js';
import { parseQuery } from './parser.js';
import { datatable, mvExpand, parseOp } from './reshape.js';
import { bagUnpack, pivot } from './plugins.js';
import { makeSeries } from './series.js';
import { summarize } from './summarize.js';

export interface ColumnInfo { name: string; type: KustoType }

export interface ChartHint { kind: string; [prop: string]: unknown }

export interface CompiledQuery {
  sql: string;
  /** Positional values for the dialect's placeholders (`@p1` … on SQLite: pass as { p1: … }). */
  params: unknown[];
  columns: ColumnInfo[];
  chart?: ChartHint;
  /** The query time (`now()`), ms since epoch. */
  now: number;
}

export interface CompileOptions {
  /** The organization the query runs in. Required: every table reference is scoped to it. */
  orgId: string;
  /** Query time for now()/ago(), ms since epoch or Date. Default: the current time. */
  now?: number | Date;
  /** Days of data visible to the query (Defender: 30). */
  lookbackDays?: number;
  dialect?: SqlDialect;
  /** Tables visible to the query (default: the hunting tables of trace/tables.ts). */
  tables?: HuntingTable[];
  /** Runs a query during compilation, for operators whose columns come from the data (evaluate
   * bag_unpack and pivot without an output schema): SQL and positional params as compiled so far,
   * rows as arrays. Without it those operators need an output schema. */
  probe?: (sql: string, params: unknown[]) => unknown[][];
}

/** One column of a relation: its Kusto name and type, and its SQL alias (never user text).
 * `min`: a lower bound of every non-null value, when known (a table's Timestamp: the window). */
export interface Col { name: string; type: KustoType; alias: string; inline?: string; min?: number }

/** A tabular intermediate result: a SELECT statement and the schema it yields. */
export interface Rel { sql: string; cols: Col[]; order?: string[]; source?: string }

/** A compiled scalar expression. */
export interface SExpr {
  sql: string;
  type: KustoType;
  /** The value when known at compile time (literals, folded lets). */
  konst?: { v: unknown };
  /** For dynamic member access: base JSON and path placeholder, so scalars can be read directly. */
  json?: { base: string; path: string };
  /** Set for a tabular value used where a scalar list may be (in, has_any). */
  rel?: Rel;
  /** A lower bound of every non-null value (from Col.min), when known. */
  min?: number;
}

/** Name resolution context for scalar expressions. */
export interface Scope {
  cols: Col[];
  /** Table alias to qualify column references with (joins, mv-expand). */
  qual?: string;
  /** `$left` / `$right` scopes inside join conditions. */
  sides?: { left: Scope; right: Scope };
  env: Env;
  /** Inside summarize: aggregates allowed; plain columns must sit inside one. */
  agg?: { inside: boolean; rowScope: Scope };
}

type Binding =
  | { k: 'scalar'; e: SExpr }
  | { k: 'tabular'; expr: Expr; env: Env; rel?: Rel }
  | { k: 'fn'; def: Extract<Statement, { k: 'letfn' }>; env: Env };

export class Env {
  private readonly map = new Map<string, Binding>();
  constructor(readonly parent?: Env) {}
  get(name: string): Binding | undefined {
    // A loop, not recursion: a query may hold thousands of lets, one scope each.
    let b = this.map.get(name);
    for (let e = this.parent; !b && e; e = e.parent) b = e.map.get(name);
    return b;
  }
  set(name: string, b: Binding): void { this.map.set(name, b); }
}

const SAFE_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Microsoft Sentinel's copy of the hunting tables names the time column TimeGenerated. Where a
 * relation has no column of that name it means Timestamp, so Sentinel's queries run unchanged
 * (while results keep Defender's schema). */
export const SENTINEL_TIME = 'TimeGenerated';

/** The column a name refers to: the column of that name, or Timestamp for TimeGenerated. */
export function findCol(cols: Col[], name: string): Col | undefined {
  return cols.find((c) => c.name === name) ?? (name === SENTINEL_TIME ? cols.find((c) => c.name === 'Timestamp') : undefined);
}
const DATETIME_ORIGIN_MS = -62135596800000; // 0001-01-01T00:00:00Z: Kusto's bin() origin

export class Compiler {
  readonly d: SqlDialect;
  readonly params: unknown[] = [];
  readonly now: number;
  private readonly tables = new Map<string, HuntingTable>();
  aliasN = 0;
  private readonly orgParam: string;
  private readonly windowParam: string;
  private readonly windowStart: number;
  private nowParamSql?: string;
  private readonly probe?: CompileOptions['probe'];
  chart?: ChartHint;

  constructor(readonly query: Query, opts: CompileOptions) {
    this.d = opts.dialect ?? sqliteDialect;
    if (typeof opts.orgId !== 'string' || opts.orgId === '') throw new Error('compileKql: orgId is required');
    this.now = opts.now === undefined ? Date.now() : typeof opts.now === 'number' ? opts.now : opts.now.getTime();
    this.probe = opts.probe;
    for (const t of opts.tables ?? HUNTING_TABLES) {
      for (const c of [t.name, ...t.columns.map((x) => x.name)]) if (!SAFE_IDENT.test(c)) throw new Error(`Unsafe schema identifier ${c}`);
      this.tables.set(t.name, t);
    }
    const lookbackDays = opts.lookbackDays ?? 30;
    this.orgParam = this.param(opts.orgId);
    this.windowStart = Math.floor(this.now - lookbackDays * 86_400_000);
    this.windowParam = this.param(BigInt(this.windowStart));
  }

  // ---- parameters, aliases -----------------------------------------------------------
  param(v: unknown): string {
    let value = v;
    if (typeof v === 'boolean') value = v ? 1n : 0n;
    else if (typeof v === 'number' && Number.isInteger(v) && Number.isSafeInteger(v)) value = BigInt(v);
    this.params.push(value);
    return this.d.param(this.params.length);
  }
  /** Ask the data (see CompileOptions.probe): `sql` selects from relations compiled here, so it
   * carries their tenant scope and lookback window. */
  discover(sql: string, what: string, pos: number): unknown[][] {
    if (!this.probe) throw new KqlError(`${what} takes its columns from the data, which this caller does not provide; give an output schema: … : (Name:type, …)`, pos);
    return this.probe(sql, this.params.slice());
  }
  nowParam(): string { return (this.nowParamSql ??= this.param(this.now)); }
  alias(): string { return `_e${++this.aliasN}`; }
  q(id: string): string { return this.d.ident(id); }
  helper(name: HelperName, args: string[]): string { return this.d.helper(name, args); }
  bin(x: string, size: SExpr, type: KustoType, min?: number): string {
    if (size.konst && typeof size.konst.v === 'number' && Number.isInteger(size.konst.v) && size.konst.v > 0 && type !== 'real') {
      const s = this.param(size.konst.v);
      // SQL's % truncates toward zero; Kusto's bin floors. `((x % s) + s) % s` floors for any
      // sign; when x is known non-negative (a table's Timestamp: at or after the window start)
      // x % s already is the floor remainder, and the per-row work is one operation.
      // Kusto bins datetimes from 0001-01-01; when the size divides the distance to the Unix
      // epoch (hours, days…) the epoch gives the same bins with one operation less.
      if (type === 'datetime' && (-DATETIME_ORIGIN_MS) % size.konst.v !== 0) {
        const o = this.param(DATETIME_ORIGIN_MS);
        if (min !== undefined && min >= DATETIME_ORIGIN_MS) return `(${x} - (${x} - ${o}) % ${s})`;
        return `(${x} - (((${x} - ${o}) % ${s}) + ${s}) % ${s})`;
      }
      if (min !== undefined && min >= 0) return `(${x} - ${x} % ${s})`;
      return `(${x} - ((${x} % ${s}) + ${s}) % ${s})`;
    }
    return `(floor(CAST(${x} AS REAL) / ${size.sql}) * ${size.sql})`;
  }

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

  convertDynamic(dynSql: string, to: KustoType): string {
    switch (to) {
      case 'string': return this.helper('kql_tostring', [dynSql, `'dynamic'`]);
      case 'long': case 'int': return this.helper('kql_tolong', [`(${dynSql} ->> '$')`]);
      case 'real': return this.helper('kql_toreal', [`(${dynSql} ->> '$')`]);
      case 'bool': return this.helper('kql_tobool', [`(${dynSql} ->> '$')`]);
      case 'datetime': return this.helper('kql_todatetime', [`(${dynSql} ->> '$')`]);
      case 'timespan': return this.helper('kql_totimespan', [`(${dynSql} ->> '$')`]);
      default: return dynSql;
    }
  }

  convertText(textSql: string, to: KustoType): string {
    switch (to) {
      case 'long': case 'int': return this.helper('kql_tolong', [textSql]);
      case 'real': return this.helper('kql_toreal', [textSql]);
      case 'bool': return this.helper('kql_tobool', [textSql]);
      case 'datetime': return this.helper('kql_todatetime', [textSql]);
      case 'timespan': return this.helper('kql_totimespan', [textSql]);
      default: return `coalesce(${textSql}, '')`;
    }
  }

  // ---- scalar expressions ----------------------------------------------------------------
  scalar(e: Expr, scope: Scope): SExpr {
    switch (e.k) {
      case 'lit': return this.literal(e.type, e.value);
      case 'name': return this.nameRef(e.name, e.pos, scope);
      case 'star': throw new KqlError(`'*' is not allowed here`, e.pos);
      case 'typeof': throw new KqlError(`typeof() is only allowed in mv-expand … to typeof(…)`, e.pos);
      case 'unary': {
        const x = this.scalar(e.e, scope);
        if (!isNumeric(x.type) && x.type !== 'timespan') throw new KqlError(`Unary '${e.op}' needs a number or timespan`, e.pos);
        return { sql: e.op === '-' ? `(-${x.sql})` : x.sql, type: x.type };
      }
      case 'bin': return this.binary(e, scope);
      case 'list': return this.listOp(e, scope);
      case 'between': {
        const l = this.scalar(e.l, scope);
        const lo = this.scalar(e.lo, scope);
        let hi = this.scalar(e.hi, scope);
        if (l.type === 'datetime' && hi.type === 'timespan') hi = { sql: `(${lo.sql} + ${hi.sql})`, type: 'datetime' };
        this.checkComparable(l, lo, e.pos);
        this.checkComparable(l, hi, e.pos);
        const sql = `(${this.cmpOperand(l)} BETWEEN ${this.cmpOperand(lo)} AND ${this.cmpOperand(hi)})`;
        return { sql: e.not ? `(NOT ${sql})` : sql, type: 'bool' };
      }
      case 'member': {
        if (e.e.k === 'name' && (e.e.name === '$left' || e.e.name === '$right')) {
          if (!scope.sides) throw new KqlError(`${e.e.name} is only valid in a join condition`, e.pos);
          const side = e.e.name === '$left' ? scope.sides.left : scope.sides.right;
          return this.nameRef(e.name, e.pos, side);
        }
        const base = this.scalar(e.e, scope);
        if (base.type !== 'dynamic') throw new KqlError(`Property access '.${e.name}' needs a dynamic value; wrap the column in parse_json()`, e.pos);
        const path = this.param(`$."${e.name.replace(/"/g, '\\"')}"`);
        return { sql: this.d.jsonMember(base.sql, path), type: 'dynamic', json: { base: base.sql, path } };
      }
      case 'index': {
        const base = this.scalar(e.e, scope);
        if (base.type !== 'dynamic') throw new KqlError(`Indexing needs a dynamic value (an array or a property bag)`, e.pos);
        const idx = this.scalar(e.index, scope);
        let path: string;
        if (idx.konst && typeof idx.konst.v === 'number') path = this.param(idx.konst.v < 0 ? `$[#${idx.konst.v}]` : `$[${idx.konst.v}]`);
        else if (idx.konst && typeof idx.konst.v === 'string') path = this.param(`$."${idx.konst.v.replace(/"/g, '\\"')}"`);
        else if (isNumeric(idx.type)) path = `('$[' || CASE WHEN ${idx.sql} < 0 THEN '#' || ${idx.sql} ELSE ${idx.sql} END || ']')`;
        else if (idx.type === 'string') path = `('$."' || ${idx.sql} || '"')`;
        else throw new KqlError('An index must be an integer or a string', e.index.pos);
        return { sql: this.d.jsonMember(base.sql, path), type: 'dynamic', json: { base: base.sql, path } };
      }
      case 'call': return this.call(e, scope);
      case 'pipe': case 'union': case 'datatable': case 'print': {
        const rel = this.tabular(e, scope.env);
        return { sql: '', type: rel.cols[0]?.type ?? 'dynamic', rel };
      }
    }
  }

  literal(type: KustoType, value: unknown): SExpr {
    if (value === null || value === undefined) return { sql: 'NULL', type, konst: { v: null } };
    if (type === 'bool') return { sql: value ? '1' : '0', type, konst: { v: value } };
    if (type === 'dynamic') {
      return { sql: this.param(JSON.stringify(value)), type, konst: { v: value } };
    }
    return { sql: this.param(value), type, konst: { v: value } };
  }

  private nameRef(name: string, pos: number, scope: Scope): SExpr {
    const c = findCol(scope.cols, name);
    if (c) {
      if (scope.agg && !scope.agg.inside) throw new KqlError(`Column '${name}' must be inside an aggregation function in summarize (or listed after 'by')`, pos);
      return { sql: this.colSql(c, scope.qual), type: c.type, min: c.min };
    }
    const b = scope.env.get(name);
    if (b?.k === 'scalar') return b.e;
    if (b?.k === 'tabular' || (!b && this.tables.has(name))) return { sql: '', type: 'dynamic', rel: this.tabular({ k: 'name', name, pos }, scope.env) };
    if (b?.k === 'fn') return this.call({ k: 'call', name, args: [], pos }, scope);
    if (name === ORG_COLUMN) throw new KqlError(`Unknown column '${name}'`, pos);
    const near = scope.cols.find((x) => x.name.toLowerCase() === name.toLowerCase());
    throw new KqlError(`Unknown column or name '${name}'${near ? ` (names are case-sensitive: did you mean '${near.name}'?)` : ''}`, pos);
  }

  private call(e: Extract<Expr, { k: 'call' }>, scope: Scope): SExpr {
    const b = scope.env.get(e.name);
    if (b?.k === 'fn') {
      const args = e.args.map((a) => this.scalar(a, scope));
      const fenv = this.fnEnv(b, args, e.pos);
      if (this.isTabular(b.def.result, fenv)) return { sql: '', type: 'dynamic', rel: this.tabular(b.def.result, fenv) };
      return this.scalar(b.def.result, { ...scope, env: fenv });
    }
    if (isAggregateName(e.name)) {
      if (!scope.agg) throw new KqlError(`The aggregation function '${e.name}()' is only allowed in summarize`, e.pos);
      if (scope.agg.inside) throw new KqlError(`Aggregations cannot be nested`, e.pos);
      return callAggregate(this, e, { ...scope.agg.rowScope, agg: { inside: true, rowScope: scope.agg.rowScope } });
    }
    return callScalar(this, e, scope);
  }

  private binary(e: Extract<Expr, { k: 'bin' }>, scope: Scope): SExpr {
    if (e.op === 'or') return this.disjunction(e, scope);
    const l = this.scalar(e.l, scope);
    const r = this.scalar(e.r, scope);
    if (l.rel || r.rel) throw new KqlError('A table cannot be used as a scalar value (use toscalar())', e.pos);
    const op = e.op;
    if (op === 'and' || op === 'or') return { sql: `(${this.toBool(l, e.l.pos)} ${op.toUpperCase()} ${this.toBool(r, e.r.pos)})`, type: 'bool' };
    if (['+', '-', '*', '/', '%'].includes(op)) return this.arith(op, l, r, e.pos);
    if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
      if (op === '==' || op === '!=') return this.equality(op, this.asNumber(l, r), this.asNumber(r, l), e.pos);
      this.checkComparable(l, r, e.pos);
      return { sql: `(${this.cmpOperand(l, r)} ${op} ${this.cmpOperand(r, l)})`, type: 'bool' };
    }
    // String operators: both sides as strings.
    const a = this.toStringSql(l), s = this.toStringSql(r);
    const neg = op.startsWith('!');
    const base = neg ? op.slice(1) : op;
    let sql: string;
    switch (base) {
      case '=~': case '~': sql = `(${this.lowerSql(l, a)} = ${this.lowerSql(r, s)})`; break;
      case 'has': sql = this.helper('kql_has', [a, s]); break;
      case 'has_cs': sql = this.helper('kql_has_cs', [a, s]); break;
      case 'hasprefix': sql = this.helper('kql_hasprefix', [a, s, '0']); break;
      case 'hasprefix_cs': sql = this.helper('kql_hasprefix', [a, s, '1']); break;
      case 'hassuffix': sql = this.helper('kql_hassuffix', [a, s, '0']); break;
      case 'hassuffix_cs': sql = this.helper('kql_hassuffix', [a, s, '1']); break;
      case 'contains': sql = this.helper('kql_contains', [a, s]); break;
      case 'contains_cs': sql = `(instr(${a}, ${s}) > 0)`; break;
      case 'startswith': sql = this.helper('kql_startswith', [a, s, '0']); break;
      case 'startswith_cs': sql = this.helper('kql_startswith', [a, s, '1']); break;
      case 'endswith': sql = this.helper('kql_endswith', [a, s, '0']); break;
      case 'endswith_cs': sql = this.helper('kql_endswith', [a, s, '1']); break;
      case 'matches regex': {
        if (r.type !== 'string') throw new KqlError('matches regex needs a string pattern', e.r.pos);
        checkRegex(r, e.r.pos);
        sql = this.helper('kql_regex', [a, s]);
        break;
      }
      default: throw unsupported(`The '${op}' operator`, e.pos);
    }
    if (op === '!~') sql = `(${this.lowerSql(l, a)} <> ${this.lowerSql(r, s)})`;
    else if (neg) sql = `(NOT ${sql})`;
    return { sql, type: 'bool' };
  }

  private equality(op: '==' | '!=', l: SExpr, r: SExpr, pos: number): SExpr {
    this.checkComparable(l, r, pos);
    const a = this.cmpOperand(l, r), b = this.cmpOperand(r, l);
    if (op === '!=') {
      const nullable = l.type !== 'string' || r.type !== 'string';
      return { sql: nullable ? `(${a} <> ${b} OR (${a} IS NULL) <> (${b} IS NULL))` : `(${a} <> ${b})`, type: 'bool' };
    }
    return { sql: `(${a} = ${b})`, type: 'bool' };
  }

  /** Kusto compares a number with a string by equality (`BulkComplaintLevel == "5"`, `in ("5")`):
   * the string is read as a number, and one that is not a number equals nothing; and a number
   * with a bool, as 1 and 0. */
  asNumber(x: SExpr, other: SExpr): SExpr {
    // IsFirstContact is int in Defender and bool in Sentinel: `IsFirstContact == true` compares 1 and 0.
    if (x.type === 'bool' && isNumeric(other.type)) return { ...x, type: 'long' };
    if (x.type !== 'string' || !isNumeric(other.type)) return x;
    if (x.konst && typeof x.konst.v === 'string') {
      const t = x.konst.v.trim();
      return this.literal('real', NUMBER_TEXT.test(t) ? Number(t) : null);
    }
    return { sql: this.helper('kql_toreal', [x.sql]), type: 'real' };
  }

  /**
   * `X == 'a' or X == 'b' or …` — a generated list of IOCs, typically — compiles to `X IN (…)`
   * (`=~` to `in~`), however the terms are parenthesised: one SQL node instead of thousands.
   * The other terms are joined in a balanced tree, so a long chain never nests deeply.
   */
  private disjunction(e: Extract<Expr, { k: 'bin' }>, scope: Scope): SExpr {
    const items: (Expr | EqualityGroup)[] = [];
    const groups = new Map<string, EqualityGroup>();
    for (const term of chainTerms(e, 'or')) {
      const eq = stringEquality(term);
      const key = eq && `${eq.op} ${eq.name.name}`;
      const group = key ? groups.get(key) : undefined;
      if (group && eq) group.terms.push(eq);
      else if (key && eq && findCol(scope.cols, eq.name.name)?.type === 'string') {
        const g: EqualityGroup = { terms: [eq] };
        groups.set(key, g);
        items.push(g);
      } else items.push(term);
    }
    const parts = items.map((it) => ('terms' in it ? this.equalityGroup(it, scope) : this.toBool(this.scalar(it, scope), it.pos)));
    return { sql: balancedSql(parts, 'OR'), type: 'bool' };
  }

  private equalityGroup(g: EqualityGroup, scope: Scope): string {
    const [first] = g.terms;
    if (g.terms.length === 1) return this.toBool(this.binary(first.term, scope), first.term.pos);
    const list: Expr = { k: 'list', op: first.op === '=~' ? 'in~' : 'in', l: first.name, list: g.terms.map((t) => t.value), pos: first.term.pos };
    return this.listOp(list, scope).sql;
  }

  /** lower() with Unicode folding; literals are folded at compile time. */
  lowerSql(x: SExpr, strSql: string): string {
    if (x.konst && typeof x.konst.v === 'string') return this.param(x.konst.v.toLowerCase());
    return this.helper('kql_lower', [strSql]);
  }

  private arith(op: string, l: SExpr, r: SExpr, pos: number): SExpr {
    const lt = l.type, rt = r.type;
    let type: KustoType | undefined;
    if (isNumeric(lt) && isNumeric(rt)) type = lt === 'real' || rt === 'real' ? 'real' : lt === 'long' || rt === 'long' ? 'long' : 'int';
    else if (lt === 'datetime' && rt === 'timespan' && (op === '+' || op === '-')) type = 'datetime';
    else if (lt === 'timespan' && rt === 'datetime' && op === '+') type = 'datetime';
    else if (lt === 'datetime' && rt === 'datetime' && op === '-') type = 'timespan';
    else if (lt === 'timespan' && rt === 'timespan') type = op === '/' ? 'real' : op === '+' || op === '-' || op === '%' ? 'timespan' : undefined;
    else if (lt === 'timespan' && isNumeric(rt) && (op === '*' || op === '/')) type = 'timespan';
    else if (isNumeric(lt) && rt === 'timespan' && op === '*') type = 'timespan';
    if (!type) throw new KqlError(`Operator '${op}' cannot combine ${lt} and ${rt}`, pos);
    if (op === '/' && (type === 'real' || (lt === 'timespan' && rt === 'timespan'))) return { sql: `(CAST(${l.sql} AS REAL) / ${r.sql})`, type };
    if (l.konst && r.konst && typeof l.konst.v === 'number' && typeof r.konst.v === 'number' && (op === '+' || op === '-' || op === '*')) {
      const v = op === '+' ? l.konst.v + r.konst.v : op === '-' ? l.konst.v - r.konst.v : l.konst.v * r.konst.v;
      return { sql: this.param(v), type, konst: { v } };
    }
    return { sql: `(${l.sql} ${op} ${r.sql})`, type };
  }

  checkComparable(l: SExpr, r: SExpr, pos: number): void {
    const cls = (t: KustoType) => (isNumeric(t) ? 'num' : t);
    if (l.type === 'dynamic' || r.type === 'dynamic') return;
    if (cls(l.type) !== cls(r.type) && !(l.konst?.v === null || r.konst?.v === null)) {
      const text = [l, r].find((x) => x.type === 'string' && x.konst);
      const hint = text && [l, r].some((x) => isNumeric(x.type) || x.type === 'datetime')
        ? ` (Kusto orders numbers and datetimes only against their own type: write ${isNumeric((text === l ? r : l).type) ? 'the number without quotes' : 'datetime(…)'})`
        : '';
      throw new KqlError(`Cannot compare ${l.type} with ${r.type}${hint}`, pos);
    }
  }

  /** A comparison operand: dynamic values compare by their scalar content. */
  cmpOperand(x: SExpr, other?: SExpr): string {
    if (x.type !== 'dynamic') return x.sql;
    if (other && other.type === 'dynamic') return x.sql;
    if (x.json) return this.d.jsonMemberScalar(x.json.base, x.json.path);
    return `(${x.sql} ->> '$')`;
  }

  toBool(x: SExpr, pos: number): string {
    if (x.type === 'bool') return x.sql;
    if (x.type === 'dynamic') return this.helper('kql_tobool', [this.cmpOperand(x)]);
    throw new KqlError(`A boolean expression is expected here, not ${x.type}`, pos);
  }

  /** Kusto tostring(): never null, Kusto's renderings of each type. */
  toStringSql(x: SExpr): string {
    if (x.rel) throw new KqlError('A table cannot be used as a scalar value', 0);
    switch (x.type) {
      case 'string': return x.sql;
      case 'long': case 'int': return `coalesce(CAST(${x.sql} AS TEXT), '')`;
      case 'dynamic':
        if (x.json) return `coalesce(${this.helper('kql_tostring', [this.d.jsonMember(x.json.base, x.json.path), `'dynamic'`])}, '')`;
        return this.helper('kql_tostring', [x.sql, `'dynamic'`]);
      default: return this.helper('kql_tostring', [x.sql, `'${x.type}'`]);
    }
  }

  /** JSON text for any value (pack_array, make_set of typed values). */
  toJsonSql(x: SExpr): string {
    switch (x.type) {
      case 'dynamic': return x.sql;
      case 'string': return `json_quote(${x.sql})`;
      case 'long': case 'int': case 'real': return `json_quote(${x.sql})`;
      case 'bool': return `CASE ${x.sql} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END`;
      default: return `CASE WHEN ${x.sql} IS NULL THEN 'null' ELSE json_quote(${this.toStringSql(x)}) END`;
    }
  }

  private listOp(e: Extract<Expr, { k: 'list' }>, scope: Scope): SExpr {
    const l = this.scalar(e.l, scope);
    const items = e.list.map((x) => this.scalar(x, scope));
    const op = e.op;
    const ci = op.endsWith('~');
    const neg = op.startsWith('!');
    const isHas = op === 'has_any' || op === 'has_all';
    const lhs = isHas || ci ? this.toStringSql(l) : this.cmpOperand(l);
    const lhsSql = ci ? this.helper('kql_lower', [lhs]) : lhs;
    // Fold every compile-time-known item into one JSON list parameter.
    const consts: unknown[] = [];
    const parts: string[] = [];
    const sets: string[] = []; // SQL subqueries yielding a single column `v`
    for (const [i, it] of items.entries()) {
      if (it.rel) {
        const c = it.rel.cols[0];
        if (!c) throw new KqlError('The table in the list has no columns', e.list[i].pos);
        const s = `_s${++this.aliasN}`;
        const v = c.type === 'string' ? `${s}.${this.q(c.alias)}` : this.toStringSql({ sql: `${s}.${this.q(c.alias)}`, type: c.type });
        sets.push(`SELECT ${isHas || ci || l.type === 'string' ? v : `${s}.${this.q(c.alias)}`} AS v FROM (${it.rel.sql}) AS ${s}`);
        continue;
      }
      if (it.konst) {
        const v = it.konst.v;
        if (Array.isArray(v)) consts.push(...v); else consts.push(v);
        continue;
      }
      if (it.type === 'dynamic') { sets.push(`SELECT value AS v FROM json_each(${it.sql})`); continue; }
      parts.push(isHas || ci || l.type === 'string' ? this.toStringSql(it) : this.asNumber(it, l).sql);
    }
    const norm = (v: unknown) => {
      if (isHas || ci || l.type === 'string') return v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (typeof v === 'string' && isNumeric(l.type)) return NUMBER_TEXT.test(v.trim()) ? Number(v.trim()) : undefined;
      return v;
    };
    let vals = consts.map(norm).filter((v) => v !== undefined);
    if (ci) vals = vals.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
    if (isHas) {
      if (parts.length) sets.push(...parts.map((p) => `SELECT ${p} AS v`));
      const terms: string[] = [];
      if (vals.length) terms.push(this.helper(op === 'has_any' ? 'kql_has_any' : 'kql_has_all', [lhs, this.param(JSON.stringify(vals))]));
      for (const s of sets) {
        const sub = `SELECT 1 FROM (${s}) AS _h WHERE ${op === 'has_any' ? '' : 'NOT '}${this.helper('kql_has', [lhs, '_h.v'])}`;
        terms.push(op === 'has_any' ? `EXISTS (${sub})` : `NOT EXISTS (${sub})`);
      }
      if (!terms.length) return { sql: op === 'has_any' ? '0' : '1', type: 'bool' };
      return { sql: `(${terms.join(op === 'has_any' ? ' OR ' : ' AND ')})`, type: 'bool' };
    }
    const terms: string[] = [];
    // A long constant list (a pasted IOC list) travels as one JSON parameter: SQLite binds at most
    // 32,766 parameters per statement, and one parameter keeps the statement small.
    const asJson = vals.length > LONG_LIST;
    if (asJson) terms.push(`${lhsSql} IN (SELECT _l.value FROM ${this.d.jsonEach(this.param(JSON.stringify(vals)), '_l')})`);
    const inList = [...(asJson ? [] : vals.map((v) => (v === null ? 'NULL' : this.param(v)))), ...parts.map((p) => (ci ? this.helper('kql_lower', [p]) : p))];
    if (inList.length) terms.push(`${lhsSql} IN (${inList.join(', ')})`);
    for (const s of sets) terms.push(`${lhsSql} IN (SELECT ${ci ? this.helper('kql_lower', ['v']) : 'v'} FROM (${s}) AS _i)`);
    const sql = terms.length ? `(${terms.join(' OR ')})` : '0';
    return { sql: neg ? `(NOT ${sql})` : sql, type: 'bool' };
  }
}

/** Beyond this many constants an `in` list is bound as one JSON array. */
const LONG_LIST = 200;

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

export function isNumeric(t: KustoType): boolean { return t === 'int' || t === 'long' || t === 'real'; }

interface StringEquality { term: Extract<Expr, { k: 'bin' }>; op: '==' | '=~'; name: Extract<Expr, { k: 'name' }>; value: Expr }
interface EqualityGroup { terms: StringEquality[] }

/** `Name == 'text'` or `'text' =~ Name`: a term an `in` list can absorb. */
function stringEquality(term: Expr): StringEquality | undefined {
  if (term.k !== 'bin' || (term.op !== '==' && term.op !== '=~')) return undefined;
  const isText = (x: Expr) => x.k === 'lit' && x.type === 'string' && typeof x.value === 'string';
  const [name, value] = term.l.k === 'name' && isText(term.r) ? [term.l, term.r] : term.r.k === 'name' && isText(term.l) ? [term.r, term.l] : [];
  if (name?.k !== 'name' || !value) return undefined;
  return { term, op: term.op, name, value };
}

/** The operands of a chain of one associative operator, left to right, without recursion. */
function chainTerms(e: Expr, op: string): Expr[] {
  const terms: Expr[] = [];
  const stack: Expr[] = [e];
  for (let x = stack.pop(); x; x = stack.pop()) {
    if (x.k === 'bin' && x.op === op) stack.push(x.r, x.l);
    else terms.push(x);
  }
  return terms;
}

/** SQL terms joined by AND/OR as a balanced tree: SQLite refuses expressions over 1,000 levels deep. */
function balancedSql(parts: string[], op: 'AND' | 'OR'): string {
  if (parts.length === 1) return parts[0];
  const mid = parts.length >> 1;
  return `(${balancedSql(parts.slice(0, mid), op)} ${op} ${balancedSql(parts.slice(mid), op)})`;
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
