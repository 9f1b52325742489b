// What an organization does with a message's authentication verdicts, as EOP does it: honour
// the sender's DMARC p=reject / p=quarantine (HonorDmarcPolicy and its actions), and implicit
// spoof protection for the organization's own domains (a message that forges an accepted domain,
// comes through no connector and fails composite authentication). Mail through an OnPremises
// connector keeps its verdicts and is never acted on. Pure.
import type { AntiPhishPolicy, ArcConfig } from '../config/antiPhish.js';
import { authenticationDetails, compositeAuth, type CompositeAuth } from './compauth.js';
import type { AuthVerdicts } from './verify.js';

export type AuthAction = 'none' | 'reject' | 'quarantine' | 'junk';

export interface AuthDecision {
  compauth: CompositeAuth;
  action: AuthAction;
  /** reject: the reply at the end of DATA. */
  reply?: { code: number; text: string };
  /** EmailEvents columns this decision fills (ThreatTypes, DetectionMethods, EmailAction, ...). */
  fields: Record<string, string>;
  /** For the trace and the quarantine entry. */
  reason: string;
}

export interface AuthPolicyInput {
  verdicts: AuthVerdicts;
  acceptedDomains: readonly string[];
  antiPhish: AntiPhishPolicy;
  arc: ArcConfig;
  /** The connector the message came through: its type, or '' for none (Direct Send). */
  connectorType: '' | 'Partner' | 'OnPremises';
}

export const DMARC_REJECT_REPLY = { code: 550, text: '5.7.509 Access denied, sending domain does not pass DMARC verification and has a DMARC policy of reject.' };

/** True when `domain` is an accepted domain or a subdomain of one. */
function inDomains(domain: string, domains: readonly string[]): boolean {
  return domain !== '' && domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

export function decideAuthentication(input: AuthPolicyInput): AuthDecision {
  const { verdicts: v, antiPhish } = input;
  const fromDomain = v.dmarc?.fromDomain || v.fromDomain;
  const fromAccepted = inDomains(fromDomain, input.acceptedDomains);
  const compauth = compositeAuth(v, { fromAcceptedDomain: fromAccepted, trustedArcSealers: input.arc.ArcTrustedSealers, trustedPath: input.connectorType === 'OnPremises' });
  const details = authenticationDetails(v, compauth);
  const none: AuthDecision = { compauth, action: 'none', fields: { AuthenticationDetails: details }, reason: '' };
  if (compauth.result !== 'fail') return none;

  const act = (action: AuthAction, method: string, reason: string): AuthDecision => ({
    compauth,
    action,
    reply: action === 'reject' ? DMARC_REJECT_REPLY : undefined,
    reason,
    fields: {
      AuthenticationDetails: details,
      ThreatTypes: 'Phish',
      DetectionMethods: JSON.stringify({ Phish: [method] }),
      EmailAction: action === 'junk' ? 'Move message to junk mail folder' : action === 'quarantine' ? 'Send to quarantine' : 'No action taken',
      EmailActionPolicy: 'Anti-phishing spoof',
      OrgLevelAction: action === 'junk' ? 'Junk' : action === 'quarantine' ? 'Quarantine' : action === 'reject' ? 'Reject' : '',
      OrgLevelPolicy: antiPhish.Name,
      ...(action === 'junk' ? { DeliveryLocation: 'Junk folder', LatestDeliveryLocation: 'Junk folder' } : {}),
    },
  });

  const dmarc = v.dmarc;
  const explicit = dmarc?.result === 'fail' && (dmarc.policy === 'reject' || dmarc.policy === 'quarantine');
  if (explicit && antiPhish.HonorDmarcPolicy) {
    const why = `DMARC fail for ${dmarc.fromDomain} with p=${dmarc.policy}`;
    if (dmarc.policy === 'reject') return act(antiPhish.DmarcRejectAction === 'Reject' ? 'reject' : 'quarantine', 'Spoof DMARC', why);
    return act(antiPhish.DmarcQuarantineAction === 'Quarantine' ? 'quarantine' : 'junk', 'Spoof DMARC', why);
  }
  // Implicit spoof protection: the organization's own domain, forged, through no connector.
  if (fromAccepted && input.connectorType === '' && antiPhish.EnableSpoofIntelligence) {
    const why = `${fromDomain} is an accepted domain of the organization and the message failed composite authentication through no connector`;
    return act(antiPhish.AuthenticationFailAction === 'Quarantine' ? 'quarantine' : 'junk', 'Spoof intra-org', why);
  }
  return none;
}
