// The tenant front door in one call, for the RCPT TO hook and `postern simulate`: attribution,
// then admission, for one recipient of one organization. The organization's connectors are
// compiled on first use and cached against the organization object, so a configuration
// snapshot (which replaces organizations whole on every change) compiles each one once.
import { admit, type AdmissionDecision, type AdmissionOrganization } from './admission.js';
import { attribute, attributionTraceFields, compileFrontDoor, type Attribution, type CompiledFrontDoor, type FrontDoorOrganization, type MatchedOn } from './attribution.js';
import { domainOf, type ClientFacts } from '../message/facts.js';

export type FrontDoorOrganizationConfig = FrontDoorOrganization & AdmissionOrganization;

export interface FrontDoorInput {
  client: ClientFacts;
  /** RFC 5321 MAIL FROM; '' for the null sender. */
  mailFrom: string;
  /** The RCPT TO address (its domain is one of the organization's accepted domains). */
  recipient: string;
}

export interface FrontDoorDecision {
  attribution: Attribution;
  admission: AdmissionDecision;
  /** For EmailEvents.Connectors and AdditionalFields.ConnectorMatch. */
  trace: { Connectors: string; ConnectorMatch: MatchedOn | '' };
}

const compiled = new WeakMap<object, CompiledFrontDoor>();

/** The organization's compiled connectors, compiled once per organization object. */
export function frontDoorOf(org: FrontDoorOrganization): CompiledFrontDoor {
  let door = compiled.get(org);
  if (!door) compiled.set(org, (door = compileFrontDoor(org)));
  return door;
}

export function evaluateFrontDoor(org: FrontDoorOrganizationConfig, input: FrontDoorInput): FrontDoorDecision {
  const attribution = attribute(frontDoorOf(org), { client: input.client, mailFrom: input.mailFrom, recipientDomain: domainOf(input.recipient) });
  const admission = admit(attribution, { client: input.client, mailFrom: input.mailFrom }, org);
  return { attribution, admission, trace: attributionTraceFields(attribution) };
}
