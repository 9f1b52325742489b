// Advanced hunting: KQL over the hunting tables. Parse → compile to SQL (tenant-scoped, bound
// parameters only) → execute with row cap and time limit → Kusto values. Execution is a port
// (options.ts): the SQLite engine that implements it lives in store/sqlite/hunting/, so this
// module exports no I/O.
export { compileKql, type ChartHint, type ColumnInfo, type CompiledQuery, type CompileOptions } from './compiler.js';
export { sqliteDialect, type SqlDialect } from './dialect.js';
export { HuntCancelledError, HuntInternalError, HuntTimeoutError, KqlError } from './errors.js';
export { formatHuntResult, type HuntFormat } from './format.js';
export { parseQuery } from './parser.js';
export { type HuntResult, type KustoValue } from './results.js';
export { DEFAULT_LOOKBACK_DAYS, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_MS, type HuntOptions, type HuntRunner } from './options.js';
