import { randomUUID } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { SqliteRetentionStore } from '../store/sqlite/retention.js';
import { applyRetention } from './retention.js';

const DAY = 86_400_000;

describe('trace retention', () => {
  it('removes trace, EmailEvents and SmtpRejectEvents rows older than the cutoff, in batches, and keeps the rest', async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'postern-ret-')), 'db.sqlite'));
    const org = randomUUID();
    db.prepare("INSERT INTO organizations (guid, name, doc) VALUES (?, 'Contoso', '{}')").run(org);
    const now = Date.now();
    for (let i = 0; i < 25; i++) {
      for (const at of [now - 100 * DAY - i, now - i]) {
        const id = randomUUID();
        const trace = db.prepare(`INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id) VALUES (?, ?, 'a@contoso.com', ?, '', '', 'Delivered', '', 0, '')`).run(org, id, at);
        db.prepare(`INSERT INTO trace_events (trace_id, at, event) VALUES (?, ?, 'RECEIVE')`).run(trace.lastInsertRowid, at);
        db.prepare('INSERT INTO EmailEvents (OrgId, Timestamp, NetworkMessageId) VALUES (?, ?, ?)').run(org, at, id);
        db.prepare("INSERT INTO SmtpRejectEvents (OrgId, Timestamp) VALUES ('', ?)").run(at);
      }
    }
    const removed = await applyRetention(new SqliteRetentionStore(db), now - 90 * DAY, { batch: 7, pauseMs: 0 });
    expect(removed).toBe(75); // message_trace, EmailEvents, SmtpRejectEvents; the events go with their trace rows
    for (const t of ['message_trace', 'trace_events', 'EmailEvents', 'SmtpRejectEvents']) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(25);
  });
});

describe('space after retention', () => {
  it('gives the pages of removed rows back: the file shrinks when half the rows pass retention', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'postern-ret-')), 'db.sqlite');
    const db = openDatabase(file);
    const org = randomUUID();
    db.prepare("INSERT INTO organizations (guid, name, doc) VALUES (?, 'Contoso', '{}')").run(org);
    const now = Date.now();
    const ins = db.prepare("INSERT INTO EmailEvents (OrgId, Timestamp, NetworkMessageId, Subject) VALUES (?, ?, ?, ?)");
    db.transaction(() => {
      // In arrival order, as a gateway writes them: the older half first.
      for (let i = 0; i < 20_000; i++) ins.run(org, i < 10_000 ? now - 100 * DAY + i : now + i, randomUUID(), 's'.repeat(300));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const full = statSync(file).size;
    await applyRetention(new SqliteRetentionStore(db), now - 90 * DAY, { pauseMs: 0 });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const after = statSync(file).size;
    expect(db.prepare('SELECT count(*) FROM EmailEvents').pluck().get()).toBe(10_000);
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(after).toBeLessThan(full * 0.6);
    db.close();
  });
});
