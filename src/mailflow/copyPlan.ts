// What happens to one organization's copy of a message, decided in one place for the live
// gateway and for `postern simulate`: the front door's verdict (already taken at RCPT), the
// header firewall and stamps, the organization's transport rules, and the final disposition
// with the header edits delivery will apply. Pure: ids, time and body content come in.
import type { AuthDecision } from '../auth/policy.js';
import type { AuthVerdicts } from '../auth/verify.js';
import type { Organization } from '../config/model.js';
import { compileRules, evaluatePerRecipient, evaluateRules, type CompiledRuleSet, type MessageContent, type RuleEvaluation, type RuleRef } from '../rules/index.js';
import type { AdmittedRecipient } from './admitRecipient.js';
import { authenticationDecision, withAuthenticationResults } from './authentication.js';
import type { FrontDoorDecision } from './frontDoor.js';
import { headerFirewall, type HeaderFirewallResult } from './headerFirewall.js';
import type { HeaderEdits } from '../message/headerEdits.js';
import type { MessageFacts } from '../message/facts.js';

export type CopyOutcome = 'deliver' | 'redirect' | 'quarantine' | 'delete' | 'reject' | 'defer';

export interface CopyPlan {
  networkMessageId: string;
  /** The envelope recipients this plan decides for. */
  recipients: string[];
  firewall: HeaderFirewallResult;
  rules?: RuleEvaluation;
  outcome: CopyOutcome;
  /** deliver / redirect: where the copy goes (redirect targets, rule-added recipients included). */
  deliverTo: string[];
  edits: HeaderEdits;
  /** reject: the reply for the end of DATA. defer: a temporary one. */
  reply?: { code: number; text: string };
  /** quarantine / delete / reject / redirect: the rule that decided. */
  decidedBy?: RuleRef;
  /** The organization's decision on the sender authentication verdicts (when they were checked). */
  auth?: AuthDecision;
}

export interface CopyInput {
  org: Organization;
  facts: MessageFacts;
  frontDoor: FrontDoorDecision;
  recipients: string[];
  networkMessageId: string;
  /** New NetworkMessageIds for recipients that rules fork into their own copy. */
  newId(): string;
  gatewayHost: string;
  now: Date;
  content?: MessageContent;
  /** Sender authentication verdicts (SPF, DKIM, DMARC, ARC), checked once per message. */
  auth?: AuthVerdicts;
  /** Record why each rule did or didn't match (simulate); the gateway needs only the decision. */
  explain?: boolean;
}

const compiled = new WeakMap<Organization, CompiledRuleSet>();

/** The organization's rules, compiled once per configuration snapshot (organizations are replaced whole on change). */
export function rulesOf(org: Organization): CompiledRuleSet {
  let set = compiled.get(org);
  if (!set) compiled.set(org, (set = compileRules(org.TransportRules)));
  return set;
}

/** Whether evaluating this organization's rules needs the body or attachments extracted. */
export function contentNeeds(org: Organization): { body: boolean; attachments: boolean } {
  return org.TransportRules.length ? rulesOf(org).needs : { body: false, attachments: false };
}

export function planCopies(input: CopyInput): CopyPlan[] {
  const { org, facts, frontDoor } = input;
  const auth = input.auth ? authenticationDecision(org, frontDoor.attribution, input.auth) : undefined;
  // Our Authentication-Results goes on before the rules run, so a rule can read it.
  const firewallFor = (networkMessageId: string) => {
    const fw = headerFirewall({ headers: facts.headers, attribution: frontDoor.attribution, mailFrom: facts.envelope.mailFrom, org, gatewayHost: input.gatewayHost, networkMessageId });
    return auth ? withAuthenticationResults(fw, input.auth!, auth, input.gatewayHost) : fw;
  };
  const firewall = firewallFor(input.networkMessageId);
  const base = (networkMessageId: string, recipients: string[]): CopyPlan => ({ networkMessageId, recipients, firewall, outcome: 'deliver', deliverTo: recipients, edits: firewall.edits, auth });
  if (!org.TransportRules.length) return [applyAuthentication(base(input.networkMessageId, input.recipients))];

  const set = rulesOf(org);
  const ruleInput = {
    // Rules read the header block after the firewall: a stranger's forged organization headers are gone.
    facts: { ...facts, headers: firewall.headers, envelope: { ...facts.envelope, rcptTo: input.recipients } },
    authAs: firewall.authAs,
    connectorName: firewall.connectors || undefined,
    orgDomains: org.AcceptedDomains.map((d) => d.DomainName),
    now: input.now,
    content: input.content,
    recipients: input.recipients,
  };
  // Recipient conditions can decide differently per recipient (Exchange forks the message).
  const options = { explain: input.explain ?? false };
  const groups = set.perRecipient ? evaluatePerRecipient(set, ruleInput, options) : [{ recipients: input.recipients, evaluation: evaluateRules(set, ruleInput, options) }];
  return groups.map((g, i) => {
    const id = i === 0 ? input.networkMessageId : input.newId();
    const plan = base(id, [...g.recipients]);
    if (id !== input.networkMessageId) plan.firewall = firewallFor(id);
    return applyAuthentication(applyDecision(plan, g.evaluation));
  });
}

export interface PlannedCopy {
  orgGuid: string;
  plan: CopyPlan;
  /** The admitted recipients of the group the plan came from (for their front-door verdicts). */
  recipients: AdmittedRecipient[];
}

/**
 * Group admitted recipients into copies: one per organization, and per connector when recipients
 * of one organization were attributed differently. Rules may fork a copy further.
 */
export function groupCopies(recipients: readonly AdmittedRecipient[]): AdmittedRecipient[][] {
  const groups = new Map<string, AdmittedRecipient[]>();
  for (const r of recipients) {
    const key = `${r.org.Guid}|${r.frontDoor.trace.Connectors}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

/** True when some recipient's organization has rules that read the body or attachments. */
export function messageNeedsContent(recipients: readonly AdmittedRecipient[]): boolean {
  return recipients.some((r) => {
    const n = contentNeeds(r.org);
    return n.body || n.attachments;
  });
}

/** Every copy of one message, planned. `content` must be given when messageNeedsContent(). */
export function planMessage(
  recipients: readonly AdmittedRecipient[],
  facts: MessageFacts,
  opts: { gatewayHost: string; now: Date; newId(): string; content?: MessageContent; auth?: AuthVerdicts; explain?: boolean },
): PlannedCopy[] {
  return groupCopies(recipients).flatMap((group) => {
    const { org, frontDoor } = group[0];
    const plans = planCopies({ org, facts, frontDoor, recipients: group.map((r) => r.address), networkMessageId: opts.newId(), newId: opts.newId, gatewayHost: opts.gatewayHost, now: opts.now, content: opts.content, auth: opts.auth, explain: opts.explain });
    return plans.map((plan) => ({ orgGuid: org.Guid, plan, recipients: group }));
  });
}

/**
 * The SMTP answer at the end of DATA that the plans call for: a rejection when every copy was
 * rejected, a temporary failure when any rule asked to defer (nothing is kept, the client
 * retries everything); undefined = accept.
 */
export function endOfDataRefusal(plans: readonly PlannedCopy[]): PlannedCopy | undefined {
  const deferred = plans.find((p) => p.plan.outcome === 'defer');
  if (deferred) return deferred;
  const rejected = plans.filter((p) => p.plan.outcome === 'reject');
  return rejected.length && rejected.length === plans.length ? rejected[0] : undefined;
}

function applyDecision(plan: CopyPlan, evaluation: RuleEvaluation): CopyPlan {
  const d = evaluation.decision;
  const edits: HeaderEdits = {
    ...plan.firewall.edits,
    prepend: [...plan.firewall.edits.prepend],
    remove: [...plan.firewall.edits.remove, ...d.headerEdits.filter((e) => e.op === 'remove').map((e) => e.name)],
    set: [...plan.firewall.edits.set, ...d.headerEdits.flatMap((e) => (e.op === 'set' ? [{ name: e.name, value: e.value }] : []))],
    subjectPrefix: d.subjectPrefix || undefined,
  };
  if (d.scl !== undefined) edits.set.push({ name: 'X-MS-Exchange-Organization-SCL', value: String(d.scl) });
  const added = d.addedRecipients.map((a) => a.address);
  const out: CopyPlan = { ...plan, rules: evaluation, edits, deliverTo: unique([...plan.recipients, ...added]) };
  const disp = d.disposition;
  switch (disp.action) {
    case 'deliver':
      return out;
    case 'redirect':
      return { ...out, outcome: 'redirect', deliverTo: unique([...disp.addresses, ...added]), decidedBy: disp.rule };
    case 'quarantine':
      return { ...out, outcome: 'quarantine', deliverTo: [], decidedBy: disp.rule };
    case 'delete':
      return { ...out, outcome: 'delete', deliverTo: [], decidedBy: disp.rule };
    case 'reject':
      return { ...out, outcome: 'reject', deliverTo: [], decidedBy: disp.rule, reply: { code: disp.smtpCode, text: `${disp.enhancedStatusCode} ${disp.text}` } };
    case 'defer':
      return { ...out, outcome: 'defer', deliverTo: [], decidedBy: disp.rule, reply: { code: 451, text: `4.7.0 Temporary rule evaluation failure, try again later (${disp.reason})` } };
  }
}

/**
 * EOP filters after the transport rules: a copy the rules left to be delivered gets what the
 * authentication decision calls for (DMARC reject at the end of DATA, quarantine as spoof, or
 * junk: delivered with SCL 6).
 */
function applyAuthentication(plan: CopyPlan): CopyPlan {
  const action = plan.auth?.action ?? 'none';
  if (action === 'none' || (plan.outcome !== 'deliver' && plan.outcome !== 'redirect')) return plan;
  switch (action) {
    case 'reject':
      return { ...plan, outcome: 'reject', deliverTo: [], reply: plan.auth!.reply };
    case 'quarantine':
      return { ...plan, outcome: 'quarantine', deliverTo: [] };
    case 'junk':
      return { ...plan, edits: { ...plan.edits, set: [...plan.edits.set.filter((f) => f.name !== 'X-MS-Exchange-Organization-SCL'), { name: 'X-MS-Exchange-Organization-SCL', value: '6' }] } };
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list.map((a) => a.toLowerCase()))];
}
