// The rule model, buildRule/updateRule from cmdlet parameters, priorities, limits, and the small
// parsers (sizes, IP ranges, encoded-words, address lists).
import { describe, expect, it } from 'vitest';
import { buildRule, updateRule } from './build.js';
import { RuleCompileError, compileRules } from './compile.js';
import { IpRangeSet, parseClientIp, parseIpInterval } from './ipRanges.js';
import { formatSize, insertRule, moveRule, normalizePriorities, parseSize, removeRule } from './model.js';

describe('buildRule', () => {
  it('takes Exchange parameter names in any case, single values as arrays, Enabled as State', () => {
    const r = buildRule(
      { name: 'x', subjectcontainswords: 'Invoice', '-ExceptIfSenderIpRanges': '10.0.0.0/8', Enabled: '$false', SetSCL: '5', Quarantine: 'True' },
      { guid: '6f1c1d6e-3c59-4f43-9d4e-2f8c1e0c7a11', defaultPriority: 3 },
    );
    expect(r).toMatchObject({
      Name: 'x',
      Guid: '6f1c1d6e-3c59-4f43-9d4e-2f8c1e0c7a11',
      Priority: 3,
      State: 'Disabled',
      Mode: 'Enforce',
      SenderAddressLocation: 'Header',
      RuleErrorAction: 'Ignore',
      SetAuditSeverity: 'Low',
      StopRuleProcessing: false,
      SubjectContainsWords: ['Invoice'],
      ExceptIfSenderIpRanges: ['10.0.0.0/8'],
      SetSCL: 5,
      Quarantine: true,
    });
  });

  it('normalises sizes, addresses and domains', () => {
    const r = buildRule({ Name: 'x', MessageSizeOver: '10 MB', AttachmentSizeOver: '512KB', From: 'Alice@Fabrikam.COM', SenderDomainIs: '@Contoso.com' });
    expect(r.MessageSizeOver).toBe(10 * 1024 * 1024);
    expect(r.AttachmentSizeOver).toBe(512 * 1024);
    expect(r.From).toEqual(['alice@fabrikam.com']);
    expect(r.SenderDomainIs).toEqual(['contoso.com']);
  });

  it.each([
    [{ Name: 'x', Bogus: 1 }, /cannot be found that matches parameter name 'Bogus'/, 'Bogus'],
    [{ Name: 'x', FromMemberOf: 'g' }, /FromMemberOf: Postern doesn't support/, 'FromMemberOf'],
    [{ Name: 'x', SubjectMatchesPatterns: '(?<=a)b' }, /SubjectMatchesPatterns: '\(\?<=a\)b' is not a valid pattern/, 'SubjectMatchesPatterns'],
    [{ Name: 'x', SenderIpRanges: '10.0.0.300' }, /SenderIpRanges: '10.0.0.300' isn't a valid IP address/, 'SenderIpRanges'],
    [{ Name: 'x', MessageSizeOver: 'ten' }, /MessageSizeOver: 'ten' is not a size/, 'MessageSizeOver'],
    [{ Name: 'x', SubjectContainsWords: ' lead' }, /SubjectContainsWords: a word can't start or end with a space/, 'SubjectContainsWords'],
    [{ Name: 'x', HeaderContainsWords: 'a' }, /HeaderContainsMessageHeader: the parameter -HeaderContainsWords must be used together with -HeaderContainsMessageHeader/, 'HeaderContainsMessageHeader'],
    [{ Name: 'x', RejectMessageEnhancedStatusCode: '5.7.2' }, /5\.7\.1 or 5\.7\.900 to 5\.7\.999/, 'RejectMessageEnhancedStatusCode'],
    [{ Name: 'x', SetSCL: 10 }, /SCL is -1 or 0..9/, 'SetSCL'],
    [{ Name: 'x', Mode: 'Test' }, /Mode/, 'Mode'],
    [{ Quarantine: true }, /Name: the Name parameter is required/, 'Name'],
  ])('refuses %o naming the parameter', (params, message, parameter) => {
    try {
      buildRule(params);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleCompileError);
      expect((e as Error).message).toMatch(message);
      expect((e as RuleCompileError).parameter).toBe(parameter);
    }
  });

  it('updateRule changes parameters and $null clears one', () => {
    const r = buildRule({ Name: 'x', SubjectContainsWords: 'a', Quarantine: true });
    const u = updateRule(r, { SubjectContainsWords: null, PrependSubject: '[x]', Quarantine: false, Mode: 'Audit' });
    expect(u.SubjectContainsWords).toBeUndefined();
    expect(u).toMatchObject({ Guid: r.Guid, PrependSubject: '[x]', Quarantine: false, Mode: 'Audit' });
    expect(() => updateRule(r, { Guid: '6f1c1d6e-3c59-4f43-9d4e-2f8c1e0c7a11' })).toThrow(/identity/);
  });
});

describe('priorities', () => {
  const r = (Name: string, Priority: number) => ({ Name, Priority, Guid: Name });
  it('inserting at an occupied priority shifts the others down', () => {
    const out = insertRule([r('a', 0), r('b', 1), r('c', 2)], r('new', 1), 1);
    expect(out.map((x) => `${x.Name}:${x.Priority}`)).toEqual(['a:0', 'new:1', 'b:2', 'c:3']);
  });
  it('default is last; out of range is refused', () => {
    expect(insertRule([r('a', 0)], r('n', 0)).map((x) => x.Name)).toEqual(['a', 'n']);
    expect(() => insertRule([r('a', 0)], r('n', 0), 2)).toThrow(/between 0 and 1/);
  });
  it('moving and removing keep 0..N-1', () => {
    const rules = [r('a', 0), r('b', 1), r('c', 2)];
    expect(moveRule(rules, 'c', 0).map((x) => `${x.Name}:${x.Priority}`)).toEqual(['c:0', 'a:1', 'b:2']);
    expect(removeRule(rules, 'a').map((x) => `${x.Name}:${x.Priority}`)).toEqual(['b:0', 'c:1']);
    expect(normalizePriorities([r('x', 7), r('y', 3)]).map((x) => `${x.Name}:${x.Priority}`)).toEqual(['y:0', 'x:1']);
  });
});

describe('limits', () => {
  const mk = (i: number, extra: Record<string, unknown> = {}) => buildRule({ Name: `r${i}`, Priority: i, PrependSubject: 'x', ...extra });
  it('300 rules per organization', () => {
    expect(() => compileRules(Array.from({ length: 300 }, (_, i) => mk(i)))).not.toThrow();
    expect(() => compileRules(Array.from({ length: 301 }, (_, i) => mk(i)))).toThrow(/at most 300 transport rules/);
  });
  it('8 KB per rule', () => {
    const words = Array.from({ length: 1200 }, (_, i) => `word${i}`); // > 8192 characters
    expect(() => buildRule({ Name: 'big', SubjectContainsWords: words })).toThrow(/at most 8 KB/);
  });
  it('20 KB of regular expressions per organization', () => {
    const pattern = 'a'.repeat(7000);
    const rules = [0, 1, 2].map((i) => mk(i, { SubjectMatchesPatterns: `${pattern}${i}` }));
    try {
      compileRules(rules);
      expect.unreachable();
    } catch (e) {
      expect((e as RuleCompileError).limit).toBe('regexCharactersPerOrganization');
      expect((e as Error).message).toMatch(/at most 20 KB/);
    }
  });
  it('duplicate names and priorities are refused', () => {
    expect(() => compileRules([mk(0), { ...mk(1), Name: 'R0' }])).toThrow(/named 'R0'/);
    expect(() => compileRules([mk(0), { ...mk(1), Priority: 0 }])).toThrow(/both have Priority 0/);
  });
  it('compile reports which content the rules need', () => {
    expect(compileRules([mk(0)]).needs).toEqual({ body: false, attachments: false });
    expect(compileRules([mk(0, { SubjectOrBodyContainsWords: 'x' })]).needs).toEqual({ body: true, attachments: false });
    expect(compileRules([mk(0, { ExceptIfAttachmentIsUnsupported: true })]).needs).toEqual({ body: false, attachments: true });
    expect(compileRules([mk(0, { AttachmentSizeOver: '1 MB', Enabled: false })]).needs.attachments).toBe(false);
  });
});

describe('sizes', () => {
  it.each([
    ['10 MB', 10485760],
    ['10MB', 10485760],
    ['1.5 KB', 1536],
    ['2048', 2048],
    ['1 GB', 1073741824],
    ['10 MB (10,485,760 bytes)', 10485760],
  ])('%s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  it('formats like Exchange', () => expect(formatSize(10485760)).toBe('10 MB (10,485,760 bytes)'));
});

describe('IP ranges', () => {
  it.each(['192.168.1.1', '192.168.0.1-192.168.0.254', '192.168.0.1/25', '2001:db8::/32', '2001:db8::1-2001:db8::9', '::1'])('parses %s', (t) =>
    expect(typeof parseIpInterval(t)).toBe('object'),
  );
  it.each(['192.168.1', '10.0.0.1/33', '10.0.0.9-10.0.0.1', '10.0.0.1-2001:db8::1', 'host.example', '0x0a.0.0.1'])('refuses %s', (t) =>
    expect(typeof parseIpInterval(t)).toBe('string'),
  );
  it('searches merged intervals and says which value matched', () => {
    const set = new IpRangeSet(['10.0.0.0/24', '10.0.1.0/24', '192.0.2.5', '2001:db8::/64']);
    expect(set.has(parseClientIp('10.0.1.200'))).toBe(true);
    expect(set.has(parseClientIp('10.0.2.0'))).toBe(false);
    expect(set.has(parseClientIp('192.0.2.5'))).toBe(true);
    expect(set.has(parseClientIp('2001:db8::ffff'))).toBe(true);
    expect(set.has(parseClientIp('2001:db8:0:1::1'))).toBe(false);
    expect(set.which(parseClientIp('10.0.1.7'))).toBe('10.0.1.0/24');
    expect(set.has(parseClientIp('not-an-ip'))).toBe(false);
  });
});

