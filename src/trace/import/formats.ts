// The exports an Exchange Online admin can produce today, each recognised by its header row
// (column names compare without case; order does not matter):
// - Start-HistoricalSearch reports, ReportType MessageTrace and ConnectorReport: the columns of
//   the message-trace "Enhanced summary" report (Microsoft Learn, "Message trace in the modern
//   Exchange admin center": origin_timestamp, sender_address, Recipient_status, message_subject,
//   total_bytes, message_id, network_message_id, original_client_ip, directionality, connector_id,
//   delivery_priority; files seen in the field name the first column origin_timestamp_utc).
//   Postern's own historical search writes the same columns and four more (trace/historicalSearch.ts),
//   so its reports import back.
// - Get-MessageTrace / Get-MessageTraceV2 piped to Export-Csv (Microsoft Learn, Get-MessageTraceV2
//   and the Reporting Web Service's MessageTrace report: Organization, MessageId, Received,
//   SenderAddress, RecipientAddress, Subject, Status, ToIP, FromIP, Size, MessageTraceId,
//   StartDate, EndDate, Index). Windows PowerShell writes a `#TYPE ...` line first.
// - An advanced hunting result exported from the Defender portal: the columns of EmailEvents (or
//   EmailAttachmentInfo, EmailUrlInfo, EmailPostDeliveryEvents), as trace/tables.ts lists them.
import { EmailAttachmentInfo, EmailEvents, EmailPostDeliveryEvents, EmailUrlInfo, type HuntingTable } from '../tables.js';

export type ExportSource = 'HistoricalSearch' | 'MessageTrace' | 'AdvancedHunting';

export interface ExportFormat {
  source: ExportSource;
  /** What the file is, in the admin's words. */
  label: string;
  /** The hunting table its rows go to. */
  table: HuntingTable;
  /** Column name, lower case → position. */
  columns: ReadonlyMap<string, number>;
  /** The header's names as written. */
  header: readonly string[];
}

const HUNTING_EXPORT_TABLES = [EmailEvents, EmailAttachmentInfo, EmailUrlInfo, EmailPostDeliveryEvents];

/** Is this record PowerShell's `#TYPE System.Management.Automation.PSCustomObject` line? */
export function isTypeLine(fields: readonly string[]): boolean {
  return fields.length >= 1 && /^#TYPE\b/i.test(fields[0].trim());
}

/** The format a header row names, or undefined when it is none Postern reads. */
export function recogniseHeader(header: readonly string[]): ExportFormat | undefined {
  const columns = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!columns.has(key)) columns.set(key, i);
  });
  const has = (...names: string[]) => names.every((n) => columns.has(n));
  const base = { columns, header };
  if ((has('origin_timestamp') || has('origin_timestamp_utc')) && has('sender_address', 'network_message_id') && (has('recipient_status') || has('recipient_address'))) {
    const label = has('connector_id') ? 'Start-HistoricalSearch report (MessageTrace/ConnectorReport)' : 'Start-HistoricalSearch report (MessageTrace)';
    return { ...base, source: 'HistoricalSearch', label, table: EmailEvents };
  }
  if (has('received', 'senderaddress', 'recipientaddress', 'messagetraceid')) {
    return { ...base, source: 'MessageTrace', label: 'Get-MessageTrace(V2) | Export-Csv', table: EmailEvents };
  }
  if (has('timestamp', 'networkmessageid')) {
    // The table whose columns the header names most; EmailEvents wins a tie (it is listed first).
    let best: { table: HuntingTable; score: number } | undefined;
    for (const table of HUNTING_EXPORT_TABLES) {
      const score = table.columns.filter((c) => columns.has(c.name.toLowerCase())).length;
      if (!best || score > best.score) best = { table, score };
    }
    if (best) return { ...base, source: 'AdvancedHunting', label: `advanced hunting export (${best.table.name})`, table: best.table };
  }
  return undefined;
}

/** What the importer says when a header is none of the formats. */
export const KNOWN_FORMATS =
  'a Start-HistoricalSearch report (origin_timestamp, sender_address, Recipient_status, network_message_id, ...), ' +
  'Get-MessageTrace(V2) | Export-Csv (Received, SenderAddress, RecipientAddress, MessageTraceId, ...), ' +
  'or an advanced hunting export (Timestamp, NetworkMessageId, ...)';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A timestamp as the exports write it, in ms since the epoch (undefined when it is not one).
 * Exchange writes UTC (Get-MessageTraceV2: "The time stamps on the output are in UTC"), so a time
 * without a zone is UTC. Forms: ISO 8601 (up to 7 decimals, Z or an offset), PowerShell's en-US
 * `11/28/2026 9:15:02 AM`, the day-first dotted `28.11.2026 09:15:02`, and the Defender portal's
 * `Nov 28, 2026 9:15:02 AM`.
 */
export function parseExportDate(text: string): number | undefined {
  const s = text.trim();
  let m = s.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i);
  if (m) return utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], undefined, m[8]);
  m = s.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?$/i);
  if (m) return utc(+m[3], +m[1], +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8]);
  // Export-Csv writes a date as the admin's culture shows it; the dotted day-first form (de-DE and
  // others) cannot be mistaken for another. (dd/MM/yyyy is: it reads as en-US's MM/dd/yyyy.)
  m = s.match(/^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/);
  if (m) return utc(+m[3], +m[2], +m[1], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  m = s.match(/^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?$/);
  if (m) {
    const month = MONTHS.indexOf(m[1].toLowerCase()) + 1;
    return month ? utc(+m[3], month, +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8]) : undefined;
  }
  return undefined;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, sec: number, frac?: string, ampm?: string, zone?: string): number | undefined {
  if (ampm) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
  if (new Date(t).getUTCDate() !== d) return undefined; // 31 April and the like
  let offset = 0;
  if (zone && !/^(z|utc)$/i.test(zone)) {
    const z = zone.replace(':', '');
    offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  return t - offset;
}
