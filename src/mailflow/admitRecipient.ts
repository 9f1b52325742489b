// RCPT TO as a decision: the recipient's organization (or a relay refusal), then that
// organization's front door (connector attribution, admission). Used by the SMTP edge and by
// `postern simulate`, so both answer the same.
import type { Organization } from '../config/model.js';
import { evaluateFrontDoor, type FrontDoorDecision } from './frontDoor.js';
import type { ClientFacts } from '../message/facts.js';
import { isRefusal, organizationForRecipient, type SmtpRefusal } from './recipientTenant.js';
import type { ConfigSnapshot } from './snapshot.js';

export interface AdmittedRecipient {
  address: string;
  org: Organization;
  /** Connector attribution and admission, decided at RCPT TO. */
  frontDoor: FrontDoorDecision;
}

export type RecipientVerdict =
  | { admitted: true; recipient: AdmittedRecipient }
  | { admitted: false; refusal: SmtpRefusal; org?: Organization; frontDoor?: FrontDoorDecision };

export function admitRecipient(snapshot: ConfigSnapshot, client: ClientFacts, mailFrom: string, address: string): RecipientVerdict {
  const org = organizationForRecipient(snapshot.domains, address);
  if (isRefusal(org)) return { admitted: false, refusal: org };
  const frontDoor = evaluateFrontDoor(org, { client, mailFrom, recipient: address });
  if (frontDoor.admission.verdict === 'refuse') return { admitted: false, refusal: frontDoor.admission.refusal, org, frontDoor };
  return { admitted: true, recipient: { address, org, frontDoor } };
}
