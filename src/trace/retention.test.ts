import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
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
        db.prepare(`INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id) VALUES (?, ?, 'a@contoso.com', ?, '', '', 'Delivered', '', 0, '')`).run(org, id, at);
        db.prepare(`INSERT INTO trace_events (org_guid, network_message_id, recipient, at, event) VALUES (?, ?, 'a@contoso.com', ?, 'RECEIVE')`).run(org, id, at);
        db.prepare('INSERT INTO EmailEvents (OrgId, Timestamp, NetworkMessageId) VALUES (?, ?, ?)').run(org, at, id);
        db.prepare("INSERT INTO SmtpRejectEvents (OrgId, Timestamp) VALUES ('', ?)").run(at);
      }
    }
    const removed = await applyRetention(new SqliteRetentionStore(db), now - 90 * DAY, { batch: 7, pauseMs: 0 });
    expect(removed).toBe(100);
    for (const t of ['message_trace', 'trace_events', 'EmailEvents', 'SmtpRejectEvents']) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(25);
  });
});
