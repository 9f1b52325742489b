// Preview-QuarantineMessage: the message's headers and a safe text rendering. Nothing in the
// message is executed or fetched: HTML is never rendered, only converted to plain text by
// mailparser (scripts and styles dropped), and attachments are listed by name, type and size.
import { simpleParser } from 'mailparser';
import { headerValues } from '../message/facts.js';
import { messageHeaders } from '../message/header.js';
import { decodeHeaderValue } from '../message/mime.js';

export interface MessagePreview {
  headers: { name: string; value: string }[];
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  date: Date | undefined;
  /** Plain-text body: the text/plain part, or the HTML part flattened to text. */
  text: string;
  /** True when the original body was HTML (shown here as text). */
  isHtml: boolean;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** Longest body shown; a preview is for recognising a message, not reading a novel. */
export const PREVIEW_TEXT_LIMIT = 64 * 1024;

/** Control characters other than tab and newline could drive a terminal: shown as U+FFFD. */
export function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

export async function renderPreview(bytes: Buffer): Promise<MessagePreview> {
  const mail = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipHtmlToText: true, maxHtmlLengthToParse: 2 * 1024 * 1024 });
  const addresses = (v: unknown): string[] => {
    const list = Array.isArray(v) ? v : v ? [v] : [];
    return list.flatMap((a: any) => (a?.value ?? []).map((x: any) => safeText(x.name ? `${x.name} <${x.address ?? ''}>` : (x.address ?? ''))));
  };
  const isHtml = !mail.text && typeof mail.html === 'string';
  let text = mail.text ?? '';
  if (!text && typeof mail.html === 'string') text = htmlToPlain(mail.html);
  if (text.length > PREVIEW_TEXT_LIMIT) text = `${text.slice(0, PREVIEW_TEXT_LIMIT)}\n[… preview truncated at ${PREVIEW_TEXT_LIMIT} characters]`;
  return {
    headers: mail.headerLines.map((h) => {
      const i = h.line.indexOf(':');
      return { name: safeText(i >= 0 ? h.line.slice(0, i) : h.key), value: safeText((i >= 0 ? h.line.slice(i + 1) : h.line).replace(/\r?\n[ \t]+/g, ' ').trim()) };
    }),
    from: addresses(mail.from)[0] ?? '',
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    // The subject as the rules and message trace read it (one decoder: message/mime.ts).
    subject: safeText(decodeHeaderValue(headerValues(messageHeaders(bytes), 'Subject')[0] ?? '')),
    date: mail.date,
    text: safeText(text),
    isHtml,
    attachments: mail.attachments.map((a) => ({ filename: safeText(a.filename ?? ''), contentType: a.contentType, size: a.size })),
  };
}

/** HTML to plain text without a DOM: drop script/style/head, turn breaks into newlines, strip tags, decode basic entities. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<(script|style|head|template|iframe|object)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\s*(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
