// Content facts and post-delivery events end to end: messages with attachments and links sent by
// real clients (nodemailer, swaks) leave the EmailAttachmentInfo and EmailUrlInfo rows Defender
// would, counts and a cluster id on EmailEvents, inspection limits in AdditionalFields and the
// trace; quarantine release, delete and expiry leave EmailPostDeliveryEvents rows and move
// LatestDeliveryLocation. Then published hunting queries over these tables, run unchanged
// (placeholders filled in) with `postern hunt`, return the rows they were written to find.
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRule } from '../src/rules/index.js';
import { contoso, importOrgs, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
let dir: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Attachments whose names say one thing and whose bytes another: FileType follows the bytes.
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), randomBytes(3000)]);
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(0x3a), randomBytes(2000)]);
const iso = Buffer.concat([Buffer.alloc(0x8001), Buffer.from('CD001'), randomBytes(4000)]);
const jnlp = Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<jnlp spec="1.0+" codebase="http://203.0.113.9/app">\n  <resources><jar href="payload.jar"/></resources>\n</jnlp>\n');
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.location="https://phish.example.net/o365"</script></svg>\n');

const smtp = () => nodemailer.createTransport({ host: '127.0.0.1', port: pg.smtpPort, secure: false, ignoreTLS: true } as any);
async function mail(opts: Record<string, unknown>): Promise<void> {
  const info = await smtp().sendMail(opts as any);
  expect(info.response).toMatch(/^250 2\.0\.0 OK/);
}
const hunt = (kql: string): Record<string, any>[] => {
  const r = runCli(['hunt', kql, '--organization', 'Contoso', '--format', 'json', '-d', dir]);
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  return Array.isArray(out) ? out : out.rows;
};
const shell = (command: string) => runCli(['shell', '-d', dir, '--organization', 'Contoso', '-c', command]);
const nmid = (subject: string): string => query(dir, 'SELECT NetworkMessageId AS id FROM EmailEvents WHERE Subject = ?', subject)[0]?.id;
const held = (subject: string) => waitFor(() => query(dir, 'SELECT identity, network_message_id AS nmid FROM quarantine WHERE subject = ?', subject)[0], 10_000, `quarantine of '${subject}'`);

const campaign = (name: string) =>
  `Dear ${name},\n\nYour mailbox has exceeded its storage limit. To keep receiving messages, verify your account within 24 hours at https://mailbox-verify.example.org/confirm or your messages will be deleted.\n\nIT Service Desk`;

beforeAll(async () => {
  dir = tempDir();
  importOrgs(dir, [contoso({ TransportRules: [buildRule({ Name: 'Hold marked mail', Quarantine: true, SubjectContainsWords: ['quarantine-me'], Priority: 0 })] } as any)]);
  pg = await startPostern(dir, { limits: { maxUrlsPerMessage: 25, maxMimeParts: 12 } });

  // nodemailer: text and HTML with links (one carries the recipient's address, Appspot-style), a
  // real PDF, and a program named as a picture.
  await mail({
    from: 'Fabrikam Billing <billing@fabrikam.com>', to: 'alice@contoso.com', subject: 'Invoice 2041 https://billing.fabrikam.com/portal',
    text: 'Hello Alice, your invoice is at https://billing.fabrikam.com/inv/2041 (mirror: www.fabrikam-mirror.example).',
    html: '<p>Hello Alice,</p><p><a href="https://billing.fabrikam.com/inv/2041?view=1&amp;lang=en">View invoice</a> or <a href="https://secure-dot-fabrikam-billing.appspot.com/#alice@contoso.com">sign in</a>.</p>',
    attachments: [{ filename: 'invoice-2041.pdf', content: pdf }, { filename: 'holiday-photo.jpg', content: exe }, { filename: 'invoice-viewer.exe', content: exe }],
  });
  // swaks: attachments from files (an ISO image and a JNLP launcher), a raw-IP link and an open redirector.
  const files = tempDir('content-files-');
  writeFileSync(join(files, 'setup-disk.iso'), iso);
  writeFileSync(join(files, 'launch.jnlp'), jnlp);
  const sw = swaks([
    '--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'it@woodgrove.example', '--to', 'bob@contoso.com',
    '--header', 'Subject: Software update', '--header', 'From: Woodgrove IT <it@woodgrove.example>',
    '--body', 'Install the update from http://198.51.100.23/update.exe or via https://t.mailer-example.com/r/?id=77',
    '--attach', `@${join(files, 'setup-disk.iso')}`, '--attach', `@${join(files, 'launch.jnlp')}`,
  ]);
  expect(sw.out).toMatch(/250 2\.0\.0 OK/);
  await mail({ from: 'voicemail@tailspin.example', to: 'carol@contoso.com', subject: 'New voicemail', text: 'You have a new voicemail.', attachments: [{ filename: 'voicemail.svg', content: svg, contentType: 'image/svg+xml' }] });
  // One template from two senders: the same EmailClusterId.
  await mail({ from: 'helpdesk@adatum.example', to: 'dave@contoso.com', subject: 'Mailbox storage limit', text: campaign('Dave') });
  await mail({ from: 'service@lucerne.example', to: 'erin@contoso.com', subject: 'Mailbox storage limit', text: campaign('Erin') });
  // Referral infrastructure: MAIL FROM a known phishing domain, From: the recipient's own domain.
  expect(swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'x@refferal.net', '--to', 'frank@contoso.com', '--header', 'Subject: Referral', '--header', 'From: hr@contoso.com', '--body', 'Open https://sharepoint-referral.example.com/doc']).out).toMatch(/250 2\.0\.0 OK/);
  // Over the limits: 30 links (25 allowed), 15 attachments (12 parts allowed).
  await mail({ from: 'news@adatum.example', to: 'gina@contoso.com', subject: 'Many links', text: Array.from({ length: 30 }, (_, i) => `https://link${i}.adatum.example/`).join('\n') });
  await mail({ from: 'scan@adatum.example', to: 'gina@contoso.com', subject: 'Many parts', text: 'scans', attachments: Array.from({ length: 15 }, (_, i) => ({ filename: `scan${i}.txt`, content: `page ${i}` })) });
  // Held by the rule: released, deleted, expired.
  for (const s of ['quarantine-me release', 'quarantine-me delete', 'quarantine-me expire']) await mail({ from: 'x@fabrikam.com', to: 'harry@contoso.com', subject: s, text: `held: ${s}` });
  await waitFor(() => query(dir, 'SELECT count(*) AS n FROM EmailEvents')[0].n === 11, 10_000, 'EmailEvents rows');
});
afterAll(async () => {
  await pg?.stop();
});

describe('content facts while streaming', () => {
  it('writes EmailAttachmentInfo rows with the type by content, SHA256 and size of each file', () => {
    const rows = query(dir, 'SELECT RecipientEmailAddress, SenderFromAddress, SenderDisplayName, FileName, FileType, SHA256, FileSize FROM EmailAttachmentInfo WHERE NetworkMessageId = ? ORDER BY FileName', nmid('Invoice 2041 https://billing.fabrikam.com/portal'));
    expect(rows).toEqual([
      { RecipientEmailAddress: 'alice@contoso.com', SenderFromAddress: 'billing@fabrikam.com', SenderDisplayName: 'Fabrikam Billing', FileName: 'holiday-photo.jpg', FileType: 'exe', SHA256: sha(exe), FileSize: exe.length },
      { RecipientEmailAddress: 'alice@contoso.com', SenderFromAddress: 'billing@fabrikam.com', SenderDisplayName: 'Fabrikam Billing', FileName: 'invoice-2041.pdf', FileType: 'pdf', SHA256: sha(pdf), FileSize: pdf.length },
      { RecipientEmailAddress: 'alice@contoso.com', SenderFromAddress: 'billing@fabrikam.com', SenderDisplayName: 'Fabrikam Billing', FileName: 'invoice-viewer.exe', FileType: 'exe', SHA256: sha(exe), FileSize: exe.length },
    ]);
    const swaksRows = query(dir, 'SELECT FileName, FileType, SHA256, FileSize FROM EmailAttachmentInfo WHERE NetworkMessageId = ? ORDER BY FileName', nmid('Software update'));
    expect(swaksRows).toEqual([
      { FileName: 'launch.jnlp', FileType: 'jnlp', SHA256: sha(jnlp), FileSize: jnlp.length },
      { FileName: 'setup-disk.iso', FileType: 'iso', SHA256: sha(iso), FileSize: iso.length },
    ]);
  });

  it('writes EmailUrlInfo rows for links in the body (text and HTML) and the subject, and the counts on EmailEvents', () => {
    const id = nmid('Invoice 2041 https://billing.fabrikam.com/portal');
    const urls = query(dir, 'SELECT Url, UrlDomain, UrlLocation FROM EmailUrlInfo WHERE NetworkMessageId = ? ORDER BY UrlLocation, Url', id);
    expect(urls).toEqual([
      { Url: 'https://billing.fabrikam.com/inv/2041', UrlDomain: 'billing.fabrikam.com', UrlLocation: 'Body' },
      { Url: 'https://billing.fabrikam.com/inv/2041?view=1&lang=en', UrlDomain: 'billing.fabrikam.com', UrlLocation: 'Body' },
      { Url: 'https://secure-dot-fabrikam-billing.appspot.com/#alice@contoso.com', UrlDomain: 'secure-dot-fabrikam-billing.appspot.com', UrlLocation: 'Body' },
      { Url: 'www.fabrikam-mirror.example', UrlDomain: 'www.fabrikam-mirror.example', UrlLocation: 'Body' },
      { Url: 'https://billing.fabrikam.com/portal', UrlDomain: 'billing.fabrikam.com', UrlLocation: 'Subject' },
    ]);
    expect(query(dir, 'SELECT AttachmentCount, UrlCount FROM EmailEvents WHERE NetworkMessageId = ?', id)[0]).toEqual({ AttachmentCount: 3, UrlCount: 5 });
    expect(query(dir, 'SELECT AttachmentCount, UrlCount FROM EmailEvents WHERE Subject = ?', 'Software update')[0]).toEqual({ AttachmentCount: 2, UrlCount: 2 });
  });

  it('gives one template from two senders the same EmailClusterId, and other mail another', () => {
    const ids = query(dir, "SELECT SenderFromAddress, EmailClusterId FROM EmailEvents WHERE Subject IN ('Mailbox storage limit', 'New voicemail') ORDER BY SenderFromAddress");
    const [adatum, lucerne, tailspin] = ['helpdesk@adatum.example', 'service@lucerne.example', 'voicemail@tailspin.example'].map((a) => ids.find((r) => r.SenderFromAddress === a)!.EmailClusterId);
    expect(adatum).toBeGreaterThan(0);
    expect(lucerne).toBe(adatum);
    expect(tailspin).not.toBe(adatum);
  });

  it('records each inspection limit hit in AdditionalFields and as a trace event', () => {
    const links = query(dir, "SELECT NetworkMessageId AS id, UrlCount, AdditionalFields FROM EmailEvents WHERE Subject = 'Many links'")[0];
    expect(links.UrlCount).toBe(25);
    expect(JSON.parse(links.AdditionalFields).ContentInspectionLimits).toEqual(['maxUrlsPerMessage']);
    const parts = query(dir, "SELECT NetworkMessageId AS id, AttachmentCount, AdditionalFields FROM EmailEvents WHERE Subject = 'Many parts'")[0];
    expect(JSON.parse(parts.AdditionalFields).ContentInspectionLimits).toEqual(['maxMimeParts']);
    expect(parts.AttachmentCount).toBeLessThan(15);
    const events = query(dir, "SELECT detail FROM message_trace_events WHERE event = 'AGENTINFO' AND network_message_id IN (?, ?) ORDER BY detail", links.id, parts.id).map((e) => e.detail);
    expect(events).toEqual([
      expect.stringMatching(/^Content inspection stopped at maxMimeParts \(12\)/),
      expect.stringMatching(/^Content inspection stopped at maxUrlsPerMessage \(25\)/),
    ]);
    const r = runCli(['shell', '-d', dir, '--organization', 'Contoso', '-c', `Get-MessageTraceDetail -MessageTraceId ${links.id} -RecipientAddress gina@contoso.com | ConvertTo-Json`]);
    expect(r.stdout).toMatch(/maxUrlsPerMessage/);
  });
});

describe('what happens after delivery', () => {
  it('release, delete and expiry write EmailPostDeliveryEvents rows and move LatestDeliveryLocation', async () => {
    const rel = await held('quarantine-me release');
    const del = await held('quarantine-me delete');
    const exp = await held('quarantine-me expire');
    expect(query(dir, 'SELECT LatestDeliveryLocation AS l FROM EmailEvents WHERE NetworkMessageId = ?', rel.nmid)[0].l).toBe('Quarantine');
    expect(shell(`Release-QuarantineMessage -Identity '${rel.identity}' -ReleaseToAll`).status).toBe(0);
    expect(shell(`Delete-QuarantineMessage -Identity '${del.identity}' -Confirm:$false`).status).toBe(0);
    await pg.stop();
    const db = new Database(join(dir, 'postern.db'));
    db.prepare('UPDATE quarantine SET expires_at = ? WHERE identity = ?').run(Date.now() - 1000, exp.identity);
    db.close();
    pg = await startPostern(dir, { limits: { maxUrlsPerMessage: 25, maxMimeParts: 12 } });
    await waitFor(() => query(dir, 'SELECT 1 FROM EmailPostDeliveryEvents WHERE NetworkMessageId = ?', exp.nmid)[0], 10_000, 'expiry row');

    const rows = query(dir, 'SELECT NetworkMessageId AS id, Action, ActionType, ActionTrigger, ActionResult, DeliveryLocation, RecipientEmailAddress, SenderFromAddress, EmailDirection, InternetMessageId FROM EmailPostDeliveryEvents ORDER BY Timestamp');
    const row = (id: string) => rows.find((r) => r.id === id);
    const common = { ActionResult: 'Success', RecipientEmailAddress: 'harry@contoso.com', SenderFromAddress: 'x@fabrikam.com', EmailDirection: 'Inbound' };
    expect(row(rel.nmid)).toMatchObject({ ...common, Action: 'Release from quarantine', ActionType: 'Manual remediation', ActionTrigger: 'AdminAction', DeliveryLocation: 'Inbox/folder' });
    expect(row(del.nmid)).toMatchObject({ ...common, Action: 'Soft delete', ActionType: 'Manual remediation', ActionTrigger: 'AdminAction', DeliveryLocation: 'Deleted items' });
    expect(row(exp.nmid)).toMatchObject({ ...common, Action: 'Purge on expiry', ActionType: 'Quarantine expiry', ActionTrigger: 'SpecialAction', DeliveryLocation: 'Dropped' });
    expect(row(rel.nmid)!.InternetMessageId).toMatch(/^<.+@.+>$/);
    const latest = (id: string) => query(dir, 'SELECT LatestDeliveryLocation AS location, LatestDeliveryAction AS action, DeliveryLocation AS original FROM EmailEvents WHERE NetworkMessageId = ?', id)[0];
    expect(latest(rel.nmid)).toEqual({ location: 'Inbox/folder', action: 'Delivered', original: 'Quarantine' });
    expect(latest(del.nmid)).toEqual({ location: 'Deleted items', action: 'Blocked', original: 'Quarantine' });
    expect(latest(exp.nmid)).toEqual({ location: 'Dropped', action: 'Blocked', original: 'Quarantine' });
  });
});

// Published queries, each named by its source, with the rows it must return here.
describe('published hunting queries over the content and post-delivery tables', () => {
  it('Microsoft Learn, "Direct Send" article: Direct Send messages (EmailEvents)', () => {
    const rows = hunt(`EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`);
    expect(rows).toHaveLength(11); // every message here came through no connector
  });

  it('Azure Monitor sample queries, EmailUrlInfo "URLs in an email"', () => {
    const id = nmid('Software update');
    const rows = hunt(`let myEmailId = "${id}";
EmailEvents
| where NetworkMessageId == myEmailId
| join EmailUrlInfo on NetworkMessageId
| project Timestamp, Subject, SenderFromAddress, RecipientEmailAddress, NetworkMessageId, Url, UrlCount
| take 1000`);
    expect(rows.map((r) => r.Url).sort()).toEqual(['http://198.51.100.23/update.exe', 'https://t.mailer-example.com/r/?id=77']);
    expect(rows.every((r) => r.UrlCount === 2 && r.RecipientEmailAddress === 'bob@contoso.com')).toBe(true);
  });

  it('Azure-Sentinel "JNLP-File-Attachment" (Hunting Queries/Microsoft 365 Defender/Email and Collaboration Queries/Attachment)', () => {
    const rows = hunt(`EmailAttachmentInfo
| where FileName endswith ".jnlp"`);
    expect(rows.map((r) => [r.FileName, r.RecipientEmailAddress, r.SHA256])).toEqual([['launch.jnlp', 'bob@contoso.com', sha(jnlp)]]);
  });

  it('Azure-Sentinel "Potentially malicious svg file delivered to Inbox" (Custom Detections)', () => {
    const rows = hunt(`let SuspiciousDisplayNames = pack_array("Help Desk", "Help Desk Team", "Help Desk IT", "Microsoft Security", "IT Support", "Helpdesk");
EmailAttachmentInfo
| where FileName contains ".svg" and FileType == "html" // SVG files which render as only an image will display FileType as Text, unless containing Javascript which displays FileType as Html
| join EmailEvents on NetworkMessageId
// | where SenderDisplayName has_any (SuspiciousDisplayNames) // Optionally remove comment to also evaluate and filter based on email display name
| where LatestDeliveryLocation == "Inbox/folder"`);
    expect(rows.map((r) => [r.FileName, r.RecipientEmailAddress, r.Subject])).toEqual([['voicemail.svg', 'carol@contoso.com', 'New voicemail']]);
  });

  it('Azure-Sentinel "Raw IP Address Used as URL Domain" (Phish/IP-as-URL-Domain-Detection)', () => {
    const rows = hunt(`EmailUrlInfo
| where Timestamp > ago(30d)
| where UrlDomain matches regex @"^(25[0-5]|2[0-4]\\d|1\\d{2}|[1-9]?\\d)\\.(25[0-5]|2[0-4]\\d|1\\d{2}|[1-9]?\\d)\\.(25[0-5]|2[0-4]\\d|1\\d{2}|[1-9]?\\d)\\.(25[0-5]|2[0-4]\\d|1\\d{2}|[1-9]?\\d)$"
| join kind=inner (
    EmailEvents
    | where Timestamp > ago(30d)
    | where EmailDirection == "Inbound"
    | where DeliveryAction == "Delivered"
    | project NetworkMessageId, SenderFromDomain, Subject, DeliveryAction,
              RecipientEmailAddress, EmailDirection, ThreatTypes
  ) on NetworkMessageId
| project Timestamp, SenderFromDomain, UrlDomain, Url, DeliveryAction,
          EmailDirection, ThreatTypes, Subject, RecipientEmailAddress
| order by Timestamp desc`);
    expect(rows.map((r) => [r.UrlDomain, r.Url, r.SenderFromDomain, r.RecipientEmailAddress])).toEqual([['198.51.100.23', 'http://198.51.100.23/update.exe', 'woodgrove.example', 'bob@contoso.com']]);
  });

  it('Microsoft-365-Defender-Hunting-Queries "Appspot Phishing Abuse" (Email Queries)', () => {
    const rows = hunt(`EmailUrlInfo
// Detect URLs with a subdomain on appspot.com
| where UrlDomain matches regex @'\\b[\\w\\-]+-dot-[\\w\\-\\.]+\\.appspot\\.com\\b'
// Enrich results with sender and recipient data
| join kind=inner EmailEvents on $left.NetworkMessageId==$right.NetworkMessageId
// Phishing attempts from Appspot related campaigns typically contain the recipient's email address in the URI
// Example 1: https://example-dot-example.appspot.com/#recipient@domain.com
// Example 2: https://example-dot-example.appspot.com/index.html?user=recipient@domain.com
| where Url has RecipientEmailAddress
    // Some phishing campaigns pass recipient email as a Base64 encoded string in the URI
    or Url has base64_encode_tostring(RecipientEmailAddress)
| project-away Timestamp1, NetworkMessageId1, ReportId1`);
    expect(rows.map((r) => [r.Url, r.RecipientEmailAddress])).toEqual([['https://secure-dot-fabrikam-billing.appspot.com/#alice@contoso.com', 'alice@contoso.com']]);
  });

  it('Microsoft-365-Defender-Hunting-Queries "Phishing email URL redirection" (Email Queries, generic regex)', () => {
    const rows = hunt(`EmailUrlInfo
| where Url matches regex @"s?\\:\\/\\/(?:www\\.)?t\\.(?:[\\w\\-\\.]+\\/+)+(?:r|redirect)\\/?\\?"`);
    expect(rows.map((r) => r.Url)).toEqual(['https://t.mailer-example.com/r/?id=77']);
  });

  it('Microsoft-365-Defender-Hunting-Queries "Referral infrastructure credential phishing emails" (Email Queries)', () => {
    const rows = hunt(`let EmailAddresses = pack_array
('zreffertalt.com.com','zreffesral.com.com','kzreffertal.com.com',
'wzreffertal.com.com','refferal.comq','refferal.net','zreffertal.com.com',
'zrefferal.com.com','refferasl.com.com','zreffesral.com','zrefsfertal.com.com',
'irefferal.com','refferasl.co','zrefferal.com');
EmailEvents
| where SenderMailFromDomain in (EmailAddresses)
| extend RecipientDomain = extract("[^@]+$", 0, RecipientEmailAddress)
| where SenderFromDomain == RecipientDomain
| join EmailUrlInfo on $left.NetworkMessageId == $right.NetworkMessageId`);
    expect(rows.map((r) => [r.RecipientEmailAddress, r.Url])).toEqual([['frank@contoso.com', 'https://sharepoint-referral.example.com/doc']]);
  });

  it('Bert-JanP/Hunting-Queries-Detection-Rules "Executable Fileattachment recieved" (Office 365)', () => {
    const rows = hunt(`let ExecutableFileExtentions = dynamic(['bat', 'cmd', 'com', 'cpl', 'dll', 'ex', 'exe', 'jse', 'lnk','msc', 'ps1', 'reg', 'vb', 'vbe', 'ws', 'wsf']);
EmailEvents
// Only display inbound emails
| where EmailDirection == 'Inbound'
// Join the email events with the attachment information, that the email must have an attachment.
| join kind=inner EmailAttachmentInfo on NetworkMessageId
// extract the file extension from the filename
| extend FileExtension = tostring(extract(@'.*\\.(.*)', 1, FileName))
| where isnotempty(FileExtension)
// Filter on executable file extensions
| where FileExtension in~ (ExecutableFileExtentions)
| summarize ['Target Mailboxes'] = make_set(RecipientEmailAddress), ['Sender Addresses'] = make_set(SenderFromAddress), ['Email Subject'] = make_set(Subject) by SHA256, FileName`);
    // By extension, as the query asks: the same program named holiday-photo.jpg slips past it; FileType does not.
    expect(rows.map((r) => [r.FileName, r.SHA256, r['Target Mailboxes']])).toEqual([['invoice-viewer.exe', sha(exe), ['alice@contoso.com']]]);
    expect(hunt(`EmailAttachmentInfo | where FileType == "exe" | project FileName | order by FileName asc`)).toEqual([{ FileName: 'holiday-photo.jpg' }, { FileName: 'invoice-viewer.exe' }]);
  });

  it('Bert-JanP/Hunting-Queries-Detection-Rules "List inboxes that recieved an ISO attachment" (Office 365)', () => {
    const rows = hunt(`EmailEvents
| where EmailDirection == 'Inbound'
| join kind=inner EmailAttachmentInfo on NetworkMessageId
| project
     Timestamp,
     NetworkMessageId,
     SenderFromAddress,
     SenderIPv4,
     SenderIPv6,
     RecipientEmailAddress,
     Subject,
     FileName,
     FileType,
     ThreatNames
| where FileName endswith ".iso"`);
    expect(rows.map((r) => [r.RecipientEmailAddress, r.FileName, r.FileType, r.SenderIPv4])).toEqual([['bob@contoso.com', 'setup-disk.iso', 'iso', '127.0.0.1']]);
  });

  it('Bert-JanP/Hunting-Queries-Detection-Rules "List the 20 most rare file extensions recieved from emails" (Office 365)', () => {
    const rows = hunt(`EmailEvents
// Only display inbound emails
| where EmailDirection == 'Inbound'
// Join the email events with the attachment information, that the email must have an attachment.
| join kind=inner EmailAttachmentInfo on NetworkMessageId
// extract the file extension from the filename
| extend FileExtension = tostring(extract(@'.*\\.(.*)', 1, FileName))
| where isnotempty(FileExtension)
| summarize Total = count() by FileExtension
| top 20 by Total asc`);
    const counts = Object.fromEntries(rows.map((r) => [r.FileExtension, r.Total]));
    expect(counts).toMatchObject({ pdf: 1, jpg: 1, exe: 1, iso: 1, jnlp: 1, svg: 1 });
    expect(counts.txt).toBeGreaterThanOrEqual(10); // the scans before the part limit
    expect(rows[0].Total).toBe(1);
  });

  it('Bert-JanP/Hunting-Queries-Detection-Rules "Potential Phishing Campaign" (Office 365): related mails by EmailClusterId', () => {
    const rows = hunt(`let RareDomainThreshold = 20;
let TotalSenderThreshold = 1;
let RareDomains = EmailEvents
| summarize TotalDomainMails = count() by SenderFromDomain
| where TotalDomainMails <= RareDomainThreshold
| project SenderFromDomain;
EmailEvents
| where EmailDirection == "Inbound"
| where SenderFromDomain in (RareDomains)
| where isnotempty(EmailClusterId)
| join kind=inner EmailUrlInfo on NetworkMessageId
| summarize Subjects = make_set(Subject), Senders = make_set(SenderFromAddress) by EmailClusterId
| extend TotalSenders = array_length(Senders)
| where TotalSenders >= TotalSenderThreshold`);
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as string[];
    const twoSenders = rows.filter((r) => Number(r.TotalSenders) === 2);
    expect(twoSenders).toHaveLength(1);
    expect(parse(twoSenders[0].Senders).sort()).toEqual(['helpdesk@adatum.example', 'service@lucerne.example']);
    expect(parse(twoSenders[0].Subjects)).toEqual(['Mailbox storage limit']);
  });

  it('Bert-JanP/Hunting-Queries-Detection-Rules "Post Dilivery Events" (Office 365, visualization)', () => {
    const rows = hunt(`EmailPostDeliveryEvents
| summarize TotalEvents = count() by Action
| render piechart with(title="Post Delivery Events")`);
    expect(Object.fromEntries(rows.map((r) => [r.Action, r.TotalEvents]))).toEqual({ 'Release from quarantine': 1, 'Soft delete': 1, 'Purge on expiry': 1 });
  });
});
