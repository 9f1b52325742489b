// The minimum data rate during DATA, as Postfix's smtpd_min_data_rate: every client gets a grace
// period, and each byte it sends earns it 1/rate seconds more. A client that falls behind (a
// trickle, or a stall after a few lines) is holding a session and a spool file for nothing.

/** When a client that began DATA at `startedAt` and has sent `bytes` so far runs out of time. */
export function dataRateDeadline(startedAt: number, bytes: number, minRate: number, graceMs: number): number {
  return startedAt + graceMs + (bytes / minRate) * 1000;
}

export const DATA_TOO_SLOW_REPLY = '4.4.2 Data rate too slow, closing connection';
