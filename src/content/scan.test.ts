// The content scan against messages nodemailer composes (a real MIME writer), cut into chunks of
// every awkward size: the facts never depend on where the network cut the stream.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ContentScan, DEFAULT_CONTENT_LIMITS, type ContentLimits } from './scan.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function compose(opts: Record<string, unknown>): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer({ from: 'a@fabrikam.com', to: 'b@contoso.com', ...opts } as any).compile().build((e, m) => (e ? reject(e) : resolve(m))));
}

function scan(raw: Buffer, chunk: number, subject = '', limits: ContentLimits = DEFAULT_CONTENT_LIMITS) {
  const s = new ContentScan(limits);
  s.resume(); // the pass-through side goes nowhere here
  for (let i = 0; i < raw.length; i += chunk) s.write(raw.subarray(i, i + chunk));
  s.end();
  return new Promise<ReturnType<ContentScan['facts']>>((resolve) => s.on('finish', () => resolve(s.facts(subject))));
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20_000)]);
const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(5000)]);
const text = Buffer.from('line one\r\nline two\r\n-- not a boundary\r\n\r\n');

describe('content scan', () => {
  it('finds attachments (type by content, SHA256 and size of the decoded file) and URLs, however the stream is cut', async () => {
    const raw = await compose({
      subject: 'Invoice',
      text: 'Pay at https://pay.example.com/inv?id=7 today, or www.fallback.example.org.',
      html: '<p>Pay <a href="https://pay.example.com/inv?id=7&amp;x=1">here</a> or <a href="http://evil.test/login">login</a></p>',
      attachments: [
        { filename: 'invoice.pdf', content: pdf },
        { filename: 'invoice.pdf.txt', content: exe }, // named as text, is a program
        { filename: 'notes.txt', content: text, contentTransferEncoding: 'quoted-printable' },
      ],
    });
    const expected = [
      { FileName: 'invoice.pdf', FileType: 'pdf', SHA256: sha(pdf), FileSize: pdf.length },
      { FileName: 'invoice.pdf.txt', FileType: 'exe', SHA256: sha(exe), FileSize: exe.length },
      { FileName: 'notes.txt', FileType: 'txt', SHA256: sha(text), FileSize: text.length },
    ];
    for (const chunk of [1, 7, 76, 78, 1000, 65536, raw.length]) {
      const facts = await scan(raw, chunk, 'Invoice');
      expect(facts.attachments, `chunk ${chunk}`).toEqual(expected);
      expect(facts.urls.map((u) => `${u.UrlLocation} ${u.Url} ${u.UrlDomain}`).sort(), `chunk ${chunk}`).toEqual([
        'Body http://evil.test/login evil.test',
        'Body https://pay.example.com/inv?id=7 pay.example.com',
        'Body https://pay.example.com/inv?id=7&x=1 pay.example.com',
        'Body www.fallback.example.org www.fallback.example.org',
      ]);
      expect(facts.limitsHit).toEqual([]);
    }
  });

  it('lists a URL in an attachment name with UrlLocation Attachment', async () => {
    const raw = await compose({ subject: 'Docs', text: 'see attached', attachments: [{ filename: 'www.contoso-docs.example.html', content: '<html><body>hi</body></html>' }] });
    const facts = await scan(raw, 4096, 'Docs');
    expect(facts.urls).toEqual([{ Url: 'www.contoso-docs.example.html', UrlDomain: 'www.contoso-docs.example.html', UrlLocation: 'Attachment' }]);
    expect(facts.attachments.map((a) => a.FileType)).toEqual(['html']);
  });

  it('gives messages of one template the same cluster id and a different text another', async () => {
    const body = (name: string, n: number) => `Dear ${name},\r\n\r\nYour mailbox storage is full. Verify your account within 24 hours at the link below or your messages will be deleted. Reference ${n}.\r\n\r\nIT Helpdesk team\r\n`;
    const a = await scan(await compose({ subject: 'Mailbox full', text: body('Alice', 1234) }), 100, 'Mailbox full');
    const b = await scan(await compose({ subject: 'RE: Mailbox full', text: body('Alice', 98765) }), 7, 'RE: Mailbox full');
    const c = await scan(await compose({ subject: 'Lunch', text: 'Shall we have lunch at noon on Friday near the office?\r\n' }), 100, 'Lunch');
    expect(a.clusterId).toBeGreaterThan(0);
    expect(b.clusterId).toBe(a.clusterId);
    expect(c.clusterId).not.toBe(a.clusterId);
  });

  it('stops at the limits on parts, nesting and URLs and says which was hit', async () => {
    const many = await compose({ subject: 's', text: 'x', attachments: Array.from({ length: 8 }, (_, i) => ({ filename: `f${i}.txt`, content: `file ${i}` })) });
    const parts = await scan(many, 512, 's', { ...DEFAULT_CONTENT_LIMITS, maxMimeParts: 5 });
    expect(parts.limitsHit.map((h) => h.limit)).toEqual(['maxMimeParts']);
    expect(parts.attachments.length).toBeLessThan(8);

    let nested = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
    for (let i = 0; i < 6; i++) nested = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${nested}--b${i}--\r\n`;
    const deep = await scan(Buffer.from(`Subject: deep\r\n${nested}`), 64, 'deep', { ...DEFAULT_CONTENT_LIMITS, maxMimeDepth: 3 });
    expect(deep.limitsHit.map((h) => h.limit)).toEqual(['maxMimeDepth']);

    const links = Array.from({ length: 30 }, (_, i) => `https://site${i}.example/`).join('\r\n');
    const urls = await scan(await compose({ subject: 's', text: links }), 300, 's', { ...DEFAULT_CONTENT_LIMITS, maxUrlsPerMessage: 10 });
    expect(urls.urls).toHaveLength(10);
    expect(urls.limitsHit.map((h) => h.limit)).toEqual(['maxUrlsPerMessage']);
  });
});
