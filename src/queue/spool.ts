// The durable spool: message files on disk and the group commit that makes "250 OK" true.
//
// A message is acknowledged only after (1) its spool file is fsynced, (2) the spool directory is
// fsynced (so the file's name survives a crash), and (3) its queue rows are committed with
// synchronous=FULL. Concurrent sessions share steps 2 and 3: every message that finished DATA
// in the same turn of the event loop rides one directory fsync and one transaction.
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fsync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';

export interface SpoolFile {
  stream: WriteStream;
  /** fsync the file's data, then close it. */
  syncAndClose(): Promise<void>;
  close(): Promise<void>;
}

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

  /**
   * A new spool file. (Node 20's FileHandle.close() never settles after its own createWriteStream,
   * so this uses a plain descriptor that we fsync and close ourselves.)
   */
  create(id: string): SpoolFile {
    const fd = openSync(this.path(id), 'wx', 0o600);
    const stream = createWriteStream('', { fd, autoClose: false });
    let closed = false;
    const closeOnce = async () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    };
    return {
      stream,
      syncAndClose: async () => {
        await fsyncAsync(fd);
        await closeOnce();
      },
      close: closeOnce,
    };
  }

  /** Remove a spool file (in the pool: an unlink waits for the file system journal, which concurrent fsyncs keep busy). */
  async remove(file: string): Promise<void> {
    await unlink(file).catch((err) => {
      if (err.code !== 'ENOENT') throw err;
    });
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

/**
 * Group commit. `commit(write)` resolves once the spool directory has been fsynced, `write` has
 * run inside one transaction with every other write submitted meanwhile, and that transaction
 * is on disk (`syncCommit`, the WAL fsync).
 */
export class GroupCommit {
  private pending: { write: () => void; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly syncDir: () => Promise<void>,
    private readonly transaction: (writes: (() => void)[]) => void,
    private readonly syncCommit: () => Promise<void>,
  ) {}

  commit(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
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
        await this.syncDir();
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
