// Exchange Online's composite authentication (compauth) from the SPF, DKIM, DMARC and ARC
// verdicts, with its reason codes as Microsoft documents them for the Authentication-Results
// header: 000 explicit DMARC failure (p=quarantine/reject), 010 the same for an accepted domain
// of the organization, 001 implicit failure (no DMARC record or p=none, nothing passed),
// 6xx implicit failure for an accepted domain (intra-org spoof), 1xx pass (100 DMARC pass,
// 130 a trusted ARC sealer's verdict overrides a failure), 2xx soft pass, 3xx not checked,
// 4xx bypassed (mail through an OnPremises connector). Pure.
import type { AuthVerdicts } from './verify.js';

export type CompAuthResult = 'pass' | 'fail' | 'softpass' | 'none';

export interface CompositeAuth {
  result: CompAuthResult;
  reason: string;
}

export interface CompAuthContext {
  /** The author (From) domain is one of the organization's accepted domains. */
  fromAcceptedDomain: boolean;
  /** ArcTrustedSealers of the organization. */
  trustedArcSealers: readonly string[];
  /** The message came through the organization's own servers (an OnPremises connector). */
  trustedPath: boolean;
}

export function compositeAuth(v: AuthVerdicts, ctx: CompAuthContext): CompositeAuth {
  if (ctx.trustedPath) return { result: 'none', reason: '405' };
  if (v.timedOut || v.dmarc?.result === 'temperror') return { result: 'none', reason: '301' };
  const dmarc = v.dmarc;
  if (dmarc?.result === 'pass') return { result: 'pass', reason: '100' };
  // A chain sealed by a sealer the organization trusts carries the verdict it recorded.
  if (v.arc.result === 'pass' && ctx.trustedArcSealers.includes(v.arc.sealer) && v.arc.sealedDmarc === 'pass') return { result: 'pass', reason: '130' };
  if (dmarc?.result === 'fail' && (dmarc.policy === 'reject' || dmarc.policy === 'quarantine')) {
    return { result: 'fail', reason: ctx.fromAcceptedDomain ? '010' : '000' };
  }
  // Implicit authentication: no DMARC record, or p=none.
  const dkimPass = v.dkim.some((d) => d.result === 'pass');
  if (v.spf.result === 'pass' || dkimPass) return { result: 'softpass', reason: '201' };
  return { result: 'fail', reason: ctx.fromAcceptedDomain ? '601' : '001' };
}

/** EmailEvents.AuthenticationDetails, as Defender writes it. */
export function authenticationDetails(v: AuthVerdicts, comp: CompositeAuth): string {
  const passing = v.dkim.find((d) => d.result === 'pass');
  const dkim = passing ? 'pass' : v.dkim.length ? v.dkim[0].result : 'none';
  const dmarc = v.dmarc?.result ?? (v.timedOut ? 'temperror' : 'none');
  return JSON.stringify({ SPF: v.spf.result, DKIM: dkim, DMARC: dmarc, CompAuth: comp.result });
}
