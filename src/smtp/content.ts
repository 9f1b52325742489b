// Body and attachment facts for transport rules that need them, extracted once per message from
// the spooled message by streaming it through mailparser: text bounded as Exchange bounds it (the first
// 1 MB), attachments counted and sniffed without holding them in memory.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import type { MessageSource } from '../delivery/messageStream.js';
import type { AttachmentFacts, MessageContent } from '../rules/index.js';

const TEXT_LIMIT = 1024 * 1024;
const EXECUTABLE = /\.(exe|dll|com|scr|bat|cmd|msi|ps1|vbs|vbe|js|jse|wsf|hta|cpl|jar|lnk)$/i;

function sniff(head: Buffer, name: string): { isExecutable: boolean; isPasswordProtected: boolean } {
  const isExecutable = EXECUTABLE.test(name) || head.subarray(0, 2).toString('latin1') === 'MZ' || head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  // ZIP local file header with the "encrypted" flag (general purpose bit 0), or a PDF with /Encrypt.
  const zipEncrypted = head.length >= 8 && head.readUInt32LE(0) === 0x04034b50 && (head.readUInt16LE(6) & 1) === 1;
  const pdfEncrypted = head.subarray(0, 5).toString('latin1') === '%PDF-' && head.includes('/Encrypt');
  return { isExecutable, isPasswordProtected: zipEncrypted || pdfEncrypted };
}

export function extractContent(source: MessageSource): Promise<MessageContent> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({ skipHtmlToText: false });
    const attachments: AttachmentFacts[] = [];
    let bodyText = '';
    parser.on('data', (part: any) => {
      if (part.type === 'text') {
        bodyText = (part.text ?? '').slice(0, TEXT_LIMIT);
        return;
      }
      if (part.type !== 'attachment') return;
      const name: string = part.filename ?? '';
      const contentType: string = part.contentType ?? 'application/octet-stream';
      const textual = /^text\//i.test(contentType);
      const head: Buffer[] = [];
      let headBytes = 0;
      let size = 0;
      part.content.on('data', (chunk: Buffer) => {
        size += chunk.length;
        const room = (textual ? TEXT_LIMIT : 4096) - headBytes;
        if (room > 0) {
          head.push(chunk.subarray(0, room));
          headBytes += Math.min(room, chunk.length);
        }
      });
      part.content.on('end', () => {
        const first = Buffer.concat(head);
        attachments.push({ name, size, contentType, text: textual ? first.toString('utf8') : undefined, ...sniff(first, name), isUnsupported: false });
        part.release();
      });
    });
    parser.on('end', () => resolve({ bodyText, attachments }));
    parser.on('error', reject);
    (typeof source === 'string' ? createReadStream(source) : Readable.from([source])).on('error', reject).pipe(parser);
  });
}
