// Message-trace reads on SQLite (the TraceQueries port), written by store/traceSql.ts. Every
// statement starts from the organization, so no filter can reach another organization's rows.
import type { TraceEventQuery, TraceEventRecord, TraceQueries, TraceSummary, TraceSummaryQuery } from '../traceQueries.js';
import { messageTraceRowSql, messageTraceSql, traceEventsSql } from '../traceSql.js';
import type { Db } from './db.js';

export class SqliteTraceQueries implements TraceQueries {
  constructor(private readonly db: Db) {}

  messageTrace(q: TraceSummaryQuery): TraceSummary[] {
    const { sql, args } = messageTraceSql(q, 'sqlite');
    return this.db.prepare(sql).all(...args) as TraceSummary[];
  }

  messageTraceRow(orgGuid: string, networkMessageId: string, recipient: string): TraceSummary | undefined {
    const { sql, args } = messageTraceRowSql(orgGuid, networkMessageId, recipient, 'sqlite');
    return this.db.prepare(sql).get(...args) as TraceSummary | undefined;
  }

  traceEvents(q: TraceEventQuery): TraceEventRecord[] {
    const { sql, args } = traceEventsSql(q, 'sqlite');
    return this.db.prepare(sql).all(...args) as TraceEventRecord[];
  }
}
