// Inbound-messages report aggregates on SQLite, from the RECEIVE trace events (their data field
// holds `connector=<name>; authas=<AuthAs>; tls=<TLSv1.x|none>; ...`, trace/receipt.ts), read
// through message_trace's (org_guid, received_at) index.
import type { InboundCount, InboundReportSource } from '../../trace/inboundReport.js';
import type { Db } from './db.js';

export class SqliteInboundReportSource implements InboundReportSource {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = db.prepare(
      `SELECT day, connector, tls, count(DISTINCT network_message_id) AS messages FROM (
         SELECT (e.at / 86400000) * 86400000 AS day, t.network_message_id,
                substr(data, 11, instr(data, ';') - 11) AS connector,
                CASE WHEN instr(data, 'tls=TLSv1.3') > 0 THEN 'TLS 1.3' WHEN instr(data, 'tls=TLSv1.2') > 0 THEN 'TLS 1.2'
                     WHEN instr(data, 'tls=TLSv1.1') > 0 THEN 'TLS 1.1' WHEN instr(data, 'tls=TLSv1 ') > 0 OR instr(data, 'tls=TLSv1;') > 0 THEN 'TLS 1.0'
                     ELSE 'No TLS' END AS tls
           FROM message_trace t JOIN trace_events e ON e.trace_id = t.id
          WHERE t.org_guid = ? AND t.received_at >= ? AND t.received_at < ? AND e.event = 'RECEIVE' AND data LIKE 'connector=%'
            AND data NOT LIKE 'connector=; authas=Internal;%')
       GROUP BY day, connector, tls ORDER BY day, connector, tls`,
    );
  }

  inboundCounts(orgGuid: string, start: number, end: number): InboundCount[] {
    return this.stmt.all(orgGuid, start, end) as InboundCount[];
  }
}
