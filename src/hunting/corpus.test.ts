// The hunting corpus: realistic queries over a fixed two-tenant dataset. Each expected answer
// is computed here from the raw arrays (never through the compiler); each result schema is
// checked against Microsoft's own parser/binder (@kusto/language-service-next).
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { executeCompiled } from '../store/sqlite/hunting/executor.js';
import { buildDataset, DAY, NOW, visible, type Row } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';
import { kustoOracle } from './testing/oracle.js';

const data = buildDataset();
const C = data.contoso;
const EE = visible(C, 'EmailEvents');
const EAI = visible(C, 'EmailAttachmentInfo');
const EUI = visible(C, 'EmailUrlInfo');
const EPDE = visible(C, 'EmailPostDeliveryEvents');
const SRE = visible(C, 'SmtpRejectEvents');

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const str = (v: unknown) => String(v ?? '');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Independent `has`: whole-term, case-insensitive. */
const has = (hay: unknown, t: string, cs = false) =>
  new RegExp(`(^|[^A-Za-z0-9])${esc(t)}($|[^A-Za-z0-9])`, cs ? '' : 'i').test(str(hay));
const json = (s: unknown): any => { try { return JSON.parse(str(s)); } catch { return str(s) === '' ? null : str(s); } };
const authField = (r: Row, k: string) => { const j = json(r.AuthenticationDetails); return j && typeof j === 'object' && j[k] !== undefined ? String(j[k]) : ''; };
const groupCount = <T extends string | number>(rows: Row[], key: (r: Row) => T, name: string, countName = 'count_') => {
  const m = new Map<T, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return [...m].map(([k, v]) => ({ [name]: k, [countName]: v }));
};
const distinct = <T>(xs: T[]) => [...new Set(xs)];
const proj = (r: Row, cols: string[]) => Object.fromEntries(cols.map((c) => [c, c === 'Timestamp' ? iso(r[c] as number) : r[c]]));
const inbound = EE.filter((r) => r.EmailDirection === 'Inbound');
const byNmid = (rows: Row[]) => new Set(rows.map((r) => r.NetworkMessageId));
const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const dayStr = (ms: number) => new Date(startOfDay(ms)).toISOString().slice(0, 10);

interface Case {
  name: string;
  kql: string;
  expect?: () => Record<string, unknown>[];
  /** Check ordering: the named column must be sorted this way. */
  sorted?: [string, 'asc' | 'desc'];
  columns?: string[];
  chart?: unknown;
}

const CASES: Case[] = [
  {
    name: "the Direct Send article's query, exactly as printed",
    kql: `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`,
    expect: () => EE.filter((r) => (r.Timestamp as number) > NOW - 30 * DAY && r.EmailDirection === 'Inbound' && r.Connectors === '' && r.SenderIPv4 !== '')
      .map((r) => proj(r, ['Timestamp', 'RecipientEmailAddress', 'SenderFromAddress', 'Subject', 'NetworkMessageId', 'EmailDirection', 'Connectors', 'SenderIPv4', 'SenderIPv6'])),
  },
  {
    name: 'direct send volume',
    kql: `EmailEvents | where EmailDirection == "Inbound" and Connectors == "" | count`,
    expect: () => [{ Count: inbound.filter((r) => r.Connectors === '').length }],
  },
  {
    name: 'direct send by sender IP, busiest first',
    kql: `EmailEvents
| where EmailDirection == "Inbound" and Connectors == "" and isnotempty(SenderIPv4)
| summarize Messages = count(), Recipients = dcount(RecipientEmailAddress) by SenderIPv4
| sort by Messages desc`,
    expect: () => {
      const rows = inbound.filter((r) => r.Connectors === '' && r.SenderIPv4 !== '');
      return distinct(rows.map((r) => r.SenderIPv4)).map((ip) => {
        const g = rows.filter((r) => r.SenderIPv4 === ip);
        return { SenderIPv4: ip, Messages: g.length, Recipients: distinct(g.map((r) => r.RecipientEmailAddress)).length };
      });
    },
    sorted: ['Messages', 'desc'],
  },
  {
    name: 'direct send spoofing the tenant domain',
    kql: `EmailEvents
| where EmailDirection == "Inbound" and Connectors == "" and SenderFromDomain == RecipientDomain
| project NetworkMessageId, SenderFromAddress, RecipientEmailAddress, SenderIPv4`,
    expect: () => inbound.filter((r) => r.Connectors === '' && r.SenderFromDomain === r.RecipientDomain).map((r) => proj(r, ['NetworkMessageId', 'SenderFromAddress', 'RecipientEmailAddress', 'SenderIPv4'])),
  },
  {
    name: 'summarize by sender IP and day over 30 days',
    kql: `EmailEvents
| where Timestamp > ago(30d) and isnotempty(SenderIPv4)
| summarize count() by SenderIPv4, bin(Timestamp, 1d)`,
    expect: () => {
      const m = new Map<string, number>();
      for (const r of EE.filter((x) => x.SenderIPv4 !== '' && (x.Timestamp as number) > NOW - 30 * DAY)) {
        const k = `${r.SenderIPv4}|${startOfDay(r.Timestamp as number)}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
      return [...m].map(([k, v]) => ({ SenderIPv4: k.split('|')[0], Timestamp: iso(Number(k.split('|')[1])), count_: v }));
    },
  },
  {
    name: 'recipients per sender domain',
    kql: `EmailEvents | summarize dcount(RecipientEmailAddress) by SenderFromDomain`,
    expect: () => distinct(EE.map((r) => r.SenderFromDomain)).map((d) => ({ SenderFromDomain: d, dcount_RecipientEmailAddress: distinct(EE.filter((r) => r.SenderFromDomain === d).map((r) => r.RecipientEmailAddress)).length })),
  },
  {
    name: 'DMARC failures via parse_json member access',
    kql: `EmailEvents
| extend Auth = parse_json(AuthenticationDetails)
| where tostring(Auth.DMARC) == "fail"
| project NetworkMessageId, RecipientEmailAddress, SPF = tostring(Auth.SPF)`,
    expect: () => EE.filter((r) => authField(r, 'DMARC') === 'fail').map((r) => ({ NetworkMessageId: r.NetworkMessageId, RecipientEmailAddress: r.RecipientEmailAddress, SPF: authField(r, 'SPF') })),
  },
  {
    name: 'dynamic compared with a string directly',
    kql: `EmailEvents | where parse_json(AuthenticationDetails).DMARC == "fail" and parse_json(AuthenticationDetails)["SPF"] != "pass" | count`,
    expect: () => [{ Count: EE.filter((r) => authField(r, 'DMARC') === 'fail' && authField(r, 'SPF') !== 'pass').length }],
  },
  {
    name: 'has_any with a JSON fragment',
    kql: `EmailEvents | where AuthenticationDetails has_any ('DMARC":"fail', 'CompAuth":"softpass') | count`,
    expect: () => [{ Count: EE.filter((r) => has(r.AuthenticationDetails, 'DMARC":"fail') || has(r.AuthenticationDetails, 'CompAuth":"softpass')).length }],
  },
  {
    name: 'group by a JSON field (invalid JSON and empty strings give "")',
    kql: `EmailEvents | summarize count() by SPF = tostring(parse_json(AuthenticationDetails).SPF)`,
    expect: () => groupCount(EE, (r) => authField(r, 'SPF'), 'SPF'),
  },
  {
    name: 'malware emails joined with their attachments',
    kql: `EmailEvents
| where ThreatTypes has "Malware"
| join kind=inner (EmailAttachmentInfo) on NetworkMessageId
| project NetworkMessageId, RecipientEmailAddress, FileName, SHA256`,
    expect: () => EE.filter((r) => has(r.ThreatTypes, 'Malware')).flatMap((e) => EAI.filter((a) => a.NetworkMessageId === e.NetworkMessageId).map((a) => ({ NetworkMessageId: e.NetworkMessageId, RecipientEmailAddress: e.RecipientEmailAddress, FileName: a.FileName, SHA256: a.SHA256 }))),
  },
  {
    name: 'default join is innerunique (one left row per key)',
    kql: `EmailEvents
| join (EmailAttachmentInfo | where FileType == "exe") on NetworkMessageId
| project NetworkMessageId, FileName, SHA256`,
    expect: () => EAI.filter((a) => a.FileType === 'exe' && byNmid(EE).has(a.NetworkMessageId)).map((a) => proj(a, ['NetworkMessageId', 'FileName', 'SHA256'])),
  },
  {
    name: 'attachments whose message was not inbound (leftanti)',
    kql: `EmailAttachmentInfo | join kind=leftanti (EmailEvents | where EmailDirection == 'Inbound') on NetworkMessageId | distinct NetworkMessageId`,
    expect: () => distinct(EAI.filter((a) => !byNmid(inbound).has(a.NetworkMessageId)).map((a) => a.NetworkMessageId)).map((n) => ({ NetworkMessageId: n })),
  },
  {
    name: 'recipients of messages with a link to a bad domain (leftsemi)',
    kql: `EmailEvents | join kind=leftsemi (EmailUrlInfo | where UrlDomain == "evil.example") on NetworkMessageId | project NetworkMessageId, RecipientEmailAddress`,
    expect: () => EE.filter((e) => EUI.some((u) => u.UrlDomain === 'evil.example' && u.NetworkMessageId === e.NetworkMessageId)).map((r) => proj(r, ['NetworkMessageId', 'RecipientEmailAddress'])),
  },
  {
    name: 'leftouter anti-join idiom: unmatched right columns are empty strings',
    kql: `EmailEvents
| where EmailDirection == "Inbound"
| join kind=leftouter (EmailPostDeliveryEvents | project NetworkMessageId, ActionType) on NetworkMessageId
| where NetworkMessageId1 == ""
| count`,
    expect: () => [{ Count: inbound.filter((e) => !byNmid(EPDE).has(e.NetworkMessageId)).length + 0 }],
  },
  {
    name: 'rightouter join keeps unmatched right rows',
    kql: `EmailAttachmentInfo | where FileType == "exe" | project NetworkMessageId, FileName
| join kind=rightouter (EmailPostDeliveryEvents | project NetworkMessageId, ActionType) on NetworkMessageId
| project FileName, NetworkMessageId1, ActionType`,
    expect: () => EPDE.flatMap((p) => {
      const m = EAI.filter((a) => a.FileType === 'exe' && a.NetworkMessageId === p.NetworkMessageId);
      return m.length ? m.map((a) => ({ FileName: a.FileName, NetworkMessageId1: p.NetworkMessageId, ActionType: p.ActionType })) : [{ FileName: '', NetworkMessageId1: p.NetworkMessageId, ActionType: p.ActionType }];
    }),
  },
  {
    name: 'fullouter join counts both sides',
    kql: `EmailUrlInfo | where UrlDomain == "bit.ly" | project NetworkMessageId, Url
| join kind=fullouter (EmailAttachmentInfo | where FileType == "zip" | project NetworkMessageId, FileName) on NetworkMessageId
| count`,
    expect: () => {
      const l = EUI.filter((u) => u.UrlDomain === 'bit.ly'), r = EAI.filter((a) => a.FileType === 'zip');
      let n = 0;
      for (const x of l) { const m = r.filter((y) => y.NetworkMessageId === x.NetworkMessageId).length; n += m || 1; }
      n += r.filter((y) => !l.some((x) => x.NetworkMessageId === y.NetworkMessageId)).length;
      return [{ Count: n }];
    },
  },
  {
    name: '$left/$right join on two keys, clashing column gets suffix 1',
    kql: `EmailEvents
| join kind=inner (EmailPostDeliveryEvents) on $left.NetworkMessageId == $right.NetworkMessageId, $left.RecipientEmailAddress == $right.RecipientEmailAddress
| project NetworkMessageId, RecipientEmailAddress, ActionType, DeliveryLocation, DeliveryLocation1`,
    expect: () => EE.flatMap((e) => EPDE.filter((p) => p.NetworkMessageId === e.NetworkMessageId && p.RecipientEmailAddress === e.RecipientEmailAddress).map((p) => ({ NetworkMessageId: e.NetworkMessageId, RecipientEmailAddress: e.RecipientEmailAddress, ActionType: p.ActionType, DeliveryLocation: e.DeliveryLocation, DeliveryLocation1: p.DeliveryLocation }))),
  },
  {
    name: 'union of accepted and rejected traffic from one IP',
    kql: `union EmailEvents, SmtpRejectEvents | where SenderIPv4 == "203.0.113.5" | summarize count()`,
    expect: () => [{ count_: EE.filter((r) => r.SenderIPv4 === '203.0.113.5').length + SRE.filter((r) => r.SenderIPv4 === '203.0.113.5').length }],
  },
  {
    name: 'union withsource',
    kql: `union withsource=SourceTable EmailEvents, SmtpRejectEvents | summarize count() by SourceTable`,
    expect: () => [{ SourceTable: 'EmailEvents', count_: EE.length }, { SourceTable: 'SmtpRejectEvents', count_: SRE.length }],
  },
  {
    name: 'union fills missing string columns with ""',
    kql: `SmtpRejectEvents | project SenderIPv4, HeloName | union (EmailEvents | project SenderIPv4, Subject) | where Subject == "" | count`,
    expect: () => [{ Count: SRE.length + EE.filter((r) => r.Subject === '').length }],
  },
  {
    name: 'lookup the subject of each attachment',
    kql: `EmailAttachmentInfo | lookup (EmailEvents | summarize arg_max(Timestamp, Subject) by NetworkMessageId) on NetworkMessageId | project FileName, NetworkMessageId, Subject`,
    expect: () => EAI.map((a) => ({ FileName: a.FileName, NetworkMessageId: a.NetworkMessageId, Subject: EE.find((e) => e.NetworkMessageId === a.NetworkMessageId)?.Subject ?? '' })),
  },
  {
    name: 'top 5 largest messages',
    kql: `EmailEvents | top 5 by EmailSize | project EmailSize`,
    expect: () => EE.map((r) => r.EmailSize as number).sort((a, b) => b - a).slice(0, 5).map((x) => ({ EmailSize: x })),
    sorted: ['EmailSize', 'desc'],
  },
  {
    name: 'top 3 oldest, ascending',
    kql: `EmailEvents | top 3 by Timestamp asc | project Timestamp`,
    expect: () => EE.map((r) => r.Timestamp as number).sort((a, b) => a - b).slice(0, 3).map((x) => ({ Timestamp: iso(x) })),
    sorted: ['Timestamp', 'asc'],
  },
  {
    name: 'bytes per sender domain, order by asc',
    kql: `EmailEvents | summarize Size = sum(EmailSize) by SenderFromDomain | order by Size asc`,
    expect: () => distinct(EE.map((r) => r.SenderFromDomain)).map((d) => ({ SenderFromDomain: d, Size: EE.filter((r) => r.SenderFromDomain === d).reduce((s, r) => s + (r.EmailSize as number), 0) })),
    sorted: ['Size', 'asc'],
  },
  {
    name: 'sort defaults to descending and survives project',
    kql: `EmailEvents | sort by Timestamp | project Timestamp, NetworkMessageId | take 10`,
    expect: () => [...EE].sort((a, b) => (b.Timestamp as number) - (a.Timestamp as number)).slice(0, 10).map((r) => proj(r, ['Timestamp', 'NetworkMessageId'])),
    sorted: ['Timestamp', 'desc'],
  },
  { name: 'take then count', kql: `EmailEvents | take 7 | count`, expect: () => [{ Count: 7 }] },
  { name: 'limit', kql: `EmailUrlInfo | limit 3 | count`, expect: () => [{ Count: 3 }] },
  { name: 'distinct sender domains', kql: `EmailEvents | distinct SenderFromDomain`, expect: () => distinct(EE.map((r) => r.SenderFromDomain)).map((d) => ({ SenderFromDomain: d })) },
  { name: 'count URLs', kql: `EmailUrlInfo | count`, expect: () => [{ Count: EUI.length }] },
  {
    name: 'mv-expand the octets of sender IPs',
    kql: `EmailEvents | where isnotempty(SenderIPv4) | extend Octets = split(SenderIPv4, ".") | mv-expand Octets | summarize count() by Octet = tostring(Octets)`,
    expect: () => groupCount(EE.filter((r) => r.SenderIPv4 !== '').flatMap((r) => str(r.SenderIPv4).split('.').map((o) => ({ o } as Row))), (r) => str(r.o), 'Octet'),
  },
  {
    name: 'mv-expand to typeof(string)',
    kql: `EmailEvents | where Subject has "Invoice" | extend Words = split(Subject, " ") | mv-expand Word = Words to typeof(string) | where Word startswith "4" | distinct Word`,
    expect: () => distinct(EE.filter((r) => has(r.Subject, 'Invoice')).flatMap((r) => str(r.Subject).split(' ')).filter((w) => w.startsWith('4'))).map((w) => ({ Word: w })),
  },
  {
    name: 'mv-expand: null gives one row, an empty array none',
    kql: `EmailEvents | extend B = iff(AttachmentCount > 0, parse_json(AuthenticationDetails), dynamic([])) | mv-expand B | summarize count()`,
    expect: () => [{ count_: EE.reduce((n, r) => {
      if ((r.AttachmentCount as number) <= 0) return n;
      const j = json(r.AuthenticationDetails);
      return n + (j !== null && typeof j === 'object' ? Object.keys(j).length : 1);
    }, 0) }],
  },
  {
    name: 'parse the SMTP response',
    kql: `SmtpRejectEvents | parse Response with Code:int " " Enhanced " " Rest | project Code, Enhanced, Rest | take 1`,
    expect: () => [{ Code: 550, Enhanced: '5.7.68', Rest: 'TenantInboundAttribution; Direct Send not allowed' }],
  },
  {
    name: 'render returns a chart hint',
    kql: `EmailEvents | summarize count() by bin(Timestamp, 1d) | render timechart`,
    expect: () => groupCount(EE, (r) => iso(startOfDay(r.Timestamp as number))!, 'Timestamp'),
    chart: { kind: 'timechart' },
  },
  { name: 'has is whole-term and case-insensitive', kql: `EmailEvents | where Subject has "invoice" | count`, expect: () => [{ Count: EE.filter((r) => has(r.Subject, 'invoice')).length }] },
  { name: 'has does not match inside a term', kql: `EmailEvents | where Subject has "Explorer" | count`, expect: () => [{ Count: 0 }] },
  { name: 'contains matches inside a term', kql: `EmailEvents | where Subject contains "explorer" | count`, expect: () => [{ Count: EE.filter((r) => str(r.Subject).toLowerCase().includes('explorer')).length }] },
  { name: '!has', kql: `EmailEvents | where Subject !has "report" | count`, expect: () => [{ Count: EE.filter((r) => !has(r.Subject, 'report')).length }] },
  { name: 'has_cs is case-sensitive', kql: `EmailEvents | where Subject has_cs "urgent" | count`, expect: () => [{ Count: 0 }] },
  { name: 'has_cs exact case', kql: `EmailEvents | where Subject has_cs "URGENT" | count`, expect: () => [{ Count: EE.filter((r) => has(r.Subject, 'URGENT', true)).length }] },
  { name: '!contains', kql: `EmailEvents | where Subject !contains "PASS" | count`, expect: () => [{ Count: EE.filter((r) => !str(r.Subject).toLowerCase().includes('pass')).length }] },
  { name: 'contains_cs', kql: `EmailEvents | where Subject contains_cs "Pass" | count`, expect: () => [{ Count: EE.filter((r) => str(r.Subject).includes('Pass')).length }] },
  { name: 'startswith is case-insensitive', kql: `EmailEvents | where Subject startswith "re:" | count`, expect: () => [{ Count: EE.filter((r) => str(r.Subject).toLowerCase().startsWith('re:')).length }] },
  { name: 'endswith', kql: `EmailEvents | where SenderFromAddress endswith "@GMAIL.com" | count`, expect: () => [{ Count: EE.filter((r) => str(r.SenderFromAddress).toLowerCase().endsWith('@gmail.com')).length }] },
  { name: '== is case-sensitive', kql: `EmailEvents | where EmailDirection == "inbound" | count`, expect: () => [{ Count: 0 }] },
  { name: '=~ is case-insensitive', kql: `EmailEvents | where EmailDirection =~ "inbound" | count`, expect: () => [{ Count: inbound.length }] },
  { name: '!~', kql: `EmailEvents | where SenderFromDomain !~ "CONTOSO.COM" | count`, expect: () => [{ Count: EE.filter((r) => str(r.SenderFromDomain).toLowerCase() !== 'contoso.com').length }] },
  {
    name: 'in with a literal list',
    kql: `EmailEvents | where SenderIPv4 in ("203.0.113.5", "198.51.100.23") | summarize count() by SenderIPv4`,
    expect: () => groupCount(EE.filter((r) => ['203.0.113.5', '198.51.100.23'].includes(str(r.SenderIPv4))), (r) => str(r.SenderIPv4), 'SenderIPv4'),
  },
  {
    name: '!in with a let-bound dynamic list',
    kql: `let Internal = dynamic(["10.0.0.5", "10.1.2.3"]);
EmailEvents | where isnotempty(SenderIPv4) and SenderIPv4 !in (Internal) | count`,
    expect: () => [{ Count: EE.filter((r) => r.SenderIPv4 !== '' && !['10.0.0.5', '10.1.2.3'].includes(str(r.SenderIPv4))).length }],
  },
  { name: 'in~', kql: `EmailEvents | where EmailLanguage in~ ("EN", "De") | count`, expect: () => [{ Count: EE.filter((r) => ['en', 'de'].includes(str(r.EmailLanguage))).length }] },
  {
    name: 'in with a tabular let',
    kql: `let Malicious = EmailAttachmentInfo | where ThreatTypes has "Malware" | distinct NetworkMessageId;
EmailEvents | where NetworkMessageId in (Malicious) | distinct RecipientEmailAddress`,
    expect: () => distinct(EE.filter((r) => EAI.some((a) => has(a.ThreatTypes, 'Malware') && a.NetworkMessageId === r.NetworkMessageId)).map((r) => r.RecipientEmailAddress)).map((x) => ({ RecipientEmailAddress: x })),
  },
  { name: 'between numbers (inclusive)', kql: `EmailEvents | where EmailSize between (10000 .. 20000) | count`, expect: () => [{ Count: EE.filter((r) => (r.EmailSize as number) >= 10000 && (r.EmailSize as number) <= 20000).length }] },
  { name: 'between datetimes', kql: `EmailEvents | where Timestamp between (ago(2d) .. now()) | count`, expect: () => [{ Count: EE.filter((r) => (r.Timestamp as number) >= NOW - 2 * DAY && (r.Timestamp as number) <= NOW).length }] },
  { name: 'matches regex', kql: `EmailEvents | where SenderFromAddress matches regex @"^(ceo|hr)@" | count`, expect: () => [{ Count: EE.filter((r) => /^(ceo|hr)@/.test(str(r.SenderFromAddress))).length }] },
  { name: 'matches regex with (?i)', kql: `EmailEvents | where Subject matches regex "(?i)^invoice \\\\d+" | count`, expect: () => [{ Count: EE.filter((r) => /^invoice \d+/i.test(str(r.Subject))).length }] },
  { name: 'let scalar timespan', kql: `let lookback = 7d;\nEmailEvents | where Timestamp > ago(lookback) | count`, expect: () => [{ Count: EE.filter((r) => (r.Timestamp as number) > NOW - 7 * DAY).length }] },
  { name: 'let zero-argument function', kql: `let Threats = () { EmailEvents | where ThreatTypes != "" };\nThreats | count`, expect: () => [{ Count: EE.filter((r) => r.ThreatTypes !== '').length }] },
  { name: 'let function with inner lets and a default parameter', kql: `let Recent = (days:timespan = 2d) { let since = ago(days); EmailEvents | where Timestamp > since };
Recent | count`, expect: () => [{ Count: EE.filter((r) => (r.Timestamp as number) > NOW - 2 * DAY).length }] },
  { name: 'let function with a parameter', kql: `let BySender = (d:string) { EmailEvents | where SenderFromDomain == d };\nBySender("gmail.com") | count`, expect: () => [{ Count: EE.filter((r) => r.SenderFromDomain === 'gmail.com').length }] },
  { name: 'materialize', kql: `let T = materialize(EmailEvents | where EmailDirection == "Inbound");\nT | count`, expect: () => [{ Count: inbound.length }] },
  {
    name: 'toscalar and integer percentages',
    kql: `let total = toscalar(EmailEvents | count);
EmailEvents | summarize c = count() by EmailDirection | extend pct = c * 100 / total`,
    expect: () => groupCount(EE, (r) => str(r.EmailDirection), 'EmailDirection', 'c').map((g) => ({ ...g, pct: Math.trunc((g.c as number) * 100 / EE.length) })),
  },
  {
    name: 'case() risk buckets',
    kql: `EmailEvents | extend Risk = case(ThreatTypes has "Malware", "high", ThreatTypes has "Phish", "medium", "low") | summarize count() by Risk`,
    expect: () => groupCount(EE, (r) => (has(r.ThreatTypes, 'Malware') ? 'high' : has(r.ThreatTypes, 'Phish') ? 'medium' : 'low'), 'Risk'),
  },
  {
    name: 'iff and coalesce (first non-empty string)',
    kql: `EmailEvents | extend Ip = coalesce(SenderIPv4, SenderIPv6, "unknown"), Kind = iff(AttachmentCount > 0, "attachment", "plain") | summarize count() by Ip, Kind`,
    expect: () => {
      const rows = EE.map((r) => ({ Ip: str(r.SenderIPv4) || str(r.SenderIPv6) || 'unknown', Kind: (r.AttachmentCount as number) > 0 ? 'attachment' : 'plain' }));
      const m = new Map<string, number>();
      for (const r of rows) m.set(`${r.Ip}|${r.Kind}`, (m.get(`${r.Ip}|${r.Kind}`) ?? 0) + 1);
      return [...m].map(([k, v]) => ({ Ip: k.split('|')[0], Kind: k.split('|')[1], count_: v }));
    },
  },
  {
    name: 'split with index, substring and indexof are 0-based',
    kql: `EmailEvents | extend Local = tostring(split(SenderFromAddress, "@")[0]), Dom = substring(SenderFromAddress, indexof(SenderFromAddress, "@") + 1) | where Dom != SenderFromDomain or strcat(Local, "@", Dom) != SenderFromAddress | count`,
    expect: () => [{ Count: 0 }],
  },
  {
    name: 'tolower/toupper/strlen',
    kql: `EmailEvents | where Subject has "Zoë" | project L = tolower(Subject), U = toupper(SenderDisplayName), N = strlen(Subject) | take 1`,
    expect: () => { const r = EE.find((x) => str(x.Subject).includes('Zoë'))!; return [{ L: str(r.Subject).toLowerCase(), U: str(r.SenderDisplayName).toUpperCase(), N: str(r.Subject).length }]; },
  },
  {
    name: 'extract invoice numbers',
    kql: `EmailEvents | extend Num = extract(@"#(\\d+)", 1, Subject) | where isnotempty(Num) | distinct Num`,
    expect: () => distinct(EE.map((r) => /#(\d+)/.exec(str(r.Subject))?.[1]).filter(Boolean)).map((n) => ({ Num: n })),
  },
  {
    name: 'replace_string and trim',
    kql: `EmailEvents | where Subject startswith "Re:" | project S = trim(" ", replace_string(Subject, "Re:", "")) | distinct S`,
    expect: () => distinct(EE.filter((r) => str(r.Subject).toLowerCase().startsWith('re:')).map((r) => str(r.Subject).split('Re:').join('').trim())).map((s) => ({ S: s })),
  },
  {
    name: 'daily counts with format_datetime(startofday())',
    kql: `EmailEvents | summarize count() by Day = format_datetime(startofday(Timestamp), "yyyy-MM-dd")`,
    expect: () => groupCount(EE, (r) => dayStr(r.Timestamp as number), 'Day'),
  },
  {
    name: 'datetime_diff in days',
    kql: `EmailEvents | extend AgeDays = datetime_diff("day", now(), Timestamp) | where AgeDays <= 1 | count`,
    expect: () => [{ Count: EE.filter((r) => Math.floor(NOW / DAY) - Math.floor((r.Timestamp as number) / DAY) <= 1).length }],
  },
  {
    name: 'timespan arithmetic',
    kql: `EmailEvents | extend Age = now() - Timestamp | where Age < 1d | count`,
    expect: () => [{ Count: EE.filter((r) => NOW - (r.Timestamp as number) < DAY).length }],
  },
  {
    name: 'datetime literals',
    kql: `EmailEvents | where Timestamp >= datetime(2026-02-20) and Timestamp < datetime(2026-02-21T00:00:00Z) | count`,
    expect: () => [{ Count: EE.filter((r) => (r.Timestamp as number) >= Date.UTC(2026, 1, 20) && (r.Timestamp as number) < Date.UTC(2026, 1, 21)).length }],
  },
  {
    name: 'weekly bins start on Monday (Kusto origin 0001-01-01)',
    kql: `EmailEvents | summarize count() by bin(Timestamp, 7d)`,
    expect: () => groupCount(EE, (r) => { const d = startOfDay(r.Timestamp as number); const dow = (new Date(d).getUTCDay() + 6) % 7; return iso(d - dow * DAY)!; }, 'Timestamp'),
  },
  {
    name: 'private sender IPs',
    kql: `EmailEvents | where ipv4_is_private(SenderIPv4) | summarize count() by SenderIPv4`,
    expect: () => groupCount(EE.filter((r) => /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/.test(str(r.SenderIPv4))), (r) => str(r.SenderIPv4), 'SenderIPv4'),
  },
  {
    name: 'ipv4_is_in_range',
    kql: `EmailEvents | where ipv4_is_in_range(SenderIPv4, "203.0.113.0/24") | count`,
    expect: () => [{ Count: EE.filter((r) => str(r.SenderIPv4).startsWith('203.0.113.')).length }],
  },
  {
    name: 'parse_ipv4 and countof',
    kql: `EmailEvents | where SenderIPv4 == "10.1.2.3" | project N = parse_ipv4(SenderIPv4), Dots = countof(SenderIPv4, ".") | take 1`,
    expect: () => (EE.some((r) => r.SenderIPv4 === '10.1.2.3') ? [{ N: 167838211, Dots: 3 }] : []),
  },
  {
    name: 'the common aggregates by direction',
    kql: `EmailEvents | summarize count(), countif(AttachmentCount > 0), dcount(SenderFromDomain), dcountif(RecipientEmailAddress, UrlCount > 0), sum(AttachmentCount), avg(EmailSize), min(EmailSize), max(Timestamp) by EmailDirection`,
    expect: () => distinct(EE.map((r) => str(r.EmailDirection))).map((d) => {
      const g = EE.filter((r) => r.EmailDirection === d);
      return {
        EmailDirection: d, count_: g.length, countif_: g.filter((r) => (r.AttachmentCount as number) > 0).length,
        dcount_SenderFromDomain: distinct(g.map((r) => r.SenderFromDomain)).length,
        dcountif_RecipientEmailAddress: distinct(g.filter((r) => (r.UrlCount as number) > 0).map((r) => r.RecipientEmailAddress)).length,
        sum_AttachmentCount: g.reduce((s, r) => s + (r.AttachmentCount as number), 0),
        avg_EmailSize: g.reduce((s, r) => s + (r.EmailSize as number), 0) / g.length,
        min_EmailSize: Math.min(...g.map((r) => r.EmailSize as number)),
        max_Timestamp: iso(Math.max(...g.map((r) => r.Timestamp as number))),
      };
    }),
  },
  {
    name: 'make_set of sender IPs per domain',
    kql: `EmailEvents | where isnotempty(SenderIPv4) | summarize Ips = make_set(SenderIPv4) by SenderFromDomain`,
    expect: () => distinct(EE.map((r) => r.SenderFromDomain)).map((d) => ({ SenderFromDomain: d, Ips: distinct(EE.filter((r) => r.SenderFromDomain === d && r.SenderIPv4 !== '').map((r) => r.SenderIPv4)) })).filter((x) => x.Ips.length),
  },
  {
    name: 'make_list and array_length',
    kql: `EmailEvents | summarize Recipients = make_list(RecipientEmailAddress) by NetworkMessageId | where array_length(Recipients) > 1 | count`,
    expect: () => [{ Count: distinct(EE.map((r) => r.NetworkMessageId)).filter((n) => EE.filter((r) => r.NetworkMessageId === n).length > 1).length }],
  },
  {
    name: 'latest row per message (arg_max(Timestamp, *))',
    kql: `EmailEvents | summarize arg_max(Timestamp, *) by NetworkMessageId | count`,
    expect: () => [{ Count: distinct(EE.map((r) => r.NetworkMessageId)).length }],
  },
  {
    name: 'arg_max with other aggregates: last recipient and recipient count per message',
    kql: `EmailEvents | summarize arg_max(Timestamp, RecipientEmailAddress), Recipients = dcount(RecipientEmailAddress) by NetworkMessageId | project NetworkMessageId, RecipientEmailAddress, Recipients`,
    expect: () => distinct(EE.map((r) => r.NetworkMessageId)).map((n) => {
      const g = EE.filter((r) => r.NetworkMessageId === n).sort((a, b) => (b.Timestamp as number) - (a.Timestamp as number));
      return { NetworkMessageId: n, RecipientEmailAddress: g[0].RecipientEmailAddress, Recipients: distinct(g.map((r) => r.RecipientEmailAddress)).length };
    }),
  },
  {
    name: 'arg_min picks the earliest recipient',
    kql: `EmailEvents | summarize arg_min(Timestamp, RecipientEmailAddress) by NetworkMessageId | project NetworkMessageId, RecipientEmailAddress`,
    expect: () => distinct(EE.map((r) => r.NetworkMessageId)).map((n) => { const g = EE.filter((r) => r.NetworkMessageId === n).sort((a, b) => (a.Timestamp as number) - (b.Timestamp as number)); return { NetworkMessageId: n, RecipientEmailAddress: g[0].RecipientEmailAddress }; }),
  },
  {
    name: 'bag_keys and pack_array',
    kql: `EmailEvents | extend K = bag_keys(parse_json(AuthenticationDetails)), P = pack_array(SenderIPv4, AttachmentCount) | where array_length(K) == 4 | extend ok = tostring(P[0]) == SenderIPv4 and tolong(P[1]) == AttachmentCount and array_length(P) == 2 | summarize count() by ok`,
    expect: () => [{ ok: true, count_: EE.filter((x) => { const j = json(x.AuthenticationDetails); return j !== null && typeof j === 'object'; }).length }],
  },
  {
    name: 'project-away, project-rename and extend in place keep column order',
    kql: `EmailUrlInfo | project-away Report*, Url | project-rename Domain = UrlDomain | extend Timestamp = startofday(Timestamp) | take 1`,
    columns: ['Timestamp', 'NetworkMessageId', 'Domain', 'UrlLocation', 'UrlChainId', 'UrlChainPosition'],
  },
  { name: 'summarize by without aggregates is distinct', kql: `EmailEvents | summarize by EmailLanguage`, expect: () => distinct(EE.map((r) => r.EmailLanguage)).map((x) => ({ EmailLanguage: x })) },
  { name: 'summarize on empty input without by gives one row of zeros', kql: `EmailEvents | where Subject == "nope" | summarize count(), sum(EmailSize)`, expect: () => [{ count_: 0, sum_EmailSize: 0 }] },
  { name: 'summarize on empty input with by gives no rows', kql: `EmailEvents | where Subject == "nope" | summarize count() by SenderIPv4`, expect: () => [] },
  { name: '!= keeps nulls (Kusto null semantics)', kql: `EmailEvents | where EmailClusterId != 5 | count`, expect: () => [{ Count: EE.filter((r) => r.EmailClusterId !== 5).length }] },
  { name: 'isnull on a long column', kql: `EmailEvents | where isnull(EmailClusterId) | count`, expect: () => [{ Count: EE.filter((r) => r.EmailClusterId === null).length }] },
  {
    name: 'ZAP events joined to the original delivery',
    kql: `EmailPostDeliveryEvents | where ActionType == "Phish ZAP" | join kind=inner (EmailEvents | project NetworkMessageId, RecipientEmailAddress, Subject) on NetworkMessageId, RecipientEmailAddress | project Subject, RecipientEmailAddress`,
    expect: () => EPDE.filter((p) => p.ActionType === 'Phish ZAP').flatMap((p) => EE.filter((e) => e.NetworkMessageId === p.NetworkMessageId && e.RecipientEmailAddress === p.RecipientEmailAddress).map((e) => ({ Subject: e.Subject, RecipientEmailAddress: p.RecipientEmailAddress }))),
  },
  { name: 'QR code URLs by domain', kql: `EmailUrlInfo | where UrlLocation == "QRCode" | summarize count() by UrlDomain`, expect: () => groupCount(EUI.filter((u) => u.UrlLocation === 'QRCode'), (r) => str(r.UrlDomain), 'UrlDomain') },
  {
    name: 'first-contact phishing',
    kql: `EmailEvents | where IsFirstContact == 1 and ThreatTypes has "Phish" | project NetworkMessageId, RecipientEmailAddress`,
    expect: () => EE.filter((r) => r.IsFirstContact === 1 && has(r.ThreatTypes, 'Phish')).map((r) => proj(r, ['NetworkMessageId', 'RecipientEmailAddress'])),
  },
  {
    name: 'phish delivered to inbox with URL detonation verdict (JSON array compare)',
    kql: `EmailEvents | where DeliveryLocation == "Inbox/folder" and tostring(parse_json(DetectionMethods).Phish) == @'["URL detonation reputation"]' | count`,
    expect: () => [{ Count: EE.filter((r) => r.DeliveryLocation === 'Inbox/folder' && json(r.DetectionMethods)?.Phish?.[0] === 'URL detonation reputation').length }],
  },
  {
    name: 'rejections by stage and TLS',
    kql: `SmtpRejectEvents | where EnhancedStatusCode == "5.7.68" | summarize Rejected = count(), Ips = dcount(SenderIPv4) by SmtpStage`,
    expect: () => distinct(SRE.map((r) => str(r.SmtpStage))).map((s) => ({ SmtpStage: s, Rejected: SRE.filter((r) => r.SmtpStage === s).length, Ips: distinct(SRE.filter((r) => r.SmtpStage === s).map((r) => r.SenderIPv4)).length })),
  },
  {
    name: 'has_any with a let list of keywords',
    kql: `let Keywords = pack_array("invoice", "payment", "wire");
EmailEvents | where Subject has_any (Keywords) | summarize count() by Subject`,
    expect: () => groupCount(EE.filter((r) => ['invoice', 'payment', 'wire'].some((k) => has(r.Subject, k))), (r) => str(r.Subject), 'Subject'),
  },
  {
    name: 'has_all',
    kql: `EmailEvents | where Subject has_all ("action", "required") | count`,
    expect: () => [{ Count: EE.filter((r) => has(r.Subject, 'action') && has(r.Subject, 'required')).length }],
  },
  {
    name: 'malicious attachments with URL and sender context (two joins)',
    kql: `EmailAttachmentInfo
| where FileType in ("exe", "docm")
| join kind=inner (EmailEvents | where EmailDirection == "Inbound" | project NetworkMessageId, SenderIPv4, Connectors) on NetworkMessageId
| join kind=leftouter (EmailUrlInfo | summarize Urls = dcount(Url) by NetworkMessageId) on NetworkMessageId
| summarize Files = count(), Urls = sum(Urls) by SenderIPv4`,
    expect: () => {
      const rows = EAI.filter((a) => ['exe', 'docm'].includes(str(a.FileType))).flatMap((a) => inbound.filter((e) => e.NetworkMessageId === a.NetworkMessageId).map((e) => ({ ip: str(e.SenderIPv4), urls: distinct(EUI.filter((u) => u.NetworkMessageId === a.NetworkMessageId).map((u) => u.Url)).length })));
      return distinct(rows.map((r) => r.ip)).map((ip) => {
        const g = rows.filter((r) => r.ip === ip);
        const withUrls = g.filter((r) => r.urls > 0);
        return { SenderIPv4: ip, Files: g.length, Urls: withUrls.length ? withUrls.reduce((s, r) => s + r.urls, 0) : null };
      });
    },
  },
  {
    name: 'datatable of known-bad IPs joined to traffic',
    kql: `let BadIps = datatable(Ip:string, Severity:long) ["203.0.113.5", 3, "185.220.101.7", 5, "192.0.2.1", 1];
EmailEvents | join kind=inner (BadIps) on $left.SenderIPv4 == $right.Ip | summarize Messages = count(), MaxSeverity = max(Severity) by SenderIPv4`,
    expect: () => [['203.0.113.5', 3], ['185.220.101.7', 5]].map(([ip, sev]) => ({ SenderIPv4: ip, Messages: EE.filter((r) => r.SenderIPv4 === ip).length, MaxSeverity: sev })).filter((x) => x.Messages > 0),
  },
  {
    name: 'base64 round trip and in() against a datatable',
    kql: `let Domains = datatable(d:string) ["gmail.com", "partner.org"];
EmailEvents | where SenderFromDomain in (Domains) | extend B = base64_encode_tostring(SenderFromDomain) | where base64_decode_tostring(B) == SenderFromDomain | count`,
    expect: () => [{ Count: EE.filter((r) => ['gmail.com', 'partner.org'].includes(str(r.SenderFromDomain))).length }],
  },
  {
    name: 'getschema',
    kql: `EmailUrlInfo | project Timestamp, UrlDomain | getschema`,
    expect: () => [
      { ColumnName: 'Timestamp', ColumnOrdinal: 0, DataType: 'System.DateTime', ColumnType: 'datetime' },
      { ColumnName: 'UrlDomain', ColumnOrdinal: 1, DataType: 'System.String', ColumnType: 'string' },
    ],
  },
  {
    name: 'comments and bracket-quoted names',
    kql: `// Direct send per day
EmailEvents // all mail
| where ['Connectors'] == "" // no connector
| summarize ['Direct Send'] = count() by Day = bin(Timestamp, 1d)
| where ['Direct Send'] > 0 | count`,
    expect: () => [{ Count: distinct(EE.filter((r) => r.Connectors === '').map((r) => startOfDay(r.Timestamp as number))).length }],
  },
  {
    name: 'older data is outside the 30-day window',
    kql: `EmailEvents | where Timestamp < ago(30d) | count`,
    expect: () => [{ Count: 0 }],
  },
];

let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  loadDataset(db, allHuntingDdl(), data);
});

function norm(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(norm).map((x) => JSON.stringify(x)).sort();
  if (typeof v === 'number' && !Number.isInteger(v)) return Math.round(v * 1e9) / 1e9;
  return v;
}
const canon = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, norm(v)])))).sort();

describe('hunting corpus', () => {
  it('has at least 60 queries', () => expect(CASES.length).toBeGreaterThanOrEqual(60));

  for (const c of CASES) {
    it(c.name, () => {
      const compiled = compileKql(c.kql, { orgId: 'contoso', now: NOW });
      const res = executeCompiled(db, compiled);
      const oracle = kustoOracle(c.kql);
      expect(oracle.diagnostics, 'the official parser accepts the query').toEqual([]);
      expect(res.columns, 'result schema matches the official binder').toEqual(oracle.columns);
      if (c.columns) expect(res.columns.map((x) => x.name)).toEqual(c.columns);
      if (c.expect) expect(canon(res.rows)).toEqual(canon(c.expect()));
      if (c.sorted) {
        const [col, dir] = c.sorted;
        const vals = res.rows.map((r) => r[col] as number | string);
        const sorted = [...vals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(vals).toEqual(dir === 'asc' ? sorted : sorted.reverse());
      }
      if (c.chart) expect(res.chart).toEqual(c.chart);
    });
  }
});
