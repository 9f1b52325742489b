// Day partitions of the trace and hunting tables (migration 3): created ahead (today and the next
// two UTC days, at start and then daily) and dropped whole once older than the retention, never
// emptied row by row.
import type pg from 'pg';

const DAY_MS = 86_400_000;

/** The UTC day of `ms` as PostgreSQL's date literal (YYYY-MM-DD). */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Create the partitions of `days` UTC days from the day of `fromMs` that do not exist yet; the number created. */
export async function ensureDayPartitions(pool: pg.Pool, fromMs: number, days = 3): Promise<number> {
  const { rows } = await pool.query<{ made: number }>('SELECT postern_ensure_day_partitions($1::date, $2) AS made', [utcDay(fromMs), days]);
  return rows[0].made;
}

/**
 * Drop the partitions whose whole day lies before `cutoffMs`'s day: rows older than the cutoff go,
 * those of the cutoff's own day stay until it has passed (a day's partition is dropped whole).
 * Returns the number of partitions dropped.
 */
export async function dropDayPartitionsBefore(pool: pg.Pool, cutoffMs: number): Promise<number> {
  const { rows } = await pool.query<{ dropped: number }>('SELECT postern_drop_day_partitions($1::date) AS dropped', [utcDay(cutoffMs)]);
  return rows[0].dropped;
}

export interface PartitionMaintenanceOptions {
  now?: () => number;
  /** Rows older than this many days go (the trace retention, default 90). */
  retentionDays?: number;
  /** How often to run (default daily). */
  everyMs?: number;
  /** A run failed (PostgreSQL unreachable): the next run tries again. */
  onError?: (err: Error) => void;
}

/**
 * Run partition upkeep now and then every `everyMs`: create the coming days, drop those past the
 * retention. Resolves after the first run (a node does not write before its partitions exist);
 * returns the function that stops it.
 */
export async function startPartitionMaintenance(pool: pg.Pool, opts: PartitionMaintenanceOptions = {}): Promise<() => void> {
  const now = opts.now ?? Date.now;
  const run = async () => {
    await ensureDayPartitions(pool, now());
    await dropDayPartitionsBefore(pool, now() - (opts.retentionDays ?? 90) * DAY_MS);
  };
  await run();
  const timer = setInterval(() => run().catch((err: Error) => opts.onError?.(err)), opts.everyMs ?? DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
