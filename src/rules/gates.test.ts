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
