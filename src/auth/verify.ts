// Sender authentication of one message, once, for every organization it goes to: SPF for MAIL
// FROM (the HELO name for the null sender), every DKIM signature (RSA and Ed25519), ARC chain
// validation and DMARC as RFC 9989 defines it (the DNS Tree Walk, adkim/aspf, sp, np, t=y) — all
// mailauth 7, asked through the gateway's own resolver. The verdicts that come back are plain
// data: the policy (policy.ts) and the header (authResults.ts) are decided from them, purely.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { authenticate } from 'mailauth';
import type { DnsLookup } from './dnsResolver.js';

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
  /** The whole authentication's budget (DNS included), in milliseconds. */
  timeoutMs: number;
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
  const stream: Readable | Buffer = typeof input.source === 'string' ? createReadStream(input.source) : input.source;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), opts.timeoutMs);
    timer.unref();
  });
  const work = authenticate(stream, {
    ip: input.ip,
    helo: input.helo,
    // SPF checks the HELO identity for the null sender (RFC 7208 2.4): mailauth does that from postmaster@helo.
    sender: input.mailFrom || (input.helo ? `postmaster@${input.helo}` : ''),
    mta: input.hostname,
    resolver: opts.lookup as never,
    disableBimi: true,
  });
  try {
    const res = await Promise.race([work, expired]);
    if (!res) {
      if (typeof stream !== 'string' && 'destroy' in stream) stream.destroy();
      work.catch(() => undefined);
      return temporaryFailure(input);
    }
    return verdictsOf(res, input);
  } finally {
    clearTimeout(timer);
  }
}

type MailauthResult = Awaited<ReturnType<typeof authenticate>>;

function verdictsOf(res: MailauthResult, input: AuthenticationInput): AuthVerdicts {
  const dmarcRes = res.dmarc || undefined;
  const dkim: DkimVerdict[] = (res.dkim?.results ?? []).map((r) => ({
    result: r.status.result,
    domain: (r.signingDomain ?? '').toLowerCase(),
    selector: r.selector ?? '',
    algorithm: r.algo ?? '',
    aligned: Boolean(r.status.aligned) && r.status.result === 'pass',
  }));
  const arcRes = res.arc || undefined;
  const sealedDmarc = (arcRes?.authenticationResults as { dmarc?: { result?: string } } | undefined)?.dmarc?.result ?? '';
  const clauses = [
    ...(res.dkim?.results ?? []).map((r) => r.info),
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
    dmarc: dmarcRes
      ? {
          result: dmarcRes.status.result as DmarcResult,
          policy: (dmarcRes.policy ?? '') as '' | 'none' | 'quarantine' | 'reject',
          fromDomain: (dmarcRes.status.header?.from ?? '').toLowerCase(),
          orgDomain: (dmarcRes.domain ?? '').toLowerCase(),
          policyDomain: (dmarcRes.policyDomain ?? '').toLowerCase(),
          spfAligned: Boolean(dmarcRes.alignment?.spf?.result),
          dkimAligned: Boolean(dmarcRes.alignment?.dkim?.result),
        }
      : undefined,
    fromDomain: (res.dkim?.headerFrom ? [res.dkim.headerFrom].flat()[0] ?? '' : '').split('@').pop()!.toLowerCase(),
    clauses,
    timedOut: false,
  };
}
