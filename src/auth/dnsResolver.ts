// The gateway's own DNS resolver for sender authentication: the servers it asks (dnsServers), a
// timeout per query, a bounded cache, a cap on queries in flight, identical queries in flight
// answered once, and temporary failures kept apart from negative answers (an SPF `temperror` is
// not a `fail`). It answers in the shape mailauth's `resolver` option expects (Node's
// dns.resolve results, errors with c-ares codes: ENOTFOUND/ENODATA are negative answers,
// anything else is temporary).
//
// Node's resolver (c-ares) does not report TTLs for TXT records, so a cached answer lives for
// `maxTtlMs` (positive) or `negativeTtlMs` (NXDOMAIN/NODATA): an upper bound on how stale an
// SPF, DKIM key or DMARC record can be. Temporary failures are never cached.
import { Resolver } from 'node:dns/promises';
import { TtlLru } from './lru.js';

export interface DnsResolverOptions {
  /** host:port (or host) of each server to ask, in order; 'system' = the system's resolvers. */
  servers: string[] | 'system';
  /** Milliseconds one query may take before it is a temporary failure. */
  timeoutMs: number;
  /** Most answers cached (least recently used go first). */
  cacheSize?: number;
  maxTtlMs?: number;
  negativeTtlMs?: number;
  /** Most queries in flight; more wait their turn. */
  maxConcurrent?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export type DnsAnswer = unknown[];
export type DnsLookup = (name: string, rrtype: string) => Promise<DnsAnswer>;

const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);
const TYPES = new Set(['A', 'AAAA', 'MX', 'TXT', 'PTR', 'CNAME', 'NS']);

interface CacheEntry {
  answer?: DnsAnswer;
  error?: { code: string; message: string };
}

/**
 * A DNS error as mailauth reads it (`err.code`). Without a stack trace: a negative answer is an
 * ordinary outcome (every DMARC Tree Walk meets some), and capturing stacks for them cost more
 * than the cached lookup itself.
 */
export function dnsError(code: string, message: string): Error & { code: string } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return Object.assign(new Error(message), { code });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** True for an answer that says the name or record does not exist (not a failure to find out). */
export function isNegative(err: unknown): boolean {
  return NEGATIVE.has((err as { code?: string })?.code ?? '');
}

export class DnsResolver {
  private readonly resolver: Resolver;
  private readonly cache: TtlLru<CacheEntry>;
  private readonly inFlight = new Map<string, Promise<DnsAnswer>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxConcurrent: number;
  /** Counters for metrics and tests. */
  readonly stats = { queries: 0, cacheHits: 0, temporaryFailures: 0 };

  constructor(opts: DnsResolverOptions) {
    // One try per server: the timeout is the whole budget a query gets from each server.
    this.resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
    if (opts.servers !== 'system') this.resolver.setServers(opts.servers);
    this.cache = new TtlLru(opts.cacheSize ?? 10_000, opts.now ?? Date.now);
    this.maxTtlMs = opts.maxTtlMs ?? 300_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 60_000;
    this.maxConcurrent = opts.maxConcurrent ?? 64;
  }

  /** mailauth's resolver: the answer, or an error with a DNS code. */
  readonly lookup: DnsLookup = (name, rrtype) => {
    const type = rrtype.toUpperCase();
    if (!TYPES.has(type)) return Promise.reject(dnsError('ENOTIMP', `DNS type ${rrtype} is not used for authentication`));
    const key = `${type} ${name.toLowerCase().replace(/\.$/, '')}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.cacheHits++;
      return hit.error ? Promise.reject(dnsError(hit.error.code, hit.error.message)) : Promise.resolve(hit.answer!);
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.query(key, name, type).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  };

  /** Forget every cached answer (configuration changed, tests). */
  clear(): void {
    this.cache.clear();
  }

  /** Stop every query in flight: each fails as a temporary error. */
  cancel(): void {
    this.resolver.cancel();
  }

  private async query(key: string, name: string, type: string): Promise<DnsAnswer> {
    await this.slot();
    this.stats.queries++;
    try {
      const answer = (await this.resolver.resolve(name, type)) as DnsAnswer;
      this.cache.set(key, { answer }, this.maxTtlMs);
      return answer;
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ESERVFAIL';
      const err = dnsError(code, `DNS ${type} ${name}: ${code}`);
      if (NEGATIVE.has(code)) this.cache.set(key, { error: { code, message: err.message } }, this.negativeTtlMs);
      else this.stats.temporaryFailures++;
      throw err;
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
