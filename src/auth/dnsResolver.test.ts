// The gateway's resolver against a real DNS server (NSD on loopback) and a silent one: answers,
// negative answers and temporary failures kept apart, a bounded cache with lifetimes, queries in
// flight shared and capped, a timeout per query.
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNsd, txt, type Nsd } from '../../test/support/nsd.js';
import { tempDir } from '../../test/support/postern.js';
import { DnsResolver, isNegative } from './dnsResolver.js';

let nsd: Nsd;
let hole: Socket;
let holePort: number;
const port = () => 30000 + Math.floor(Math.random() * 900);
const codeOf = (p: Promise<unknown>) => p.then(() => 'answer', (e: { code: string }) => e.code);

beforeAll(async () => {
  nsd = await startNsd(join(tempDir('postern-dns-'), 'dns'), port(), [`spf.example. IN TXT ${txt('v=spf1 -all')}`, 'host.example. IN A 192.0.2.7']);
  hole = createSocket('udp4'); // receives queries, never answers
  holePort = port();
  await new Promise<void>((r) => hole.bind(holePort, '127.0.0.1', () => r()));
});
afterAll(async () => {
  hole?.close();
  await nsd?.stop();
});

describe('DnsResolver', () => {
  it('answers, caches, and tells a negative answer (cached) from a temporary failure (not cached)', async () => {
    let now = 1_000_000;
    const r = new DnsResolver({ servers: [nsd.server], timeoutMs: 1000, maxTtlMs: 60_000, negativeTtlMs: 5_000, now: () => now });
    expect(await r.lookup('spf.example', 'TXT')).toEqual([['v=spf1 -all']]);
    expect(await r.lookup('SPF.example.', 'txt')).toEqual([['v=spf1 -all']]); // same name, from the cache
    expect(r.stats).toMatchObject({ queries: 1, cacheHits: 1 });
    const nx = await r.lookup('missing.example', 'TXT').catch((e) => e);
    expect(isNegative(nx)).toBe(true);
    expect(await codeOf(r.lookup('host.example', 'TXT'))).toBe('ENODATA');
    expect(await codeOf(r.lookup('missing.example', 'TXT'))).toBe('ENOTFOUND');
    expect(r.stats.queries).toBe(3);
    now += 6_000; // the negative answer expired, the positive one did not
    await codeOf(r.lookup('missing.example', 'TXT'));
    await r.lookup('spf.example', 'TXT');
    expect(r.stats.queries).toBe(4);
    r.cancel();
  });

  it('times out a silent server as a temporary failure, shares identical queries in flight, and never caches the failure', async () => {
    const r = new DnsResolver({ servers: [`127.0.0.1:${holePort}`], timeoutMs: 300 });
    const t0 = Date.now();
    const [a, b] = await Promise.all([codeOf(r.lookup('spf.example', 'TXT')), codeOf(r.lookup('spf.example', 'TXT'))]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(a).toBe('ETIMEOUT');
    expect(b).toBe('ETIMEOUT');
    expect(r.stats).toMatchObject({ queries: 1, temporaryFailures: 1 });
    expect(isNegative({ code: a })).toBe(false);
    await codeOf(r.lookup('spf.example', 'TXT'));
    expect(r.stats.queries).toBe(2); // asked again: a failure is not an answer
    r.cancel();
  });

  it('keeps at most maxConcurrent queries in flight; the rest wait their turn', async () => {
    const r = new DnsResolver({ servers: [`127.0.0.1:${holePort}`], timeoutMs: 300, maxConcurrent: 2 });
    const started = Date.now();
    const codes = await Promise.all(['a', 'b', 'c', 'd'].map((n) => codeOf(r.lookup(`${n}.example`, 'TXT'))));
    expect(codes).toEqual(['ETIMEOUT', 'ETIMEOUT', 'ETIMEOUT', 'ETIMEOUT']);
    // Two rounds of two: at least two timeouts long.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    r.cancel();
  });

  it('refuses record types authentication never needs', async () => {
    const r = new DnsResolver({ servers: [nsd.server], timeoutMs: 300 });
    expect(await codeOf(r.lookup('spf.example', 'AXFR'))).toBe('ENOTIMP');
  });
});
