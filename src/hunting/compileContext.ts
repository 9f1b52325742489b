// What the parts of the KQL compiler share: the schema of a relation (Col, Rel), compiled scalars
// (SExpr), name scopes (Scope, Env), and CompilerContext — what the operator and function modules
// (functions, joins, reshape, plugins, series, summarize) may ask of the compiler. They import
// this module, never compiler.ts, so the compiler and its helpers form no import cycle.
import type { HuntingTable, KustoType } from '../trace/tables.js';
import type { Expr, Query, Statement } from './ast.js';
import type { HelperName, SqlDialect } from './dialect.js';

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

export type Binding =
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

/** Microsoft Sentinel's copy of the hunting tables names the time column TimeGenerated. Where a
 * relation has no column of that name it means Timestamp, so Sentinel's queries run unchanged
 * (while results keep Defender's schema). */
export const SENTINEL_TIME = 'TimeGenerated';

/** The column a name refers to: the column of that name, or Timestamp for TimeGenerated. */
export function findCol(cols: Col[], name: string): Col | undefined {
  return cols.find((c) => c.name === name) ?? (name === SENTINEL_TIME ? cols.find((c) => c.name === 'Timestamp') : undefined);
}

export function isNumeric(t: KustoType): boolean { return t === 'int' || t === 'long' || t === 'real'; }

/** The compiler as its operator and function modules see it (implemented by compiler.ts). */
export interface CompilerContext {
  readonly d: SqlDialect;
  readonly params: unknown[];
  readonly now: number;
  readonly query: Query;
  aliasN: number;
  chart?: ChartHint;
  param(v: unknown): string;
  discover(sql: string, what: string, pos: number): unknown[][];
  nowParam(): string;
  alias(): string;
  q(id: string): string;
  helper(name: HelperName, args: string[]): string;
  bin(x: string, size: SExpr, type: KustoType, min?: number): string;
  scalar(e: Expr, scope: Scope): SExpr;
  tabular(e: Expr, env: Env): Rel;
  wrap(rel: Rel, select: string, cols: Col[], tail?: string, keepOrder?: boolean, limit?: string): Rel;
  colSql(c: Col, qual?: string): string;
  selectList(cols: Col[]): string;
  autoName(e: Expr, scope: Scope): string | undefined;
  uniqueName(name: string, taken: Set<string>): string;
  nextColumnN(taken: Set<string>, counter: { n: number }): string;
  convertDynamic(dynSql: string, to: KustoType): string;
  convertText(textSql: string, to: KustoType): string;
  toBool(x: SExpr, pos: number): string;
  toStringSql(x: SExpr): string;
  toJsonSql(x: SExpr): string;
  cmpOperand(x: SExpr, other?: SExpr): string;
}
