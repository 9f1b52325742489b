// Every condition, table-driven: each row is run as a condition (the rule matches or not) and,
// with the same value under ExceptIf…, as an exception on an apply-to-all rule (it vetoes or not).
import { describe, expect, it } from 'vitest';
import { buildRule } from './build.js';
import { compileRules } from './compile.js';
import { evaluateRules } from './evaluate.js';
import { input, type MessageSpec } from './testkit.js';
import type { AttachmentFacts, MessageContent, RuleInput } from './input.js';

const att = (a: Partial<AttachmentFacts> & { name: string }): AttachmentFacts => ({
  size: 1000,
  contentType: 'application/octet-stream',
  isExecutable: false,
  isPasswordProtected: false,
  isUnsupported: false,
  ...a,
});
const content = (body: string, attachments: AttachmentFacts[] = []): { content: MessageContent } => ({ content: { bodyText: body, attachments } });

type Row = [label: string, condition: Record<string, unknown>, msg: MessageSpec, extra: Partial<RuleInput>, expected: boolean];

const rows: Row[] = [
  // Sender
  ['From matches the From header address', { From: 'Alice@Fabrikam.com' }, { headers: { From: '"Alice" <alice@fabrikam.com>' } }, {}, true],
  ['From: other address', { From: 'bob@fabrikam.com' }, { headers: { From: 'alice@fabrikam.com' } }, {}, false],
  ['From uses the header, not MAIL FROM, by default', { From: 'bounce@fabrikam.com' }, { mailFrom: 'bounce@fabrikam.com', headers: { From: 'alice@fabrikam.com' } }, {}, false],
  ['From with SenderAddressLocation Envelope', { From: 'bounce@fabrikam.com', SenderAddressLocation: 'Envelope' }, { mailFrom: 'bounce@fabrikam.com', headers: { From: 'alice@fabrikam.com' } }, {}, true],
  ['From with HeaderOrEnvelope', { From: 'alice@fabrikam.com', SenderAddressLocation: 'HeaderOrEnvelope' }, { mailFrom: 'bounce@fabrikam.com', headers: { From: 'alice@fabrikam.com' } }, {}, true],
  ['FromScope InOrganization: authenticated internal sender', { FromScope: 'InOrganization' }, { mailFrom: 'ceo@contoso.com' }, { authAs: 'Internal' }, true],
  ['FromScope InOrganization: forged own domain, anonymous', { FromScope: 'InOrganization' }, { mailFrom: 'ceo@contoso.com' }, { authAs: 'Anonymous' }, false],
  ['FromScope InOrganization: partner connector is not the organization', { FromScope: 'InOrganization' }, { mailFrom: 'ceo@contoso.com' }, { authAs: 'Partner' }, false],
  ['FromScope NotInOrganization: forged own domain, anonymous', { FromScope: 'NotInOrganization' }, { mailFrom: 'ceo@contoso.com' }, {}, true],
  ['FromScope NotInOrganization: external sender', { FromScope: 'NotInOrganization' }, {}, {}, true],
  ['FromScope NotInOrganization: internal sender', { FromScope: 'NotInOrganization' }, { mailFrom: 'ceo@contoso.com' }, { authAs: 'Internal' }, false],
  ['FromAddressContainsWords whole word', { FromAddressContainsWords: 'fabrikam' }, {}, {}, true],
  ['FromAddressContainsWords: contoso does not match acontoso', { FromAddressContainsWords: 'contoso' }, { mailFrom: 'x@acontoso.com' }, {}, false],
  ['FromAddressMatchesPatterns', { FromAddressMatchesPatterns: '^SENDER@' }, {}, {}, true],
  ['FromAddressMatchesPatterns with Envelope location', { FromAddressMatchesPatterns: 'bounces', SenderAddressLocation: 'Envelope' }, { mailFrom: 'bounces@x.com', headers: { From: 'a@x.com' } }, {}, true],
  ['SenderDomainIs exact', { SenderDomainIs: 'fabrikam.com' }, {}, {}, true],
  ['SenderDomainIs contoso.com matches mail.contoso.com', { SenderDomainIs: 'contoso.com' }, { mailFrom: 'a@mail.contoso.com' }, {}, true],
  ['SenderDomainIs does not match a longer name', { SenderDomainIs: 'contoso.com' }, { mailFrom: 'a@notcontoso.com' }, {}, false],
  ['SenderIpRanges single IPv4', { SenderIpRanges: '203.0.113.9' }, {}, {}, true],
  ['SenderIpRanges CIDR miss', { SenderIpRanges: '203.0.113.0/29' }, {}, {}, false],
  ['SenderIpRanges a-b range', { SenderIpRanges: '203.0.113.1-203.0.113.10' }, {}, {}, true],
  ['SenderIpRanges IPv6 CIDR', { SenderIpRanges: '2001:db8::/32' }, { ip: '2001:db8:abcd::1' }, {}, true],
  ['SenderIpRanges IPv6 range', { SenderIpRanges: '2001:db8::1-2001:db8::ff' }, { ip: '2001:db8::100' }, {}, false],
  ['SenderIpRanges: the connecting IP, not Received headers', { SenderIpRanges: '10.0.0.0/8' }, { headers: { Received: 'from x ([10.1.1.1])' } }, {}, false],
  // Recipients
  ['SentTo', { SentTo: 'USER@contoso.com' }, {}, {}, true],
  ['SentTo: another recipient', { SentTo: 'other@contoso.com' }, {}, {}, false],
  ['SentToScope InOrganization', { SentToScope: 'InOrganization' }, {}, {}, true],
  ['SentToScope NotInOrganization', { SentToScope: 'NotInOrganization' }, { rcptTo: ['a@contoso.com', 'b@elsewhere.org'] }, {}, true],
  ['SentToScope NotInOrganization: all internal', { SentToScope: 'NotInOrganization' }, {}, {}, false],
  ['RecipientAddressContainsWords', { RecipientAddressContainsWords: ['nobody', 'user'] }, {}, {}, true],
  ['RecipientAddressMatchesPatterns', { RecipientAddressMatchesPatterns: 'us.r@' }, {}, {}, true],
  ['RecipientDomainIs with subdomain', { RecipientDomainIs: 'contoso.com' }, { rcptTo: ['a@eu.contoso.com'] }, {}, true],
  ['RecipientDomainIs miss', { RecipientDomainIs: 'fabrikam.com' }, {}, {}, false],
  ['AnyOfToHeader', { AnyOfToHeader: 'boss@contoso.com' }, { headers: { To: 'Boss <boss@contoso.com>, x@y.com' } }, {}, true],
  ['AnyOfToHeader: only in Cc', { AnyOfToHeader: 'boss@contoso.com' }, { headers: { To: 'x@y.com', Cc: 'boss@contoso.com' } }, {}, false],
  ['AnyOfCcHeader', { AnyOfCcHeader: 'boss@contoso.com' }, { headers: { Cc: 'team: boss@contoso.com, z@contoso.com;' } }, {}, true],
  ['AnyOfToCcHeader', { AnyOfToCcHeader: 'boss@contoso.com' }, { headers: { Cc: 'boss@contoso.com' } }, {}, true],
  ['AnyOfRecipientAddressContainsWords', { AnyOfRecipientAddressContainsWords: 'finance' }, { rcptTo: ['a@contoso.com', 'finance@contoso.com'] }, {}, true],
  ['AnyOfRecipientAddressMatchesPatterns', { AnyOfRecipientAddressMatchesPatterns: '^fin' }, { rcptTo: ['a@contoso.com', 'Finance@contoso.com'] }, {}, true],
  // Subject and body
  ['SubjectContainsWords phrase', { SubjectContainsWords: 'wire transfer' }, { headers: { Subject: 'Urgent: Wire  Transfer today' } }, {}, true],
  ['SubjectContainsWords: contoso does not match acontoso', { SubjectContainsWords: 'contoso' }, { headers: { Subject: 'acontoso news' } }, {}, false],
  ['SubjectContainsWords: punctuation delimits', { SubjectContainsWords: 'contoso' }, { headers: { Subject: 'news from contoso.com!' } }, {}, true],
  ['SubjectContainsWords: * is literal', { SubjectContainsWords: '*' }, { headers: { Subject: 'no star here' } }, {}, false],
  ['SubjectContainsWords: * matches an asterisk', { SubjectContainsWords: '*' }, { headers: { Subject: 'prices*' } }, {}, true],
  ['SubjectContainsWords: no wildcard expansion', { SubjectContainsWords: 'cont*' }, { headers: { Subject: 'contoso' } }, {}, false],
  ['SubjectContainsWords: punctuation inside a word (e-mail)', { SubjectContainsWords: 'e-mail' }, { headers: { Subject: 'Your E-Mail account' } }, {}, true],
  ['SubjectContainsWords: c++ ends in punctuation', { SubjectContainsWords: 'C++' }, { headers: { Subject: 'jobs: c++, rust' } }, {}, true],
  ['SubjectContainsWords: $100', { SubjectContainsWords: '$100' }, { headers: { Subject: 'win $100 now' } }, {}, true],
  ['SubjectContainsWords: Unicode letters are word characters', { SubjectContainsWords: 'café' }, { headers: { Subject: 'cafés nearby' } }, {}, false],
  ['SubjectContainsWords: Unicode case-insensitive', { SubjectContainsWords: 'café' }, { headers: { Subject: 'CAFÉ!' } }, {}, true],
  ['SubjectContainsWords: underscore joins words', { SubjectContainsWords: 'smith' }, { headers: { Subject: 'john_smith' } }, {}, false],
  ['SubjectContainsWords: encoded-word subject is decoded', { SubjectContainsWords: 'Überweisung' }, { headers: { Subject: '=?UTF-8?B?RHJpbmdlbmRlIMOcYmVyd2Vpc3VuZw==?=' } }, {}, true],
  ['SubjectContainsWords: Q-encoded subject', { SubjectContainsWords: 'invoice due' }, { headers: { Subject: '=?iso-8859-1?Q?Invoice_due?= =?iso-8859-1?Q?_now?=' } }, {}, true],
  ['SubjectMatchesPatterns is case-insensitive', { SubjectMatchesPatterns: 'INVOICE\\s+\\d+' }, { headers: { Subject: 'your invoice 42' } }, {}, true],
  ['SubjectMatchesPatterns on the decoded text', { SubjectMatchesPatterns: '^Dringende' }, { headers: { Subject: '=?UTF-8?B?RHJpbmdlbmRlIMOcYmVyd2Vpc3VuZw==?=' } }, {}, true],
  ['SubjectMatchesPatterns: catastrophic pattern does not stall', { SubjectMatchesPatterns: '(a+)+$' }, { headers: { Subject: `${'a'.repeat(50000)}!` } }, {}, false],
  ['SubjectMatchesPatterns: catastrophic pattern, matching', { SubjectMatchesPatterns: '(a+)+$' }, { headers: { Subject: `!${'a'.repeat(50000)}` } }, {}, true],
  ['SubjectOrBodyContainsWords in the body', { SubjectOrBodyContainsWords: 'password' }, {}, content('Please reset your PASSWORD.'), true],
  ['SubjectOrBodyContainsWords in the subject', { SubjectOrBodyContainsWords: 'hello' }, {}, content(''), true],
  ['SubjectOrBodyMatchesPatterns', { SubjectOrBodyMatchesPatterns: '\\b\\d{4}-\\d{4}\\b' }, {}, content('card 1234-5678'), true],
  // Headers
  ['HeaderContainsWords', { HeaderContainsMessageHeader: 'X-Mailer', HeaderContainsWords: 'PHPMailer' }, { headers: { 'x-mailer': 'phpmailer 6.0' } }, {}, true],
  ['HeaderContainsWords: header missing', { HeaderContainsMessageHeader: 'X-Mailer', HeaderContainsWords: 'PHPMailer' }, {}, {}, false],
  ['HeaderContainsWords: any instance of a repeated header', { HeaderContainsMessageHeader: 'X-Tag', HeaderContainsWords: 'b' }, { headers: { 'X-Tag': ['a', 'b'] } }, {}, true],
  ['HeaderContainsWords: encoded-word header decoded', { HeaderContainsMessageHeader: 'X-Note', HeaderContainsWords: 'café' }, { headers: { 'X-Note': '=?utf-8?q?caf=C3=A9?=' } }, {}, true],
  ['HeaderMatchesPatterns', { HeaderMatchesMessageHeader: 'Received-SPF', HeaderMatchesPatterns: '^(fail|softfail)' }, { headers: { 'Received-SPF': 'SoftFail (domain of x)' } }, {}, true],
  // Attachments
  ['AttachmentNameMatchesPatterns', { AttachmentNameMatchesPatterns: '\\.(exe|scr)$' }, {}, content('', [att({ name: 'Invoice.PDF.EXE' })]), true],
  ['AttachmentExtensionMatchesWords', { AttachmentExtensionMatchesWords: ['exe', 'js'] }, {}, content('', [att({ name: 'a.JS' })]), true],
  ['AttachmentExtensionMatchesWords: only the extension', { AttachmentExtensionMatchesWords: 'exe' }, {}, content('', [att({ name: 'exe.txt' })]), false],
  ['AttachmentContainsWords', { AttachmentContainsWords: 'confidential' }, {}, content('', [att({ name: 'a.docx', text: 'Strictly Confidential.' })]), true],
  ['AttachmentMatchesPatterns', { AttachmentMatchesPatterns: '\\d{3}-\\d{2}-\\d{4}' }, {}, content('', [att({ name: 'a.txt', text: 'ssn 123-45-6789' })]), true],
  ['AttachmentSizeOver "10 MB"', { AttachmentSizeOver: '10 MB' }, {}, content('', [att({ name: 'big.zip', size: 11 * 1024 * 1024 })]), true],
  ['AttachmentSizeOver: smaller', { AttachmentSizeOver: '10 MB' }, {}, content('', [att({ name: 'a.zip', size: 1024 })]), false],
  ['AttachmentHasExecutableContent', { AttachmentHasExecutableContent: true }, {}, content('', [att({ name: 'x.bin', isExecutable: true })]), true],
  ['AttachmentHasExecutableContent: none', { AttachmentHasExecutableContent: true }, {}, content('', [att({ name: 'x.exe' })]), false],
  ['AttachmentIsPasswordProtected', { AttachmentIsPasswordProtected: true }, {}, content('', [att({ name: 'x.zip', isPasswordProtected: true })]), true],
  ['AttachmentIsUnsupported', { AttachmentIsUnsupported: true }, {}, content('', [att({ name: 'x.xyz', isUnsupported: true })]), true],
  // Message properties
  ['MessageSizeOver "100 KB"', { MessageSizeOver: '100 KB' }, { size: 100 * 1024 }, {}, true],
  ['MessageSizeOver: smaller', { MessageSizeOver: '100KB' }, { size: 100 * 1024 - 1 }, {}, false],
  ['MessageTypeMatches OOF', { MessageTypeMatches: 'OOF' }, { headers: { 'Auto-Submitted': 'auto-replied' } }, {}, true],
  ['MessageTypeMatches ReadReceipt', { MessageTypeMatches: 'ReadReceipt' }, { headers: { 'Content-Type': 'multipart/report; report-type=disposition-notification; boundary=x' } }, {}, true],
  ['MessageTypeMatches Signed', { MessageTypeMatches: 'Signed' }, { headers: { 'Content-Type': 'multipart/signed; protocol="application/pkcs7-signature"' } }, {}, true],
  ['MessageTypeMatches Encrypted: plain message', { MessageTypeMatches: 'Encrypted' }, {}, {}, false],
  ['MessageTypeMatches Calendaring', { MessageTypeMatches: 'Calendaring' }, { headers: { 'Content-Type': 'text/calendar; method=REQUEST' } }, {}, true],
  ['WithImportance High', { WithImportance: 'High' }, { headers: { Importance: 'high' } }, {}, true],
  ['WithImportance from X-Priority', { WithImportance: 'Low' }, { headers: { 'X-Priority': '5 (Lowest)' } }, {}, true],
  ['WithImportance Normal by default', { WithImportance: 'Normal' }, {}, {}, true],
  ['SCLOver 5 with SCL 5', { SCLOver: 5 }, {}, { scl: 5 }, true],
  ['SCLOver 5 with SCL 4', { SCLOver: 5 }, {}, { scl: 4 }, false],
  ['SCLOver with no SCL known', { SCLOver: -1 }, {}, {}, false],
  ['HasNoClassification', { HasNoClassification: true }, {}, {}, true],
  ['HasNoClassification: classified', { HasNoClassification: true }, { headers: { 'X-MS-Exchange-Organization-Classification': 'abc' } }, {}, false],
];

function run(params: Record<string, unknown>, msg: MessageSpec, extra: Partial<RuleInput>) {
  const rule = buildRule({ Name: 'r', SetHeaderName: 'X-Hit', SetHeaderValue: '1', ...params });
  return evaluateRules(compileRules([rule]), input(msg, extra));
}

describe('conditions', () => {
  it.each(rows)('%s', (_label, condition, msg, extra, expected) => {
    const r = run(condition, msg, extra);
    expect(r.decision.hits.length === 1).toBe(expected);
    expect(r.explanations[0].conditions.every((c) => c.matched)).toBe(expected);
  });
});

describe('exceptions (ExceptIf…)', () => {
  it.each(rows)('%s', (_label, condition, msg, extra, expected) => {
    const except = Object.fromEntries(
      Object.entries(condition).map(([k, v]) => [k === 'SenderAddressLocation' ? k : `ExceptIf${k}`, v]),
    );
    const r = run(except, msg, extra);
    // An exception that matches vetoes the (apply-to-all) rule.
    expect(r.decision.hits.length === 1).toBe(!expected);
    expect(r.explanations[0].status).toBe(expected ? 'excepted' : 'matched');
  });
});

describe('combination semantics', () => {
  it('no condition applies to every message', () => {
    const r = run({}, {}, {});
    expect(r.decision.hits).toHaveLength(1);
  });

  it('conditions are ANDed', () => {
    expect(run({ SenderDomainIs: 'fabrikam.com', SubjectContainsWords: 'hello' }, {}, {}).decision.hits).toHaveLength(1);
    expect(run({ SenderDomainIs: 'fabrikam.com', SubjectContainsWords: 'bye' }, {}, {}).decision.hits).toHaveLength(0);
  });

  it('values within one condition are ORed, and the explanation says which matched', () => {
    const r = run({ SubjectContainsWords: ['bye', 'HELLO'] }, {}, {});
    expect(r.explanations[0].conditions[0]).toEqual({ parameter: 'SubjectContainsWords', matched: true, value: 'HELLO', on: 'Subject' });
  });

  it('any one exception vetoes', () => {
    const r = run({ ExceptIfSubjectContainsWords: 'nope', ExceptIfSenderDomainIs: 'fabrikam.com' }, {}, {});
    expect(r.decision.hits).toHaveLength(0);
    const byName = Object.fromEntries(r.explanations[0].exceptions.map((e) => [e.parameter, e.matched]));
    expect(byName).toEqual({ ExceptIfSubjectContainsWords: false, ExceptIfSenderDomainIs: true });
  });

  it('a later rule sees headers set by an earlier one', () => {
    const a = buildRule({ Name: 'a', Priority: 0, SetHeaderName: 'X-Flag', SetHeaderValue: 'external sender' });
    const b = buildRule({ Name: 'b', Priority: 1, HeaderContainsMessageHeader: 'X-Flag', HeaderContainsWords: 'external', PrependSubject: '[EXT] ' });
    const r = evaluateRules(compileRules([a, b]), input());
    expect(r.decision.subjectPrefix).toBe('[EXT] ');
  });

  it('a later rule sees the subject prefixed by an earlier one (prefilters recomputed)', () => {
    const params: Record<string, unknown>[] = [{ PrependSubject: '[EXTERNAL] ' }];
    for (let i = 0; i < 40; i++) params.push({ SubjectContainsWords: [`filler${i}`], SetSCL: 1 });
    params.push({ SubjectContainsWords: 'external', SubjectMatchesPatterns: '^\\[EXTERNAL\\] Hello$', SetHeaderName: 'X-Seen', SetHeaderValue: 'yes' });
    params.push({ HeaderContainsMessageHeader: 'X-Seen', HeaderContainsWords: 'yes', BlindCopyTo: 'audit@contoso.com' });
    const set = compileRules(params.map((p, i) => buildRule({ Name: `r${i}`, Priority: i, ...p })));
    for (const explain of [true, false]) {
      const r = evaluateRules(set, input(), { explain });
      expect(r.decision.hits.map((h) => h.rule.Name)).toEqual(['r0', 'r41', 'r42']);
      expect(r.decision.addedRecipients.map((a) => a.address)).toEqual(['audit@contoso.com']);
    }
  });

  it('a rule that needs body text errors without content (RuleErrorAction Ignore skips it, Defer defers)', () => {
    const rule = { SubjectOrBodyContainsWords: 'x', Quarantine: true };
    const ignore = run(rule, {}, {});
    expect(ignore.explanations[0].status).toBe('error');
    expect(ignore.decision.disposition.action).toBe('deliver');
    const defer = run({ ...rule, RuleErrorAction: 'Defer' }, {}, {});
    expect(defer.decision.disposition.action).toBe('defer');
  });

  it('ActivationDate and ExpiryDate bound when a rule applies', () => {
    const window = { ActivationDate: '2026-01-01T00:00:00Z', ExpiryDate: '2026-02-01T00:00:00Z' };
    expect(run(window, {}, {}).decision.hits).toHaveLength(1);
    expect(run(window, {}, { now: new Date('2026-03-01T00:00:00Z') }).explanations[0].status).toBe('notActive');
    expect(run(window, {}, { now: new Date('2025-12-31T23:59:59Z') }).explanations[0].status).toBe('notActive');
  });

  it('a disabled rule is skipped', () => {
    expect(run({ Enabled: false }, {}, {}).explanations[0].status).toBe('disabled');
    expect(run({ State: 'Disabled' }, {}, {}).decision.hits).toHaveLength(0);
  });

  it('per-field prefilters (many words and patterns on one field) pick exactly the matching rules', () => {
    const params: Record<string, unknown>[] = [];
    for (let i = 0; i < 40; i++) params.push({ SubjectContainsWords: [`alpha${i}`, `beta ${i}`] });
    for (let i = 0; i < 10; i++) params.push({ SubjectMatchesPatterns: [`^ticket-${i}\\b`, `\\Qcase(${i})\\E`] });
    params.push({ SubjectContainsWords: 'contoso' });
    const set = compileRules(params.map((p, i) => buildRule({ Name: `r${i}`, Priority: i, SetSCL: 1, ...p })));
    const hits = (subject: string) => evaluateRules(set, input({ headers: { Subject: subject } }), { explain: false }).decision.hits.map((h) => h.rule.Name);
    expect(hits('about ALPHA7 and beta  12')).toEqual(['r7', 'r12']);
    expect(hits('ticket-3 about case(4)')).toEqual(['r43', 'r44']);
    expect(hits('ticket-30')).toEqual([]);
    expect(hits('alpha1x acontoso')).toEqual([]);
    expect(hits('nothing here')).toEqual([]);
    expect(hits('news from Contoso')).toEqual(['r50']);
    expect(hits('beta\u00a03')).toEqual(['r3']); // a no-break space is white space for phrases
  });

  it('prefiltered evaluation agrees with rule-by-rule evaluation on random subjects', () => {
    const vocabulary = ['alpha', 'Beta', 'ÉCLAIR', 'c++', 'e-mail', 'wire', 'transfer', 'ticket-4', '#12', 'case(3)', 'x_y', 'ǅemal', 'ﬀ', 'ß'];
    const params: Record<string, unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      const w = vocabulary[i % vocabulary.length];
      params.push(i % 3 === 2 ? { SubjectMatchesPatterns: [`${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d?`] } : { SubjectContainsWords: [w, `${w} ${vocabulary[(i + 5) % vocabulary.length]}`] });
    }
    const rules = params.map((p, i) => buildRule({ Name: `r${i}`, Priority: i, SetSCL: 1, ...p }));
    const all = compileRules(rules);
    const singles = rules.map((r) => compileRules([{ ...r, Priority: 0 }]));
    expect(all.fields.find((f) => f.name === 'subject')?.prefilter).toBeDefined();
    expect(all.rules.filter((r) => r.gateField >= 0).length).toBeGreaterThan(20);
    let seed = 3;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const seps = [' ', '  ', '\u00a0', '.', ',', 'x', '_', '-', ''];
    for (let k = 0; k < 300; k++) {
      let subject = '';
      for (let j = 0; j < 5; j++) {
        const w = vocabulary[rnd(vocabulary.length)];
        subject += (rnd(2) ? w.toUpperCase() : w.toLowerCase()) + seps[rnd(seps.length)];
      }
      const msg = input({ headers: { Subject: subject } });
      const together = evaluateRules(all, msg, { explain: false }).decision.hits.map((h) => h.rule.Name);
      const apart = singles.flatMap((set) => evaluateRules(set, msg, { explain: false }).decision.hits.map((h) => h.rule.Name));
      expect(together, subject).toEqual(apart);
    }
  });

  it('a catastrophic pattern on a large body stays fast', () => {
    const body = `${'a'.repeat(1024 * 1024)}b`;
    const t = performance.now();
    const r = run({ SubjectOrBodyMatchesPatterns: ['(a+)+$', '(x+x+)+y'] }, {}, content(body));
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r.decision.hits).toHaveLength(0);
  });
});
