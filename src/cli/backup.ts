// `postern backup --to DIR` and `postern restore --from DIR --data-dir NEW`: a consistent copy of a
// data directory taken while the gateway serves, and a new data directory made from one.
//
// The backup holds the spool first (removals are moved aside, not unlinked), then snapshots the
// database through SQLite's online backup API, then copies the spool files and reports that the
// snapshot refers to: every message the snapshot has queued or quarantined comes with its bytes.
// It is written to DIR.partial-PID and renamed to DIR only once whole, its manifest (checksums,
// counts) last, so an interrupted backup never looks like one to `restore`.
import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { HELD_DIR, holdSpool, releaseSpool, spoolHeldBy } from '../queue/spool.js';
import { dropQueued, integrityCheck, referencedFiles, relocateFiles, schemaVersion, sealCopy, snapshotDatabase, tableCounts } from '../store/sqlite/backup.js';
import { openDatabase } from '../store/sqlite/db.js';
import { requireDataDir } from './common.js';
import { MIGRATIONS } from '../store/sqlite/migrations.js';

const MANIFEST = 'manifest.json';
const FORMAT = 'postern-backup/1';

interface Manifest {
  format: string;
  postern: string;
  schemaVersion: number;
  createdAt: string;
  source: string;
  counts: Record<string, number>;
  /** Messages received after the backup began and delivered before their file was copied. */
  droppedDuringBackup: string[];
  files: { path: string; bytes: number; sha256: string }[];
}

class BackupError extends Error {}

function fail(message: string): never {
  throw new BackupError(message);
}

function progressLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K`);
}

/** A file's SHA-256, read in 1 MB pieces (spooled messages can be large). */
function sha256(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function copyPrivate(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  copyFileSync(from, to);
  chmodSync(to, 0o600);
  const fd = openSync(to, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

export async function backup(dataDir: string, to: string): Promise<Manifest> {
  const source = requireDataDir(dataDir);
  const dbFile = join(source, 'postern.db');
  const dest = resolve(to);
  if (!isEmptyDir(dest)) fail(`${dest} is not empty; back up into a new or empty directory`);
  const spoolDir = join(source, 'spool');
  const holder = spoolHeldBy(spoolDir);
  if (holder) fail(`another backup (process ${holder}) is running on ${source}; wait for it to finish`);

  const staging = `${dest}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  let droppedDuringBackup: string[];
  let counts: Record<string, number>;
  let version: number;
  holdSpool(spoolDir);
  try {
    await snapshotDatabase(dbFile, join(staging, 'postern.db'), (done) => progressLine(`backup: database ${Math.round(done * 100)}%`));
    const copy = openDatabase(join(staging, 'postern.db'));
    const refs = referencedFiles(copy);
    const gone: string[] = [];
    refs.spool.forEach((file, i) => {
      progressLine(`backup: spool ${i + 1}/${refs.spool.length}`);
      const found = [file, join(spoolDir, HELD_DIR, basename(file))].find((f) => existsSync(f));
      if (found) copyPrivate(found, join(staging, 'spool', basename(file)));
      else gone.push(file);
    });
    for (const file of refs.reports) if (existsSync(file)) copyPrivate(file, join(staging, 'reports', basename(file)));
    droppedDuringBackup = dropQueued(copy, gone);
    counts = tableCounts(copy);
    version = schemaVersion(copy);
    sealCopy(copy);
  } finally {
    releaseSpool(spoolDir);
  }
  for (const f of existsSync(join(source, 'tls')) ? filesUnder(join(source, 'tls')) : []) copyPrivate(join(source, 'tls', f), join(staging, 'tls', f));
  if (existsSync(join(source, 'postern.yaml'))) copyPrivate(join(source, 'postern.yaml'), join(staging, 'postern.yaml'));

  progressLine('backup: checking the copy');
  const integrity = integrityCheck(join(staging, 'postern.db'));
  if (integrity !== 'ok') fail(`the copy of the database failed its integrity check (${integrity}); the source is untouched, try again`);
  const manifest: Manifest = {
    format: FORMAT,
    postern: '0.1.0',
    schemaVersion: version,
    createdAt: new Date().toISOString(),
    source,
    counts,
    droppedDuringBackup,
    files: filesUnder(staging).map((path) => ({ path, bytes: statSync(join(staging, path)).size, sha256: sha256(join(staging, path)) })),
  };
  writeFileSync(join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600, flush: true });
  fsyncDir(staging);
  if (existsSync(dest)) rmSync(dest, { recursive: true });
  renameSync(staging, dest);
  fsyncDir(dirname(dest));
  progressLine('');
  return manifest;
}

function readManifest(dir: string): Manifest {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) fail(`${dir} is not a Postern backup (no ${MANIFEST}; an interrupted backup has none)`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail(`${file} is not valid JSON; the backup is damaged`);
  }
  if (m.format !== FORMAT) fail(`${dir} is not a backup this Postern reads (format '${m.format}', expected '${FORMAT}')`);
  const newest = Math.max(...MIGRATIONS.map((x) => x.version));
  if (m.schemaVersion > newest) fail(`${dir} was made by a newer Postern (database schema ${m.schemaVersion}, this one knows up to ${newest}); restore it with that version`);
  for (const f of m.files) {
    const path = join(dir, f.path);
    if (!existsSync(path)) fail(`the backup is damaged: ${f.path} is missing`);
    if (statSync(path).size !== f.bytes || sha256(path) !== f.sha256) fail(`the backup is damaged: ${f.path} does not match its checksum in ${MANIFEST}`);
  }
  return m;
}

export function restore(from: string, dataDir: string): Manifest {
  const source = resolve(from);
  const manifest = readManifest(source);
  const dest = resolve(dataDir);
  if (!isEmptyDir(dest)) fail(`${dest} is not empty (a server's data directory never is); restore into a new or empty directory`);
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  for (const f of manifest.files) copyPrivate(join(source, f.path), join(dest, f.path));
  const db = openDatabase(join(dest, 'postern.db'));
  relocateFiles(db, manifest.source, dest);
  db.close();
  const integrity = integrityCheck(join(dest, 'postern.db'));
  if (integrity !== 'ok') fail(`the restored database failed its integrity check (${integrity})`);
  return manifest;
}

function summary(m: Manifest): string {
  const c = m.counts;
  return `${c.organizations ?? 0} organization(s), ${c.queue_messages ?? 0} queued message(s), ${c.quarantine ?? 0} quarantined, ${c.message_trace ?? 0} trace row(s), ${m.files.length} file(s)`;
}

async function report(fn: () => Promise<string> | string): Promise<void> {
  try {
    console.log(await fn());
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    progressLine('');
    console.error(`postern: ${err.message}`);
    process.exitCode = 1;
  }
}

export function register(program: Command): void {
  program
    .command('backup')
    .description('copy the data directory while the gateway runs: a consistent database snapshot, the spool files and TLS material it refers to, a manifest with checksums')
    .option('-d, --data-dir <dir>', 'data directory', process.env.POSTERN_DATA_DIR ?? './data')
    .requiredOption('--to <dir>', 'where to write the backup (new or empty)')
    .action((opts: { dataDir: string; to: string }) =>
      report(async () => {
        const m = await backup(opts.dataDir, opts.to);
        const dropped = m.droppedDuringBackup.length ? `; ${m.droppedDuringBackup.length} message(s) received and delivered during the backup left out` : '';
        return `Backed up ${m.source} to ${resolve(opts.to)}: ${summary(m)}, integrity ok${dropped}`;
      }),
    );
  program
    .command('restore')
    .description('make a new data directory from a backup (checks the manifest and every checksum first)')
    .requiredOption('--from <dir>', 'the backup to restore')
    .requiredOption('-d, --data-dir <dir>', 'the new data directory (must be new or empty)')
    .action((opts: { from: string; dataDir: string }) =>
      report(() => {
        const m = restore(opts.from, opts.dataDir);
        return `Restored the backup of ${m.createdAt} into ${resolve(opts.dataDir)}: ${summary(m)}. Start it with: postern serve --data-dir ${opts.dataDir}`;
      }),
    );
}
