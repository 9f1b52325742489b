// What the user sees when a query is wrong or asks for something Postern does not translate:
// an error naming the construct and its position — never a silently different answer.
import { describe, expect, it } from 'vitest';
import { compileKql } from './compiler.js';
import { KqlError } from './errors.js';
import { parseQuery } from './parser.js';
import { kustoOracle } from './testing/oracle.js';

const compile = (q: string) => compileKql(q, { orgId: 'contoso', now: Date.UTC(2026, 2, 1) });
function errorOf(q: string): KqlError {
  try {
    compile(q);
  } catch (e) {
    expect(e).toBeInstanceOf(KqlError);
    return e as KqlError;
  }
  throw new Error(`expected an error for: ${q}`);
}

describe('invalid queries (Kusto rejects them too)', () => {
  const INVALID: [string, RegExp, number, number][] = [
    ['EmailEvents | wher Subject == "x"', /Unknown tabular operator 'wher'/, 1, 15],
    ['EmailEvents | where timestamp > ago(1d)', /Unknown column or name 'timestamp'.*did you mean 'Timestamp'/, 1, 21],
    ['EmailEvents\n| where Subject == "x"\n| project Foo', /Unknown column or name 'Foo'/, 3, 11],
    ['EmailEvents | where Subject == "unterminated', /Unterminated string literal/, 1, 32],
    ['EmailEvents | where EmailSize', /boolean expression is expected/, 1, 21],
    ['EmailEvents | where Subject > 5', /Cannot compare string with long/, 1, 29],
    ['EmailEvents | project n = count()', /only allowed in summarize/, 1, 27],
    ['EmailEvents | summarize Subject', /aggregation/, 1, 25],
    ['EmailEvents | summarize count() by SenderIPv4 | project count_ + "x"', /cannot combine long and string/, 1, 64],
    ['EmailEvents | where Timestamp > ago(3)', /must be timespan, not long/, 1, 37],
    ['EmailEvents | join (EmailUrlInfo) on Url', /not a column of the left side/, 1, 38],
    ['EmailEvents | take "ten"', /row count must be an integer/, 1, 20],
    ['EmailEvents | where Timestamp > ago(30x)', /Unknown timespan unit 'x'/, 1, 37],
    ['Emails | count', /Unknown table 'Emails'/, 1, 1],
    ['EmailEvents | where foo(Subject)', /Unknown or unsupported function 'foo\(\)'/, 1, 21],
    ['EmailEvents | project parse_json(Subject).a.b, Subject.x', /needs a dynamic value; wrap the column in parse_json/, 1, 55],
    ['let x = 1 EmailEvents', /Expected ';' after the let statement/, 1, 11],
  ];
  for (const [q, re, line, col] of INVALID) {
    it(q.replace(/\n/g, ' '), () => {
      const e = errorOf(q);
      expect(e.message).toMatch(re);
      expect([e.line, e.column]).toEqual([line, col]);
      expect(e.message).toMatch(new RegExp(`^line ${line}, column ${col}: `));
      expect(kustoOracle(q).diagnostics.length, 'the official parser rejects it as well').toBeGreaterThan(0);
    });
  }
});

describe('bad regular expressions are reported at compile time, with their position', () => {
  const BAD: [string, number][] = [
    ['EmailEvents | where Subject matches regex "([a-z"', 43],
    ['EmailEvents | extend x = extract("(?<", 1, Subject)', 34],
    ['EmailEvents | extend x = replace_regex(Subject, "a{2,1}", "b")', 49],
  ];
  for (const [q, col] of BAD) {
    it(q, () => {
      const e = errorOf(q);
      expect(e.message).toMatch(/Invalid regular expression/);
      expect([e.line, e.column]).toEqual([1, col]);
    });
  }
});

describe('valid Kusto that Postern does not translate is rejected by name', () => {
  const UNSUPPORTED: [string, RegExp][] = [
    ['EmailEvents | evaluate autocluster()', /'autocluster' plugin \(evaluate autocluster\) is not supported .*; Postern evaluates bag_unpack and pivot/],
    ['EmailEvents | make-series kind=nonempty count() on Timestamp step 1d', /make-series kind=nonempty needs both from and to/],
    ['EmailEvents | invoke f()', /'invoke' operator is not supported .*; call the function directly/],
    ['range x from 1 to 3 step 1', /'range' operator is not supported .*datatable/],
    ['EmailEvents | where EmailSize > "1000"', /Cannot compare long with string \(.*the number without quotes\)/],
    ['EmailEvents | extend g = geo_info_from_ip_address(SenderIPv4)', /'geo_info_from_ip_address\(\)' is not supported/],
    ['EmailEvents | summarize percentile(EmailSize, 95)', /'percentile\(\)' is not supported/],
    ['EmailEvents | where Subject like "x%"', /'like' operator is not supported/],
    ['externaldata(x:string) [@"https://example.com/x.csv"]', /'externaldata' operator is not supported .*network.*datatable/],
    ['let x = externaldata(x:string) [@"https://example.com/x.csv"]; x', /'externaldata' operator is not supported/],
    ['EmailEvents | mv-apply x = split(Subject, " ") on (take 1)', /'mv-apply' operator is not supported/],
    ['EmailEvents | as T | count', /'as' operator is not supported/],
    ['EmailEvents | join kind=inner (EmailUrlInfo) on $left.Timestamp < $right.Timestamp', /Join conditions other than equality/],
    ['set query_now = datetime(2020-01-01); EmailEvents', /'set' statement is not supported/],
    ['EmailEvents | count; EmailUrlInfo | count', /several result statements is not supported/],
    ['database("other").EmailEvents | count', /cross-database or cross-cluster reference .* is not supported/],
    ['EmailEvents | parse kind=regex Subject with x', /parse kind=regex is not supported/],
    ['union EmailEvents, EmailAttachmentInfo | where FileSize > 0 | union (EmailEvents | project FileSize = tostring(EmailSize))', /different types/],
  ];
  for (const [q, re] of UNSUPPORTED) {
    it(q, () => {
      const e = errorOf(q);
      expect(e.message).toMatch(re);
      expect(e.line).toBeGreaterThan(0);
    });
  }

  it('render must be the last operator', () => {
    expect(errorOf('EmailEvents | summarize count() by bin(Timestamp, 1d) | render timechart | take 1').message).toMatch(/'render' must be the last operator/);
  });
});

describe('literals', () => {
  const ts = (q: string) => {
    const b = parseQuery(`EmailEvents | where Timestamp > ago(${q})`).body;
    const w = b.k === 'pipe' && b.ops[0].op === 'where' ? b.ops[0].pred : undefined;
    const arg = w && w.k === 'bin' && w.r.k === 'call' ? w.r.args[0] : undefined;
    return arg && arg.k === 'lit' ? arg.value : undefined;
  };
  it('timespans in every unit Kusto accepts', () => {
    expect(ts('30d')).toBe(30 * 86_400_000);
    expect(ts('4hrs')).toBe(4 * 3_600_000);
    expect(ts('24hrs')).toBe(24 * 3_600_000);
    expect(ts('1.5h')).toBe(5_400_000);
    expect(ts('30m')).toBe(1_800_000);
    expect(ts('10s')).toBe(10_000);
    expect(ts('100ms')).toBe(100);
    expect(ts('10microsecond')).toBeCloseTo(0.01);
    expect(ts('1tick')).toBeCloseTo(0.0001);
    expect(ts('timespan(2)')).toBe(2 * 86_400_000);
    expect(ts('timespan(15 seconds)')).toBe(15_000);
    expect(ts('timespan(0.12:34:56.7)')).toBe(((12 * 60 + 34) * 60 + 56.7) * 1000);
    expect(ts('2d + 3h')).toBeUndefined(); // an expression, not a literal
  });

  it('datetime literal forms', () => {
    const v = (s: string) => compile(`EmailEvents | where Timestamp > datetime(${s}) | count`).params.find((p) => typeof p === 'bigint' && p > 1_000_000_000_000n && p !== BigInt(Date.UTC(2026, 2, 1) - 30 * 86_400_000));
    expect(v('2015-12-31')).toBe(BigInt(Date.UTC(2015, 11, 31)));
    expect(v('2015-12-31 23:59:59.9')).toBe(BigInt(Date.UTC(2015, 11, 31, 23, 59, 59, 900)));
    expect(v('2015-12-31T23:59:59Z')).toBe(BigInt(Date.UTC(2015, 11, 31, 23, 59, 59)));
    expect(v('"2015-12-31T23:59:59+01:00"')).toBe(BigInt(Date.UTC(2015, 11, 31, 22, 59, 59)));
  });

  it('string literal forms: escapes, verbatim, obfuscated, concatenation', () => {
    const p = compile(String.raw`EmailEvents | where Subject in ("a\"b\\c", @'C:\path', h'secret', 'x' "y", @"say ""hi""") | count`).params;
    expect(p).toEqual(expect.arrayContaining(['a"b\\c', 'C:\\path', 'secret', 'xy', 'say "hi"']));
  });

  it('now() is fixed per query and injectable', () => {
    const a = compileKql('EmailEvents | where Timestamp > ago(1d) and Timestamp < now()', { orgId: 'o', now: 1_000_000_000_000 });
    expect(a.params).toContain(BigInt(1_000_000_000_000 - 86_400_000));
    expect(a.params).toContain(BigInt(1_000_000_000_000));
    expect(a.now).toBe(1_000_000_000_000);
  });
});

describe('compile speed', () => {
  it('compiles a realistic query in well under 5 ms', () => {
    const q = `let lookback = 30d;
let Malicious = EmailAttachmentInfo | where Timestamp > ago(lookback) and ThreatTypes has "Malware" | distinct NetworkMessageId;
EmailEvents
| where Timestamp > ago(lookback) and EmailDirection == "Inbound" and Connectors == ""
| where NetworkMessageId in (Malicious) or parse_json(AuthenticationDetails).DMARC == "fail"
| join kind=leftouter (EmailUrlInfo | summarize Urls = make_set(UrlDomain) by NetworkMessageId) on NetworkMessageId
| summarize Messages = count(), Recipients = dcount(RecipientEmailAddress), Domains = make_set(SenderFromDomain) by SenderIPv4, bin(Timestamp, 1d)
| top 100 by Messages`;
    for (let i = 0; i < 50; i++) compile(q);
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) compile(q);
    expect((performance.now() - t0) / n).toBeLessThan(5);
  });
});
