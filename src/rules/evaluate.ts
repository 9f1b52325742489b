// Evaluate a compiled rule set against one message: rules in priority order; a rule matches when
// all its conditions match (none = every message) and no exception does; its actions are all
// applied, Quarantine / DeleteMessage / a rejection end evaluation, StopRuleProcessing stops
// later rules. Audit modes record the hit without acting (Audit still generates incident
// reports; AuditAndNotify also notifications). The result is a decision for the edges to apply,
// with an explanation per rule.
import type { CompiledRule, CompiledRuleSet, RuleRef } from './compile.js';
import type { CompiledCondition } from './conditions.js';
import { RULE_LIMITS } from './model.js';
import type { Hit, RuleInput } from './input.js';
import { MessageView } from './view.js';
import { ViewScratch } from './viewScratch.js';

export const DEFAULT_REJECT_STATUS_CODE = '5.7.1';
export const DEFAULT_REJECT_TEXT = 'Delivery not authorized, message refused';

export type Disposition =
  | { action: 'deliver' }
  | { action: 'quarantine'; rule: RuleRef }
  | { action: 'delete'; rule: RuleRef }
  | { action: 'reject'; rule: RuleRef; smtpCode: 550; enhancedStatusCode: string; text: string }
  | { action: 'redirect'; rule: RuleRef; addresses: string[] }
  /** RuleErrorAction Defer: the rule couldn't be evaluated; retry later (the edge answers 4xx). */
  | { action: 'defer'; rule: RuleRef; reason: string };

export interface AddedRecipient {
  address: string;
  /** AddToRecipients → To, CopyTo → Cc, BlindCopyTo → Bcc. */
  type: 'To' | 'Cc' | 'Bcc';
  rule: RuleRef;
}

export type HeaderEdit = { op: 'set'; name: string; value: string; rule: RuleRef } | { op: 'remove'; name: string; rule: RuleRef };

export interface Disclaimer {
  text: string;
  location: 'Append' | 'Prepend';
  fallbackAction: 'Wrap' | 'Ignore' | 'Reject';
  rule: RuleRef;
}

export type Notification =
  | { kind: 'IncidentReport'; to: string; content: string[]; severity: string; rule: RuleRef }
  | { kind: 'Notification'; text: string; to: string[]; rule: RuleRef };

export interface ConditionExplanation {
  parameter: string;
  matched: boolean;
  /** The configured value that matched. */
  value?: string;
  /** What it matched (an address, "Subject", a header name, an IP…). */
  on?: string;
}

export interface ActionTaken {
  /** Exchange's action parameter (RejectMessage stands for the RejectMessage* pair, SetHeader for SetHeaderName/Value). */
  action: string;
  value?: string;
  /** False in audit modes and when a limit or an earlier action prevented it. */
  applied: boolean;
  note?: string;
}

export type RuleStatus =
  | 'disabled' // State Disabled
  | 'notActive' // outside ActivationDate/ExpiryDate
  | 'notMatched' // a condition didn't match
  | 'excepted' // conditions matched, an exception vetoed
  | 'matched' // actions applied (Enforce)
  | 'audited' // matched in Audit / AuditAndNotify
  | 'error' // couldn't be evaluated (content missing); RuleErrorAction decided
  | 'notEvaluated'; // an earlier rule ended evaluation

export interface RuleExplanation {
  rule: RuleRef;
  status: RuleStatus;
  conditions: ConditionExplanation[];
  exceptions: ConditionExplanation[];
  actions: ActionTaken[];
  error?: string;
}

export interface RuleHit {
  rule: RuleRef;
  /** Actions the rule carries (applied when enforced), Exchange names. */
  actions: string[];
  enforced: boolean;
  severity: string;
}

export interface RuleDecision {
  disposition: Disposition;
  addedRecipients: AddedRecipient[];
  headerEdits: HeaderEdit[];
  /** Concatenated PrependSubject prefixes (a later rule's prefix comes first, as it sees the prefixed subject). */
  subjectPrefix: string;
  /** SetSCL of the last enforced rule that set one. */
  scl?: number;
  disclaimers: Disclaimer[];
  notifications: Notification[];
  /** Every rule that matched, enforced or audited, in priority order. */
  hits: RuleHit[];
  stoppedBy?: { rule: RuleRef; reason: 'StopRuleProcessing' | 'Quarantine' | 'DeleteMessage' | 'RejectMessage' | 'Defer' };
  notes: string[];
}

export interface RuleEvaluation {
  decision: RuleDecision;
  /** One entry per rule in priority order (empty when explain is off). */
  explanations: RuleExplanation[];
}

export interface EvaluateOptions {
  /** Record why every rule did or didn't match (default true). Off: short-circuit, no explanations. */
  explain?: boolean;
}

function explainList(list: CompiledCondition[], view: MessageView): { all: boolean; any: boolean; out: ConditionExplanation[] } {
  let all = true;
  let any = false;
  const out: ConditionExplanation[] = [];
  for (const c of list) {
    const hit: Hit | null = c.test(view);
    if (hit) {
      any = true;
      out.push({ parameter: c.parameter, matched: true, value: hit.value, on: hit.on });
    } else {
      all = false;
      out.push({ parameter: c.parameter, matched: false });
    }
  }
  return { all, any, out };
}

function allMatch(list: CompiledCondition[], view: MessageView): boolean {
  for (let i = 0; i < list.length; i++) if (!list[i].test(view)) return false;
  return true;
}

function anyMatch(list: CompiledCondition[], view: MessageView): boolean {
  for (let i = 0; i < list.length; i++) if (list[i].test(view)) return true;
  return false;
}

/** One matched rule being applied: enforced, or only recorded (audit modes). */
interface Applying {
  rule: CompiledRule['rule'];
  ref: CompiledRule['ref'];
  enforce: boolean;
  /** AuditAndNotify: notifications go out though nothing else is applied. */
  notify: boolean;
  /** Why an action was not applied in an audit mode (undefined when enforcing). */
  audit: string | undefined;
  record: (action: string, applied: boolean, value?: string, note?: string) => void;
}

class DecisionBuilder {
  readonly d: RuleDecision = {
    disposition: { action: 'deliver' },
    addedRecipients: [],
    headerEdits: [],
    subjectPrefix: '',
    disclaimers: [],
    notifications: [],
    hits: [],
    notes: [],
  };
  /** Recipients added so far (`type:address`), made on the first one. */
  private added?: Set<string>;
  private addedCount = 0;

  constructor(private readonly view: MessageView) {}

  /** Apply (enforce) or record (audit) one matched rule's actions. Returns why evaluation ends, if it does. */
  apply(cr: CompiledRule, enforce: boolean, notify: boolean, taken: ActionTaken[] | undefined): RuleDecision['stoppedBy'] {
    const record = (action: string, applied: boolean, value?: string, note?: string) => {
      if (taken) taken.push(note === undefined ? { action, value, applied } : { action, value, applied, note });
    };
    const a: Applying = { rule: cr.rule, ref: cr.ref, enforce, notify, audit: enforce ? undefined : `not applied: rule is in ${cr.rule.Mode} mode`, record };
    this.headerEdits(a);
    this.addRecipients(a);
    this.disclaimersAndNotifications(a);
    this.redirect(a);
    return this.disposition(a);
  }

  /** SetSCL, PrependSubject, RemoveHeader, SetHeaderName/Value: the view sees them at once, so later rules do. */
  private headerEdits(a: Applying): void {
    const { rule, ref, enforce, audit, record } = a;
    const d = this.d;
    const view = this.view;
    if (rule.SetSCL !== undefined) {
      if (enforce) {
        d.scl = rule.SetSCL;
        view.setScl(rule.SetSCL);
      }
      record('SetSCL', enforce, String(rule.SetSCL), audit);
    }
    if (rule.PrependSubject !== undefined) {
      if (enforce) {
        d.subjectPrefix = rule.PrependSubject + d.subjectPrefix;
        view.prependSubject(rule.PrependSubject);
      }
      record('PrependSubject', enforce, rule.PrependSubject, audit);
    }
    if (rule.RemoveHeader !== undefined) {
      if (enforce) {
        d.headerEdits.push({ op: 'remove', name: rule.RemoveHeader, rule: ref });
        view.removeHeader(rule.RemoveHeader);
      }
      record('RemoveHeader', enforce, rule.RemoveHeader, audit);
    }
    if (rule.SetHeaderName !== undefined && rule.SetHeaderValue !== undefined) {
      if (enforce) {
        d.headerEdits.push({ op: 'set', name: rule.SetHeaderName, value: rule.SetHeaderValue, rule: ref });
        view.setHeader(rule.SetHeaderName, rule.SetHeaderValue);
      }
      record('SetHeader', enforce, `${rule.SetHeaderName}: ${rule.SetHeaderValue}`, audit);
    }
  }

  /** AddToRecipients, CopyTo, BlindCopyTo, within the per-message limit, each address once. */
  private addRecipients(a: Applying): void {
    const { rule, ref, enforce, audit, record } = a;
    const d = this.d;
    const recipientActions = [
      ['AddToRecipients', 'To'],
      ['CopyTo', 'Cc'],
      ['BlindCopyTo', 'Bcc'],
    ] as const;
    for (const [param, type] of recipientActions) {
      const list = rule[param];
      if (!list) continue;
      for (const address of list) {
        if (!enforce) {
          record(param, false, address, audit);
          continue;
        }
        if (this.added?.has(`${type}:${address}`)) {
          record(param, false, address, 'already added by an earlier action');
          continue;
        }
        if (this.addedCount >= RULE_LIMITS.recipientsAddedPerMessage) {
          record(param, false, address, `limit: rules can add at most ${RULE_LIMITS.recipientsAddedPerMessage} recipients to a message`);
          d.notes.push(`${rule.Name}: ${param} ${address} not added (limit of ${RULE_LIMITS.recipientsAddedPerMessage} added recipients reached)`);
          continue;
        }
        (this.added ??= new Set()).add(`${type}:${address}`);
        this.addedCount++;
        d.addedRecipients.push({ address, type, rule: ref });
        record(param, true, address);
      }
    }
  }

  /** Disclaimers, incident reports (in every mode) and notifications. */
  private disclaimersAndNotifications(a: Applying): void {
    const { rule, ref, enforce, audit, record, notify } = a;
    const d = this.d;
    const view = this.view;
    if (rule.ApplyHtmlDisclaimerText !== undefined) {
      if (enforce) {
        d.disclaimers.push({
          text: rule.ApplyHtmlDisclaimerText,
          location: rule.ApplyHtmlDisclaimerLocation ?? 'Append',
          fallbackAction: rule.ApplyHtmlDisclaimerFallbackAction ?? 'Wrap',
          rule: ref,
        });
      }
      record('ApplyHtmlDisclaimerText', enforce, rule.ApplyHtmlDisclaimerLocation ?? 'Append', audit);
    }
    // Incident reports are generated in every mode (Exchange: "Test without Policy Tips" still reports).
    if (rule.GenerateIncidentReport !== undefined) {
      d.notifications.push({
        kind: 'IncidentReport',
        to: rule.GenerateIncidentReport,
        // Without IncidentReportContent: the DLP report's usual fields (no CC/BCC, no original mail).
        content: rule.IncidentReportContent ?? ['Sender', 'Recipients', 'Subject', 'Severity', 'Override', 'RuleDetections', 'FalsePositive', 'DataClassifications', 'IdMatch'],
        severity: rule.SetAuditSeverity,
        rule: ref,
      });
      record('GenerateIncidentReport', true, rule.GenerateIncidentReport);
    }
    if (rule.GenerateNotification !== undefined) {
      const send = enforce || notify;
      if (send) d.notifications.push({ kind: 'Notification', text: rule.GenerateNotification, to: [...view.recipients], rule: ref });
      record('GenerateNotification', send, undefined, send ? undefined : audit);
    }
  }

  /** RedirectMessageTo: at most once per message, within the limits. */
  private redirect(a: Applying): void {
    const { rule, ref, enforce, audit, record } = a;
    const d = this.d;
    if (rule.RedirectMessageTo) {
      const value = rule.RedirectMessageTo.join(', ');
      if (!enforce) record('RedirectMessageTo', false, value, audit);
      else if (d.disposition.action === 'redirect') {
        record('RedirectMessageTo', false, value, `the message was already redirected by '${d.disposition.rule.Name}' (a message is redirected at most once)`);
        d.notes.push(`${rule.Name}: RedirectMessageTo ignored, already redirected by '${d.disposition.rule.Name}'`);
      } else {
        const room = RULE_LIMITS.recipientsAddedPerMessage - this.addedCount;
        const addresses = rule.RedirectMessageTo.slice(0, Math.max(0, Math.min(room, RULE_LIMITS.recipientsPerRedirect)));
        this.addedCount += addresses.length;
        if (addresses.length < rule.RedirectMessageTo.length) d.notes.push(`${rule.Name}: RedirectMessageTo truncated to ${addresses.length} recipients (limits)`);
        d.disposition = { action: 'redirect', rule: ref, addresses };
        record('RedirectMessageTo', true, addresses.join(', '));
      }
    }
  }

  /** RejectMessage, Quarantine, DeleteMessage, StopRuleProcessing: the actions that end evaluation. */
  private disposition(a: Applying): RuleDecision['stoppedBy'] {
    const { rule, ref, enforce, audit, record } = a;
    const d = this.d;
    if (rule.RejectMessageReasonText !== undefined || rule.RejectMessageEnhancedStatusCode !== undefined) {
      const enhancedStatusCode = rule.RejectMessageEnhancedStatusCode ?? DEFAULT_REJECT_STATUS_CODE;
      const text = rule.RejectMessageReasonText ?? DEFAULT_REJECT_TEXT;
      record('RejectMessage', enforce, `${enhancedStatusCode} ${text}`, audit);
      if (enforce) {
        d.disposition = { action: 'reject', rule: ref, smtpCode: 550, enhancedStatusCode, text };
        return { rule: ref, reason: 'RejectMessage' };
      }
    }
    if (rule.Quarantine) {
      record('Quarantine', enforce, undefined, audit);
      if (enforce) {
        d.disposition = { action: 'quarantine', rule: ref };
        return { rule: ref, reason: 'Quarantine' };
      }
    }
    if (rule.DeleteMessage) {
      record('DeleteMessage', enforce, undefined, audit);
      if (enforce) {
        d.disposition = { action: 'delete', rule: ref };
        return { rule: ref, reason: 'DeleteMessage' };
      }
    }
    if (rule.StopRuleProcessing) {
      record('StopRuleProcessing', enforce, undefined, audit);
      if (enforce) return { rule: ref, reason: 'StopRuleProcessing' };
    }
    return undefined;
  }
}

const EMPTY: never[] = [];

/** Evaluate the rules against one message. Pure: the clock is `input.now`, content is supplied. */
export function evaluateRules(set: CompiledRuleSet, input: RuleInput, options: EvaluateOptions = {}): RuleEvaluation {
  const explain = options.explain ?? true;
  const scratch = scratchFor(set);
  scratch.busy = true;
  try {
    return evaluateWith(set, input, explain, new MessageView(input, set, scratch));
  } finally {
    scratch.busy = false;
  }
}

// One scratch per compiled set, reused by its evaluations (see ViewScratch).
const scratches = new WeakMap<CompiledRuleSet, ViewScratch>();
function scratchFor(set: CompiledRuleSet): ViewScratch {
  let s = scratches.get(set);
  if (s && !s.busy) return s;
  s = new ViewScratch(set.matcherCount, set.gates.slotCount, set.rules.length, set.fields.length);
  if (!scratches.has(set)) scratches.set(set, s);
  return s;
}

function evaluateWith(set: CompiledRuleSet, input: RuleInput, explain: boolean, view: MessageView): RuleEvaluation {
  const builder = new DecisionBuilder(view);
  const d = builder.d;
  const explanations: RuleExplanation[] = [];
  const note = (cr: CompiledRule, status: RuleStatus, error?: string) => {
    if (explain) explanations.push({ rule: cr.ref, status, conditions: EMPTY, exceptions: EMPTY, actions: EMPTY, ...(error ? { error } : {}) });
  };

  const now = input.now.getTime();
  const hasContent = input.content !== undefined;
  // Explain off: only the rules whose gates all hold are visited (view.candidates), in priority
  // order; a matched rule's edit of a header that a gate reads can change gates, so the list is
  // made again from the next rule on after one.
  // Explaining visits every rule.
  const hot = set.hot;
  const count = set.rules.length;
  const open = hasContent ? hot.open : hot.openNoContent;
  const order = view.order;
  let listed = explain ? 0 : view.candidates(open, 0);
  let edits = view.gateEdits;
  let pos = 0;
  for (let i = 0; ; ) {
    if (explain) {
      if (i >= count) break;
    } else {
      if (d.stoppedBy) break;
      if (view.gateEdits !== edits) {
        listed = view.candidates(open, i);
        edits = view.gateEdits;
        pos = 0;
      }
      if (pos >= listed) break;
      i = order[pos++];
    }
    const cr = set.rules[i++];
    if (d.stoppedBy) {
      note(cr, 'notEvaluated');
      continue;
    }
    if (!cr.enabled) {
      note(cr, 'disabled');
      continue;
    }
    if (now < cr.activeFrom || now >= cr.activeUntil) {
      note(cr, 'notActive');
      continue;
    }
    if (cr.needsContent && !hasContent) {
      const missing = cr.needsBody ? 'body text' : 'attachments';
      const error = `the rule needs the message ${missing}, which wasn't supplied`;
      if (cr.rule.RuleErrorAction === 'Defer') {
        d.disposition = { action: 'defer', rule: cr.ref, reason: error };
        d.stoppedBy = { rule: cr.ref, reason: 'Defer' };
      }
      d.notes.push(`${cr.rule.Name}: ${error} (RuleErrorAction ${cr.rule.RuleErrorAction})`);
      note(cr, 'error', error);
      continue;
    }

    let matched: boolean;
    let exp: RuleExplanation | undefined;
    if (explain) {
      const c = explainList(cr.conditions, view);
      const e = explainList(cr.exceptions, view);
      matched = c.all && !e.any;
      exp = { rule: cr.ref, status: !c.all ? 'notMatched' : e.any ? 'excepted' : 'matched', conditions: c.out, exceptions: e.out, actions: [] };
      explanations.push(exp);
    } else {
      matched = allMatch(cr.hotConditions, view) && !anyMatch(cr.exceptions, view);
    }
    if (!matched) continue;

    const enforce = cr.enforce;
    if (exp && !enforce) exp.status = 'audited';
    d.hits.push({ rule: cr.ref, actions: cr.actions, enforced: enforce, severity: cr.rule.SetAuditSeverity });
    const stop = builder.apply(cr, enforce, cr.notify, exp?.actions);
    if (stop) d.stoppedBy = stop;
  }
  return { decision: d, explanations };
}

export interface RecipientGroup {
  /** Envelope recipients (as given) that share this outcome. */
  recipients: string[];
  evaluation: RuleEvaluation;
}

/**
 * Evaluate per recipient, as Exchange forks a message when recipient conditions (SentTo,
 * SentToScope, RecipientAddress…, RecipientDomainIs) match only some recipients: recipients with
 * the same outcome are grouped. Without recipient conditions this is one evaluation for all.
 */
export function evaluatePerRecipient(set: CompiledRuleSet, input: RuleInput, options: EvaluateOptions = {}): RecipientGroup[] {
  const all = input.recipients ?? input.facts.envelope.rcptTo;
  if (!set.perRecipient || all.length <= 1) return [{ recipients: [...all], evaluation: evaluateRules(set, input, options) }];
  const groups = new Map<string, RecipientGroup>();
  for (const r of all) {
    const evaluation = evaluateRules(set, { ...input, recipients: [r] }, options);
    const key = evaluation.decision.hits.map((h) => h.rule.Guid).join(',');
    const g = groups.get(key);
    if (g) g.recipients.push(r);
    else groups.set(key, { recipients: [r], evaluation });
  }
  // Each group's evaluation is recomputed for its recipients together (notifications list them all).
  return [...groups.values()].map((g) => (g.recipients.length > 1 ? { recipients: g.recipients, evaluation: evaluateRules(set, { ...input, recipients: g.recipients }, options) } : g));
}
