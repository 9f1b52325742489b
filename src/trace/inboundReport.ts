// The data behind the admin center's "Inbound messages" report (reference §9): per day (UTC) and
// per inbound connector — or "no connector" (mail from the internet, Direct Send) — the message
// volume and the counts by TLS version, over 7 to 90 days. A message counts once per
// organization (its NetworkMessageId), whatever its number of recipients. Postern's own mails
// (reports, non-delivery reports) are not inbound and are left out.
import type { InboundConnector } from '../config/inboundConnector.js';

export const REPORT_MIN_DAYS = 7;
export const REPORT_MAX_DAYS = 90;
const DAY = 86_400_000;

/** One aggregate the store returns: messages received on a UTC day through a connector ('' = none) with a TLS label. */
export interface InboundCount {
  day: number;
  connector: string;
  tls: 'No TLS' | 'TLS 1.0' | 'TLS 1.1' | 'TLS 1.2' | 'TLS 1.3';
  messages: number;
}

export interface InboundReportSource {
  /** Received messages of the organization in [start, end), grouped by UTC day, connector and TLS version. */
  inboundCounts(orgGuid: string, start: number, end: number): InboundCount[];
}

/** A row of "Connector report details", with the admin center's column names. */
export interface InboundReportRow {
  Date: string;
  'Connector direction and name': string;
  'Connector type': string;
  'Forced TLS?': string;
  'No TLS': number;
  'TLS 1.0': number;
  'TLS 1.1': number;
  'TLS 1.2': number;
  'TLS 1.3': number;
  Volume: number;
}

export interface InboundReport {
  organization: string;
  startDate: string;
  endDate: string;
  days: number;
  rows: InboundReportRow[];
  /** Chart series: total volume per day and per TLS version per day. */
  volumeByDay: { Date: string; Volume: number }[];
  tlsByDay: { Date: string; 'No TLS': number; 'TLS 1.0': number; 'TLS 1.1': number; 'TLS 1.2': number; 'TLS 1.3': number }[];
}

export class InboundReportError extends Error {}

/** The report over the `days` UTC days ending with the day of `now` (default 7, 7..90). */
export function inboundMessagesReport(
  source: InboundReportSource,
  org: { Guid: string; Name: string; InboundConnectors: InboundConnector[] },
  opts: { days?: number; now?: number } = {},
): InboundReport {
  const days = opts.days ?? REPORT_MIN_DAYS;
  if (!Number.isInteger(days) || days < REPORT_MIN_DAYS || days > REPORT_MAX_DAYS) {
    throw new InboundReportError(`days: the report covers ${REPORT_MIN_DAYS} to ${REPORT_MAX_DAYS} days; got ${days}.`);
  }
  const now = opts.now ?? Date.now();
  const end = Math.floor(now / DAY) * DAY + DAY;
  const start = end - days * DAY;
  const connectors = new Map(org.InboundConnectors.map((c) => [c.Name, c]));
  const byKey = new Map<string, InboundReportRow>();
  const date = (d: number) => new Date(d).toISOString().slice(0, 10);
  for (const c of source.inboundCounts(org.Guid, start, end)) {
    const key = `${c.day}|${c.connector}`;
    let row = byKey.get(key);
    if (!row) {
      const conn = connectors.get(c.connector);
      row = {
        Date: date(c.day),
        'Connector direction and name': c.connector ? `Inbound - ${c.connector}` : 'Inbound - No connector (email from the internet)',
        'Connector type': c.connector ? (conn?.ConnectorType ?? 'Removed connector') : 'No connector',
        'Forced TLS?': conn?.RequireTls ? 'Yes' : 'No',
        'No TLS': 0, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 0, 'TLS 1.3': 0, Volume: 0,
      };
      byKey.set(key, row);
    }
    row[c.tls] += c.messages;
    row.Volume += c.messages;
  }
  const rows = [...byKey.values()].sort((a, b) => a.Date.localeCompare(b.Date) || a['Connector direction and name'].localeCompare(b['Connector direction and name']));
  const volumeByDay: InboundReport['volumeByDay'] = [];
  const tlsByDay: InboundReport['tlsByDay'] = [];
  for (let d = start; d < end; d += DAY) {
    const of = rows.filter((r) => r.Date === date(d));
    const sum = (k: 'No TLS' | 'TLS 1.0' | 'TLS 1.1' | 'TLS 1.2' | 'TLS 1.3' | 'Volume') => of.reduce((n, r) => n + r[k], 0);
    volumeByDay.push({ Date: date(d), Volume: sum('Volume') });
    tlsByDay.push({ Date: date(d), 'No TLS': sum('No TLS'), 'TLS 1.0': sum('TLS 1.0'), 'TLS 1.1': sum('TLS 1.1'), 'TLS 1.2': sum('TLS 1.2'), 'TLS 1.3': sum('TLS 1.3') });
  }
  return { organization: org.Name, startDate: date(start), endDate: date(end - DAY), days, rows, volumeByDay, tlsByDay };
}
