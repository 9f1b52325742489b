// From a rule evaluation to what message trace and advanced hunting show.
//
// Choices (Exchange doesn't document all of these, reference §5, §7, §8):
// - One trace event per rule hit: Event "Transport rule" (as message trace detail shows rule
//   hits), Action = the rule's deciding action, Detail naming the rule and its GUID, Data in the
//   agent-info form observed in EXO: `S:TRA=ETR|ruleId=<guid>|st=<time>|action=<Action>|sev=<n>|mode=<Mode>`
//   (st = the evaluation time; sev 1/2/3 = Low/Medium/High, 0 = DoNotAudit).
// - EmailEvents:
//   ExchangeTransportRule = names of the enforced rules that matched, priority order, ", "-joined.
//   OrgLevelAction/OrgLevelPolicy: what an org-level transport rule decided — 'Quarantine' for
//     Quarantine, 'Block' for DeleteMessage or a rejection, 'Allow' for SetSCL -1 (the documented
//     way to bypass filtering), 'Junk' for SetSCL ≥ 5; OrgLevelPolicy 'Exchange transport rule'.
//   EmailAction/EmailActionPolicy: the most significant action (send to quarantine > delete >
//     redirect > Bcc > modify subject > add X-header), policy 'Enterprise Transport Rules (ETR)',
//     EmailActionPolicyGuid = the rule's GUID. Rejected messages have no EmailEvents row in EXO
//     (they never entered); the fields are still filled for Postern's own SmtpRejectEvents joins.
// - Audit-mode hits appear in trace (mode=Audit) but not in EmailEvents fields (nothing was done).
import type { RuleRef } from './compile.js';
import type { RuleDecision, RuleEvaluation, RuleHit } from './evaluate.js';

export interface TransportRuleTraceEvent {
  Event: 'Transport rule';
  Action: string;
  Detail: string;
  Data: string;
  RuleName: string;
  RuleGuid: string;
  Mode: RuleRef['Mode'];
}

const SEVERITY: Record<string, number> = { DoNotAudit: 0, Low: 1, Medium: 2, High: 3 };

/** The action that characterises a hit (the one an admin would name). */
export function primaryAction(hit: RuleHit): string {
  const order = ['Quarantine', 'DeleteMessage', 'RejectMessage', 'RedirectMessageTo', 'BlindCopyTo', 'CopyTo', 'AddToRecipients',
    'SetSCL', 'PrependSubject', 'SetHeader', 'RemoveHeader', 'ApplyHtmlDisclaimerText', 'GenerateIncidentReport',
    'GenerateNotification', 'StopRuleProcessing'];
  return order.find((a) => hit.actions.includes(a)) ?? 'None';
}

const DETAIL: Record<string, string> = {
  Quarantine: 'message quarantined',
  DeleteMessage: 'message deleted',
  RejectMessage: 'message rejected',
  RedirectMessageTo: 'message redirected',
  BlindCopyTo: 'recipients added (Bcc)',
  CopyTo: 'recipients added (Cc)',
  AddToRecipients: 'recipients added (To)',
  SetSCL: 'SCL set',
  PrependSubject: 'subject modified',
  SetHeader: 'header set',
  RemoveHeader: 'header removed',
  ApplyHtmlDisclaimerText: 'disclaimer applied',
  GenerateIncidentReport: 'incident report generated',
  GenerateNotification: 'notification generated',
  StopRuleProcessing: 'rule processing stopped',
  None: 'no action',
};

/** One "Transport rule" trace event per matched rule (enforced or audited). */
export function traceEvents(evaluation: RuleEvaluation | RuleDecision, now: Date): TransportRuleTraceEvent[] {
  const decision = 'decision' in evaluation ? evaluation.decision : evaluation;
  return decision.hits.map((hit) => {
    const action = primaryAction(hit);
    const verb = hit.enforced ? DETAIL[action] : `would be ${DETAIL[action]} (${hit.rule.Mode} mode, no action taken)`;
    return {
      Event: 'Transport rule',
      Action: action,
      Detail: `Transport rule: '${hit.rule.Name}', ID: ('${hit.rule.Guid}'), ${verb}`,
      Data: `S:TRA=ETR|ruleId=${hit.rule.Guid}|st=${now.toISOString()}|action=${action}|sev=${SEVERITY[hit.severity] ?? 1}|mode=${hit.rule.Mode}`,
      RuleName: hit.rule.Name,
      RuleGuid: hit.rule.Guid,
      Mode: hit.rule.Mode,
    };
  });
}

export interface EmailEventsRuleFields {
  ExchangeTransportRule: string;
  OrgLevelAction: string;
  OrgLevelPolicy: string;
  EmailAction: string;
  EmailActionPolicy: string;
  EmailActionPolicyGuid: string;
}

export const ETR_EMAIL_ACTION_POLICY = 'Enterprise Transport Rules (ETR)';
export const ETR_ORG_LEVEL_POLICY = 'Exchange transport rule';

/** The EmailEvents columns that transport rules fill ('' where they don't apply). */
export function emailEventsFields(evaluation: RuleEvaluation | RuleDecision): EmailEventsRuleFields {
  const d = 'decision' in evaluation ? evaluation.decision : evaluation;
  const enforced = d.hits.filter((h) => h.enforced);
  const out: EmailEventsRuleFields = {
    ExchangeTransportRule: enforced.map((h) => h.rule.Name).join(', '),
    OrgLevelAction: '',
    OrgLevelPolicy: '',
    EmailAction: '',
    EmailActionPolicy: '',
    EmailActionPolicyGuid: '',
  };
  const disp = d.disposition;
  if (disp.action === 'quarantine') out.OrgLevelAction = 'Quarantine';
  else if (disp.action === 'delete' || disp.action === 'reject') out.OrgLevelAction = 'Block';
  else if (d.scl === -1) out.OrgLevelAction = 'Allow';
  else if (d.scl !== undefined && d.scl >= 5) out.OrgLevelAction = 'Junk';
  if (out.OrgLevelAction) out.OrgLevelPolicy = ETR_ORG_LEVEL_POLICY;

  const byAction = (names: string[]) => enforced.find((h) => names.some((n) => h.actions.includes(n)));
  const candidates: [string, string[], RuleRef | undefined][] = [
    ['Send to quarantine', [], disp.action === 'quarantine' ? disp.rule : undefined],
    ['Delete message', [], disp.action === 'delete' ? disp.rule : undefined],
    ['Redirect message', [], disp.action === 'redirect' ? disp.rule : undefined],
    ['Bcc message', ['BlindCopyTo'], undefined],
    ['Modify subject', ['PrependSubject'], undefined],
    ['Add X-header', ['SetHeader'], undefined],
  ];
  for (const [label, actions, rule] of candidates) {
    const ref = rule ?? (actions.length ? byAction(actions)?.rule : undefined);
    if (ref) {
      out.EmailAction = label;
      out.EmailActionPolicy = ETR_EMAIL_ACTION_POLICY;
      out.EmailActionPolicyGuid = ref.Guid;
      break;
    }
  }
  return out;
}

/** A readable account of an evaluation, one line per rule (for `postern simulate` and logs). */
export function describeEvaluation(evaluation: RuleEvaluation): string[] {
  const lines: string[] = [];
  for (const e of evaluation.explanations) {
    const head = `[${e.rule.Priority}] ${e.rule.Name} (${e.rule.Mode}): ${e.status}`;
    const conds = e.conditions.map((c) => `${c.parameter} ${c.matched ? `matched '${c.value}' on ${c.on}` : 'did not match'}`);
    const excs = e.exceptions.filter((c) => c.matched).map((c) => `${c.parameter} matched '${c.value}' on ${c.on}`);
    const acts = e.actions.map((a) => `${a.action}${a.value !== undefined ? ` ${a.value}` : ''}${a.applied ? '' : ` (${a.note ?? 'not applied'})`}`);
    const parts = [
      conds.length ? `conditions: ${conds.join('; ')}` : e.status === 'matched' || e.status === 'audited' || e.status === 'excepted' ? 'conditions: [Apply to all messages]' : '',
      excs.length ? `exceptions: ${excs.join('; ')}` : '',
      acts.length ? `actions: ${acts.join('; ')}` : '',
      e.error ? `error: ${e.error}` : '',
    ].filter(Boolean);
    lines.push(parts.length ? `${head} — ${parts.join(' | ')}` : head);
  }
  const d = evaluation.decision.disposition;
  lines.push(`decision: ${d.action}${'rule' in d ? ` by '${d.rule.Name}'` : ''}`);
  return lines;
}
