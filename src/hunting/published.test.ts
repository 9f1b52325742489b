// Published hunting queries, pasted unchanged: Microsoft's Defender for Office 365 hunting queries
// in the Azure Sentinel repository (make-series, bag_unpack, mv-expand … to typeof(), arg_max by
// key, TimeGenerated) and a public Sentinel email-hunting collection written for TimeGenerated.
// Each runs on the two-tenant dataset plus a few messages that give every query something to
// find; the expected rows are computed here from the arrays, never through the compiler.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { KqlError } from './errors.js';
import { huntOn } from '../store/sqlite/hunting/executor.js';
import { buildDataset, DAY, NOW, visible, type Row } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';

const SENTINEL = 'github.com/Azure/Azure-Sentinel, Hunting Queries/Microsoft 365 Defender/Email and Collaboration Queries';
const STELZ = 'github.com/SCStelz/security-investigator, queries/email/email_threat_detection.md';

// ---- data: the dataset, plus messages with the detections, forwarding and ZAP failures these
// queries look for (copies of existing rows, so every column keeps its type).
const data = buildDataset();
const C = data.contoso;
const base = C.EmailEvents.find((r) => (r.Timestamp as number) > NOW - 10 * DAY && r.EmailDirection === 'Inbound')!;
const extra = (over: Row): Row => ({ ...base, ReportId: `${String(over.NetworkMessageId)}-0`, ...over });
C.EmailEvents.push(
  extra({ NetworkMessageId: 'x-file-det', Timestamp: NOW - 2 * DAY, ThreatTypes: 'Malware', DetectionMethods: '{"Malware":["File detonation","Antimalware engine"]}' }),
  extra({ NetworkMessageId: 'x-url-det', Timestamp: NOW - 5 * DAY + 3 * 3_600_000, ThreatTypes: 'Malware', DetectionMethods: '{"Malware":["URL detonation"]}' }),
  extra({ NetworkMessageId: 'x-fwd-1', Timestamp: NOW - DAY, EmailDirection: 'Outbound', RecipientEmailAddress: 'drop@outside.example', ForwardingInformation: '{"ForwardingType":"MbxRule","ForwardingUser":"bob@contoso.com"}' }),
  extra({ NetworkMessageId: 'x-fwd-2', Timestamp: NOW - 3 * DAY, EmailDirection: 'Outbound', RecipientEmailAddress: 'exfil@other.example', ForwardingInformation: '{"ForwardingType":"SmtpForwarding","ForwardingUser":"carol@contoso.com"}' }),
  extra({ NetworkMessageId: 'x-spoof', Timestamp: NOW - 4 * DAY, ThreatTypes: 'Phish', DetectionMethods: '{"Phish":["Spoof DMARC"]}', SenderMailFromDomain: 'spoof.example', SenderFromDomain: 'contoso.com', AuthenticationDetails: '{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}' }),
);
const zapped = C.EmailEvents.find((r) => r.ThreatTypes === 'Phish' && (r.Timestamp as number) > NOW - 20 * DAY)!;
C.EmailPostDeliveryEvents.push({ ...C.EmailPostDeliveryEvents[0], NetworkMessageId: zapped.NetworkMessageId, RecipientEmailAddress: zapped.RecipientEmailAddress, SenderFromAddress: zapped.SenderFromAddress, ThreatTypes: 'Phish', ActionType: 'Phish ZAP', ActionResult: 'Error', Timestamp: (zapped.Timestamp as number) + 3_600_000 });

const EE = visible(C, 'EmailEvents');
const EUI = visible(C, 'EmailUrlInfo');
let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  loadDataset(db, allHuntingDdl(), data);
});
const hunt = (query: string) => huntOn(db, { orgId: 'contoso', query, now: NOW });

// ---- independent helpers
const ts = (r: Row) => r.Timestamp as number;
const str = (v: unknown) => String(v ?? '');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const has = (hay: unknown, t: string) => new RegExp(`(^|[^A-Za-z0-9])${esc(t)}($|[^A-Za-z0-9])`, 'i').test(str(hay));
const json = (s: unknown): any => { try { return JSON.parse(str(s)); } catch { return null; } };
const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const kustoTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
const TimeStart = startOfDay(NOW - 30 * DAY);
const TimeEnd = startOfDay(NOW);
const days = (TimeEnd - TimeStart) / DAY;
const axis = Array.from({ length: days }, (_, i) => kustoTime(TimeStart + i * DAY));
/** Per-day counts over [TimeStart, TimeEnd), as make-series gives them. */
const daily = (rows: Row[]) => {
  const out = new Array<number>(days).fill(0);
  for (const r of rows) if (ts(r) >= TimeStart && ts(r) < TimeEnd) out[Math.floor((ts(r) - TimeStart) / DAY)]++;
  return out;
};
const latestPerKey = (rows: Row[]) => {
  const m = new Map<string, Row>();
  for (const r of rows) { const k = `${str(r.NetworkMessageId)}-${str(r.RecipientEmailAddress)}`; if (!m.has(k) || ts(m.get(k)!) < ts(r)) m.set(k, r); }
  return [...m.values()];
};
const sortRows = <T,>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const countBy = <K,>(xs: Row[], key: (r: Row) => K) => { const m = new Map<K, Row[]>(); for (const r of xs) m.set(key(r), [...(m.get(key(r)) ?? []), r]); return m; };

interface Published { name: string; source: string; kql: string; expect: () => unknown[]; ordered?: boolean }

const QUERIES: Published[] = [
  {
    name: 'CompAuth Failure Trend',
    source: `${SENTINEL}/Authentication/CompAuth Failure Trend.yaml`,
    kql: `let TimeStart = startofday(ago(30d));
let TimeEnd = startofday(now());
EmailEvents
| extend CompAuthFail = AuthenticationDetails has_any ('CompAuth":"fail') 
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d
| render timechart`,
    expect: () => [{ Count: daily(EE), Timestamp: axis }],
  },
  {
    name: 'Malware Detections Trend',
    source: `${SENTINEL}/Malware/Malware Detection Trend.yaml`,
    kql: `let TimeStart = startofday(ago(30d));
let TimeEnd = startofday(now());
EmailEvents
| where Timestamp >= TimeStart
| where OrgLevelPolicy != "Phishing simulation" and OrgLevelPolicy != "SecOps Mailbox"
| extend Key = strcat(NetworkMessageId, "-", RecipientEmailAddress)
| summarize arg_max(Timestamp, *) by Key
| where ThreatTypes has "Malware"
| make-series MalwareDetections = count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d
| render timechart`,
    expect: () => [{ MalwareDetections: daily(latestPerKey(EE).filter((r) => has(r.ThreatTypes, 'Malware'))), Timestamp: axis }],
  },
  {
    name: 'Malware Detections by Detection technology Trend (TimeGenerated, bag_unpack, make-series, union)',
    source: `${SENTINEL}/Malware/Malware Detections by Detection Technology Trend.yaml`,
    kql: `let TimeStart = startofday(ago(30d));
let TimeEnd = startofday(now());
let baseQuery = EmailEvents
| where TimeGenerated >= TimeStart
| where DetectionMethods has "Malware";
let av=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'Antimalware engine'
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "Antimalware engine";
let fd=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'File detonation' and Malware !has 'File detonation reputation'
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "File detonation";
let fdr=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'File detonation reputation'
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "File detonation reputation";
let ud=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'URL detonation' and Malware !has 'URL detonation reputation'
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "URL detonation";
let udr=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'URL detonation reputation' 
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "URL detonation reputation";
let umr=baseQuery
| project Timestamp,RecipientEmailAddress,NetworkMessageId, DT=parse_json(DetectionMethods) | evaluate bag_unpack(DT) 
| where Malware has 'URL malicious reputation' 
| make-series Count= count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d 
| extend Details = "URL malicious reputation";
union av,fd,fdr,ud,udr,umr
| project Count, Details, Timestamp
| render timechart`,
    expect: () => {
      const malware = EE.filter((r) => ts(r) >= TimeStart && has(r.DetectionMethods, 'Malware'));
      const text = (r: Row) => JSON.stringify(json(r.DetectionMethods)?.Malware ?? null);
      const branches: [string, (r: Row) => boolean][] = [
        ['Antimalware engine', (r) => has(text(r), 'Antimalware engine')],
        ['File detonation', (r) => has(text(r), 'File detonation') && !has(text(r), 'File detonation reputation')],
        ['File detonation reputation', (r) => has(text(r), 'File detonation reputation')],
        ['URL detonation', (r) => has(text(r), 'URL detonation') && !has(text(r), 'URL detonation reputation')],
        ['URL detonation reputation', (r) => has(text(r), 'URL detonation reputation')],
        ['URL malicious reputation', (r) => has(text(r), 'URL malicious reputation')],
      ];
      // make-series of no rows is no row: a technology with no detection has no series.
      return branches.map(([d, p]) => ({ rows: malware.filter(p), d })).filter((b) => b.rows.length).map((b) => ({ Count: daily(b.rows), Details: b.d, Timestamp: axis }));
    },
  },
  {
    name: 'Zero-day Malware Detections Trend (mv-expand … to typeof(string), make-series by)',
    source: `${SENTINEL}/Malware/Zero-day Malware Detections Trend.yaml`,
    kql: `let TimeStart = startofday(ago(30d));
let TimeEnd = startofday(now());
EmailEvents
| where Timestamp >= TimeStart
| where OrgLevelPolicy != "Phishing simulation" and OrgLevelPolicy != "SecOps Mailbox"
| extend Key = strcat(NetworkMessageId, "-", RecipientEmailAddress)
| summarize arg_max(Timestamp, *) by Key
| where DetectionMethods has "Malware"
| mv-expand MalwareMethod = parse_json(DetectionMethods).Malware to typeof(string)
| where MalwareMethod in ('File detonation', 'URL detonation')
| make-series Count = count() default = 0 on Timestamp from TimeStart to TimeEnd step 1d by MalwareMethod
| render timechart`,
    expect: () => {
      const expanded = latestPerKey(EE.filter((r) => ts(r) >= TimeStart)).filter((r) => has(r.DetectionMethods, 'Malware'))
        .flatMap((r) => ((json(r.DetectionMethods)?.Malware ?? [null]) as unknown[]).map((m) => ({ ...r, m: str(m) } as Row)))
        .filter((r) => r.m === 'File detonation' || r.m === 'URL detonation');
      return [...countBy(expanded, (r) => str(r.m))].map(([m, rows]) => ({ MalwareMethod: m, Count: daily(rows), Timestamp: axis }));
    },
  },
  {
    name: 'Inbound Sender Domains Failing Email Authentication',
    source: `${SENTINEL}/Authentication/Inbound Sender Domains Failing Email Authentication.yaml`,
    kql: `// Inbound sender domains with the most email authentication failures (DMARC, DKIM, SPF, Composite Authentication).
EmailEvents
| where Timestamp > ago(30d)
| where OrgLevelPolicy !in ("Phishing simulation", "SecOps Mailbox")
| where EmailDirection == "Inbound"
| extend Key = strcat(NetworkMessageId, '-', RecipientEmailAddress)
| summarize arg_max(Timestamp, *) by Key
| extend Auth = parse_json(AuthenticationDetails)
| summarize TotalInbound = count(), MessagesFailingAnyAuth = countif(tostring(Auth.DMARC) == "fail" or tostring(Auth.DKIM) == "fail" or tostring(Auth.SPF) == "fail" or tostring(Auth.CompAuth) == "fail"), DMARCFail = countif(tostring(Auth.DMARC) == "fail"), DKIMFail = countif(tostring(Auth.DKIM) == "fail"), SPFFail = countif(tostring(Auth.SPF) == "fail"), CompAuthFail = countif(tostring(Auth.CompAuth) == "fail") by SenderDomain = SenderFromDomain
| where MessagesFailingAnyAuth > 0
| top 20 by MessagesFailingAnyAuth
| project SenderDomain, MessagesFailingAnyAuth, DMARCFail, DKIMFail, SPFFail, CompAuthFail, TotalInbound`,
    expect: () => {
      const a = (r: Row, k: string) => str(json(r.AuthenticationDetails)?.[k]) === 'fail';
      return [...countBy(latestPerKey(EE.filter((r) => r.EmailDirection === 'Inbound')), (r) => str(r.SenderFromDomain))]
        .map(([d, rs]) => ({
          SenderDomain: d, MessagesFailingAnyAuth: rs.filter((r) => ['DMARC', 'DKIM', 'SPF', 'CompAuth'].some((k) => a(r, k))).length,
          DMARCFail: rs.filter((r) => a(r, 'DMARC')).length, DKIMFail: rs.filter((r) => a(r, 'DKIM')).length, SPFFail: rs.filter((r) => a(r, 'SPF')).length,
          CompAuthFail: rs.filter((r) => a(r, 'CompAuth')).length, TotalInbound: rs.length,
        })).filter((x) => x.MessagesFailingAnyAuth > 0);
    },
  },
  {
    name: 'Top Spoof DMARC detections by Sender domain (P1/P2)',
    source: `${SENTINEL}/Authentication/Top Spoof DMARC detections by Sender Domain.yaml`,
    kql: `EmailEvents
| where Timestamp > ago(30d)
| extend Key = strcat(NetworkMessageId, '-', RecipientEmailAddress)
| summarize arg_max(Timestamp, *) by Key
| where EmailDirection == "Inbound"
| summarize TotalEmailCount = count(),
            DMARCFailCount = countif(set_has_element(parse_json(DetectionMethods).Phish, "Spoof DMARC")) by P1Sender=SenderMailFromDomain, P2Sender=SenderFromDomain
| extend DMARCFail_Traffic_Percentage = todouble(round(DMARCFailCount / todouble(TotalEmailCount) * 100, 2))
| where DMARCFailCount != 0
| top 10 by DMARCFailCount
| project P1Sender, P2Sender, DMARCFailCount, TotalEmailCount, DMARCFail_Traffic_Percentage`,
    expect: () => [...countBy(latestPerKey(EE).filter((r) => r.EmailDirection === 'Inbound'), (r) => `${str(r.SenderMailFromDomain)}|${str(r.SenderFromDomain)}`)]
      .map(([k, rs]) => {
        const fail = rs.filter((r) => ((json(r.DetectionMethods)?.Phish ?? []) as unknown[]).includes('Spoof DMARC')).length;
        return { P1Sender: k.split('|')[0], P2Sender: k.split('|')[1], DMARCFailCount: fail, TotalEmailCount: rs.length, DMARCFail_Traffic_Percentage: Math.round((fail / rs.length) * 10000) / 100 };
      }).filter((x) => x.DMARCFailCount !== 0),
  },
  {
    name: 'Automatic External Email Forwarding Overview by Type',
    source: `${SENTINEL}/Mailflow/Automatic External Email Forwarding by Type.yaml`,
    kql: `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == "Outbound" and isnotempty(ForwardingInformation)
| extend Key = strcat(NetworkMessageId, '-', RecipientEmailAddress)
| summarize arg_max(Timestamp, *) by Key
| extend FwdInfo = parse_json(ForwardingInformation)
| extend ForwardingType = tostring(FwdInfo.ForwardingType),
         ForwardingUser = tostring(FwdInfo.ForwardingUser),
         RecipientDomain = tostring(split(RecipientEmailAddress, '@')[1])
| summarize ForwardedMessages = count(),
            ForwardingUsers = dcount(ForwardingUser),
            ExternalRecipients = dcount(RecipientEmailAddress),
            ExternalDomains = dcount(RecipientDomain)
    by ForwardingType
| sort by ForwardedMessages desc`,
    expect: () => [...countBy(latestPerKey(EE.filter((r) => r.EmailDirection === 'Outbound' && str(r.ForwardingInformation) !== '')), (r) => str(json(r.ForwardingInformation).ForwardingType))]
      .map(([t, rs]) => ({
        ForwardingType: t, ForwardedMessages: rs.length, ForwardingUsers: new Set(rs.map((r) => json(r.ForwardingInformation).ForwardingUser)).size,
        ExternalRecipients: new Set(rs.map((r) => r.RecipientEmailAddress)).size, ExternalDomains: new Set(rs.map((r) => str(r.RecipientEmailAddress).split('@')[1])).size,
      })),
  },
  {
    name: 'Email Volume Trend by Day and Direction (TimeGenerated)',
    source: `${STELZ} §1.2`,
    kql: `EmailEvents
| where TimeGenerated > ago(30d)
| summarize Count = count() by EmailDirection, Day = bin(TimeGenerated, 1d)
| order by Day asc, EmailDirection`,
    ordered: true,
    expect: () => [...countBy(EE.filter((r) => ts(r) > NOW - 30 * DAY), (r) => `${startOfDay(ts(r))}|${str(r.EmailDirection)}`)]
      .map(([k, rs]) => ({ EmailDirection: k.split('|')[1], Day: new Date(Number(k.split('|')[0])).toISOString(), Count: rs.length }))
      .sort((a, b) => (a.Day !== b.Day ? (a.Day < b.Day ? -1 : 1) : a.EmailDirection < b.EmailDirection ? 1 : -1)),
  },
  {
    name: 'First-Contact Phishing Attempts (TimeGenerated; IsFirstContact, an int in Defender, compared with true)',
    source: `${STELZ} §2.5`,
    kql: `EmailEvents
| where TimeGenerated > ago(30d)
| where EmailDirection == "Inbound"
| where IsFirstContact == true
| where ThreatTypes has "Phish" or UrlCount > 3
| project TimeGenerated, Subject, SenderFromAddress, SenderFromDomain,
    RecipientEmailAddress, IsFirstContact, UrlCount, AttachmentCount,
    ThreatTypes, DeliveryAction, NetworkMessageId
| order by TimeGenerated desc`,
    ordered: true,
    expect: () => EE.filter((r) => ts(r) > NOW - 30 * DAY && r.EmailDirection === 'Inbound' && r.IsFirstContact === 1 && (has(r.ThreatTypes, 'Phish') || (r.UrlCount as number) > 3))
      .sort((a, b) => ts(b) - ts(a))
      .map((r) => ({
        TimeGenerated: new Date(ts(r)).toISOString(), Subject: r.Subject, SenderFromAddress: r.SenderFromAddress, SenderFromDomain: r.SenderFromDomain,
        RecipientEmailAddress: r.RecipientEmailAddress, IsFirstContact: r.IsFirstContact, UrlCount: r.UrlCount, AttachmentCount: r.AttachmentCount,
        ThreatTypes: r.ThreatTypes, DeliveryAction: r.DeliveryAction, NetworkMessageId: r.NetworkMessageId,
      })),
  },
  {
    name: 'Authentication Failure Summary by Domain (TimeGenerated)',
    source: `${STELZ} §4.2`,
    kql: `EmailEvents
| where TimeGenerated > ago(30d)
| where EmailDirection == "Inbound"
| extend AuthDetails = parse_json(AuthenticationDetails)
| extend
    DMARC = tostring(AuthDetails.DMARC),
    DKIM = tostring(AuthDetails.DKIM),
    SPF = tostring(AuthDetails.SPF),
    CompAuth = tostring(AuthDetails.CompAuth)
| summarize
    TotalEmails = count(),
    DMARCFail = countif(DMARC == "fail"),
    DKIMFail = countif(DKIM == "fail"),
    SPFFail = countif(SPF == "fail"),
    CompAuthFail = countif(CompAuth == "fail")
    by SenderFromDomain
| where DMARCFail > 0 or DKIMFail > 0 or SPFFail > 0 or CompAuthFail > 0
| order by TotalEmails desc`,
    expect: () => {
      const a = (r: Row, k: string) => str(json(r.AuthenticationDetails)?.[k]) === 'fail';
      return [...countBy(EE.filter((r) => ts(r) > NOW - 30 * DAY && r.EmailDirection === 'Inbound'), (r) => str(r.SenderFromDomain))]
        .map(([d, rs]) => ({ SenderFromDomain: d, TotalEmails: rs.length, DMARCFail: rs.filter((r) => a(r, 'DMARC')).length, DKIMFail: rs.filter((r) => a(r, 'DKIM')).length, SPFFail: rs.filter((r) => a(r, 'SPF')).length, CompAuthFail: rs.filter((r) => a(r, 'CompAuth')).length }))
        .filter((x) => x.DMARCFail + x.DKIMFail + x.SPFFail + x.CompAuthFail > 0);
    },
  },
  {
    name: 'Detection Methods Breakdown (TimeGenerated, bag_keys, dynamic index by a computed name)',
    source: `${STELZ} §5.1`,
    kql: `EmailEvents
| where TimeGenerated > ago(30d)
| where isnotempty(DetectionMethods) and DetectionMethods != "{}"
| extend DetMethods = parse_json(DetectionMethods)
| extend FirstDetection = tostring(bag_keys(DetMethods)[0])
| extend FirstSubcategory = iif(
    FirstDetection != "" and array_length(DetMethods[FirstDetection]) > 0,
    strcat(FirstDetection, ": ", tostring(DetMethods[FirstDetection][0])),
    FirstDetection)
| summarize Count = count() by FirstSubcategory
| order by Count desc`,
    expect: () => [...countBy(EE.filter((r) => ts(r) > NOW - 30 * DAY && str(r.DetectionMethods) !== '' && r.DetectionMethods !== '{}'), (r) => {
      const d = json(r.DetectionMethods) as Record<string, string[]>;
      const k = Object.keys(d)[0] ?? '';
      return k && d[k].length > 0 ? `${k}: ${d[k][0]}` : k;
    })].map(([s, rs]) => ({ FirstSubcategory: s, Count: rs.length })),
  },
  {
    name: 'Failed ZAP Actions (TimeGenerated, join on two keys)',
    source: `${STELZ} §6.2`,
    kql: `EmailPostDeliveryEvents
| where TimeGenerated > ago(30d)
| where ActionType has "ZAP" and ActionResult == "Error"
| join kind=inner (
    EmailEvents
    | where TimeGenerated > ago(30d)
) on NetworkMessageId, RecipientEmailAddress
| project TimeGenerated, ActionType, ActionResult, RecipientEmailAddress,
    SenderFromAddress, Subject, ThreatTypes, LatestDeliveryLocation,
    NetworkMessageId
| order by TimeGenerated desc`,
    expect: () => visible(C, 'EmailPostDeliveryEvents').filter((p) => has(p.ActionType, 'ZAP') && p.ActionResult === 'Error').flatMap((p) => {
      const e = EE.find((r) => r.NetworkMessageId === p.NetworkMessageId && r.RecipientEmailAddress === p.RecipientEmailAddress);
      return e ? [{ TimeGenerated: new Date(ts(p)).toISOString(), ActionType: p.ActionType, ActionResult: p.ActionResult, RecipientEmailAddress: p.RecipientEmailAddress, SenderFromAddress: p.SenderFromAddress, Subject: e.Subject, ThreatTypes: p.ThreatTypes, LatestDeliveryLocation: e.LatestDeliveryLocation, NetworkMessageId: p.NetworkMessageId }] : [];
    }),
  },
  {
    name: 'URLs in Inbound Emails — Domain Summary (TimeGenerated on both sides of a join)',
    source: `${STELZ} §7.1`,
    kql: `EmailEvents
| where TimeGenerated > ago(30d)
| where EmailDirection == "Inbound" and UrlCount > 0
| join kind=inner (
    EmailUrlInfo
    | where TimeGenerated > ago(30d)
) on NetworkMessageId
| summarize
    UrlCount = dcount(Url),
    EmailCount = dcount(NetworkMessageId)
    by UrlDomain
| where UrlCount > 2
| order by UrlCount desc
| take 20`,
    expect: () => {
      const ids = new Set(EE.filter((r) => r.EmailDirection === 'Inbound' && (r.UrlCount as number) > 0).map((r) => r.NetworkMessageId));
      return [...countBy(EUI.filter((u) => ids.has(u.NetworkMessageId)), (u) => str(u.UrlDomain))]
        .map(([d, us]) => ({ UrlDomain: d, UrlCount: new Set(us.map((u) => u.Url)).size, EmailCount: new Set(us.map((u) => u.NetworkMessageId)).size }))
        .filter((x) => x.UrlCount > 2);
    },
  },
];

describe('published hunting queries run unchanged and return the expected rows', () => {
  it('at least ten, each naming its source', () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(10);
    for (const q of QUERIES) expect(q.source).toMatch(/^github\.com\//);
  });
  for (const q of QUERIES) {
    it(`${q.name} — ${q.source}`, () => {
      const got = hunt(q.kql).rows;
      const want = q.expect();
      expect(want.length, 'the data gives the query something to find').toBeGreaterThan(0);
      if (q.ordered) expect(got).toEqual(want);
      else expect(sortRows(got)).toEqual(sortRows(want));
    });
  }

  it(`an externaldata feed is refused by name with what to do instead — ${STELZ} §8.3`, () => {
    const kql = `// Replace the externaldata URL with your preferred TI feed
let abuse_sha256 = (externaldata(sha256_hash: string)
[@"https://bazaar.abuse.ch/export/txt/sha256/recent/"]
with (format="txt"))
| where sha256_hash !startswith "#"
| project sha256_hash;
abuse_sha256
| join kind=inner (
    EmailAttachmentInfo
    | where TimeGenerated > ago(7d)
) on $left.sha256_hash == $right.SHA256
| project TimeGenerated, SenderFromAddress, RecipientEmailAddress,
    FileName, FileType, SHA256, ThreatTypes, DetectionMethods`;
    expect(() => hunt(kql)).toThrow(KqlError);
    expect(() => hunt(kql)).toThrow(/line 2, column 21: The 'externaldata' operator is not supported by Postern's hunting engine; it would read data over the network; put the values in the query with datatable/);
  });
});
