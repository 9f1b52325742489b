// The hot path (explain off) skips rules through indexed gates and V8 prefilters; the explaining
// path runs every condition. Both must always reach the same decision.
import { describe, expect, it } from 'vitest';
import { buildRule } from './build.js';
import { compileRules, type CompiledRuleSet } from './compile.js';
import { evaluateRules } from './evaluate.js';
import { parseClientIp } from './ipRanges.js';
import { requiredLiteral } from './matchers.js';
import { input, type MessageSpec } from './testkit.js';

const hits = (set: CompiledRuleSet, spec: MessageSpec, explain: boolean) =>
  evaluateRules(set, input(spec), { explain }).decision.hits.map((h) => h.rule.Name);

function agree(set: CompiledRuleSet, spec: MessageSpec): string[] {
  const fast = hits(set, spec, false);
  expect(fast).toEqual(hits(set, spec, true));
  return fast;
}

describe('gates', () => {
  it('SenderIpRanges across rules: one lookup, overlapping and adjacent ranges, IPv6 and mapped IPv4', () => {
    const set = compileRules([
      buildRule({ Name: 'a', Priority: 0, SenderIpRanges: ['10.0.0.0/8', '2001:db8::/32'], SetSCL: 1 }),
      buildRule({ Name: 'b', Priority: 1, SenderIpRanges: ['10.1.0.0/16'], SetSCL: 2 }),
      buildRule({ Name: 'c', Priority: 2, SenderIpRanges: ['10.1.255.255-10.2.0.5', '2001:db8:1::1'], SetSCL: 3 }),
    ]);
    expect(agree(set, { ip: '10.1.2.3' })).toEqual(['a', 'b']);
    expect(agree(set, { ip: '10.2.0.5' })).toEqual(['a', 'c']);
    expect(agree(set, { ip: '10.2.0.6' })).toEqual(['a']);
    expect(agree(set, { ip: '::ffff:10.1.255.255' })).toEqual(['a', 'b', 'c']);
    expect(agree(set, { ip: '2001:DB8:1::1' })).toEqual(['a', 'c']);
    expect(agree(set, { ip: '2001:db9::1' })).toEqual([]);
    expect(agree(set, { ip: 'not an ip' })).toEqual([]);
  });

  it('domain and address gates see subdomains, and header edits by earlier rules', () => {
    const set = compileRules([
      buildRule({ Name: 'rewrite', Priority: 0, SenderDomainIs: 'fabrikam.com', SetHeaderName: 'From', SetHeaderValue: 'x@tailspin.example' }),
      buildRule({ Name: 'tailspin', Priority: 1, SenderDomainIs: 'tailspin.example', SetSCL: 1 }),
      buildRule({ Name: 'fabrikam again', Priority: 2, SenderDomainIs: 'fabrikam.com', SetSCL: 2 }),
      buildRule({ Name: 'cc', Priority: 3, AnyOfToCcHeader: 'team@contoso.com', SetSCL: 3 }),
      buildRule({ Name: 'rcpt', Priority: 4, RecipientDomainIs: 'sales.contoso.com', SetSCL: 4 }),
    ]);
    expect(agree(set, { mailFrom: 'a@mail.fabrikam.com', headers: { From: 'a@mail.fabrikam.com', Cc: 'Team <TEAM@contoso.com>' } })).toEqual(['rewrite', 'tailspin', 'cc']);
    expect(agree(set, { mailFrom: 'a@notfabrikam.com', rcptTo: ['u@eu.sales.contoso.com'] })).toEqual(['rcpt']);
    // No From header: the sender conditions fall back to MAIL FROM.
    expect(agree(set, { mailFrom: 'b@tailspin.example', headers: [{ name: 'Subject', value: 'x' }] })).toEqual(['tailspin']);
  });

  it('pattern literals are only trusted on ASCII text (RE2 folds K to the Kelvin sign)', () => {
    const rules = Array.from({ length: 12 }, (_, i) => buildRule({ Name: `p${i}`, Priority: i, SubjectMatchesPatterns: [`ticket\\s*#${i}\\d`, `^\\[case-${i}\\]`], SetSCL: 1 }));
    const set = compileRules(rules);
    expect(agree(set, { headers: { Subject: 'Re: ticket #31' } })).toEqual(['p3']);
    expect(agree(set, { headers: { Subject: 'Re: tic\u212Aet #31' } })).toEqual(['p3']);
    expect(agree(set, { headers: { Subject: '[CASE-7] \u00e9t\u00e9' } })).toEqual(['p7']);
    expect(agree(set, { headers: { Subject: 'nothing here' } })).toEqual([]);
  });

  it('the candidate list agrees with visiting every rule: header edits re-gate later rules, missing content is an error', () => {
    // Rules that edit the headers other rules are gated on (From, To, Cc, Subject, X-Tag), gated
    // rules needing content, rules with two gates, and ungated ones.
    const rule = (i: number): Record<string, unknown> => {
      const base = { Name: `r${i}`, Priority: i };
      switch (i % 12) {
        case 0:
          return { ...base, SenderIpRanges: [`10.${i % 4}.0.0/16`], SetHeaderName: 'From', SetHeaderValue: `x@tailspin${i % 3}.example` };
        case 1:
          return { ...base, SenderDomainIs: `tailspin${i % 3}.example`, SetHeaderName: 'To', SetHeaderValue: `team${i % 5}@contoso.com` };
        case 2:
          return { ...base, AnyOfToCcHeader: [`team${i % 5}@contoso.com`], PrependSubject: `[t${i % 4}] ` };
        case 3:
          return { ...base, SubjectContainsWords: [`[t${i % 4}]`, `hello${i % 4}`], SetHeaderName: 'X-Tag', SetHeaderValue: `tag${i % 3}` };
        case 4:
          return { ...base, HeaderContainsMessageHeader: 'X-Tag', HeaderContainsWords: [`tag${i % 3}`, 'other'], SetSCL: i % 9 };
        case 5:
          return { ...base, SenderIpRanges: ['10.0.0.0/8'], SubjectOrBodyContainsWords: [`secret${i % 3}`, 'classified'], RuleErrorAction: i % 2 ? 'Defer' : 'Ignore', SetSCL: 5 };
        case 6:
          return { ...base, SubjectMatchesPatterns: [`ticket\\s*#?${i % 5}\\d+`, `^\\[case-${i % 5}\\]`], RemoveHeader: 'Cc' };
        case 7:
          return { ...base, AnyOfCcHeader: [`cc${i % 3}@contoso.com`], SubjectContainsWords: ['ticket', 'hello'], SetHeaderName: 'Subject', SetHeaderValue: `hello${i % 4}` };
        case 8:
          return { ...base, SCLOver: 3, PrependSubject: '[SCL] ' };
        case 9:
          return { ...base, FromAddressContainsWords: [`tailspin${i % 3}`, 'fabrikam'], ExceptIfSubjectContainsWords: ['[SCL]'], BlindCopyTo: `audit${i}@contoso.com` };
        case 10:
          return { ...base, RecipientDomainIs: 'sales.contoso.com', HeaderMatchesMessageHeader: 'X-Tag', HeaderMatchesPatterns: [`^tag${i % 3}$`, 'zzz\\d'], SetHeaderName: 'Cc', SetHeaderValue: `cc${i % 3}@contoso.com` };
        default:
          return { ...base, SentToScope: 'InOrganization', SetHeaderName: 'X-Seen', SetHeaderValue: String(i) };
      }
    };
    let seed = 5;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const pick = <T>(xs: T[]) => xs[rnd(xs.length)];
    for (const count of [12, 40, 120]) {
      const set = compileRules(Array.from({ length: count }, (_, i) => buildRule(rule(i))));
      for (let k = 0; k < 150; k++) {
        const headers: Record<string, string> = {
          From: pick(['a@fabrikam.com', 'b@tailspin1.example', '"B" <b@mail.tailspin2.example>', 'c@contoso.com']),
          To: pick(['team1@contoso.com', 'u@contoso.com, team3@contoso.com', 'x@y.example']),
          Subject: pick(['hello2 there', 'Re: ticket #31', '[case-2] ticket #4', 'nothing', '=?UTF-8?B?dGlja2V0ICMyMw==?=', 'héllo1 wörld']),
        };
        if (rnd(2)) headers.Cc = pick(['cc1@contoso.com', 'team2@contoso.com', 'z@z.example']);
        if (rnd(3) === 0) headers['X-Tag'] = pick(['tag1', 'tag2', 'zzz9']);
        const spec: MessageSpec = { ip: pick(['10.0.1.2', '10.1.2.3', '10.3.0.1', '203.0.113.5', '2001:db8::1']), rcptTo: rnd(2) ? ['u@sales.contoso.com'] : ['u@contoso.com', 'v@elsewhere.example'], headers };
        const extra = rnd(3) === 0 ? {} : { content: { bodyText: pick(['nothing here', 'a classified memo', 'secret1']), attachments: [] } };
        const fast = evaluateRules(set, input(spec, extra), { explain: false }).decision;
        const full = evaluateRules(set, input(spec, extra), { explain: true }).decision;
        expect(fast, JSON.stringify({ count, spec, extra })).toEqual(full);
      }
    }
  });

  it('a field whose RE2.Set gives up is decided matcher by matcher, with the same result', () => {
    const rules = Array.from({ length: 12 }, (_, i) =>
      buildRule({ Name: `s${i}`, Priority: i, ...(i % 2 ? { SubjectMatchesPatterns: [`ticket\\s*#${i}\\d`, `^\\[case-${i}\\]`] } : { SubjectContainsWords: [`word${i}`, `two words${i}`] }), SetSCL: 1 }),
    );
    const normal = compileRules(rules);
    const failing = compileRules(rules);
    const spec = failing.fields.find((f) => f.name === 'subject')!;
    expect(spec.exact).toBeDefined();
    // What RE2::Set does when its DFA runs out of memory.
    spec.exact!.set.match = () => {
      throw new Error('RE2.Set matching failed: out of memory.');
    };
    expect(() => spec.exact!.set.match('ticket')).toThrow();
    for (const subject of ['Re: ticket #31 word4', '[CASE-7] two  words2', 'word1 ticket #3', 'nothing', 'wörd tic\u212Aet #51']) {
      expect(agree(failing, { headers: { Subject: subject } }), subject).toEqual(agree(normal, { headers: { Subject: subject } }));
    }
    expect(agree(failing, { headers: { Subject: 'Re: ticket #31 word4' } })).toEqual(['s3', 's4']);
  });

  it('reads required literals only off simple patterns', () => {
    expect(requiredLiteral('ticket\\s*#?5\\d+')).toBe('ticket');
    expect(requiredLiteral('^\\[case-5\\]')).toBe('[case-5]');
    expect(requiredLiteral('abc?d')).toBeUndefined();
    expect(requiredLiteral('ab+cd')).toBeUndefined();
    expect(requiredLiteral('foo|barbaz')).toBeUndefined();
    expect(requiredLiteral('a(bcd)')).toBeUndefined();
    expect(requiredLiteral('\\x{41}bc')).toBeUndefined();
  });

  it('parses plain IPv6 like ipaddr.js', () => {
    expect(parseClientIp('2001:db8::1')).toEqual({ family: 6, value: 0x20010db8000000000000000000000001n });
    expect(parseClientIp('::ffff:a00:1')).toEqual({ family: 4, value: 0x0a000001 });
    expect(parseClientIp('1:2:3:4:5:6:7::')).toEqual({ family: 6, value: 0x00010002000300040005000600070000n });
    expect(parseClientIp('1::2::3')).toBeUndefined();
    expect(parseClientIp('12345::1')).toBeUndefined();
  });
});
