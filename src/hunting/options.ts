// What a hunting query runs with (Defender's limits), and the port a storage engine implements
// to run one: the SQLite adapter is store/sqlite/hunting/executor.ts; a second SQL engine plugs
// in here without touching the compiler.
import type { HuntResult } from './results.js';

export const DEFAULT_MAX_ROWS = 30_000;
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_LOOKBACK_DAYS = 30;

export interface HuntOptions {
  orgId: string;
  query: string;
  /** Query time for now()/ago() (ms since epoch or Date); default: the current time. */
  now?: number | Date;
  /** Row cap (Defender: 30,000); extra rows are dropped and `truncated` is set. */
  maxRows?: number;
  /** Time limit in ms (Defender: 10 minutes). */
  timeoutMs?: number;
  /** Days of data visible to the query (Defender: 30). */
  lookbackDays?: number;
}

/**
 * Compiles and runs one query for one organization. Throws KqlError (with line/column) for an
 * invalid or unsupported query, HuntTimeoutError on timeout, HuntInternalError for anything else.
 */
export type HuntRunner = (options: HuntOptions) => Promise<HuntResult>;
