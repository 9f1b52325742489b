// The hunting port (hunting/options.ts) on SQLite (better-sqlite3): runs compiled hunting queries. Registers the Kusto helper
// functions, enforces the row cap and the time limit, and converts values back to Kusto's.
//
// Cancellation is genuine: every table scan calls back into JavaScript every 1024 rows
// (dialect.cancellationPoint), the callback throws once the deadline has passed, and SQLite
// abandons the statement. When the database is given as a file path the query also runs in a
// worker thread, which is terminated if it overruns (a backstop that frees the caller at once).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compileKql, type CompiledQuery } from '../../../hunting/compiler.js';
import { asHuntError, HuntCancelledError, HuntTimeoutError, KqlError } from '../../../hunting/errors.js';
import { DEFAULT_LOOKBACK_DAYS, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_MS, type HuntOptions as HuntQuery } from '../../../hunting/options.js';
import { convertRow, type HuntResult, type KustoValue } from '../../../hunting/results.js';
import { AGGREGATE_UDFS, makeAggregate, QueryInterrupted, SCALAR_UDFS, SERIES_UDF, udfState } from '../../../hunting/udfs.js';

export interface HuntOptions extends HuntQuery {
  /** Worker script (compiled huntWorker.js); default: next to this module. */
  workerUrl?: URL;
  /** Cancels a query running in a worker (the thread is terminated at once). */
  signal?: AbortSignal;
}

const registered = new WeakSet<Database.Database>();

/** Register Postern's KQL helper functions on a connection (idempotent). */
export function registerKqlFunctions(db: Database.Database): void {
  if (registered.has(db)) return;
  for (const [name, fn] of Object.entries(SCALAR_UDFS)) {
    db.function(name, { deterministic: name !== 'kql_tick', varargs: true }, fn as (...a: unknown[]) => unknown);
  }
  for (const [name, spec] of Object.entries(AGGREGATE_UDFS)) {
    const agg = makeAggregate(spec.distinct);
    db.aggregate(name, { start: agg.start, step: agg.step as (...a: unknown[]) => void, result: agg.result as (...a: unknown[]) => unknown, varargs: true });
  }
  db.aggregate('kql_series', { start: SERIES_UDF.start, step: SERIES_UDF.step as (...a: unknown[]) => void, result: SERIES_UDF.result as (...a: unknown[]) => unknown });
  registered.add(db);
}

export function bindParams(params: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  params.forEach((v, i) => { o[`p${i + 1}`] = v; });
  return o;
}

/** Execute a compiled query on this thread. The deadline is enforced by the scan callbacks. */
export function executeCompiled(db: Database.Database, q: Pick<CompiledQuery, 'sql' | 'params' | 'columns' | 'chart'>, opts: { maxRows?: number; timeoutMs?: number } = {}): HuntResult {
  registerKqlFunctions(db);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const saved = udfState.deadline;
  udfState.deadline = Date.now() + timeoutMs;
  const rows: Record<string, KustoValue>[] = [];
  let truncated = false;
  try {
    const stmt = db.prepare(q.sql).raw(true);
    for (const raw of stmt.iterate(bindParams(q.params)) as IterableIterator<unknown[]>) {
      if (rows.length >= maxRows) { truncated = true; break; }
      rows.push(convertRow(raw, q.columns));
    }
  } catch (e) {
    if (e instanceof QueryInterrupted || (e instanceof Error && e.name === 'QueryInterrupted')) throw new HuntTimeoutError(timeoutMs);
    throw e;
  } finally {
    udfState.deadline = saved;
  }
  return { columns: q.columns, rows, chart: q.chart, truncated, elapsedMs: performance.now() - started };
}

/**
 * Compile a query against this database and run it, on this thread. Operators whose columns come
 * from the data (evaluate bag_unpack, pivot) query it while compiling, within the same time limit;
 * one read transaction holds compilation and execution to the same snapshot of the data.
 */
export function huntOn(db: Database.Database, opts: HuntOptions): HuntResult {
  registerKqlFunctions(db);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probe = (sql: string, params: unknown[]) => db.prepare(sql).raw(true).all(bindParams(params)) as unknown[][];
  const run = () => {
    const saved = udfState.deadline;
    udfState.deadline = Date.now() + timeoutMs;
    let compiled: CompiledQuery;
    try {
      compiled = compileKql(opts.query, { orgId: opts.orgId, now: opts.now, lookbackDays: opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS, probe });
    } catch (e) {
      if (e instanceof QueryInterrupted || (e instanceof Error && e.name === 'QueryInterrupted')) throw new HuntTimeoutError(timeoutMs);
      throw e;
    } finally {
      udfState.deadline = saved;
    }
    return executeCompiled(db, compiled, { maxRows: opts.maxRows ?? DEFAULT_MAX_ROWS, timeoutMs });
  };
  if (db.inTransaction) return run();
  db.exec('BEGIN');
  try {
    return run();
  } finally {
    if (db.inTransaction) db.exec('COMMIT'); // read-only: nothing to keep or undo
  }
}

/**
 * Compile and run a hunting query for one organization. With a Database handle the query runs
 * on the calling thread; with a file path it runs in a worker thread opened read-only.
 * Throws KqlError (with line/column) for invalid or unsupported queries, HuntTimeoutError on timeout,
 * HuntInternalError for anything else (never a bare JavaScript error).
 */
export async function runHunt(db: Database.Database | string, opts: HuntOptions): Promise<HuntResult> {
  try {
    if (typeof db !== 'string') return huntOn(db, opts);
    const { workerUrl, signal, ...request } = opts;
    const now = opts.now === undefined ? Date.now() : typeof opts.now === 'number' ? opts.now : opts.now.getTime();
    return await runInWorker({ ...request, now, dbPath: db }, workerUrl ?? defaultWorkerUrl(), signal);
  } catch (e) {
    throw asHuntError(e);
  }
}

/** Errors cross the thread boundary as name + message; give callers back the classes they test for. */
function reviveError(m: Extract<WorkerReply, { ok: false }>): Error {
  const { name, message } = m;
  if (name === 'KqlError') {
    const e = new KqlError(message.replace(/^line \d+, column \d+: /, ''), m.pos ?? 0);
    e.message = message;
    e.line = m.line ?? 0;
    e.column = m.column ?? 0;
    return e;
  }
  const e = new Error(message);
  e.name = name;
  return e;
}

function defaultWorkerUrl(): URL {
  const here = new URL('./huntWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  throw new Error('huntWorker.js not found next to the hunting executor (run `npm run build`, or pass workerUrl)');
}

/** What the worker is asked: the query itself (it compiles there, next to the data it may ask). */
export type WorkerRequest = Omit<HuntOptions, 'workerUrl' | 'now'> & { dbPath: string; now: number };
export type WorkerReply = { ok: true; result: HuntResult } | { ok: false; name: string; message: string; timeout?: boolean; pos?: number; line?: number; column?: number };

function runInWorker(req: WorkerRequest, url: URL, signal?: AbortSignal): Promise<HuntResult> {
  const limits = { timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new HuntCancelledError());
    const worker = new Worker(url, { workerData: req });
    let settled = false;
    const cancel = () => {
      finish(() => reject(new HuntCancelledError()));
      void worker.terminate();
    };
    signal?.addEventListener('abort', cancel, { once: true });
    const finish = (fn: () => void) => { if (settled) return; settled = true; clearTimeout(timer); signal?.removeEventListener('abort', cancel); fn(); };
    // Backstop: the scan callbacks normally end the query; if SQLite is stuck in native code
    // past the limit (plus grace), terminate the thread.
    const timer = setTimeout(() => {
      finish(() => reject(new HuntTimeoutError(limits.timeoutMs)));
      void worker.terminate();
    }, limits.timeoutMs + 250);
    worker.once('message', (m: WorkerReply) => finish(() => {
      if (m.ok) resolve(m.result);
      else if (m.timeout) reject(new HuntTimeoutError(limits.timeoutMs));
      else reject(reviveError(m));
    }));
    worker.once('error', (e) => finish(() => reject(e)));
    worker.once('exit', (code) => finish(() => reject(new Error(`hunting worker exited with code ${code}`))));
  });
}
