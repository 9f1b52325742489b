// The quarantine service on a real SQLite store: a held copy as the gateway enqueues it, then
// list, release (skip, -Force, -User), delete, expiry purge, audit, and tenant scoping.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/sqlite/db.js';
import { SqliteQueueStore } from '../store/sqlite/queueStore.js';
import { SqliteQuarantineStore } from '../store/sqlite/quarantineStore.js';
import { QuarantineService, purgeExpiredQuarantine, TRANSPORT_RULE_RETENTION_MS } from './service.js';

const ORG = randomUUID();
const OTHER = randomUUID();
const T0 = Date.UTC(2026, 10, 1);
let db: Db;
let dir: string;
let store: SqliteQuarantineStore;
const content = { read: async (f: string) => readFileSync(f), remove: (f: string) => unlink(f).catch(() => undefined) };

function hold(org: string, recipients: string[], subject = 'held'): { nmid: string; file: string } {
  const id = randomUUID().slice(0, 8);
  const file = join(dir, id);
  writeFileSync(file, `From: x@example.net\r\nSubject: ${subject}\r\n\r\nbody\r\n`);
  const nmid = randomUUID();
  new SqliteQueueStore(db).enqueue({
    id, spoolFile: file, receivedAt: T0, mailFrom: 'x@example.net', client: { ip: '192.0.2.1', helo: 'x' } as any, size: 40,
    copies: [{
      networkMessageId: nmid, orgGuid: org, recipients, edits: { prepend: [], remove: [], set: [] },
      quarantine: { types: 'TransportRule', policyName: 'Rule', ruleGuid: randomUUID(), reason: 'r', expiresAt: T0 + TRANSPORT_RULE_RETENTION_MS, sender: 'x@example.net', subject, internetMessageId: '<m@x>' },
    }],
  });
  for (const r of recipients) {
    db.prepare(`INSERT INTO message_trace (org_guid, network_message_id, recipient, received_at, sender, subject, status, from_ip, size, internet_message_id) VALUES (?, ?, ?, ?, ?, ?, 'Quarantined', '', 40, '<m@x>')`).run(org, nmid, r, T0, 'x@example.net', subject);
  }
  return { nmid, file };
}

const service = (org = ORG, now = T0 + 1000) => new QuarantineService({ store, content, orgGuid: org, actor: 'tester', isOrgAddress: (a) => a.endsWith('@contoso.com'), now: () => now });
const queued = (nmid: string) => db.prepare("SELECT recipient FROM queue_recipients WHERE network_message_id = ? AND status = 'queued' ORDER BY id").pluck().all(nmid);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postern-q-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  store = new SqliteQuarantineStore(db);
});

describe('QuarantineService', () => {
  it('lists with filters, pages, and only the own organization', () => {
    hold(ORG, ['a@contoso.com', 'b@contoso.com'], 'invoice 1');
    hold(OTHER, ['z@fabrikam.com'], 'invoice 2');
    const s = service();
    expect(s.list({ offset: 0, limit: 100 }).map((e) => e.recipient)).toEqual(['a@contoso.com', 'b@contoso.com']);
    expect(s.list({ recipients: ['B@CONTOSO.COM'], offset: 0, limit: 100 })).toHaveLength(1);
    expect(s.list({ subject: 'INVOICE', domains: ['contoso.com'], senders: ['*@example.net'], offset: 0, limit: 100 })).toHaveLength(2);
    expect(s.list({ subject: 'invoice 2', offset: 0, limit: 100 })).toHaveLength(0);
    expect(s.list({ offset: 1, limit: 1 })).toHaveLength(1);
    expect(s.list({ endReceived: T0 - 1, offset: 0, limit: 100 })).toHaveLength(0);
  });

  it('releases to all, skips already released recipients, refuses a repeat without -Force, allows it with -Force', async () => {
    const { nmid, file } = hold(ORG, ['a@contoso.com', 'b@contoso.com']);
    const s = service();
    const [a] = s.list({ recipients: ['a@contoso.com'], offset: 0, limit: 1 });
    expect(await s.release(a.identity, {})).toEqual({ released: ['a@contoso.com'], skipped: [] });
    expect(await s.release(a.identity, { releaseToAll: true })).toEqual({ released: ['b@contoso.com'], skipped: ['a@contoso.com'] });
    await expect(s.release(a.identity, { releaseToAll: true })).rejects.toThrow(/already released to a@contoso\.com, b@contoso\.com.*-Force/);
    await s.release(a.identity, { force: true });
    expect(queued(nmid)).toEqual(['a@contoso.com', 'b@contoso.com', 'a@contoso.com']);
    // The held rows keep the bytes for preview/export until expiry.
    expect(existsSync(file)).toBe(true);
    expect((await s.export(a.identity)).eml.toString()).toContain('Subject: held');
    const events = db.prepare("SELECT recipient, event FROM message_trace_events WHERE network_message_id = ? AND event = 'RELEASE'").all(nmid);
    expect(events).toHaveLength(3);
    expect(db.prepare('SELECT status FROM message_trace WHERE network_message_id = ? ORDER BY recipient').pluck().all(nmid)).toEqual(['Pending', 'Pending']);
    expect(db.prepare('SELECT action FROM quarantine_audit ORDER BY id').pluck().all()).toEqual(['Release', 'Release', 'Release', 'Export']);
  });

  it('releases to another address of the organization (-User), with its own trace row; never outside it', async () => {
    const { nmid } = hold(ORG, ['a@contoso.com']);
    const s = service();
    const [a] = s.list({ offset: 0, limit: 1 });
    await s.release(a.identity, { users: ['Auditor@contoso.com'] });
    expect(queued(nmid)).toEqual(['Auditor@contoso.com']);
    expect(db.prepare('SELECT status FROM message_trace WHERE network_message_id = ? AND recipient = ?').pluck().get(nmid, 'Auditor@contoso.com')).toBe('Pending');
    await expect(s.release(a.identity, { users: ['x@elsewhere.example'] })).rejects.toThrow(/accepted domains/);
  });

  it("can't see, release or delete another organization's entries by any identity", async () => {
    const { nmid } = hold(OTHER, ['z@fabrikam.com']);
    const [theirs] = service(OTHER).list({ offset: 0, limit: 1 });
    const s = service();
    for (const id of [theirs.identity, nmid]) {
      expect(() => s.entries(id)).toThrow(/couldn't be found/);
      await expect(s.release(id, { releaseToAll: true })).rejects.toThrow(/couldn't be found/);
      await expect(s.delete(id, { hard: true })).rejects.toThrow(/couldn't be found/);
      await expect(s.preview(id)).rejects.toThrow(/couldn't be found/);
    }
    expect(queued(nmid)).toEqual([]);
  });

  it('hard delete frees the spool file once no recipient needs it', async () => {
    const { file } = hold(ORG, ['a@contoso.com', 'b@contoso.com']);
    const s = service();
    const [a, b] = s.list({ offset: 0, limit: 10 });
    await s.delete(a.identity, { hard: true });
    expect(existsSync(file)).toBe(true);
    await s.delete(b.identity);
    expect(s.list({ offset: 0, limit: 10 })).toHaveLength(0);
    expect(existsSync(file)).toBe(true); // soft delete: held until expiry
    await s.delete(b.identity, { hard: true });
    expect(existsSync(file)).toBe(false);
  });

  it('purges expired entries in batches, traces EXPIRE, frees files', async () => {
    const files = [hold(ORG, ['a@contoso.com']).file, hold(OTHER, ['z@fabrikam.com']).file];
    expect(await purgeExpiredQuarantine(store, content, T0 + TRANSPORT_RULE_RETENTION_MS - 1)).toBe(0);
    expect(await purgeExpiredQuarantine(store, content, T0 + TRANSPORT_RULE_RETENTION_MS, 1)).toBe(2);
    for (const f of files) expect(existsSync(f)).toBe(false);
    expect(db.prepare("SELECT count(*) FROM message_trace_events WHERE event = 'EXPIRE'").pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM quarantine').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM queue_messages').pluck().get()).toBe(0);
  });
});
