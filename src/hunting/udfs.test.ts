// The helper functions that carry Kusto semantics into SQLite.
import { describe, expect, it } from 'vitest';
import { formatDatetime, formatDatetimeWith, formatTimespan, hasTerm, ipv4InRange, ipv4Private, parseIpv4, SCALAR_UDFS, toLong, toStringOf } from './udfs.js';

const U = SCALAR_UDFS;

describe('has: whole-term matching', () => {
  const cases: [string, string, boolean][] = [
    ['KustoExplorerQueryRun', 'Explorer', false], // Microsoft's own example
    ['Kusto Explorer QueryRun', 'explorer', true],
    ['mail.contoso.com', 'contoso.com', true],
    ['xcontoso.com', 'contoso.com', false],
    ['a@contoso.com', '@contoso.com', true], // needle starting with punctuation: no left boundary needed
    ['{"DMARC":"fail"}', 'DMARC":"fail', true],
    ['{"DMARC":"failed"}', 'DMARC":"fail', false],
    ['Invoice-4471', 'invoice', true],
    ['Invoices', 'invoice', false],
    ['', 'x', false],
    ['abc', '', true],
  ];
  for (const [hay, needle, want] of cases) it(`${JSON.stringify(hay)} has ${JSON.stringify(needle)} → ${want}`, () => expect(hasTerm(hay, needle, false)).toBe(want));
  it('has_cs is case-sensitive', () => {
    expect(hasTerm('URGENT wire', 'urgent', true)).toBe(false);
    expect(hasTerm('URGENT wire', 'URGENT', true)).toBe(true);
  });
  it('hasprefix / hassuffix', () => {
    expect(U.kql_hasprefix('the Explorer', 'expl', 0)).toBe(1);
    expect(U.kql_hasprefix('KustoExplorer', 'expl', 0)).toBe(0);
    expect(U.kql_hassuffix('KustoExplorer', 'explorer', 0)).toBe(1);
  });
  it('has_any / has_all take a JSON list', () => {
    expect(U.kql_has_any('Payment confirmation', '["invoice","payment"]')).toBe(1);
    expect(U.kql_has_all('Payment confirmation', '["invoice","payment"]')).toBe(0);
  });
});

describe('string functions are 0-based and never null', () => {
  it('substring / indexof / split / countof', () => {
    expect(U.kql_substring('123456', 1, 2)).toBe('23');
    expect(U.kql_substring('123456', 2, null)).toBe('3456');
    expect(U.kql_substring('123456', -3, 2)).toBe('12');
    expect(U.kql_indexof('abc@x', '@', 0)).toBe(3);
    expect(U.kql_indexof('abc', 'z', 0)).toBe(-1);
    expect(U.kql_split('a.b.c', '.')).toBe('["a","b","c"]');
    expect(U.kql_countof('aaa', 'aa', 0)).toBe(2);
    expect(U.kql_countof('aaa', 'a+', 1)).toBe(1);
  });
  it('regex helpers use RE2 (with (?i)) and return null for no match', () => {
    expect(U.kql_regex('Invoice 12', '(?i)^invoice \\d+')).toBe(1);
    expect(U.kql_extract('#(\\d+)', 1, 'Payment #8812')).toBe('8812');
    expect(U.kql_extract('#(\\d+)', 1, 'none')).toBeNull();
    expect(U.kql_replace_regex('a1b22', '(\\d+)', '<\\1>')).toBe('a<1>b<22>');
    expect(U.kql_trim('trim', '\\s', '  x  ')).toBe('x');
    expect(U.kql_trim('trim_start', '-', '--x--')).toBe('x--');
    expect(() => U.kql_regex('x', '(')).toThrow(/Invalid regular expression/);
  });
  it('case folding is Unicode-aware', () => {
    expect(U.kql_lower('ZOË MÜLLER')).toBe('zoë müller');
    expect(U.kql_contains('Résumé', 'RÉSU')).toBe(1);
  });
});

describe('conversions and renderings', () => {
  it('tostring of each type', () => {
    expect(toStringOf(null, 'long')).toBe('');
    expect(toStringOf(1, 'bool')).toBe('true');
    expect(toStringOf('"x"', 'dynamic')).toBe('x');
    expect(toStringOf('[1,"a"]', 'dynamic')).toBe('[1,"a"]');
    expect(toStringOf(Date.UTC(2024, 0, 2, 3, 4, 5, 678), 'datetime')).toBe('2024-01-02T03:04:05.6780000Z');
    expect(toStringOf(90_061_000, 'timespan')).toBe('1.01:01:01');
  });
  it('tolong / toint parse leniently, null when not a number', () => {
    expect(toLong('42')).toBe(42);
    expect(toLong(' -7 ')).toBe(-7);
    expect(toLong('1.9')).toBe(1);
    expect(toLong('abc')).toBeNull();
    expect(toLong('')).toBeNull();
  });
  it('datetime formatting', () => {
    const t = Date.UTC(2026, 2, 1, 13, 5, 9, 120);
    expect(formatDatetime(t)).toBe('2026-03-01T13:05:09.1200000Z');
    expect(formatDatetimeWith(t, 'yyyy-MM-dd HH:mm:ss.fff')).toBe('2026-03-01 13:05:09.120');
    expect(formatDatetimeWith(t, 'M/d/yy h:mm tt')).toBe('3/1/26 1:05 PM');
    expect(formatTimespan(-1500)).toBe('-00:00:01.5000000');
  });
  it('calendar arithmetic', () => {
    const a = Date.UTC(2026, 0, 1), b = Date.UTC(2025, 11, 31, 23, 59);
    expect(U.kql_datetime_diff('year', a, b)).toBe(1); // boundary crossings, not elapsed years
    expect(U.kql_datetime_diff('day', a, b)).toBe(1);
    expect(U.kql_datetime_diff('hour', a, b)).toBe(1);
    expect(U.kql_datetime_diff('month', Date.UTC(2026, 2, 1), Date.UTC(2025, 11, 15))).toBe(3);
    expect(U.kql_datetime_add('month', 1, Date.UTC(2026, 0, 15))).toBe(Date.UTC(2026, 1, 15));
    expect(U.kql_startof('startofmonth', Date.UTC(2026, 2, 17, 5), 0)).toBe(Date.UTC(2026, 2, 1));
    expect(U.kql_startof('startofweek', Date.UTC(2026, 2, 4), 0)).toBe(Date.UTC(2026, 2, 1)); // Sunday
    expect(U.kql_datepart('dayofweek', Date.UTC(2026, 2, 4))).toBe(3 * 86_400_000);
  });
});

describe('IPv4 helpers', () => {
  it('parse_ipv4', () => {
    expect(parseIpv4('10.1.2.3')).toBe(167838211);
    expect(parseIpv4('10.1.2.3/8')).toBe(167772160);
    expect(parseIpv4('256.1.1.1')).toBeNull();
    expect(parseIpv4('not an ip')).toBeNull();
  });
  it('ipv4_is_in_range / ipv4_is_private', () => {
    expect(ipv4InRange('203.0.113.77', '203.0.113.0/24')).toBe(true);
    expect(ipv4InRange('203.0.114.1', '203.0.113.0/24')).toBe(false);
    expect(ipv4InRange('10.0.0.1', '10.0.0.1')).toBe(true);
    expect(ipv4InRange('', '10.0.0.0/8')).toBeNull();
    expect(ipv4Private('172.31.255.1')).toBe(true);
    expect(ipv4Private('172.32.0.1')).toBe(false);
    expect(ipv4Private('192.168.0.9')).toBe(true);
    expect(U.kql_ipv4_compare('10.0.0.1', '10.0.0.9', 24)).toBe(0);
    expect(U.kql_ipv4_compare('10.0.0.1', '10.0.0.9', null)).toBe(-1);
  });
  it('parse_url', () => {
    expect(JSON.parse(U.kql_parse_url('https://user@bit.ly:8443/p/1?u=2#f') as string)).toEqual({
      Scheme: 'https', Host: 'bit.ly', Port: '8443', Path: '/p/1', Username: 'user', Password: '', 'Query Parameters': { u: '2' }, Fragment: 'f',
    });
  });
});
