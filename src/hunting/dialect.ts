// The SQL dialect seam. The compiler emits portable SQL for everything standard and asks the
// dialect for the rest: quoting, placeholders, JSON access and the helper functions that give
// Kusto semantics (term matching, RE2 regex, IPv4). SQLite is implemented; PostgreSQL would
// implement the same interface (`$n` placeholders, jsonb operators, helpers as SQL functions
// installed by a migration, `statement_timeout` for cancellation).

/** Helper functions the compiler may call. On SQLite they are user functions (udfs.ts). */
export type HelperName =
  | 'kql_has' | 'kql_has_cs' | 'kql_hasprefix' | 'kql_hassuffix' | 'kql_has_any' | 'kql_has_all'
  | 'kql_contains' | 'kql_startswith' | 'kql_endswith' | 'kql_lower' | 'kql_upper'
  | 'kql_regex' | 'kql_extract' | 'kql_replace_regex' | 'kql_replace_string' | 'kql_trim'
  | 'kql_split' | 'kql_substring' | 'kql_indexof' | 'kql_countof'
  | 'kql_tostring' | 'kql_tolong' | 'kql_toreal' | 'kql_tobool' | 'kql_todatetime' | 'kql_totimespan'
  | 'kql_format_datetime' | 'kql_datetime_diff' | 'kql_datetime_add' | 'kql_startof' | 'kql_datepart'
  | 'kql_ipv4_in_range' | 'kql_ipv4_private' | 'kql_parse_ipv4' | 'kql_ipv4_compare'
  | 'kql_bag_keys' | 'kql_parse_url' | 'kql_base64_decode' | 'kql_base64_encode' | 'kql_parse_match' | 'kql_tick'
  | 'kql_make_set' | 'kql_make_list' | 'kql_series' | 'kql_series_axis' | 'kql_series_fill' | 'kql_mv_longest';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Quote an identifier. Only schema names and compiler-generated aliases reach here. */
  ident(name: string): string;
  /** Placeholder for the n-th (1-based) bound parameter. */
  param(n: number): string;
  helper(name: HelperName, args: string[]): string;
  /** JSON text of a member of JSON text `dyn` at path (a placeholder holding a JSON path), or NULL. */
  jsonMember(dyn: string, path: string): string;
  /** The member as a SQL scalar (text for JSON strings, number for numbers). */
  jsonMemberScalar(dyn: string, path: string): string;
  /** JSON type name ('object', 'array', 'text', 'integer', 'real', 'true', 'false', 'null'). */
  jsonType(dyn: string): string;
  /** A table-valued expansion of a JSON array: FROM-clause item exposing `value` columns. */
  jsonEach(dyn: string, alias: string): string;
  /** An extra predicate on table scans and join probes that lets a long query be cancelled (or ''). */
  cancellationPoint(anchor: string): string;
  /** A subquery the planner must compute once (not flatten), e.g. the build side of a join. */
  materialize(sql: string, alias: string): string;
  /** ORDER BY suffix for null placement. */
  nulls(first: boolean): string;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  param: (n) => `@p${n}`,
  helper: (name, args) => `${name}(${args.join(', ')})`,
  jsonMember: (dyn, path) => `(${dyn} -> ${path})`,
  jsonMemberScalar: (dyn, path) => `(${dyn} ->> ${path})`,
  jsonType: (dyn) => `json_type(${dyn})`,
  jsonEach: (dyn, alias) => `json_each(${dyn}) AS ${alias}`,
  // About once per 1024 evaluations (table scans, join probes), call back into JavaScript: the
  // callback checks the deadline and throws, which aborts the statement. better-sqlite3 exposes
  // neither sqlite3_interrupt nor a progress handler; random() keeps the common path native.
  // The anchor (a column of the row) makes SQLite evaluate the term per row instead of hoisting
  // it; on table scans the anchor is the rowid, which is cheaper than random(). The bare
  // `rowid & 1023` as the truth value spares a comparison per row (SQLite tests it directly).
  // The scan's share of it stays a few per cent of a plain scan: the price of cancellation.
  cancellationPoint: (anchor) => (anchor === 'rowid' ? `((rowid & 1023) OR kql_tick(rowid))` : `((random() & 1023) <> 0 OR kql_tick(${anchor}))`),
  // SQLite would flatten the join's right side and then, with only the (OrgId, Timestamp) index,
  // probe it by full scans per left row (O(n·m)). A LIMIT keeps it a co-routine, which SQLite
  // joins through an automatic covering index on the key.
  materialize: (sql, alias) => `(SELECT * FROM (${sql}) AS ${alias} LIMIT -1)`,
  nulls: (first) => (first ? ' NULLS FIRST' : ' NULLS LAST'),
};
