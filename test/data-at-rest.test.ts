// Data at rest: the data directory is private whatever the umask, an unsafe one is refused, and a
// backup taken while the gateway takes mail restores into a gateway that delivers what was queued.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { buildRule } from '../src/rules/index.js';
import { CLI, contoso, importOrgs, maildirMessages, query, runCli, startPostern, tempDir, unusedPort, waitFor } from './support/postern.js';

/** Every file and folder below `dir` with its permission bits. */
function modes(dir: string): { path: string; mode: number; isDir: boolean }[] {
  const out = [{ path: dir, mode: statSync(dir).mode & 0o777, isDir: true }];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    out.push({ path, mode: statSync(path).mode & 0o777, isDir: e.isDirectory() });
  }
  return out;
}

const exposed = (dir: string) => modes(dir).filter((m) => m.mode & 0o077).map((m) => `${m.path} ${m.mode.toString(8)}`);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The CLI without blocking this process's event loop (SMTP load runs beside it). */
function cli(args: string[]): { done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>; pid: number } {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  return { pid: p.pid!, done: new Promise((r) => p.on('exit', (code, signal) => r({ code, signal, out }))) };
}

describe('a private data directory', () => {
  it('init and serve under umask 022 leave no file or folder readable by group or others', async () => {
    const dir = join(tempDir(), 'data');
    const init = spawnSync('sh', ['-c', `umask 022; exec "${process.execPath}" "${CLI}" init --demo -d "${dir}"`], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const pg = await startPostern(dir);
    try {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: pg.smtpPort, secure: false, ignoreTLS: true });
      // A small message (queued in the database) and a large one (spooled to a file).
      await t.sendMail({ from: 'a@fabrikam.com', to: 'user@contoso.com', subject: 'small', text: 'hello' });
      await t.sendMail({ from: 'a@fabrikam.com', to: 'user@contoso.com', subject: 'large', text: 'x'.repeat(200_000) });
      await waitFor(() => maildirMessages(dir, 'user@contoso.com').length === 2, 15_000, 'deliveries');
      expect(exposed(dir)).toEqual([]);
    } finally {
      await pg.stop();
    }
  });

  it('serve fixes its own files with a log line, and refuses a data directory writable by others, naming the chmod', async () => {
    const dir = join(tempDir(), 'data');
    expect(runCli(['init', '--demo', '-d', dir]).status).toBe(0);
    chmodSync(join(dir, 'postern.db'), 0o644);
    const pg = await startPostern(dir);
    await pg.stop();
    expect(pg.log.join('\n')).toMatch(/made \d+ file\(s\) and folder\(s\) in the data directory private/);
    expect(statSync(join(dir, 'postern.db')).mode & 0o777).toBe(0o600);

    chmodSync(dir, 0o777);
    const r = runCli(['serve', '-d', dir, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`postern: the data directory ${dir} is writable by others (mode 777); it holds mail, so postern will not use it until you run: chmod 700 ${dir}`);
  });
});

describe('backup and restore', () => {
  it('a backup taken under a 20-session SMTP load restores into a gateway that has every message answered before it began', { timeout: 180_000 }, async () => {
    // The next hop of queued.contoso.com is down while the source runs, so mail for it stays queued.
    const hopPort = await unusedPort();
    const dir = tempDir();
    importOrgs(dir, [
      contoso({
        AcceptedDomains: [
          { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
          { DomainName: 'queued.contoso.com', DomainType: 'Authoritative', Default: false },
        ],
        DomainDelivery: { 'queued.contoso.com': { kind: 'smtp', host: '127.0.0.1', port: hopPort, starttls: 'none', verifyCertificate: false } },
        TransportRules: [buildRule({ Name: 'Hold', Quarantine: true, SubjectContainsWords: ['hold'], Priority: 0 })],
      }),
    ]);
    const settings = { retry: { initialMs: 300, maxMs: 600 } };
    const src = await startPostern(dir, settings);
    const answered: { subject: string; at: number }[] = [];
    let loading = true;
    const session = async (n: number) => {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: src.smtpPort, secure: false, ignoreTLS: true });
      for (let i = 0; loading; i++) {
        const to = i % 3 === 0 ? `q${n}@queued.contoso.com` : `user${n}@contoso.com`;
        const subject = `${i % 10 === 0 ? 'hold ' : ''}s${n}-m${i}`;
        const text = i % 7 === 0 ? 'y'.repeat(100_000) : 'hello';
        const info = await t.sendMail({ from: 'a@fabrikam.com', to, subject, text });
        if (/^250 /.test(info.response)) answered.push({ subject, at: Date.now() });
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, (_, n) => session(n)));
    await waitFor(() => answered.length >= 200, 30_000, 'load');
    // An audited quarantine action before the backup.
    const held = await waitFor(() => query(dir, "SELECT identity FROM quarantine WHERE subject LIKE 'hold %' LIMIT 1")[0], 10_000, 'a held message');
    expect(runCli(['shell', '-d', dir, '-c', `Release-QuarantineMessage -Identity '${held.identity}' -ReleaseToAll`]).status).toBe(0);

    const backupDir = join(tempDir(), 'backup');
    const began = Date.now();
    const backup = await cli(['backup', '-d', dir, '--to', backupDir]).done;
    loading = false;
    await load;
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/^Backed up .* integrity ok/m);
    const before = answered.filter((a) => a.at < began).map((a) => a.subject);
    expect(before.length).toBeGreaterThanOrEqual(200);
    expect(answered.length, 'mail was taken while the backup ran').toBeGreaterThan(before.length);
    const sourceOrgs = query(dir, 'SELECT guid, name, doc FROM organizations');
    const sourceQuarantine = query(dir, 'SELECT identity, subject, recipient, released_to FROM quarantine WHERE received_at < ? ORDER BY identity', began);
    const sourceAudit = query(dir, 'SELECT at, actor, action, identity FROM quarantine_audit WHERE at < ? ORDER BY id', began);
    await src.stop();

    expect(exposed(backupDir)).toEqual([]);
    const restored = join(tempDir(), 'restored');
    const r = runCli(['restore', '--from', backupDir, '-d', restored]);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(join(restored, 'postern.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT guid, name, doc FROM organizations').all()).toEqual(sourceOrgs);
      expect(db.prepare('SELECT identity, subject, recipient, released_to FROM quarantine WHERE received_at < ? ORDER BY identity').all(began)).toEqual(sourceQuarantine);
      expect(db.prepare('SELECT at, actor, action, identity FROM quarantine_audit WHERE at < ? ORDER BY id').all(began)).toEqual(sourceAudit);
      expect(sourceAudit.length).toBeGreaterThan(0);
      // Every message answered 250 before the backup began is there: delivered, held, or queued with its bytes.
      const trace = db.prepare(
        `SELECT t.subject, t.status, (SELECT count(*) FROM queue_recipients r WHERE r.network_message_id = t.network_message_id) AS queued
           FROM message_trace t`,
      ).all() as { subject: string; status: string; queued: number }[];
      const bySubject = new Map(trace.map((t) => [t.subject, t]));
      const missing = before.filter((s) => {
        const t = bySubject.get(s);
        return !t || !(['Delivered', 'Quarantined'].includes(t.status) || t.queued > 0);
      });
      expect(missing).toEqual([]);
      for (const f of db.prepare("SELECT spool_file FROM queue_messages WHERE spool_file <> ''").pluck().all() as string[]) {
        expect(f.startsWith(join(restored, 'spool'))).toBe(true);
        expect(existsSync(f), f).toBe(true);
      }
    } finally {
      db.close();
    }

    // The restored gateway delivers what was queued once its next hop is back.
    const queuedBefore = before.filter((s) => query(restored, "SELECT 1 FROM message_trace t JOIN queue_recipients r USING (network_message_id) WHERE t.subject = ? AND t.recipient LIKE ? AND r.status <> 'quarantined'", s, '%@queued.contoso.com').length);
    expect(queuedBefore.length).toBeGreaterThan(0);
    const arrived = new Set<string>();
    const hop = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'],
      onData(stream, _session, cb) {
        let raw = '';
        stream.on('data', (d) => (raw += d));
        stream.on('end', () => {
          const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim();
          if (subject) arrived.add(subject);
          cb();
        });
      },
    });
    await new Promise<void>((ok) => hop.listen(hopPort, '127.0.0.1', ok));
    const again = await startPostern(restored, settings);
    try {
      await waitFor(() => queuedBefore.every((s) => arrived.has(s)), 60_000, 'the restored queue delivered');
    } finally {
      await again.stop();
      await new Promise<void>((ok) => hop.close(() => ok()));
    }
  });

  it('a backup killed with -9 leaves the source untouched and nothing that restore accepts; the next backup works', async () => {
    const dir = join(tempDir(), 'data');
    expect(runCli(['init', '--demo', '-d', dir]).status).toBe(0);
    // A database large enough that the copy takes a while.
    const fill = new Database(join(dir, 'postern.db'));
    const ins = fill.prepare("INSERT INTO trace_events (trace_id, at, event, detail) VALUES (?, 0, 'RECEIVE', ?)");
    fill.transaction(() => {
      for (let i = 0; i < 400_000; i++) ins.run(i, 'd'.repeat(400));
    })();
    fill.pragma('wal_checkpoint(TRUNCATE)');
    fill.close();
    const sourceHash = sha256(join(dir, 'postern.db'));

    const dest = join(tempDir(), 'backup');
    const b = cli(['backup', '-d', dir, '--to', dest]);
    const partial = `${dest}.partial-${b.pid}`;
    await waitFor(() => existsSync(join(partial, 'postern.db')) && statSync(join(partial, 'postern.db')).size > 0, 30_000, 'the copy to start');
    process.kill(b.pid, 'SIGKILL');
    const killed = await b.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(dest)).toBe(false);

    expect(sha256(join(dir, 'postern.db'))).toBe(sourceHash);
    const fromPartial = runCli(['restore', '--from', partial, '-d', join(tempDir(), 'r1')]);
    expect(fromPartial.status).toBe(1);
    expect(fromPartial.stderr).toContain('is not a Postern backup (no manifest.json; an interrupted backup has none)');

    // The killed backup's hold on the spool is stale: the next backup takes it over.
    const next = await cli(['backup', '-d', dir, '--to', dest]).done;
    expect(next.code, next.out).toBe(0);
    const r = runCli(['restore', '--from', dest, '-d', join(tempDir(), 'r2')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Restored the backup of .* 1 organization\(s\)/);
  });
});
