import { describe, expect, it } from 'vitest';
import { htmlToPlain, renderPreview, safeText } from './preview.js';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));

describe('quarantine preview: headers and a safe text rendering', () => {
  it('shows headers and the text part', async () => {
    const p = await renderPreview(crlf('From: "CEO" <ceo@contoso.com>\nTo: cfo@contoso.com\nSubject: =?UTF-8?Q?pay_=E2=82=AC?=\nX-Thing: a\n folded\n\nHello\nworld\n'));
    expect(p.subject).toBe('pay €');
    expect(p.from).toBe('CEO <ceo@contoso.com>');
    expect(p.to).toEqual(['cfo@contoso.com']);
    expect(p.headers).toContainEqual({ name: 'X-Thing', value: 'a folded' });
    expect(p.text.trim()).toBe('Hello\nworld');
    expect(p.isHtml).toBe(false);
  });

  it('flattens HTML-only mail to text: scripts, styles and remote content are dropped, never run', async () => {
    const html = '<html><head><style>p{}</style><script>alert(1)</script></head><body><p>Click <a href="http://evil.example">here</a></p><img src="http://track.example/x.gif"><script>steal()</script></body></html>';
    const p = await renderPreview(crlf(`From: a@b.example\nSubject: h\nContent-Type: text/html\n\n${html}\n`));
    expect(p.isHtml).toBe(true);
    expect(p.text).toContain('Click here');
    expect(p.text).not.toMatch(/alert|steal|<script|<img|track\.example/);
  });

  it('lists attachments without opening them', async () => {
    const mime = 'From: a@b.example\nSubject: att\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain\n\nsee attached\n--X\nContent-Type: application/octet-stream; name="invoice.exe"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="invoice.exe"\n\nTVqQAAMAAAAEAAAA\n--X--\n';
    const p = await renderPreview(crlf(mime));
    expect(p.text.trim()).toBe('see attached');
    expect(p.attachments).toEqual([{ filename: 'invoice.exe', contentType: 'application/octet-stream', size: 12 }]);
  });

  it('neutralises terminal control sequences and bidi overrides', () => {
    expect(safeText('a\u001b[31mred\u202eb\r\nc')).toBe('a\ufffd[31mred\ufffdb\nc');
    expect(htmlToPlain('a<br>b&amp;c<!-- x -->')).toBe('a\nb&c');
  });
});
