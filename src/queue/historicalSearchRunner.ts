// Runs historical searches inside the server, in the background: one job at a time, in batches
// of a bounded number of trace rows, resting after each batch in proportion to its cost so the
// search takes at most a fixed share of the event loop and SMTP sessions and deliveries keep the
// rest. After every batch the CSV bytes
// written and the cursor are stored together; after a restart the CSV is cut back to that
// length and the scan resumes at the cursor. When a job is done, its CSV goes to NotifyAddress
// as a mail through Postern's own queue (injectMessage).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  REPORT_ROW_CAP, csvHeader, csvLine, progressOf, reportMail, searchFilter,
  type HistoricalSearchStore, type SearchJob,
} from '../trace/historicalSearch.js';
import { injectMessage, type InjectDeps } from './inject.js';

export interface HistoricalSearchRunnerDeps extends InjectDeps {
  searches: HistoricalSearchStore;
  dataDir: string;
  logger: Logger;
  /** Trace rows examined per batch. */
  batchSize?: number;
  /**
   * Share of the event loop a search may take (0..1]: after a batch that took t ms the runner
   * rests t * (1 / share - 1) ms, so SMTP sessions and deliveries keep the rest. Default 0.1.
   */
  share?: number;
}

export class HistoricalSearchRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly dir: string;

  constructor(private readonly d: HistoricalSearchRunnerDeps) {
    this.dir = join(d.dataDir, 'reports');
  }

  start(pollMs = 1000): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.timer = setInterval(() => this.tick(), pollMs);
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopping) return;
    this.running = this.runPending()
      .catch((err) => this.d.logger.error({ err }, 'historical search runner failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async runPending(): Promise<void> {
    for (const job of this.d.searches.pending()) {
      if (this.stopping) return;
      try {
        await this.run(job);
      } catch (err) {
        this.d.logger.error({ err, jobId: job.jobId }, 'historical search failed');
        this.d.searches.update(job.jobId, { status: 'Failed', errorCode: 'InternalError', errorDescription: err instanceof Error ? err.message : String(err), finishedAt: Date.now() });
      }
    }
  }

  private async run(job: SearchJob): Promise<void> {
    if (job.status !== 'Done') {
      if (!(await this.scan(job))) return;
    }
    const done = this.d.searches.get(job.jobId);
    if (done && done.status === 'Done' && done.notifiedAt === null) await this.notify(done);
  }

  /** Scan the window in batches; true when the job finished (not cancelled or stopped). */
  private async scan(job: SearchJob): Promise<boolean> {
    const file = job.csvFile || join(this.dir, `${job.jobId}.csv`);
    const batch = this.d.batchSize ?? 1000;
    let rows = job.rows;
    let bytes = job.csvBytes;
    let cursor = job.cursorTs === null ? undefined : { ts: job.cursorTs, rowid: job.cursorRowid ?? 0 };
    if (job.status === 'NotStarted' || !job.csvFile) {
      const header = Buffer.from(csvHeader());
      const fh = await open(file, 'w', 0o600);
      await fh.write(header);
      await fh.close();
      rows = 0;
      bytes = header.length;
      cursor = undefined;
      this.d.searches.update(job.jobId, { status: 'InProgress', startedAt: Date.now(), csvFile: file, csvBytes: bytes, rows: 0, progress: 0, cursorTs: null, cursorRowid: null });
    } else {
      await truncate(file, bytes); // drop whatever was written after the last stored cursor
    }
    this.d.logger.info({ jobId: job.jobId, title: job.reportTitle, resumeAt: cursor?.ts }, 'historical search running');
    const filter = searchFilter(job);
    const fh = await open(file, 'r+');
    try {
      for (;;) {
        if (this.stopping) return false;
        const current = this.d.searches.get(job.jobId);
        if (!current || current.status === 'Cancelled') return false;
        const began = performance.now();
        const { rows: found, next } = this.d.searches.scan(filter, cursor, batch);
        const take = found.slice(0, Math.max(0, REPORT_ROW_CAP - rows));
        if (take.length) {
          const chunk = Buffer.from(take.map(csvLine).join(''));
          await fh.write(chunk, 0, chunk.length, bytes);
          await fh.sync();
          bytes += chunk.length;
          rows += take.length;
        }
        const capped = rows >= REPORT_ROW_CAP;
        if (!next || capped) {
          this.d.searches.update(job.jobId, { status: 'Done', rows, csvBytes: bytes, progress: 100, finishedAt: Date.now(), cursorTs: next?.ts ?? null, cursorRowid: next?.rowid ?? null });
          this.d.logger.info({ jobId: job.jobId, rows }, 'historical search done');
          return true;
        }
        cursor = next;
        this.d.searches.update(job.jobId, { rows, csvBytes: bytes, cursorTs: next.ts, cursorRowid: next.rowid, progress: progressOf(job, next.ts) });
        const share = Math.min(1, Math.max(0.01, this.d.share ?? 0.1));
        await new Promise((r) => setTimeout(r, Math.max(1, (performance.now() - began) * (1 / share - 1))));
      }
    } finally {
      await fh.close();
    }
  }

  private async notify(job: SearchJob): Promise<void> {
    const to = job.request.NotifyAddress ?? [];
    if (to.length) {
      const csv = await readFile(job.csvFile);
      const mail = reportMail(job, csv, { from: `postmaster@${this.d.hostname}`, to, now: new Date(), messageId: `${randomUUID()}@${this.d.hostname}` });
      const { unroutable } = await injectMessage(this.d, mail, '', to);
      if (unroutable.length) this.d.logger.warn({ jobId: job.jobId, unroutable }, 'historical search report: NotifyAddress outside the accepted domains');
    }
    this.d.searches.update(job.jobId, { notifiedAt: Date.now() });
  }
}
