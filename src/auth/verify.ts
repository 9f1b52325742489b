// Sender authentication of one message, once, for every organization it goes to: SPF for MAIL
// FROM (the HELO name for the null sender), every DKIM signature (RSA and Ed25519), ARC chain
// validation and DMARC as RFC 9989 defines it (the DNS Tree Walk, adkim/aspf, sp, np, t=y), asked
// through the gateway's own resolver. The verdicts that come back are plain data: the policy
// (policy.ts) and the header (authResults.ts) are decided from them, purely.
//
// Messages without an ARC chain (nearly all) take the fast path: DKIM by auth/dkim.ts (one pass
// over the body, native hashing), SPF and DMARC by mailauth 7. A message with ARC headers goes
// through mailauth's authenticate() whole, which validates the chain; its lenient wording of a
// body hash mismatch (`neutral`) is reported as `fail`, as on the fast path and in Exchange.
import type { Readable } from 'node:stream';
import { authenticate, spf } from 'mailauth';
import { evaluateDmarc } from 'mailauth/lib/dmarc/index.js';
import addressparser from 'nodemailer/lib/addressparser';
import { parseIp } from '../message/ipAddress.js';
import { dkimClause, verifyDkim, type DkimCheck, type OpenFile } from './dkim.js';
import type { DnsLookup } from './dnsResolver.js';
import { TtlLru } from './lru.js';

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';
export type DmarcResult = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

export interface DkimVerdict {
  result: string;
  /** d= of the signature. */
  domain: string;
  selector: string;
  algorithm: string;
  /** Whether the signing domain aligns with the author domain under the DMARC record's adkim. */
  aligned: boolean;
}

export interface AuthVerdicts {
  spf: { result: SpfResult; domain: string; mailFrom: string; helo: string };
  dkim: DkimVerdict[];
  arc: { result: 'pass' | 'fail' | 'none'; instance: number; sealer: string; sealedDmarc: string };
  /** undefined: no single author domain to evaluate (RFC 9989 5.3.1). */
  dmarc?: {
    result: DmarcResult;
    /** The policy to apply: p, or sp/np for a subdomain, one level lower under t=y; '' without a record. */
    policy: '' | 'none' | 'quarantine' | 'reject';
    /** The author domain (RFC5322.From). */
    fromDomain: string;
    /** Organizational domain, by the Tree Walk. */
    orgDomain: string;
    /** Where the policy came from. */
    policyDomain: string;
    spfAligned: boolean;
    dkimAligned: boolean;
  };
  /** The author domain, '' when the From header has none or several. */
  fromDomain: string;
  /** Authentication-Results clauses (method=result ...), as mailauth words them. */
  clauses: string[];
  /** True when the time allowed ran out: what was not finished counts as temperror. */
  timedOut: boolean;
}

export interface AuthenticationInput {
  /** The message as received: a spool file path or its bytes. */
  source: string | Buffer;
  ip: string;
  helo: string;
  /** RFC 5321 MAIL FROM, '' for <>. */
  mailFrom: string;
  /** The receiving host (authserv-id). */
  hostname: string;
}

export interface AuthenticationOptions {
  lookup: DnsLookup;
  /** Opens a spool file (input.source given as a path). */
  openFile: OpenFile;
  /** The whole authentication's budget (DNS included), in milliseconds. */
  timeoutMs: number;
  /** SPF and DMARC results of recent messages (see VerdictMemo). */
  memo?: VerdictMemo;
}

type SpfOutcome = Awaited<ReturnType<typeof spf>>;
type DmarcOutcome = Awaited<ReturnType<typeof evaluateDmarc>>['response'];

/**
 * SPF and DMARC results by their inputs. Each is a function of its inputs (client address,
 * MAIL FROM and HELO; author domains and the identifiers that passed) and of DNS answers that
 * the resolver caches longer than this memo keeps them, so a hit is the answer a fresh
 * evaluation would give. Temporary failures are never kept.
 */
export class VerdictMemo {
  readonly spf = new TtlLru<SpfOutcome>(10_000);
  readonly dmarc = new TtlLru<DmarcOutcome>(10_000);
  /** Author mailboxes by the From fields' text (parsing addresses is pure). */
  readonly authors = new TtlLru<{ headerFrom: string[]; fromFields: number }>(10_000);
  constructor(readonly ttlMs = 60_000) {}
}

/** Verdicts when nothing could be checked in time (or at all): every DNS-dependent answer is temperror. */
export function temporaryFailure(input: Pick<AuthenticationInput, 'mailFrom' | 'helo'>): AuthVerdicts {
  return {
    spf: { result: 'temperror', domain: spfDomain(input.mailFrom, input.helo), mailFrom: input.mailFrom, helo: input.helo },
    dkim: [],
    arc: { result: 'none', instance: 0, sealer: '', sealedDmarc: '' },
    fromDomain: '',
    clauses: [`spf=temperror smtp.mailfrom=${spfDomain(input.mailFrom, input.helo)}`],
    timedOut: true,
  };
}

function spfDomain(mailFrom: string, helo: string): string {
  const at = mailFrom.lastIndexOf('@');
  return at >= 0 ? mailFrom.slice(at + 1).toLowerCase() : helo.toLowerCase();
}

export async function authenticateMessage(input: AuthenticationInput, opts: AuthenticationOptions): Promise<AuthVerdicts> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), opts.timeoutMs);
    timer.unref();
  });
  const work = fastPath(input, opts.lookup, opts.openFile, opts.memo ?? new VerdictMemo(0));
  try {
    const res = await Promise.race([work, expired]);
    if (!res) {
      work.catch(() => undefined);
      return temporaryFailure(input);
    }
    return res;
  } finally {
    clearTimeout(timer);
  }
}

/** SPF checks the HELO identity for the null sender (RFC 7208 2.4): mailauth does that from postmaster@helo. */
const spfSender = (input: AuthenticationInput) => input.mailFrom || (input.helo ? `postmaster@${input.helo}` : '');
/** The HELO name as mailauth's authenticate() passes it on: the client address, bracketed, when there is none. */
function heloOf(input: AuthenticationInput): string {
  const helo = input.helo || input.ip;
  return parseIp(helo) ? `[${helo}]` : helo;
}

/** `compute`, or what it gave for the same key within the memo's time (temporary failures are not kept). */
async function memoized<V>(cache: TtlLru<V>, ttlMs: number, key: string, compute: () => Promise<V>, temporary: (v: V) => boolean): Promise<V> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = await compute();
  return temporary(value) ? value : remember(cache, ttlMs, key, value);
}

async function fastPath(input: AuthenticationInput, lookup: DnsLookup, openFile: OpenFile, memo: VerdictMemo): Promise<AuthVerdicts> {
  const resolver = lookup as never;
  const sender = spfSender(input);
  // The HELO name mailauth is given follows from the client's HELO and address, both in the key.
  const spfKey = `${input.ip} ${sender.toLowerCase()} ${input.helo.toLowerCase()}`;
  const spfWork = memoized(memo.spf, memo.ttlMs, spfKey, () => spf({ ip: input.ip, helo: heloOf(input), sender, mta: input.hostname, resolver }), (r) => r.status.result === 'temperror');
  spfWork.catch(() => undefined);
  const { checks, fields } = await verifyDkim(input.source, lookup, openFile);
  if (fields.some((f) => f.key === 'arc-seal' || f.key === 'arc-message-signature')) return withMailauth(input, lookup, openFile);
  const spfRes = await spfWork;
  const fromLines = fields.filter((f) => f.key === 'from').map((f) => f.line);
  const { headerFrom, fromFields } = memo.authors.get(fromLines.join('\n')) ?? remember(memo.authors, memo.ttlMs, fromLines.join('\n'), authors(fromLines));
  const spfDomains = spfRes.status.result === 'pass' && spfRes.domain ? [spfRes.domain] : [];
  const dkimDomains = checks.map((c, id) => ({ id, c })).filter(({ c }) => c.result === 'pass').map(({ id, c }) => ({ id, domain: c.domain, underSized: c.underSized }));
  const dmarcKey = JSON.stringify([headerFrom.map((a) => a.toLowerCase()), fromFields, spfDomains, dkimDomains]);
  const dmarcRes = await memoized(memo.dmarc, memo.ttlMs, dmarcKey, async () => (await evaluateDmarc({ headerFrom, fromFields, spfDomains, dkimDomains, resolver } as never)).response, (r) => Boolean(r) && r !== false && r.status.result === 'temperror');
  const dmarc = dmarcRes || undefined;
  const aligned = dmarc?.alignment?.dkim?.result?.toLowerCase();
  return {
    spf: { result: spfRes.status.result as SpfResult, domain: spfDomain(input.mailFrom, input.helo), mailFrom: input.mailFrom, helo: input.helo },
    dkim: checks.map((c: DkimCheck) => ({ result: c.result, domain: c.domain, selector: c.selector, algorithm: c.algorithm, aligned: c.result === 'pass' && c.domain === aligned })),
    arc: { result: 'none', instance: 0, sealer: '', sealedDmarc: '' },
    dmarc: dmarc && dmarcVerdict(dmarc),
    fromDomain: headerFrom.length === 1 ? headerFrom[0].slice(headerFrom[0].lastIndexOf('@') + 1).toLowerCase() : '',
    clauses: [...checks.map(dkimClause), spfRes.info, 'arc=none', ...(dmarc?.info ? [dmarc.info] : [])].filter(Boolean),
    timedOut: false,
  };
}

function remember<V>(cache: TtlLru<V>, ttlMs: number, key: string, value: V): V {
  if (ttlMs > 0) cache.set(key, value, ttlMs);
  return value;
}

/** The author mailboxes (RFC5322.From, groups included) and how many From fields there were. */
function authors(froms: string[]): { headerFrom: string[]; fromFields: number } {
  const headerFrom: string[] = [];
  for (const line of froms) {
    const value = Buffer.from(line.slice(line.indexOf(':') + 1), 'latin1').toString('utf8').trim();
    for (const addr of addressparser(value) as { address?: string; group?: { address?: string }[] }[]) {
      for (const mailbox of addr.group ?? [addr]) if (mailbox.address) headerFrom.push(mailbox.address);
    }
  }
  return { headerFrom, fromFields: froms.length };
}

type MailauthDmarc = Exclude<Awaited<ReturnType<typeof authenticate>>['dmarc'], false>;

function dmarcVerdict(d: MailauthDmarc): NonNullable<AuthVerdicts['dmarc']> {
  return {
    result: d.status.result as DmarcResult,
    policy: (d.policy ?? '') as '' | 'none' | 'quarantine' | 'reject',
    fromDomain: (d.status.header?.from ?? '').toLowerCase(),
    orgDomain: (d.domain ?? '').toLowerCase(),
    policyDomain: (d.policyDomain ?? '').toLowerCase(),
    spfAligned: Boolean(d.alignment?.spf?.result),
    dkimAligned: Boolean(d.alignment?.dkim?.result),
  };
}

/** The whole check by mailauth (messages with an ARC chain). */
async function withMailauth(input: AuthenticationInput, lookup: DnsLookup, openFile: OpenFile): Promise<AuthVerdicts> {
  const stream: Readable | Buffer = typeof input.source === 'string' ? openFile(input.source) : input.source;
  const res = await authenticate(stream, { ip: input.ip, helo: input.helo, sender: spfSender(input), mta: input.hostname, resolver: lookup as never, disableBimi: true });
  return verdictsOf(res, input);
}

type MailauthResult = Awaited<ReturnType<typeof authenticate>>;

function verdictsOf(res: MailauthResult, input: AuthenticationInput): AuthVerdicts {
  const dmarcRes = res.dmarc || undefined;
  const bodyHashFailed = (r: { status: { result: string; comment?: string } }) => r.status.result === 'neutral' && r.status.comment === 'body hash did not verify';
  const dkim: DkimVerdict[] = (res.dkim?.results ?? []).map((r) => ({
    result: bodyHashFailed(r) ? 'fail' : r.status.result,
    domain: (r.signingDomain ?? '').toLowerCase(),
    selector: r.selector ?? '',
    algorithm: r.algo ?? '',
    aligned: Boolean(r.status.aligned) && r.status.result === 'pass',
  }));
  const arcRes = res.arc || undefined;
  const sealedDmarc = (arcRes?.authenticationResults as { dmarc?: { result?: string } } | undefined)?.dmarc?.result ?? '';
  const clauses = [
    ...(res.dkim?.results ?? []).map((r) => (bodyHashFailed(r) ? r.info?.replace(/^dkim=neutral/, 'dkim=fail') : r.info)),
    ...(res.spf ? [res.spf.info] : []),
    ...(arcRes?.info ? [arcRes.info] : []),
    ...(dmarcRes?.info ? [dmarcRes.info] : []),
  ].filter((c): c is string => Boolean(c));
  const spfResult = (res.spf ? res.spf.status.result : 'none') as SpfResult;
  return {
    spf: { result: spfResult, domain: spfDomain(input.mailFrom, input.helo), mailFrom: input.mailFrom, helo: input.helo },
    dkim,
    arc: {
      result: arcRes ? (arcRes.status.result === 'pass' ? 'pass' : arcRes.status.result === 'none' ? 'none' : 'fail') : 'none',
      instance: arcRes && typeof arcRes.i === 'number' ? arcRes.i : 0,
      sealer: (arcRes?.signature ? arcRes.signature.signingDomain ?? '' : '').toLowerCase(),
      sealedDmarc,
    },
    dmarc: dmarcRes && dmarcVerdict(dmarcRes),
    fromDomain: (res.dkim?.headerFrom ? [res.dkim.headerFrom].flat()[0] ?? '' : '').split('@').pop()!.toLowerCase(),
    clauses,
    timedOut: false,
  };
}
