// KQL → SQL, the scalar half: literals, names, operators, function calls, comparisons and
// conversions between Kusto types, with every value from the query text bound as a parameter.
// The tabular half (compiler.ts) extends this class; tables in scalar position (`in (T)`) are
// compiled there.
import { HUNTING_TABLES, ORG_COLUMN, type HuntingTable, type KustoType } from '../trace/tables.js';
import type { Expr, Query } from './ast.js';
import { findCol, isNumeric, type Binding, type ChartHint, type Col, type CompileOptions, type CompilerContext, type Env, type Rel, type Scope, type SExpr } from './compileContext.js';
import { sqliteDialect, type HelperName, type SqlDialect } from './dialect.js';
import { KqlError, unsupported } from './errors.js';
import { callAggregate, callScalar, checkRegex, isAggregateName } from './functions.js';

const SAFE_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATETIME_ORIGIN_MS = -62135596800000; // 0001-01-01T00:00:00Z: Kusto's bin() origin

export abstract class ExpressionCompiler implements CompilerContext {
  readonly d: SqlDialect;
  readonly params: unknown[] = [];
  readonly now: number;
  protected readonly tables = new Map<string, HuntingTable>();
  aliasN = 0;
  protected readonly orgParam: string;
  protected readonly windowParam: string;
  protected readonly windowStart: number;
  private nowParamSql?: string;
  protected readonly probe?: CompileOptions['probe'];
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

  // ---- the tabular half (compiler.ts) ------------------------------------------------------
  abstract tabular(e: Expr, env: Env): Rel;
  abstract isTabular(e: Expr, env: Env): boolean;
  abstract fnEnv(b: Extract<Binding, { k: 'fn' }>, args: SExpr[], pos: number): Env;
  abstract wrap(rel: Rel, select: string, cols: Col[], tail?: string, keepOrder?: boolean, limit?: string): Rel;
  abstract colSql(c: Col, qual?: string): string;
  abstract selectList(cols: Col[]): string;
  abstract autoName(e: Expr, scope: Scope): string | undefined;
  abstract uniqueName(name: string, taken: Set<string>): string;
  abstract nextColumnN(taken: Set<string>, counter: { n: number }): string;

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
