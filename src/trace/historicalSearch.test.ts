// Historical search: job bookkeeping (start/list/stop, per organization, limits) and the batch
// scan on a real SQLite store, plus the CSV and report mail.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteHistoricalSearchStore } from '../store/sqlite/historicalSearchStore.js';
import { HistoricalSearches, csvLine, progressOf, reportMail, searchFilter, tlsLabel, type SearchFilter } from './historicalSearch.js';

const ORG = randomUUID();
const OTHER = randomUUID();
const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
let db: Db;
let store: SqliteHistoricalSearchStore;

beforeEach(() => {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'postern-hs-')), 'db.sqlite'));
  store = new SqliteHistoricalSearchStore(db);
});

const req = (extra: Record<string, unknown> = {}) => ({ ReportTitle: 'DS', StartDate: new Date(NOW - 30 * DAY), EndDate: new Date(NOW), ReportType: 'ConnectorReport', ConnectorType: 'NoConnector', Direction: 'Received' as const, ...extra });

describe('HistoricalSearches', () => {
  it('starts NotStarted jobs, lists the last 10 days of the own organization only, and cancels', () => {
    let now = NOW - 11 * DAY;
    const hs = new HistoricalSearches(store, () => [], () => now);
    hs.start(ORG, req({ ReportTitle: 'old' }), 'alice');
    now = NOW;
    const job = hs.start(ORG, req(), 'alice');
    expect(job).toMatchObject({ Status: 'NotStarted', ReportTitle: 'DS', Rows: 0, ReportType: 'ConnectorReport' });
    expect(hs.list(ORG).map((j) => j.ReportTitle)).toEqual(['DS']);
    expect(hs.list(OTHER)).toEqual([]);
    expect(hs.stop(OTHER, job.JobId)).toBe('notFound');
    expect(hs.stop(ORG, job.JobId.toUpperCase())).toBe('ok');
    expect(hs.list(ORG, job.JobId)[0].Status).toBe('Cancelled');
    expect(hs.stop(ORG, job.JobId)).toBe('finished');
  });

  it('refuses report types Postern does not produce and more than 250 searches a day', () => {
    const hs = new HistoricalSearches(store, () => [], () => NOW);
    expect(() => hs.start(ORG, req({ ReportType: 'SPAM' }), 'a')).toThrow(/ReportType/);
    for (let i = 0; i < 250; i++) hs.start(ORG, req(), 'a');
    expect(() => hs.start(ORG, req(), 'a')).toThrow(/250 historical searches/);
    expect(() => hs.start(OTHER, req(), 'a')).not.toThrow();
  });

  it('resolves ConnectorType Partner to the organization connectors of that type', () => {
    const hs = new HistoricalSearches(store, (org, type) => (org === ORG && type === 'Partner' ? ['P1'] : []), () => NOW);
    const job = hs.start(ORG, req({ ConnectorType: 'Partner' }), 'a');
    expect(searchFilter(store.get(job.JobId)!).connectors).toEqual(['P1']);
  });
});

describe('the batch scan', () => {
  function seed(n: number): void {
    const ins = db.prepare('INSERT INTO EmailEvents (OrgId, Timestamp, NetworkMessageId, RecipientEmailAddress, EmailDirection, Connectors, SenderIPv4) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < n; i++) {
      const ts = NOW - 20 * DAY + Math.floor(i / 3) * 1000; // three rows share each timestamp
      ins.run(i % 5 === 0 ? OTHER : ORG, ts, `id-${i}`, `u${i}@contoso.com`, i % 7 === 0 ? 'Intra-org' : 'Inbound', i % 4 === 0 ? 'P1' : '', '192.0.2.1');
    }
  }
  const filter: SearchFilter = { orgGuid: ORG, start: NOW - 30 * DAY, end: NOW, connectors: '', directions: ['Inbound', 'Intra-org'] };

  it('pages through the window with a cursor (ties on Timestamp included) and returns exactly the matches', () => {
    seed(1000);
    const seen: string[] = [];
    let cursor: { ts: number; rowid: number } | undefined;
    let batches = 0;
    do {
      const r = store.scan(filter, cursor, 37);
      seen.push(...r.rows.map((x) => x.networkMessageId));
      cursor = r.next;
      batches++;
    } while (cursor);
    const expected = [...Array(1000).keys()].filter((i) => i % 5 !== 0 && i % 4 !== 0 && i % 7 !== 0).map((i) => `id-${i}`);
    expect(seen).toEqual(expected);
    expect(batches).toBeGreaterThan(20);
  });

  it('walks the (OrgId, Timestamp) index in order and joins message_trace by its key (no sort, no scan)', () => {
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT e.rowid, e.Subject, mt.status FROM EmailEvents e LEFT JOIN message_trace mt ON mt.network_message_id = e.NetworkMessageId AND mt.recipient = e.RecipientEmailAddress WHERE e.OrgId = ? AND e.Timestamp >= ? AND e.Timestamp < ? AND (e.Timestamp > ? OR e.rowid > ?) ORDER BY e.Timestamp, e.rowid LIMIT 10").all('x', 0, 1, 0, 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX EmailEvents_org_time/);
    expect(plan.map((p) => p.detail).join(' ')).not.toMatch(/TEMP B-TREE|SCAN/);
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH mt USING INDEX sqlite_autoindex_message_trace_1/);
  });
});

describe('CSV and report mail', () => {
  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    const line = csvLine({ timestamp: 0, sender: 'a@b', recipient: 'c@d', subject: '=HYPERLINK("x"), hi', size: 1, messageId: '<m>', networkMessageId: 'n', clientIp: '1.2.3.4', direction: 'Inbound', connector: '', status: 'Delivered', tls: 'No TLS', transportRule: '' });
    expect(line).toBe(`1970-01-01T00:00:00.000Z,a@b,c@d##Delivered,"'=HYPERLINK(""x""), hi",1,<m>,n,1.2.3.4,Inbound,,c@d,Delivered,No TLS,\r\n`);
  });

  it('labels TLS versions and computes progress from the cursor', () => {
    expect([tlsLabel('TLSv1.3'), tlsLabel('TLS1.2'), tlsLabel('No Tls'), tlsLabel(undefined)]).toEqual(['TLS 1.3', 'TLS 1.2', 'No TLS', 'No TLS']);
    expect(progressOf({ startDate: 0, endDate: 100 }, 50)).toBe(50);
    expect(progressOf({ startDate: 0, endDate: 100 }, null)).toBe(0);
  });

  it('builds a MIME mail with the CSV attached', async () => {
    const hs = new HistoricalSearches(store, () => [], () => NOW);
    const job = store.get(hs.start(ORG, req({ ReportTitle: 'Direct Send – Q4' }), 'a').JobId)!;
    const csv = Buffer.from('a,b\r\n1,2\r\n');
    const mail = await simpleParser(reportMail(job, csv, { from: 'postmaster@postern.localhost', to: ['admin@contoso.com'], now: new Date(NOW), messageId: 'x@y' }));
    expect(mail.subject).toBe("Historical search 'Direct Send – Q4' is ready");
    expect(mail.text).toContain(job.jobId);
    expect(mail.attachments[0].filename).toBe('Direct_Send_Q4.csv');
    expect(mail.attachments[0].content.equals(csv)).toBe(true);
  });
});
