// The Exchange Team's Direct Send rule (reference/direct-send-article.md), as the shell binds it
// from the article's New-TransportRule line: quarantine everything except mail from approved IPs
// or carrying X-MS-Exchange-Organization-AuthAs: Internal; stop processing; priority 0.
import { describe, expect, it } from 'vitest';
import { buildRule } from './build.js';
import { compileRules } from './compile.js';
import { evaluateRules } from './evaluate.js';
import { emailEventsFields, traceEvents } from './explain.js';
import { insertRule } from './model.js';
import { input } from './testkit.js';

const articleParams = {
  Name: 'Redirect to quarantine if not coming from known IPs',
  Quarantine: true,
  ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
  ExceptIfHeaderContainsWords: 'Internal',
  ExceptIfSenderIpRanges: ['198.51.100.0/24', '192.0.2.10-192.0.2.20', '2001:db8:1::/48'],
  StopRuleProcessing: true,
  Priority: 0,
};

function articleSet() {
  const tagAll = buildRule({ Name: 'Tag everything', SetHeaderName: 'X-Tagged', SetHeaderValue: 'yes' }, { defaultPriority: 0 });
  const article = buildRule(articleParams);
  // New-TransportRule -Priority 0 with a rule already at 0: the existing rule shifts down.
  const rules = insertRule([tagAll], article, article.Priority);
  return { rules, set: compileRules(rules), article };
}

describe('Direct Send article rule', () => {
  it('builds from the article parameters with Exchange names', () => {
    const { rules, article } = articleSet();
    expect(article.Quarantine).toBe(true);
    expect(article.StopRuleProcessing).toBe(true);
    expect(article.ExceptIfHeaderContainsWords).toEqual(['Internal']);
    expect(rules.map((r) => [r.Name, r.Priority])).toEqual([
      ['Redirect to quarantine if not coming from known IPs', 0],
      ['Tag everything', 1],
    ]);
  });

  it('quarantines Direct Send from an unknown IP and stops rule processing', () => {
    const { set, article } = articleSet();
    const headers = { From: 'ceo@contoso.com', 'X-MS-Exchange-Organization-AuthAs': 'Anonymous' };
    const r = evaluateRules(set, input({ ip: '203.0.113.77', mailFrom: 'ceo@contoso.com', headers }));
    expect(r.decision.disposition).toEqual({ action: 'quarantine', rule: { Name: article.Name, Guid: article.Guid, Priority: 0, Mode: 'Enforce' } });
    expect(r.decision.stoppedBy?.reason).toBe('Quarantine');
    expect(r.decision.headerEdits).toEqual([]); // "Tag everything" never ran
    expect(r.explanations.map((e) => e.status)).toEqual(['matched', 'notEvaluated']);
    expect(r.explanations[0].exceptions).toEqual([
      { parameter: 'ExceptIfSenderIpRanges', matched: false },
      { parameter: 'ExceptIfHeaderContainsMessageHeader', matched: false },
    ]);
    expect(emailEventsFields(r)).toMatchObject({
      ExchangeTransportRule: article.Name,
      OrgLevelAction: 'Quarantine',
      OrgLevelPolicy: 'Exchange transport rule',
      EmailAction: 'Send to quarantine',
      EmailActionPolicy: 'Enterprise Transport Rules (ETR)',
      EmailActionPolicyGuid: article.Guid,
    });
    const [ev] = traceEvents(r, new Date('2026-01-15T12:00:00Z'));
    expect(ev.Event).toBe('Transport rule');
    expect(ev.Action).toBe('Quarantine');
    expect(ev.Data).toBe(`S:TRA=ETR|ruleId=${article.Guid}|st=2026-01-15T12:00:00.000Z|action=Quarantine|sev=1|mode=Enforce`);
  });

  it.each([
    ['IPv4 CIDR', '198.51.100.25'],
    ['IPv4 range', '192.0.2.15'],
    ['IPv6 CIDR', '2001:db8:1:2::25'],
    ['IPv4-mapped IPv6', '::ffff:198.51.100.25'],
  ])('delivers mail from an approved IP (%s)', (_label, ip) => {
    const { set } = articleSet();
    const r = evaluateRules(set, input({ ip }));
    expect(r.decision.disposition).toEqual({ action: 'deliver' });
    expect(r.explanations[0].status).toBe('excepted');
    expect(r.explanations[0].exceptions[0]).toMatchObject({ parameter: 'ExceptIfSenderIpRanges', matched: true, on: ip });
    // The next rule ran: StopRuleProcessing belongs to a rule that didn't match.
    expect(r.decision.headerEdits).toHaveLength(1);
  });

  it('delivers mail whose AuthAs header says Internal', () => {
    const { set } = articleSet();
    const headers = { 'X-MS-Exchange-Organization-AuthAs': 'Internal' };
    const r = evaluateRules(set, input({ ip: '203.0.113.77', headers }, { authAs: 'Internal' }), { explain: false });
    expect(r.decision.disposition).toEqual({ action: 'deliver' });
    expect(r.explanations).toEqual([]);
    // The gateway stamps AuthAs from its own attribution, header or not (as Exchange does).
    expect(evaluateRules(set, input({ ip: '203.0.113.77' }, { authAs: 'Internal' })).decision.disposition.action).toBe('deliver');
  });

  it('a forged AuthAs: Internal header on anonymous mail does not exempt it', () => {
    const { set } = articleSet();
    const headers = { 'X-MS-Exchange-Organization-AuthAs': 'Internal' };
    const r = evaluateRules(set, input({ ip: '203.0.113.77', mailFrom: 'ceo@contoso.com', headers }, { authAs: 'Anonymous' }));
    expect(r.decision.disposition.action).toBe('quarantine');
  });

  it('explains which header matched', () => {
    const { set } = articleSet();
    const r = evaluateRules(set, input({ ip: '203.0.113.77' }, { authAs: 'Internal' }));
    expect(r.explanations[0].exceptions[1]).toEqual({
      parameter: 'ExceptIfHeaderContainsMessageHeader',
      matched: true,
      value: 'Internal',
      on: 'x-ms-exchange-organization-authas',
    });
  });

  it("the article's placeholder text for the IP ranges is refused, naming the parameter", () => {
    expect(() => buildRule({ ...articleParams, ExceptIfSenderIpRanges: 'MX records + on-premises IPs + other authorized IPs ' })).toThrow(
      /ExceptIfSenderIpRanges: 'MX records \+ on-premises IPs \+ other authorized IPs' isn't a valid IP address/,
    );
  });

  it('Audit mode records the hit without quarantining', () => {
    const rule = buildRule({ ...articleParams, Mode: 'Audit' });
    const r = evaluateRules(compileRules([rule]), input({ ip: '203.0.113.77' }));
    expect(r.decision.disposition).toEqual({ action: 'deliver' });
    expect(r.decision.hits).toHaveLength(1);
    expect(r.decision.hits[0].enforced).toBe(false);
    expect(r.explanations[0].status).toBe('audited');
    expect(emailEventsFields(r).OrgLevelAction).toBe('');
    expect(traceEvents(r, new Date(0))[0].Data).toContain('mode=Audit');
  });
});
