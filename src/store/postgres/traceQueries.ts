// Message-trace reads on PostgreSQL (AsyncTraceQueries), the same statements as SQLite's
// (store/traceSql.ts) with PostgreSQL's placeholders, and bigint columns read as numbers.
import pg from 'pg';
import type { AsyncTraceQueries, TraceEventQuery, TraceEventRecord, TraceSummary, TraceSummaryQuery } from '../traceQueries.js';
import { messageTraceRowSql, messageTraceSql, traceEventsSql, type Statement } from '../traceSql.js';

/**
 * bigint (int8) as a JavaScript number, as SQLite gives it: trace times are epoch milliseconds and
 * sizes bytes, far inside 2^53.
 */
export const BIGINT_AS_NUMBER: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

/** Run a `?`-placeholder statement (store/traceSql.ts's) on PostgreSQL. */
export async function queryRows<T extends object>(pool: pg.Pool, { sql, args }: Statement): Promise<T[]> {
  let n = 0;
  return (await pool.query<T>({ text: sql.replace(/\?/g, () => `$${++n}`), values: args, types: BIGINT_AS_NUMBER })).rows;
}

export class PostgresTraceQueries implements AsyncTraceQueries {
  constructor(private readonly pool: pg.Pool) {}

  messageTraceAsync(q: TraceSummaryQuery): Promise<TraceSummary[]> {
    return queryRows<TraceSummary>(this.pool, messageTraceSql(q, 'postgres'));
  }

  async messageTraceRowAsync(orgGuid: string, networkMessageId: string, recipient: string): Promise<TraceSummary | undefined> {
    return (await queryRows<TraceSummary>(this.pool, messageTraceRowSql(orgGuid, networkMessageId, recipient, 'postgres')))[0];
  }

  traceEventsAsync(q: TraceEventQuery): Promise<TraceEventRecord[]> {
    return queryRows<TraceEventRecord>(this.pool, traceEventsSql(q, 'postgres'));
  }
}
