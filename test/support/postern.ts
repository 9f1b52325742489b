// Test harness: a real `postern serve` process on loopback with its own data directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import Database from 'better-sqlite3';
import type { Organization } from '../../src/config/model.js';
import { demoOrganization } from '../../src/cli/init.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/postern.js');

export function tempDir(prefix = 'postern-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runCli(args: string[], opts: { input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: opts.input, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function contoso(overrides: Partial<Organization> = {}): Organization {
  return { ...demoOrganization(), ...overrides };
}

/** Prepare a data directory with `postern init` (no organization): only init creates one. */
export function initDataDir(dataDir: string): void {
  const r = runCli(['init', '-d', dataDir]);
  if (r.status !== 0) throw new Error(`postern init failed: ${r.stderr}`);
}

/** Write organizations into a data directory through `postern config import` (after init when new). */
export function importOrgs(dataDir: string, orgs: Organization[]): void {
  if (!existsSync(join(dataDir, 'postern.db'))) initDataDir(dataDir);
  const file = join(dataDir, 'orgs.yaml');
  writeFileSync(file, stringify({ organizations: orgs }));
  const r = runCli(['config', 'import', file, '-d', dataDir]);
  if (r.status !== 0) throw new Error(`config import failed: ${r.stderr}`);
}

export interface Running {
  dataDir: string;
  smtpPort: number;
  httpPort: number;
  proc: ChildProcess;
  log: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startPostern(dataDir: string, settings: Record<string, unknown> = {}): Promise<Running> {
  const file = join(dataDir, 'postern.yaml');
  // POSTERN_TEST_SMTP_PROCESSES runs every gateway of a test run with that many SMTP worker processes.
  const processes = process.env.POSTERN_TEST_SMTP_PROCESSES;
  // Sender authentication is off unless a test turns it on: other tests' made-up domains have no DNS to ask.
  const base = { smtp: '127.0.0.1:0', http: '127.0.0.1:0', queuePollMs: 100, configPollMs: 200, senderAuthentication: false, ...(processes && { smtpProcesses: processes === 'auto' ? 'auto' : Number(processes) }) };
  writeFileSync(file, stringify({ ...base, ...settings }));
  const proc = spawn(process.execPath, [CLI, 'serve', '-d', dataDir, '-c', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSTERN_LOG_LEVEL: 'info' } });
  const log: string[] = [];
  const ready = new Promise<{ smtp: number; http: number }>((resolveReady, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        log.push(line);
        try {
          const j = JSON.parse(line);
          if (j.msg === 'postern ready') resolveReady({ smtp: j.smtp, http: j.http });
        } catch {
          /* not JSON */
        }
      }
    });
    proc.stderr!.on('data', (d) => log.push(String(d)));
    proc.once('exit', (code) => reject(new Error(`postern exited with ${code}: ${log.join('\n')}`)));
  });
  const ports = await ready;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    dataDir,
    smtpPort: ports.smtp,
    httpPort: ports.http,
    proc,
    log,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Files delivered to a Maildir folder's new/. */
export function maildirMessages(dataDir: string, address: string, root = 'maildir'): string[] {
  const [local, domain] = address.split('@');
  const dir = join(dataDir, root, domain, local, 'new');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

type Falsy = undefined | null | false | 0 | '';

/** Polls `fn` (which may be async) until it gives a truthy value. */
export async function waitFor<T>(fn: () => T | Falsy | Promise<T | Falsy>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Read-only query against a running server's database. */
export function query<T = any>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'postern.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export function swaks(args: string[]): { status: number; out: string } {
  const r = spawnSync('swaks', ['--timeout', '15', '--suppress-data', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/**
 * A loopback port nothing listens on now, for a server a test starts later (a next hop that is
 * down at first). Below Linux's ephemeral range (32768+), so the many outgoing connections of a
 * loaded test run never sit on it.
 */
export async function unusedPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((ok) => {
      const probe = createServer().once('error', () => ok(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => ok(true)));
    });
    if (free) return port;
  }
}
