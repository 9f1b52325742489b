// The syntax tree the parser produces and the compiler consumes. Positions are offsets into
// the query text, so every error can point at the construct that caused it.
import type { KustoType } from '../trace/tables.js';

export type Expr =
  | { k: 'lit'; type: KustoType; value: unknown; pos: number }
  | { k: 'name'; name: string; pos: number }
  | { k: 'call'; name: string; args: Expr[]; pos: number }
  | { k: 'star'; pos: number }
  | { k: 'unary'; op: '-' | '+'; e: Expr; pos: number }
  | { k: 'bin'; op: string; l: Expr; r: Expr; pos: number }
  | { k: 'list'; op: string; l: Expr; list: Expr[]; pos: number }
  | { k: 'between'; not: boolean; l: Expr; lo: Expr; hi: Expr; pos: number }
  | { k: 'member'; e: Expr; name: string; pos: number }
  | { k: 'index'; e: Expr; index: Expr; pos: number }
  | { k: 'typeof'; type: KustoType; pos: number }
  | { k: 'pipe'; source: Expr; ops: Op[]; pos: number }
  | { k: 'union'; kind: 'outer' | 'inner'; withsource?: string; tables: Expr[]; pos: number }
  | { k: 'datatable'; cols: { name: string; type: KustoType }[]; values: Expr[]; pos: number }
  | { k: 'print'; items: NamedExpr[]; pos: number };

export interface NamedExpr { name?: string; e: Expr; pos: number }
export interface SortKey { e: Expr; desc: boolean; nulls?: 'first' | 'last'; pos: number }
/** `: (Name:type, …)` after evaluate bag_unpack/pivot; `*` first keeps the input's columns. */
export interface OutputSchema { wildcard: boolean; cols: { name: string; type: KustoType; pos: number }[]; pos: number }
export interface SeriesAgg { name?: string; e: Expr; def?: Expr; pos: number }
export type ParsePart = { k: 'star' } | { k: 'text'; text: string } | { k: 'col'; name: string; type: KustoType; pos: number };

export type Op =
  | { op: 'where'; pred: Expr; pos: number }
  | { op: 'project'; items: NamedExpr[]; pos: number }
  | { op: 'project-away'; names: { pattern: string; pos: number }[]; pos: number }
  | { op: 'project-keep'; names: { pattern: string; pos: number }[]; pos: number }
  | { op: 'project-reorder'; names: { pattern: string; pos: number }[]; pos: number }
  | { op: 'project-rename'; pairs: { to: string; from: string; pos: number }[]; pos: number }
  | { op: 'extend'; items: NamedExpr[]; pos: number }
  | { op: 'summarize'; aggs: NamedExpr[]; by: NamedExpr[]; pos: number }
  | { op: 'join'; kind: string; right: Expr; on: Expr[]; pos: number }
  | { op: 'lookup'; kind: string; right: Expr; on: Expr[]; pos: number }
  | { op: 'union'; kind: 'outer' | 'inner'; withsource?: string; tables: Expr[]; pos: number }
  | { op: 'top'; n: Expr; by: SortKey; pos: number }
  | { op: 'sort'; keys: SortKey[]; pos: number }
  | { op: 'take'; n: Expr; pos: number }
  | { op: 'distinct'; items: NamedExpr[] | '*'; pos: number }
  | { op: 'count'; pos: number }
  | { op: 'mv-expand'; items: { name?: string; e: Expr; to?: KustoType; pos: number }[]; itemIndex?: string; bagsAsArrays?: boolean; limit?: Expr; pos: number }
  | { op: 'make-series'; nonempty: boolean; aggs: SeriesAgg[]; axis: Expr; from?: Expr; to?: Expr; step: Expr; by: NamedExpr[]; pos: number }
  | { op: 'evaluate'; plugin: 'bag_unpack' | 'pivot'; args: Expr[]; named: Record<string, Expr>; schema?: OutputSchema; pos: number }
  | { op: 'parse'; e: Expr; parts: ParsePart[]; pos: number }
  | { op: 'render'; kind: string; props: Record<string, unknown>; pos: number }
  | { op: 'serialize'; pos: number }
  | { op: 'getschema'; pos: number };

export type Statement =
  | { k: 'let'; name: string; value: Expr; pos: number }
  | { k: 'letfn'; name: string; params: { name: string; type: KustoType; def?: Expr }[]; body: Statement[]; result: Expr; pos: number };

export interface Query { lets: Statement[]; body: Expr; text: string }
