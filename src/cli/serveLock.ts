// One `postern serve` per data directory: two gateways on one spool and queue would deliver the
// same message twice. The lock is an operating-system lock — SQLite's exclusive lock on the
// small database `serve.lock`, held in an open transaction for the life of the process — so the
// kernel releases it when the process ends however it ends (kill -9 included), and two servers
// starting at the same moment cannot both take over a lock left by a crash. `serve.pid` only
// names the holder for messages; it is not the lock.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './common.js';

const LOCK_DB = 'serve.lock';
const PID_FILE = 'serve.pid';

/** The lock of this process, kept open (and referenced) until it exits. */
let held: Database.Database | undefined;

/** Try to take the lock; undefined when another process holds it. */
function tryLock(dataDir: string): Database.Database | undefined {
  const db = new Database(join(dataDir, LOCK_DB), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  }
}

/**
 * The holder's pid from serve.pid. The holder writes it just after taking the lock, so a file
 * naming a dead process (left by a crash) is waited on for up to a second.
 */
function holderPid(dataDir: string): string {
  const deadline = Date.now() + 1000;
  for (;;) {
    const pid = readPid(join(dataDir, PID_FILE));
    if ((pid && isAlive(pid)) || Date.now() > deadline) return pid ? String(pid) : 'unknown';
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the data directory's serve lock for this process, or refuse naming the holder. */
export function lockDataDir(dataDir: string): void {
  if (held) return;
  const db = tryLock(dataDir);
  if (!db) throw new CliError(`another postern serve (pid ${holderPid(dataDir)}) is already running on ${dataDir}; stop it first, or give this one its own --data-dir`);
  held = db;
  const pidFile = join(dataDir, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  process.once('exit', () => {
    try {
      if (Number(readFileSync(pidFile, 'utf8')) === process.pid) unlinkSync(pidFile);
    } catch {
      /* already gone */
    }
  });
}

/**
 * The pid of the `postern serve` holding the data directory ('unknown' when it cannot be read),
 * or undefined when none does. For commands that must not run beside a server (restore).
 */
export function runningServe(dataDir: string): string | undefined {
  if (held) return String(process.pid);
  if (!existsSync(join(dataDir, LOCK_DB))) return undefined; // never served: and don't create the file here
  const db = tryLock(dataDir);
  if (!db) return holderPid(dataDir);
  db.close();
  return undefined;
}
