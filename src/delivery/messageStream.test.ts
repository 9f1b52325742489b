import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_EDITS } from '../message/headerEdits.js';
import { messageStream } from './messageStream.js';

const dir = mkdtempSync(join(tmpdir(), 'postern-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bytesOf(stream: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

describe('messageStream', () => {
  const message = 'From: a@fabrikam.com\r\nSubject: Hi\r\n\r\nLine one\r\n\r\nLine three\r\n';

  it.each([
    ['in memory', () => Buffer.from(message)],
    ['from a spool file', () => {
      const file = join(dir, 'spooled');
      writeFileSync(file, message);
      return file;
    }],
  ])('without edits gives the message back byte for byte (%s): the blank line after the header stays', async (_label, source) => {
    expect(await bytesOf(await messageStream(source(), NO_EDITS))).toBe(message);
  });

  it('puts the edits on the header and leaves the blank line and the body as they were', async () => {
    const edits = { ...NO_EDITS, prepend: [{ name: 'Received', value: 'by postern' }], subjectPrefix: '[Ext] ' };
    expect(await bytesOf(await messageStream(Buffer.from(message), edits))).toBe('Received: by postern\r\nFrom: a@fabrikam.com\r\nSubject: [Ext] Hi\r\n\r\nLine one\r\n\r\nLine three\r\n');
  });

  it('delivers a header-only message as it is', async () => {
    expect(await bytesOf(await messageStream(Buffer.from('Subject: only\r\n'), NO_EDITS))).toBe('Subject: only\r\n');
  });
});
