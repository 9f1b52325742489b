// A fixed synthetic hunting dataset for tests: two tenants, realistic Direct Send and phishing
// traffic, attachments, URLs, post-delivery events and SMTP rejections. Pure data: tests load
// it into SQLite and compute expected answers from these arrays, independently of the compiler.
import { HUNTING_TABLES, type KustoType } from '../../trace/tables.js';

export const NOW = Date.UTC(2026, 2, 1, 12, 0, 0); // 2026-03-01T12:00:00Z
export const DAY = 86_400_000;
export const ORGS = ['contoso', 'fabrikam'] as const;

export type Row = Record<string, string | number | null>;
export interface Dataset {
  EmailEvents: Row[];
  EmailAttachmentInfo: Row[];
  EmailUrlInfo: Row[];
  EmailPostDeliveryEvents: Row[];
  SmtpRejectEvents: Row[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blank(table: string): Row {
  const t = HUNTING_TABLES.find((x) => x.name === table)!;
  const r: Row = {};
  for (const c of t.columns) r[c.name] = defaultFor(c.type);
  return r;
}
const defaultFor = (t: KustoType) => (t === 'string' ? '' : null);

const SUBJECTS = [
  'Invoice 4471 overdue', 'Your password expires today', 'Quarterly report', 'Re: lunch?', 'Payment confirmation #8812',
  'KustoExplorerQueryRun results', 'Voicemail from +1 555 0100', 'DocuSign: please sign', 'Action required: verify account',
  'Team offsite', 'Shared file: Q1-budget.xlsx', 'Résumé — Zoë Müller', 'URGENT wire transfer', 'newsletter March',
];
const EXTERNAL_IPS = ['203.0.113.5', '203.0.113.77', '198.51.100.23', '192.0.2.44', '45.67.89.10', '185.220.101.7'];
const INTERNAL_IPS = ['10.0.0.5', '10.1.2.3', '172.16.5.4', '192.168.1.20'];
const AUTH = [
  '{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}',
  '{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}',
  '{"SPF":"softfail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}',
  '{"SPF":"pass","DKIM":"fail","DMARC":"pass","CompAuth":"pass"}',
  '{"SPF":"none","DKIM":"none","DMARC":"none","CompAuth":"softpass"}',
  '',
  'not json',
];
const FILES = [
  ['invoice.pdf', 'pdf'], ['payload.exe', 'exe'], ['report.docm', 'docm'], ['photo.png', 'png'], ['archive.zip', 'zip'], ['Q1-budget.xlsx', 'xlsx'],
];
const URL_DOMAINS = ['contoso-login.com', 'microsoft.com', 'bit.ly', 'evil.example', 'sharepoint.com'];

export function buildDataset(): Record<string, Dataset> {
  const out: Record<string, Dataset> = {};
  for (const [oi, org] of ORGS.entries()) {
    const r = rng(42 + oi);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
    const domain = org === 'contoso' ? 'contoso.com' : 'fabrikam.net';
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => `${u}@${domain}`);
    const ds: Dataset = { EmailEvents: [], EmailAttachmentInfo: [], EmailUrlInfo: [], EmailPostDeliveryEvents: [], SmtpRejectEvents: [] };
    const n = org === 'contoso' ? 240 : 90;
    for (let i = 0; i < n; i++) {
      // Ages spread over 40 days: some rows fall outside the 30-day window.
      const ts = NOW - Math.floor(r() * 40 * DAY);
      const kind = r();
      const directSend = kind < 0.25;
      const spoofSelf = directSend && r() < 0.6;
      const inbound = kind < 0.85;
      const senderDomain = spoofSelf ? domain : pick(['partner.org', 'gmail.com', 'mailer.example', 'contoso-login.com', domain]);
      const sender = `${pick(['billing', 'noreply', 'ceo', 'hr', 'john.smith'])}@${senderDomain}`;
      const nmid = `${org.slice(0, 3)}-${String(i).padStart(4, '0')}-nmid`;
      const recipients = r() < 0.2 ? 2 : 1;
      const auth = pick(AUTH);
      const threat = r() < 0.2 ? pick(['Phish', 'Malware', 'Spam', 'Phish, Spam']) : '';
      const att = r() < 0.3 ? 1 + Math.floor(r() * 2) : 0;
      const urls = r() < 0.4 ? 1 + Math.floor(r() * 2) : 0;
      const ip = directSend ? pick(EXTERNAL_IPS) : inbound ? pick([...EXTERNAL_IPS, ...INTERNAL_IPS]) : pick(INTERNAL_IPS);
      const subject = pick(SUBJECTS);
      for (let k = 0; k < recipients; k++) {
        const e = blank('EmailEvents');
        Object.assign(e, {
          Timestamp: ts + k, NetworkMessageId: nmid, InternetMessageId: `<${nmid}@${senderDomain}>`,
          SenderMailFromAddress: sender, SenderFromAddress: sender, SenderDisplayName: sender.split('@')[0],
          SenderMailFromDomain: senderDomain, SenderFromDomain: senderDomain,
          SenderIPv4: r() < 0.05 ? '' : ip, SenderIPv6: r() < 0.05 ? '2001:db8::1' : '',
          RecipientEmailAddress: users[(i + k) % users.length], Subject: subject,
          EmailClusterId: r() < 0.1 ? null : Math.floor(r() * 5000),
          EmailDirection: inbound ? 'Inbound' : r() < 0.5 ? 'Outbound' : 'Intra-org',
          DeliveryAction: threat ? pick(['Blocked', 'Junked', 'Delivered']) : 'Delivered',
          DeliveryLocation: threat ? pick(['Quarantine', 'Junk folder', 'Inbox/folder']) : 'Inbox/folder',
          ThreatTypes: threat, DetectionMethods: threat ? `{"${threat.split(',')[0]}":["URL detonation reputation"]}` : '',
          ConfidenceLevel: threat ? '{"Phish":"High"}' : '', BulkComplaintLevel: Math.floor(r() * 10),
          AuthenticationDetails: auth, AttachmentCount: att, UrlCount: urls, EmailLanguage: pick(['en', 'de', 'fr']),
          Connectors: directSend || !inbound ? '' : pick(['Partner TLS connector', 'On-prem relay', '']),
          OrgLevelAction: threat ? 'Quarantine' : '', ReportId: `${nmid}-${k}`, RecipientDomain: domain,
          EmailSize: 1000 + Math.floor(r() * 50000), IsFirstContact: r() < 0.3 ? 1 : 0,
        });
        ds.EmailEvents.push(e);
      }
      for (let a = 0; a < att; a++) {
        const [fname, ftype] = pick(FILES);
        const x = blank('EmailAttachmentInfo');
        Object.assign(x, {
          Timestamp: ts, NetworkMessageId: nmid, SenderFromAddress: sender, RecipientEmailAddress: users[i % users.length],
          FileName: fname, FileType: ftype, SHA256: `${ftype}${i}${a}`.padEnd(16, '0'), FileSize: 1000 + Math.floor(r() * 900000),
          ThreatTypes: ftype === 'exe' ? 'Malware' : '', ThreatNames: ftype === 'exe' ? 'Trojan:Win32/Wacatac' : '',
        });
        ds.EmailAttachmentInfo.push(x);
      }
      for (let u = 0; u < urls; u++) {
        const d = pick(URL_DOMAINS);
        const x = blank('EmailUrlInfo');
        Object.assign(x, { Timestamp: ts, NetworkMessageId: nmid, Url: `https://${d}/p/${i}?u=${u}`, UrlDomain: d, UrlLocation: r() < 0.15 ? 'QRCode' : 'Body' });
        ds.EmailUrlInfo.push(x);
      }
      if (threat && r() < 0.5) {
        const x = blank('EmailPostDeliveryEvents');
        Object.assign(x, {
          Timestamp: ts + 3_600_000, NetworkMessageId: nmid, Action: 'Moved to quarantine', ActionType: pick(['Phish ZAP', 'Malware ZAP', 'Manual remediation']),
          ActionTrigger: 'SpecialAction', ActionResult: 'Success', RecipientEmailAddress: users[i % users.length], DeliveryLocation: 'Quarantine',
          ThreatTypes: threat, SenderFromAddress: sender, EmailDirection: 'Inbound',
        });
        ds.EmailPostDeliveryEvents.push(x);
      }
    }
    for (let i = 0; i < 30; i++) {
      const x = blank('SmtpRejectEvents');
      Object.assign(x, {
        Timestamp: NOW - Math.floor(r() * 35 * DAY), SessionId: `${org}-s${i}`, SenderIPv4: pick(EXTERNAL_IPS), HeloName: pick(['mail.example', 'localhost', 'x']),
        SenderMailFromAddress: `spoof@${domain}`, SenderMailFromDomain: domain, RecipientEmailAddress: pick(users), RecipientDomain: domain,
        SmtpStage: pick(['RCPT', 'DATA']), SmtpCode: 550, EnhancedStatusCode: '5.7.68', Response: '550 5.7.68 TenantInboundAttribution; Direct Send not allowed',
        Reason: 'RejectDirectSend', Connectors: '', TlsVersion: pick(['TLS1.2', 'TLS1.3', '']),
      });
      ds.SmtpRejectEvents.push(x);
    }
    out[org] = ds;
  }
  return out;
}

/** Rows of one tenant visible in the default 30-day window. */
export function visible(ds: Dataset, table: keyof Dataset, now = NOW, days = 30): Row[] {
  return ds[table].filter((x) => (x.Timestamp as number) >= now - days * DAY);
}
