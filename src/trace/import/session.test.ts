import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboundConnector } from '../../config/inboundConnector.js';
import { connectorByAttribution } from '../../mailflow/importAttribution.js';
import { csvHeader, csvLine, type ReportRow } from '../historicalSearch.js';
import { CsvReader, ExportDecoder } from './csvReader.js';
import { parseExportDate, recogniseHeader } from './formats.js';
import { ImportFormatError, ImportSession } from './session.js';
import type { ImportRow } from './types.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/exports');
const ORG = {
  Guid: '11111111-2222-3333-4444-555555555555',
  Name: 'Contoso',
  AcceptedDomains: [{ DomainName: 'contoso.com' }],
  InboundConnectors: [InboundConnector.parse({ Name: 'Fabrikam partner', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['198.18.7.0/24'], RestrictDomainsToIPAddresses: true })],
};

/** Import bytes as the CLI does, in small chunks; the rows and the summary. */
function importBytes(bytes: Buffer, name = 'export.csv') {
  const session = new ImportSession(ORG, name, connectorByAttribution(ORG));
  const decoder = new ExportDecoder();
  const reader = new CsvReader();
  const rows: ImportRow[] = [];
  for (let i = 0; i < bytes.length; i += 97) for (const rec of reader.push(decoder.push(bytes.subarray(i, i + 97)))) rows.push(...(session.take(rec) ?? []));
  for (const rec of reader.push(decoder.end())) rows.push(...(session.take(rec) ?? []));
  rows.push(...session.end(reader.end()));
  session.written({ inserted: rows.length, duplicates: [], taken: [] });
  return { rows, summary: session.summary() };
}
const fixture = (name: string) => importBytes(readFileSync(join(FIXTURES, name)), name);
const bySubject = (rows: ImportRow[], s: string) => rows.find((r) => String(r.row.Subject).startsWith(s))!.row;

describe('import: formats recognised by their header row', () => {
  it('reads a UTF-16 historical search report: quoted commas and line breaks, one row per recipient, a bad date and a cut last line skipped', () => {
    const { rows, summary } = fixture('historical-search-connector-report-utf16.csv');
    expect(summary.Source).toBe('HistoricalSearch');
    expect(summary.Records).toBe(7);
    expect(summary.Imported).toBe(6); // two recipients on one record
    expect(summary.SkippedLines).toEqual([
      { line: 8, reason: "'not a date' in origin_timestamp_utc is not a date" },
      { line: 9, reason: 'truncated last line: the file ends inside a quoted field' },
    ]);
    const wire = bySubject(rows, 'Urgent wire');
    expect(wire).toMatchObject({ Subject: 'Urgent wire transfer\r\nplease handle today, confidential', SenderMailFromDomain: 'contoso.com', SenderIPv4: '192.0.2.66', Connectors: '', EmailDirection: 'Inbound', OrgId: ORG.Guid });
    expect(wire.Timestamp).toBe(Date.parse('2026-11-27T02:11:49.900Z'));
    expect(JSON.parse(String(wire.AdditionalFields))).toEqual({ Imported: 'historical-search-connector-report-utf16.csv', Source: 'HistoricalSearch' });
    expect(bySubject(rows, 'Your invoice')).toMatchObject({ Subject: 'Your invoice "INV-20931", due 30 Nov' });
    expect(bySubject(rows, 'PO 4471')).toMatchObject({ Connectors: 'Fabrikam partner' });
    expect(rows.filter((r) => r.row.Subject === 'Scanned document from MFP-3F, invoices').map((r) => r.row.RecipientEmailAddress)).toEqual(['bob@contoso.com', 'carol@contoso.com']);
  });

  it('reads Get-MessageTraceV2 | Export-Csv, derives the connector from the configuration by IP, and reports the cut last line', () => {
    const { rows, summary } = fixture('get-messagetracev2.csv');
    expect(summary.Source).toBe('MessageTrace');
    expect(summary.Imported).toBe(4);
    expect(summary.SkippedLines).toEqual([
      { line: 7, reason: "'not-an-ip' in FromIP is not an IP address" },
      { line: 8, reason: 'truncated last line: 3 field(s) where the header has 10' },
    ]);
    expect(bySubject(rows, 'Password expires')).toMatchObject({ Timestamp: Date.parse('2026-12-01T23:02:03Z'), DeliveryAction: 'Blocked', DeliveryLocation: 'Quarantine', Connectors: '' });
    expect(summary.Notes.join(' ')).toMatch(/derived from the organization's inbound connectors.*0 of 4 row\(s\) matched/);
  });

  it('reads Windows PowerShell Export-Csv output (#TYPE line, BOM) and attributes the partner by its IP range', () => {
    const { rows, summary } = fixture('get-messagetrace-windows-powershell.csv');
    expect(summary.Imported).toBe(3);
    expect(summary.Skipped).toBe(0);
    const po = bySubject(rows, 'PO 4480');
    expect(po).toMatchObject({ Connectors: 'Fabrikam partner', NetworkMessageId: 'c7e2f9a0-3b6d-4e1f-8a2c-9d0e1f2a3b02' });
    expect(JSON.parse(String(po.AdditionalFields))).toMatchObject({ ConnectorDerived: true, ConnectorMatch: 'ip' });
    expect(rows[0].trace?.receive.data).toBe('connector=; authas=Anonymous; tls=none; imported=get-messagetrace-windows-powershell.csv');
  });

  it('reads an advanced hunting export with its own columns, a leap second refused', () => {
    const { rows, summary } = fixture('advanced-hunting-emailevents.csv');
    expect(summary.Source).toBe('AdvancedHunting');
    expect(summary.Format).toBe('advanced hunting export (EmailEvents)');
    expect(summary.Imported).toBe(3);
    expect(summary.SkippedLines).toEqual([{ line: 5, reason: "'2026-12-04T23:59:60.0000000Z' in Timestamp is not a date" }]);
    expect(bySubject(rows, 'Payment')).toMatchObject({ AuthenticationDetails: '{"SPF":"softfail","DKIM":"pass","DMARC":"fail","CompAuth":"pass"}', EmailSize: 35001 });
  });

  it("imports Postern's own historical search report back", () => {
    const r: ReportRow = { timestamp: Date.parse('2026-12-01T10:00:00Z'), sender: 'scanner@contoso.com', recipient: 'alice@contoso.com', subject: '-5% off, "today"', size: 1234, messageId: '<m1@contoso.com>', networkMessageId: 'aaaaaaaa-0000-0000-0000-000000000001', clientIp: '2001:db8::25', direction: 'Inbound', connector: '', status: 'Delivered', tls: 'TLS 1.2', transportRule: '' };
    const { rows, summary } = importBytes(Buffer.from(csvHeader() + csvLine(r)));
    expect(summary.Skipped).toBe(0);
    expect(rows[0].row).toMatchObject({ Subject: '-5% off, "today"', SenderIPv6: '2001:db8::25', SenderIPv4: '', Connectors: '', EmailDirection: 'Inbound', RecipientEmailAddress: 'alice@contoso.com' });
    expect(rows[0].trace?.row.status).toBe('Delivered');
    expect(rows[0].trace?.receive.data).toMatch(/^connector=; authas=Anonymous; tls=TLSv1.2;/);
  });

  it('counts the rows older than the trace retention in a note', () => {
    const session = new ImportSession(ORG, 'x.csv', connectorByAttribution(ORG), { retention: { days: 90, now: Date.parse('2027-03-01T00:00:00Z') } });
    const reader = new CsvReader();
    for (const rec of reader.push(readFileSync(join(FIXTURES, 'get-messagetracev2.csv'), 'utf8'))) session.take(rec);
    session.end(reader.end());
    expect(session.summary().Notes).toContain('2 row(s) are older than the trace retention (90 days): a running server removes them in its next retention pass.');
  });

  it('names the formats it reads when the header is none of them', () => {
    expect(() => importBytes(Buffer.from('Name,Value\r\nx,1\r\n'))).toThrow(ImportFormatError);
    expect(() => importBytes(Buffer.from('Name,Value\r\nx,1\r\n'))).toThrow(/Get-MessageTrace/);
  });

  it('picks the hunting table an advanced hunting export names', () => {
    expect(recogniseHeader(['Timestamp', 'NetworkMessageId', 'RecipientEmailAddress', 'FileName', 'FileType', 'SHA256'])?.table.name).toBe('EmailAttachmentInfo');
    expect(recogniseHeader(['Timestamp', 'NetworkMessageId', 'Url', 'UrlDomain'])?.table.name).toBe('EmailUrlInfo');
  });
});

describe('parseExportDate', () => {
  it.each([
    ['2026-11-24T07:58:12.4400000Z', '2026-11-24T07:58:12.440Z'],
    ['2026-11-24 07:58:12', '2026-11-24T07:58:12.000Z'],
    ['2026-11-24T09:58:12+02:00', '2026-11-24T07:58:12.000Z'],
    ['11/30/2026 3:12:44 PM', '2026-11-30T15:12:44.000Z'],
    ['12/1/2026 12:05:00 AM', '2026-12-01T00:05:00.000Z'],
    ['Nov 28, 2026 9:15:02 AM', '2026-11-28T09:15:02.000Z'],
    ['28.11.2026 09:15:02', '2026-11-28T09:15:02.000Z'],
  ])('%s', (text, iso) => expect(new Date(parseExportDate(text)!).toISOString()).toBe(iso));

  it.each(['', 'yesterday', '2026-02-30T00:00:00Z', '13/1/2026 1:00:00 PM', '11/30/2026 13:00:00 PM'])('refuses %j', (text) => expect(parseExportDate(text)).toBeUndefined());
});
