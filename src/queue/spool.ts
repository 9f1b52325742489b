// The durable spool: message files on disk and the group commit that makes "250 OK" true.
//
// A message is acknowledged only after (1) its spool file is fsynced, (2) the spool directory is
// fsynced (so the file's name survives a crash), and (3) its queue rows are committed and the
// WAL fsynced. Concurrent sessions share steps 2 and 3: every message that finished DATA in the
// same turn of the event loop rides one directory fsync and one transaction.
//
// Small messages (up to INLINE_MAX_BYTES) skip the file: their bytes go into the queue row, in
// the same transaction, made durable by the same WAL fsync. Creating, fsyncing and unlinking a
// file per message is the largest share of a small message's cost (inode work in the kernel and
// three thread-pool round trips); a message that outgrows the limit, or is held in quarantine,
// gets its file as before. Memory stays bounded: at most INLINE_MAX_BYTES per session.
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, mkdirSync, openSync, readFileSync, rmSync, write, writeFileSync, writeSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';
import type { MessageSource } from '../delivery/messageStream.js';

export const INLINE_MAX_BYTES = 64 * 1024;

const fsyncAsync = promisify(fsync);

// Cost note: each asynchronous fs call is a round trip through libuv's thread pool (a wake-up and
// a context switch, ~50-100 µs of CPU on a small machine), several times the cost of the call
// itself. Only what waits for the disk or its journal (fsync, unlink) goes to the pool; open and
// close of the message's own file run in place.
export class Spool {
  readonly dir: string;
  private dirFd: number | undefined;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'spool');
    mkdirSync(this.dir, { recursive: true });
  }

  /** A new queue id: time-ordered, unique, safe as a file name. */
  newId(): string {
    return Date.now().toString(36).toUpperCase().padStart(9, '0') + randomBytes(5).toString('hex').toUpperCase();
  }

  path(id: string): string {
    return join(this.dir, id);
  }

  /** Where the DATA of a new message goes (see SpoolWriter). */
  writer(id: string): SpoolWriter {
    return new SpoolWriter(this.path(id), INLINE_MAX_BYTES);
  }

  /**
   * Remove a spool file (in the pool: an unlink waits for the file system journal, which
   * concurrent fsyncs keep busy). While a backup holds the spool, the file is moved aside instead,
   * so that every file the backup's database snapshot refers to can still be copied.
   */
  async remove(file: string): Promise<void> {
    const ignoreGone = (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    };
    // A hold released between the check and the rename leaves no folder to move to: unlink then.
    if (spoolHeldBy(this.dir)) await rename(file, join(this.dir, HELD_DIR, basename(file))).catch(() => unlink(file).catch(ignoreGone));
    else await unlink(file).catch(ignoreGone);
  }

  /** fsync of the spool directory, so that new files' names survive a crash. */
  async syncDir(): Promise<void> {
    this.dirFd ??= openSync(this.dir, 'r');
    await fsyncAsync(this.dirFd);
  }

  /** Release the directory descriptor (on shutdown). */
  close(): void {
    if (this.dirFd !== undefined) closeSync(this.dirFd);
    this.dirFd = undefined;
  }
}

// The backup hold: a file naming the pid of a backup in progress, and the folder where removals
// wait while it lasts. Removal is rare on the hot path (only spooled, not inline, messages), so
// reading the hold file each time costs little; a hold whose process is gone (a backup killed
// with -9) is released by the next removal that sees it.
const HOLD_FILE = '.backup-hold';
export const HELD_DIR = '.held';

/** The pid of a live backup holding the spool, if any (a dead one's hold is released here). */
export function spoolHeldBy(spoolDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(spoolDir, HOLD_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (pid > 0 && processAlive(pid)) return pid;
  releaseSpool(spoolDir);
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Hold the spool for a backup by this process: removals are moved aside until `releaseSpool`. */
export function holdSpool(spoolDir: string): void {
  mkdirSync(join(spoolDir, HELD_DIR), { recursive: true, mode: 0o700 });
  writeFileSync(join(spoolDir, HOLD_FILE), String(process.pid), { mode: 0o600 });
}

/** End a hold: the files removed meanwhile go for good. */
export function releaseSpool(spoolDir: string): void {
  rmSync(join(spoolDir, HOLD_FILE), { force: true });
  rmSync(join(spoolDir, HELD_DIR), { recursive: true, force: true });
}

/**
 * DATA on its way to the queue: held in memory while the message is small, written to its spool
 * file once it outgrows `inlineMax` (the held bytes first, then the rest as it streams).
 */
export class SpoolWriter extends Writable {
  private held: Buffer[] | undefined = [];
  private heldBytes = 0;
  private fd: number | undefined;
  private created = false;

  constructor(
    private readonly file: string,
    private readonly inlineMax: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.held && this.heldBytes + chunk.length <= this.inlineMax) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return done();
    }
    try {
      this.spill();
    } catch (err) {
      return done(err as Error);
    }
    writeAll(this.fd!, chunk, done);
  }

  /** The bytes so far, to read before they are durable (content extraction). */
  source(): MessageSource {
    return this.held ? this.joined() : this.file;
  }

  /**
   * Make the message durable-ready: its bytes (to commit with the queue row), or, when it
   * outgrew the limit or `onDisk` asks for a file, its fsynced and closed spool file.
   */
  async settle(onDisk: boolean): Promise<{ body: Buffer } | { file: string }> {
    if (this.held && !onDisk) return { body: this.joined() };
    this.spill();
    await fsyncAsync(this.fd!);
    this.closeFd();
    return { file: this.file };
  }

  /** Drop the message: close and remove its file if it has one. */
  async discard(): Promise<void> {
    this.closeFd();
    if (this.created) await unlink(this.file).catch(() => {});
  }

  private spill(): void {
    if (this.fd !== undefined) return;
    this.fd = openSync(this.file, 'wx', 0o600);
    this.created = true;
    const held = this.held ? this.joined() : Buffer.alloc(0);
    this.held = undefined;
    for (let off = 0; off < held.length; ) off += writeSync(this.fd, held, off);
  }

  /** The held chunks as one buffer, joined once (content extraction and the commit both read it). */
  private joined(): Buffer {
    const held = this.held!;
    if (held.length !== 1) this.held = [Buffer.concat(held)];
    return this.held![0];
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function writeAll(fd: number, buf: Buffer, done: (err?: Error | null) => void): void {
  write(fd, buf, 0, buf.length, null, (err, n) => {
    if (err) return done(err);
    if (n < buf.length) return writeAll(fd, buf.subarray(n), done);
    done();
  });
}

/**
 * Group commit. `commit(write)` resolves once the spool directory has been fsynced, `write` has
 * run inside one transaction with every other write submitted meanwhile, and that transaction
 * is on disk (`syncCommit`, the WAL fsync).
 */
export class GroupCommit {
  private pending: { write: () => void; newFile: boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly syncDir: () => Promise<void>,
    private readonly transaction: (writes: (() => void)[]) => void,
    private readonly syncCommit: () => Promise<void>,
  ) {}

  /** `newFile`: the write refers to a spool file created since the last commit (its name needs the directory fsync). */
  commit(write: () => void, opts: { newFile: boolean } = { newFile: true }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, newFile: opts.newFile, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length) {
      // Let sessions that finish DATA in this turn join the batch.
      await new Promise((r) => setImmediate(r));
      const batch = this.pending;
      this.pending = [];
      try {
        if (batch.some((b) => b.newFile)) await this.syncDir();
        this.transaction(batch.map((b) => b.write));
        await this.syncCommit();
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}
