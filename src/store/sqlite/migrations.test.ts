import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteTraceQueries } from './traceQueries.js';
import { INSERT_EVENT_SQL } from './traceStore.js';

/** A database as a release with schema `version` left it. */
function databaseAt(version: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'postern-mig-')), 'postern.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    for (const stmt of m.up) db.exec(stmt);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(m.version);
  }
  db.close();
  return file;
}

describe('migration 6: trace events point at their message-trace row', () => {
  it('keeps every event of a version-5 database with its message, and the trace detail reads them', () => {
    const file = databaseAt(5);
    const old = new Database(file);
    const trace = old.prepare(`INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id)
      VALUES ('org', ?, ?, ?, 's@x.test', 'hello', 'Delivered', '192.0.2.1', 10, '<m@x>')`);
    const event = old.prepare('INSERT INTO trace_events (org_guid, network_message_id, recipient, at, event, detail) VALUES (?, ?, ?, ?, ?, ?)');
    for (const [nmid, rcpt] of [['n1', 'a@contoso.com'], ['n1', 'b@contoso.com'], ['n2', 'a@contoso.com']]) {
      trace.run(nmid, rcpt, 1000);
      event.run('org', nmid, rcpt, 1000, 'RECEIVE', `received for ${rcpt}`);
      event.run('org', nmid, rcpt, 2000, 'DELIVER', `delivered ${nmid}`);
    }
    old.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM trace_events').pluck().get()).toBe(6);
    const detail = new SqliteTraceQueries(db).traceEvents({ orgGuid: 'org', networkMessageId: 'n1', recipient: 'B@contoso.com' });
    expect(detail.map((e) => [e.event, e.detail])).toEqual([['RECEIVE', 'received for b@contoso.com'], ['DELIVER', 'delivered n1']]);
    expect(db.prepare("SELECT count(*) FROM message_trace_events WHERE network_message_id = 'n2'").pluck().get()).toBe(2);
    // Removing a trace row removes its events.
    db.prepare("DELETE FROM message_trace WHERE network_message_id = 'n2'").run();
    expect(db.prepare('SELECT count(*) FROM trace_events').pluck().get()).toBe(4);
    db.close();
  });
});

describe('trace lookups by message', () => {
  it('find a message-trace row through the (NetworkMessageId, recipient) index, never by walking the organization', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'postern-plan-')), 'postern.db'));
    // Every trace event is written through this statement: a walk of the organization's rows
    // made ingest slower with every message already traced.
    const detail = db.prepare(`EXPLAIN QUERY PLAN ${INSERT_EVENT_SQL}`).all(0, 'E', '', '', '', 'n', 'r', 'o', 'r').map((r) => (r as { detail: string }).detail).join('; ');
    expect(detail).toMatch(/sqlite_autoindex_message_trace_1 \(network_message_id=\?/);
    db.close();
  });
});
