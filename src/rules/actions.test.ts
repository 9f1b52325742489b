// Actions, their ordering and precedence across rules, audit modes, and the trace/EmailEvents
// mapping of the outcome.
import { describe, expect, it } from 'vitest';
import { buildRule } from './build.js';
import { compileRules } from './compile.js';
import { DEFAULT_REJECT_TEXT, evaluatePerRecipient, evaluateRules } from './evaluate.js';
import { describeEvaluation, emailEventsFields, traceEvents } from './explain.js';
import { input } from './testkit.js';
import type { RuleInput } from './input.js';

function rules(...params: Record<string, unknown>[]) {
  return compileRules(params.map((p, i) => buildRule({ Name: `rule ${i}`, Priority: i, ...p })));
}
function evaluate(params: Record<string, unknown>[], extra: Partial<RuleInput> = {}) {
  return evaluateRules(rules(...params), input({}, extra));
}

describe('disposition actions', () => {
  it('Quarantine ends evaluation', () => {
    const r = evaluate([{ Quarantine: true }, { PrependSubject: '[x]' }]);
    expect(r.decision.disposition).toMatchObject({ action: 'quarantine', rule: { Name: 'rule 0' } });
    expect(r.decision.subjectPrefix).toBe('');
    expect(r.explanations[1].status).toBe('notEvaluated');
  });

  it('DeleteMessage ends evaluation', () => {
    const r = evaluate([{ DeleteMessage: true }, { Quarantine: true }]);
    expect(r.decision.disposition).toMatchObject({ action: 'delete', rule: { Name: 'rule 0' } });
    expect(r.decision.stoppedBy?.reason).toBe('DeleteMessage');
    expect(emailEventsFields(r)).toMatchObject({ OrgLevelAction: 'Block', EmailAction: 'Delete message' });
  });

  it.each([
    [{ RejectMessageReasonText: 'Go away' }, '5.7.1', 'Go away'],
    [{ RejectMessageEnhancedStatusCode: '5.7.950' }, '5.7.950', DEFAULT_REJECT_TEXT],
    [{ RejectMessageEnhancedStatusCode: '5.7.1', RejectMessageReasonText: 'No' }, '5.7.1', 'No'],
  ])('RejectMessage %o → %s %s', (params, code, text) => {
    const r = evaluate([params, { Quarantine: true }]);
    expect(r.decision.disposition).toMatchObject({ action: 'reject', smtpCode: 550, enhancedStatusCode: code, text });
    expect(r.explanations[1].status).toBe('notEvaluated');
  });

  it('Exchange default reject text', () => {
    expect(DEFAULT_REJECT_TEXT).toBe('Delivery not authorized, message refused');
  });

  it('a message is redirected at most once', () => {
    const r = evaluate([{ RedirectMessageTo: ['a@contoso.com', 'b@contoso.com'] }, { RedirectMessageTo: 'c@contoso.com' }]);
    expect(r.decision.disposition).toMatchObject({ action: 'redirect', addresses: ['a@contoso.com', 'b@contoso.com'], rule: { Name: 'rule 0' } });
    expect(r.explanations[1].actions[0]).toMatchObject({ action: 'RedirectMessageTo', applied: false });
    expect(r.decision.notes[0]).toMatch(/already redirected/);
    expect(emailEventsFields(r).EmailAction).toBe('Redirect message');
  });

  it('a later Quarantine overrides an earlier redirect', () => {
    const r = evaluate([{ RedirectMessageTo: 'a@contoso.com' }, { Quarantine: true }]);
    expect(r.decision.disposition.action).toBe('quarantine');
  });

  it('conflicting dispositions in one rule are refused', () => {
    expect(() => buildRule({ Name: 'x', Quarantine: true, DeleteMessage: true })).toThrow(/Quarantine and DeleteMessage can't be used in the same rule/);
  });
});

describe('recipient actions', () => {
  it('AddToRecipients, CopyTo and BlindCopyTo add To, Cc and Bcc recipients once', () => {
    const r = evaluate([{ AddToRecipients: 'A@contoso.com', CopyTo: 'b@contoso.com', BlindCopyTo: 'audit@contoso.com' }, { BlindCopyTo: 'audit@contoso.com' }]);
    expect(r.decision.addedRecipients.map((a) => [a.address, a.type])).toEqual([
      ['a@contoso.com', 'To'],
      ['b@contoso.com', 'Cc'],
      ['audit@contoso.com', 'Bcc'],
    ]);
    expect(emailEventsFields(r).EmailAction).toBe('Bcc message');
  });

  it('rules add at most 100 recipients to a message', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ BlindCopyTo: Array.from({ length: 10 }, (_, j) => `r${i}-${j}@contoso.com`) }));
    const r = evaluate(many);
    expect(r.decision.addedRecipients).toHaveLength(100);
    expect(r.decision.notes.some((n) => /limit of 100/.test(n))).toBe(true);
  });

  it('a redirect takes at most 10 recipients', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `r${i}@contoso.com`);
    expect(() => buildRule({ Name: 'x', RedirectMessageTo: eleven })).toThrow(/at most 10/);
  });
});

describe('message edits', () => {
  it('PrependSubject from two rules: the later prefix comes first', () => {
    const r = evaluate([{ PrependSubject: '[A] ' }, { PrependSubject: '[B] ' }]);
    expect(r.decision.subjectPrefix).toBe('[B] [A] ');
    expect(emailEventsFields(r).EmailAction).toBe('Modify subject');
  });

  it('SetHeaderName/SetHeaderValue and RemoveHeader', () => {
    const r = evaluate([{ SetHeaderName: 'X-MS-Exchange-Organization-BypassClutter', SetHeaderValue: 'true' }, { RemoveHeader: 'X-Spam' }]);
    expect(r.decision.headerEdits.map(({ rule: _r, ...e }) => e)).toEqual([
      { op: 'set', name: 'X-MS-Exchange-Organization-BypassClutter', value: 'true' },
      { op: 'remove', name: 'X-Spam' },
    ]);
    expect(emailEventsFields(r).EmailAction).toBe('Add X-header');
  });

  it('a removed header no longer matches later rules', () => {
    const r = evaluateRules(
      rules({ RemoveHeader: 'X-Spam' }, { HeaderContainsMessageHeader: 'X-Spam', HeaderContainsWords: 'yes', Quarantine: true }),
      input({ headers: { 'X-Spam': 'yes' } }),
    );
    expect(r.decision.disposition.action).toBe('deliver');
  });

  // X-MS-Exchange-Organization-AuthAs is the gateway's own stamp (input.authAs), never the
  // message's copy; header edits work on top of it, as Exchange's rules see its stamp.
  const authAsInternal = { HeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs', HeaderContainsWords: 'Internal', Quarantine: true };
  it.each([
    ['an edit of another header keeps the stamp', 'Internal', [{ SetHeaderName: 'X-Tag', SetHeaderValue: '1' }], 'quarantine'],
    ['an edit of another header drops a forged copy', 'Anonymous', [{ SetHeaderName: 'X-Tag', SetHeaderValue: '1' }], 'deliver'],
    ['RemoveHeader removes the stamp', 'Internal', [{ RemoveHeader: 'X-MS-Exchange-Organization-AuthAs' }], 'deliver'],
    ['SetHeader replaces the stamp', 'Anonymous', [{ SetHeaderName: 'X-MS-Exchange-Organization-AuthAs', SetHeaderValue: 'Internal' }], 'quarantine'],
    ['SetHeader then another edit leaves one value', 'Anonymous', [{ SetHeaderName: 'x-ms-exchange-organization-authas', SetHeaderValue: 'Internal' }, { RemoveHeader: 'X-Tag' }], 'quarantine'],
  ] as const)('AuthAs after header edits: %s', (_name, authAs, edits, action) => {
    const r = evaluateRules(rules(...edits, authAsInternal), input({ headers: { 'X-MS-Exchange-Organization-AuthAs': 'Internal', 'X-Tag': '0' } }, { authAs }));
    expect(r.decision.disposition.action).toBe(action);
    // The hot path (no explanations) decides the same.
    expect(evaluateRules(rules(...edits, authAsInternal), input({ headers: { 'X-MS-Exchange-Organization-AuthAs': 'Internal', 'X-Tag': '0' } }, { authAs }), { explain: false }).decision.disposition.action).toBe(action);
  });

  it('SetSCL is recorded, seen by later SCLOver, and -1 maps to OrgLevelAction Allow', () => {
    const r = evaluate([{ SetSCL: -1 }, { SCLOver: -1, PrependSubject: 'seen ' }]);
    expect(r.decision.scl).toBe(-1);
    expect(r.decision.subjectPrefix).toBe('seen ');
    expect(emailEventsFields(r)).toMatchObject({ OrgLevelAction: 'Allow', OrgLevelPolicy: 'Exchange transport rule' });
    expect(emailEventsFields(evaluate([{ SetSCL: 6 }])).OrgLevelAction).toBe('Junk');
  });

  it('ApplyHtmlDisclaimerText with its defaults and with Location/FallbackAction', () => {
    const r = evaluate([
      { ApplyHtmlDisclaimerText: '<p>External</p>' },
      { ApplyHtmlDisclaimerText: 'Top', ApplyHtmlDisclaimerLocation: 'Prepend', ApplyHtmlDisclaimerFallbackAction: 'Ignore' },
    ]);
    expect(r.decision.disclaimers.map(({ rule: _r, ...d }) => d)).toEqual([
      { text: '<p>External</p>', location: 'Append', fallbackAction: 'Wrap' },
      { text: 'Top', location: 'Prepend', fallbackAction: 'Ignore' },
    ]);
  });
});

describe('StopRuleProcessing and modes', () => {
  it('StopRuleProcessing stops later rules', () => {
    const r = evaluate([{ PrependSubject: 'a', StopRuleProcessing: true }, { PrependSubject: 'b' }]);
    expect(r.decision.subjectPrefix).toBe('a');
    expect(r.decision.stoppedBy).toMatchObject({ reason: 'StopRuleProcessing', rule: { Name: 'rule 0' } });
  });

  it('Audit: no action, no stop, but the incident report is still generated', () => {
    const r = evaluate([
      { Mode: 'Audit', Quarantine: true, StopRuleProcessing: true, GenerateIncidentReport: 'soc@contoso.com', GenerateNotification: 'hi', SetAuditSeverity: 'High' },
      { PrependSubject: 'b' },
    ]);
    expect(r.decision.disposition.action).toBe('deliver');
    expect(r.decision.subjectPrefix).toBe('b');
    expect(r.decision.notifications.map((n) => n.kind)).toEqual(['IncidentReport']);
    expect(r.decision.notifications[0]).toMatchObject({ to: 'soc@contoso.com', severity: 'High' });
    expect(r.explanations[0].actions.find((a) => a.action === 'Quarantine')).toMatchObject({ applied: false });
    expect(traceEvents(r, new Date(0))[0]).toMatchObject({ Action: 'Quarantine', Mode: 'Audit' });
    expect(traceEvents(r, new Date(0))[0].Data).toContain('sev=3');
  });

  it('AuditAndNotify also generates the notification, to the recipients', () => {
    const r = evaluate([{ Mode: 'AuditAndNotify', GenerateNotification: 'Careful: %%Subject%%', Quarantine: true }]);
    expect(r.decision.disposition.action).toBe('deliver');
    expect(r.decision.notifications).toMatchObject([{ kind: 'Notification', text: 'Careful: %%Subject%%', to: ['user@contoso.com'] }]);
  });

  it('Enforce with GenerateIncidentReport and GenerateNotification', () => {
    const r = evaluate([{ GenerateIncidentReport: 'SOC@contoso.com', IncidentReportContent: ['Sender', 'Subject'], GenerateNotification: 'n' }]);
    expect(r.decision.notifications).toMatchObject([
      { kind: 'IncidentReport', to: 'soc@contoso.com', content: ['Sender', 'Subject'], severity: 'Low' },
      { kind: 'Notification', text: 'n' },
    ]);
  });

  it('explanations read as text', () => {
    const r = evaluate([{ SubjectContainsWords: 'hello', Quarantine: true }]);
    const lines = describeEvaluation(r);
    expect(lines[0]).toBe("[0] rule 0 (Enforce): matched — conditions: SubjectContainsWords matched 'hello' on Subject | actions: Quarantine");
    expect(lines[1]).toBe("decision: quarantine by 'rule 0'");
  });

  it('EmailEvents fields are empty when no rule acted', () => {
    expect(emailEventsFields(evaluate([{ SubjectContainsWords: 'nothing', Quarantine: true }]))).toEqual({
      ExchangeTransportRule: '',
      OrgLevelAction: '',
      OrgLevelPolicy: '',
      EmailAction: '',
      EmailActionPolicy: '',
      EmailActionPolicyGuid: '',
    });
  });
});

describe('per-recipient evaluation (Exchange forks the message for recipient conditions)', () => {
  const msg = { rcptTo: ['ceo@contoso.com', 'a@contoso.com', 'b@contoso.com', 'x@fabrikam.com'] };

  it('groups recipients by outcome', () => {
    const set = rules({ SentTo: 'ceo@contoso.com', BlindCopyTo: 'assistant@contoso.com' }, { RecipientDomainIs: 'fabrikam.com', Quarantine: true });
    expect(set.perRecipient).toBe(true);
    const groups = evaluatePerRecipient(set, input(msg));
    expect(groups.map((g) => [g.recipients, g.evaluation.decision.disposition.action, g.evaluation.decision.addedRecipients.length])).toEqual([
      [['ceo@contoso.com'], 'deliver', 1],
      [['a@contoso.com', 'b@contoso.com'], 'deliver', 0],
      [['x@fabrikam.com'], 'quarantine', 0],
    ]);
  });

  it('AnyOfRecipientAddress… conditions still see every recipient', () => {
    const set = rules({ SentTo: 'a@contoso.com', PrependSubject: 'a ' }, { AnyOfRecipientAddressContainsWords: 'ceo', PrependSubject: 'ceo ' });
    const groups = evaluatePerRecipient(set, input(msg));
    const forB = groups.find((g) => g.recipients.includes('b@contoso.com'))!;
    expect(forB.evaluation.decision.subjectPrefix).toBe('ceo ');
    const forA = groups.find((g) => g.recipients.includes('a@contoso.com'))!;
    expect(forA.evaluation.decision.subjectPrefix).toBe('ceo a ');
  });

  it('one evaluation when no rule has a recipient condition', () => {
    const set = rules({ SubjectContainsWords: 'hello', PrependSubject: 'x' });
    expect(set.perRecipient).toBe(false);
    const groups = evaluatePerRecipient(set, input(msg));
    expect(groups).toHaveLength(1);
    expect(groups[0].recipients).toHaveLength(4);
  });
});
