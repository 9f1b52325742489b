// Imported rows on SQLite: one organization's import never lands in or reads from another's, and
// the same row imported twice is kept once, in EmailEvents and in the other hunting tables.
import { describe, expect, it } from 'vitest';
import { CsvReader } from '../../trace/import/csvReader.js';
import { ImportSession } from '../../trace/import/session.js';
import type { ImportRow } from '../../trace/import/types.js';
import { openDatabase } from './db.js';
import { SqliteImportStore } from './importStore.js';

const noConnector = () => undefined;
const org = (Guid: string, Name: string) => ({ Guid, Name, AcceptedDomains: [{ DomainName: 'contoso.com' }] });
const A = org('aaaaaaaa-0000-0000-0000-000000000000', 'A');
const B = org('bbbbbbbb-0000-0000-0000-000000000000', 'B');

function rowsOf(text: string, o = A): ImportRow[] {
  const session = new ImportSession(o, 'x.csv', noConnector);
  const reader = new CsvReader();
  const rows = reader.push(text).flatMap((r) => session.take(r) ?? []);
  return [...rows, ...session.end(reader.end())];
}

const TRACE = 'Received,SenderAddress,RecipientAddress,Subject,Status,ToIP,FromIP,Size,MessageId,MessageTraceId\r\n' +
  '11/30/2026 7:45:10 AM,scanner@contoso.com,frank@contoso.com,Scan,Delivered,,198.51.100.10,1,<m1@x>,8a1d0b7e-1c4f-4f61-a1f0-5b3e9c2d4e01\r\n' +
  '11/30/2026 7:45:10 AM,scanner@contoso.com,gina@contoso.com,Scan,Delivered,,198.51.100.10,1,<m1@x>,8a1d0b7e-1c4f-4f61-a1f0-5b3e9c2d4e01\r\n';

describe('SqliteImportStore', () => {
  it('keeps a message and recipient once per organization and refuses one another organization holds', () => {
    const db = openDatabase(':memory:');
    const store = new SqliteImportStore(db);
    expect(store.write(rowsOf(TRACE))).toEqual({ inserted: 2, duplicates: [], taken: [] });
    expect(store.write(rowsOf(TRACE))).toEqual({ inserted: 0, duplicates: [2, 3], taken: [] });
    expect(store.write(rowsOf(TRACE, B))).toEqual({ inserted: 0, duplicates: [], taken: [2, 3] });
    const count = (sql: string) => (db.prepare(sql).pluck().get() as number);
    expect(count(`SELECT count(*) FROM EmailEvents WHERE OrgId = '${A.Guid}'`)).toBe(2);
    expect(count(`SELECT count(*) FROM EmailEvents WHERE OrgId = '${B.Guid}'`)).toBe(0);
    expect(count(`SELECT count(*) FROM message_trace_events WHERE event = 'RECEIVE' AND data LIKE 'connector=; authas=Anonymous;%'`)).toBe(2);
  });

  it('keeps an attachment row of an advanced hunting export once', () => {
    const db = openDatabase(':memory:');
    const store = new SqliteImportStore(db);
    const csv = 'Timestamp,NetworkMessageId,RecipientEmailAddress,FileName,FileType,SHA256,FileSize\r\n' +
      '2026-12-01T10:00:00Z,n1,alice@contoso.com,invoice.pdf,pdf,abc,100\r\n2026-12-01T10:00:00Z,n1,alice@contoso.com,photo.jpg,jpg,def,200\r\n';
    expect(store.write(rowsOf(csv))).toEqual({ inserted: 2, duplicates: [], taken: [] });
    expect(store.write(rowsOf(csv))).toEqual({ inserted: 0, duplicates: [2, 3], taken: [] });
    expect(store.write(rowsOf(csv, B))).toEqual({ inserted: 2, duplicates: [], taken: [] });
    expect(db.prepare('SELECT FileName, FileSize FROM EmailAttachmentInfo WHERE OrgId = ? ORDER BY FileName').all(A.Guid)).toEqual([
      { FileName: 'invoice.pdf', FileSize: 100 },
      { FileName: 'photo.jpg', FileSize: 200 },
    ]);
  });
});
