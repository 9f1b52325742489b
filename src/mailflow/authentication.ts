// Sender authentication as a stage of one organization's copy: the organization's decision on
// the message's verdicts (auth/policy.ts), our Authentication-Results on top of the header block
// before transport rules read it (with any forged one for our host gone), and, after the rules,
// the disposition it calls for when the rules left the copy to be delivered. Pure.
import { authResultsField } from '../auth/authResults.js';
import { isOwnAuthResults } from '../message/headerEdits.js';
import { decideAuthentication, type AuthDecision } from '../auth/policy.js';
import type { AuthVerdicts } from '../auth/verify.js';
import { DEFAULT_ANTI_PHISH_POLICY, DEFAULT_ARC_CONFIG } from '../config/antiPhish.js';
import type { Organization } from '../config/model.js';
import type { Attribution } from './attribution.js';
import type { HeaderFirewallResult } from './headerFirewall.js';

export function authenticationDecision(org: Organization, attribution: Attribution, verdicts: AuthVerdicts): AuthDecision {
  const type = attribution.connector && attribution.viaIpOrCertificate ? attribution.connector.ConnectorType : '';
  return decideAuthentication({
    verdicts,
    acceptedDomains: org.AcceptedDomains.map((d) => d.DomainName),
    antiPhish: org.AntiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY,
    arc: org.ArcConfig ?? DEFAULT_ARC_CONFIG,
    connectorType: type as '' | 'Partner' | 'OnPremises',
  });
}

/**
 * The firewall's result with our Authentication-Results added on top. A field claiming our host
 * is removed, unless the source is the organization's own servers (an OnPremises connector),
 * whose verdicts are kept as Exchange keeps them.
 */
export function withAuthenticationResults(fw: HeaderFirewallResult, verdicts: AuthVerdicts, decision: AuthDecision, gatewayHost: string): HeaderFirewallResult {
  const field = authResultsField(gatewayHost, verdicts, decision.compauth);
  const forged = fw.trustedSource ? [] : fw.headers.filter((h) => isOwnAuthResults(h, gatewayHost));
  return {
    ...fw,
    headers: [field, ...fw.headers.filter((h) => !forged.includes(h))],
    removed: [...fw.removed, ...forged],
    edits: { ...fw.edits, prepend: [field, ...fw.edits.prepend], removeAuthResultsOf: fw.trustedSource ? undefined : gatewayHost },
  };
}
