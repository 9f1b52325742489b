// Trace retention: message trace, trace events, EmailEvents & co. and SmtpRejectEvents rows older
// than the retention (default 90 days) are removed in the background, in small batches with the
// event loop free between them, so ingestion never waits behind a large delete.

export interface RetentionStore {
  /** Delete at most `limit` rows older than `cutoff` from each trace table; the number deleted. */
  purgeBatch(cutoff: number, limit: number): number;
  /** Give at most `maxPages` freed pages back to the file system; the number given back. */
  reclaim(maxPages: number): number;
}

export async function applyRetention(store: RetentionStore, cutoff: number, opts: { batch?: number; maxBatches?: number; pauseMs?: number; stopped?: () => boolean } = {}): Promise<number> {
  const batch = opts.batch ?? 2000;
  let total = 0;
  for (let i = 0; i < (opts.maxBatches ?? 10_000); i++) {
    if (opts.stopped?.()) break;
    const n = store.purgeBatch(cutoff, batch);
    total += n;
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, opts.pauseMs ?? 5));
  }
  // The deleted rows' pages go back too, in steps as small as the deletes: a steady-state gateway's
  // file stops growing instead of keeping its high-water mark.
  if (total > 0) {
    for (let i = 0; i < (opts.maxBatches ?? 10_000) && !opts.stopped?.(); i++) {
      if (store.reclaim(batch) === 0) break;
      await new Promise((r) => setTimeout(r, opts.pauseMs ?? 5));
    }
  }
  return total;
}

