// One `postern serve` per data directory: two gateways on one spool and queue would deliver the
// same message twice. The lock is a file holding the primary's pid, created exclusively. A lock
// whose process is gone (a crash, kill -9) or is no longer a `postern serve` (the pid was reused)
// is stale and taken over; the holder removes the file when it exits.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './common.js';

const LOCK_FILE = 'serve.pid';

/** Whether pid is a live process that looks like a `postern serve` (where /proc tells). */
function isRunningServe(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but another user's: not ours to judge, so keep out of its way.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('serve');
  } catch {
    return true; // no /proc (not Linux): a live pid is taken at its word
  }
}

function tryCreate(file: string): boolean {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Take the data directory's serve lock for this process, or refuse naming the holder. */
export function lockDataDir(dataDir: string): void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(file)) {
      process.once('exit', () => {
        try {
          if (Number(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      });
      return;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // removed between our attempt and the read: try again
    }
    if (isRunningServe(holder)) {
      throw new CliError(`another postern serve (pid ${holder}) is already running on ${dataDir}; stop it first, or give this one its own --data-dir`);
    }
    try {
      unlinkSync(file); // stale: its process is gone
    } catch {
      /* another starter removed it first */
    }
  }
  throw new CliError(`could not take the lock ${file}: another postern serve is starting on ${dataDir}; try again`);
}
