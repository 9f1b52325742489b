// Admission: accept the recipient, or refuse it inside the SMTP dialogue, from the attribution
// and the organization's settings (New-InboundConnector and Set-OrganizationConfig
// -RejectDirectSend on Microsoft Learn; the Exchange Team's "Introducing more control over Direct
// Send in Exchange Online"). Pure.
//
// Checks, in order (Exchange documents each check; it is silent on their order, which is Postern's):
// 1. ConnectorRestriction — the sender domain is covered by a restricting Partner connector
//    whose IP/certificate test failed: 550 5.7.51 (observed Exchange text, kept verbatim).
// 2. RejectDirectSend — the organization has it on, the message matched no connector that
//    identifies the sender by IP or certificate, and the P1 MAIL FROM domain is one of the
//    organization's accepted domains: 550 5.7.68 (Exchange's text, verbatim). Only the
//    envelope is read, never the From: header.
// 3. RequireTls — the attributed Partner connector requires TLS and the session is plain
//    text. Exchange is silent on its reply here (Exchange Online documents none); Postern answers
//    `451 4.7.0 Must issue a STARTTLS command first`: RFC 3207's text, as a temporary failure so
//    a sender that fell back to plain text retries (with TLS) rather than bouncing. (Exchange
//    Server's receive connectors answer `451 5.7.3 Must issue a STARTTLS command first`, whose
//    enhanced code disagrees with its reply class; Postern keeps the classes consistent.)
//    Permanent refusals come first so a spoofer gets the permanent answer.
import { domainOf, type ClientFacts } from '../message/facts.js';
import type { Attribution } from './attribution.js';
import type { SmtpRefusal } from './recipientTenant.js';

export type AdmissionPolicy = 'ConnectorRestriction' | 'RejectDirectSend' | 'RequireTls';

/** What admission reads from an organization; `Organization` fits. */
export interface AdmissionOrganization {
  AcceptedDomains: readonly { DomainName: string }[];
  Config: { RejectDirectSend: boolean };
}

export interface AdmissionFacts {
  client: ClientFacts;
  /** RFC 5321 MAIL FROM; '' for the null sender. */
  mailFrom: string;
}

export type AdmissionDecision =
  | { verdict: 'accept'; reasons: string[] }
  | {
      verdict: 'refuse';
      policy: AdmissionPolicy;
      /** SMTP reply code (550, 451). */
      code: number;
      /** RFC 3463 enhanced status code. */
      enhancedCode: string;
      text: string;
      /** The whole reply line: `${code} ${enhancedCode} ${text}`. */
      reply: string;
      /** The same refusal in the SMTP edge's shape (text starts with the enhanced code; reason = policy). */
      refusal: SmtpRefusal;
      reasons: string[];
    };

export const REJECT_DIRECT_SEND = {
  code: 550,
  enhancedCode: '5.7.68',
  text: 'TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources',
} as const;

export const PARTNER_RESTRICTION = {
  code: 550,
  enhancedCode: '5.7.51',
  text: "TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set",
} as const;

export const REQUIRE_TLS = {
  code: 451,
  enhancedCode: '4.7.0',
  text: 'Must issue a STARTTLS command first',
} as const;

/** Is `domain` one of the organization's accepted domains? Exact match, as Exchange compares (no subdomains). */
export function isAcceptedDomain(org: Pick<AdmissionOrganization, 'AcceptedDomains'>, domain: string): boolean {
  if (domain === '') return false;
  const d = domain.toLowerCase();
  return org.AcceptedDomains.some((a) => a.DomainName.toLowerCase() === d);
}

/** Decide one recipient's admission. Pure. */
export function admit(attribution: Attribution, facts: AdmissionFacts, org: AdmissionOrganization): AdmissionDecision {
  const reasons = [...attribution.reasons];
  const senderDomain = domainOf(facts.mailFrom);

  if (attribution.restrictionFailed?.length) {
    reasons.push(`refused: ${attribution.restrictionFailed.map((c) => `'${c.Name}'`).join(', ')} restrict this sender domain to their ${describeRestriction(attribution)}`);
    return refuse('ConnectorRestriction', PARTNER_RESTRICTION, reasons);
  }

  if (!attribution.viaIpOrCertificate) {
    if (!org.Config.RejectDirectSend) {
      reasons.push('RejectDirectSend is off: Direct Send is accepted');
    } else if (senderDomain === '') {
      // Exchange is silent on <>. Its rule reads the MAIL FROM *domain*; the null sender has none,
      // so it can't be an accepted domain. Postern accepts <> here: bounces and DSNs must keep
      // flowing (RFC 5321 §4.5.5). A restricting `*` connector (lock-down) still refuses it, above.
      reasons.push('RejectDirectSend is on, but the null sender <> has no domain to compare with the accepted domains');
    } else if (isAcceptedDomain(org, senderDomain)) {
      reasons.push(`RejectDirectSend is on and MAIL FROM domain '${senderDomain}' is an accepted domain of the organization`);
      return refuse('RejectDirectSend', REJECT_DIRECT_SEND, reasons);
    } else {
      reasons.push(`RejectDirectSend is on, but MAIL FROM domain '${senderDomain}' is not an accepted domain`);
    }
  }

  const c = attribution.connector;
  // Exchange: RequireTls "applies only to Partner type connectors"; a trusted certificate implies TLS.
  if (c && c.ConnectorType === 'Partner' && c.RequireTls && !facts.client.tlsVersion) {
    reasons.push(`connector '${c.Name}' has RequireTls $true and the session is not encrypted`);
    return refuse('RequireTls', REQUIRE_TLS, reasons);
  }

  reasons.push('accepted');
  return { verdict: 'accept', reasons };
}

function describeRestriction(a: Attribution): string {
  const kinds = new Set<string>();
  for (const c of a.restrictionFailed ?? []) {
    if (c.RestrictDomainsToIPAddresses) kinds.add('IP addresses');
    if (c.RestrictDomainsToCertificate) kinds.add('certificate');
  }
  return [...kinds].join(' / ');
}

function refuse(policy: AdmissionPolicy, r: { code: number; enhancedCode: string; text: string }, reasons: string[]): AdmissionDecision {
  return {
    verdict: 'refuse',
    policy,
    code: r.code,
    enhancedCode: r.enhancedCode,
    text: r.text,
    reply: `${r.code} ${r.enhancedCode} ${r.text}`,
    refusal: { code: r.code, text: `${r.enhancedCode} ${r.text}`, reason: policy },
    reasons,
  };
}
