// Tenant attribution by recipient: the organization is the one whose accepted domain is the
// recipient's domain. Anything else is a relay attempt, refused as Exchange Online refuses it.
import type { Organization } from '../config/model.js';
import { domainOf } from '../message/facts.js';

export interface SmtpRefusal {
  code: number;
  /** Reply text, starting with the enhanced status code. */
  text: string;
  /** Short machine-readable reason for SmtpRejectEvents. */
  reason: string;
}

export const RELAY_DENIED: SmtpRefusal = {
  code: 550,
  text: '5.7.64 TenantAttribution; Relay Access Denied',
  reason: 'TenantAttribution',
};

export type DomainIndex = Map<string, Organization>;

export function buildDomainIndex(orgs: Organization[]): DomainIndex {
  const index: DomainIndex = new Map();
  for (const org of orgs) for (const d of org.AcceptedDomains) index.set(d.DomainName.toLowerCase(), org);
  return index;
}

export function organizationForRecipient(index: DomainIndex, recipient: string): Organization | SmtpRefusal {
  return index.get(domainOf(recipient)) ?? RELAY_DENIED;
}

export function isRefusal(x: unknown): x is SmtpRefusal {
  return typeof x === 'object' && x !== null && 'code' in x && 'reason' in x;
}
