// The data directory holds people's mail (queued messages, quarantine, the whole trace): it and
// everything in it are private to the gateway's user, 0700 folders and 0600 files, as Postfix
// keeps its queue. `postern serve` checks this at start, as OpenSSH's StrictModes does: it fixes
// what it can with a log line, and refuses a data directory that others can write to, since
// anyone who can replace a file there can change what the gateway accepts.
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

export class DataDirModeError extends Error {}

// Maildir message folders can hold millions of files, each written 0600 by delivery: their own
// mode is checked, their entries are not listed.
const UNLISTED = new Set(['new', 'cur', 'tmp']);

/** Refuse an unsafe data directory; otherwise make what it holds private. Returns the paths fixed. */
export function secureDataDir(dataDir: string, logger: Logger): string[] {
  const st = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new DataDirModeError(`the data directory ${dataDir} belongs to another user (uid ${st.uid}); run postern as that user, or: chown -R ${uid} ${dataDir}`);
  }
  if (st.mode & 0o022) {
    throw new DataDirModeError(
      `the data directory ${dataDir} is writable by others (mode ${(st.mode & 0o777).toString(8)}); it holds mail, so postern will not use it until you run: chmod 700 ${dataDir}`,
    );
  }
  const fixed: string[] = [];
  const tighten = (path: string, mode: number, wanted: number) => {
    if ((mode & 0o777) === wanted || !(mode & 0o077)) return;
    chmodSync(path, wanted);
    fixed.push(path);
  };
  const walk = (dir: string, mode: number) => {
    tighten(dir, mode, 0o700);
    if (UNLISTED.has(dir.slice(dir.lastIndexOf('/') + 1)) && dir.includes('/maildir/')) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      // Another process may remove a file between the listing and the stat (SQLite's journal of
      // the serve lock while a second server starts): what is gone needs no tightening.
      const mode = modeOf(path);
      if (mode === undefined) continue;
      if (e.isDirectory()) walk(path, mode);
      else if (e.isFile()) tighten(path, mode, 0o600);
    }
  };
  walk(dataDir, st.mode);
  if (fixed.length) logger.info({ dataDir, fixed: fixed.length, examples: fixed.slice(0, 5) }, `made ${fixed.length} file(s) and folder(s) in the data directory private to the gateway's user (0700/0600)`);
  return fixed;
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
