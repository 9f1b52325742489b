import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataInspector } from './dataInspector.js';

async function inspect(chunks: string[], limits = { maxMessageSize: 10_000, maxLineLength: 100, maxHeaderBytes: 200 }) {
  const insp = new DataInspector(limits);
  let written = 0;
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), insp, new Writable({ write: (c, _e, cb) => ((written += c.length), cb()) }));
  return { insp, written };
}

describe('DATA inspection', () => {
  it.each([
    ['bare LF', ['a: b\r\n\r\nline\nmore\r\n']],
    ['bare CR', ['a: b\r\n\r\nline\rmore\r\n']],
    ['CR at a chunk end followed by a non-LF', ['a: b\r\n\r\nline\r', 'x\r\n']],
    ['LF at a chunk start after a non-CR', ['a: b\r\n\r\nline', '\nx\r\n']],
  ])('flags %s, also across chunk boundaries', async (_name, chunks) => {
    expect((await inspect(chunks)).insp.violation).toEqual({ kind: 'bare-newline' });
  });

  it('accepts CRLF split across chunks', async () => {
    const { insp } = await inspect(['a: b\r', '\n\r', '\nbody\r', '\n']);
    expect(insp.violation).toBeUndefined();
    expect(insp.headerBlock().toString()).toBe('a: b\r\n');
  });

  it('stops writing once the message is over the size limit', async () => {
    const { insp, written } = await inspect(['a: b\r\n\r\n', 'x'.repeat(60) + '\r\n', 'y'.repeat(60) + '\r\n'], { maxMessageSize: 80, maxLineLength: 1000, maxHeaderBytes: 1000 });
    expect(insp.violation).toEqual({ kind: 'too-big', limit: 80 });
    expect(written).toBeLessThanOrEqual(80);
  });

  it('limits line length and header size', async () => {
    expect((await inspect(['a: b\r\n\r\n' + 'x'.repeat(101) + '\r\n'])).insp.violation).toEqual({ kind: 'line-too-long', limit: 100 });
    expect((await inspect(['X-A: ' + 'x'.repeat(90) + '\r\n', 'X-B: ' + 'y'.repeat(90) + '\r\n', 'X-C: z\r\n\r\nbody\r\n'])).insp.violation).toEqual({ kind: 'header-too-large', limit: 200 });
  });

  it('flags a NUL byte anywhere, header or body, also alone in a chunk', async () => {
    expect((await inspect(['a: b\r\n\r\nline\r\n\x00.\r\n'])).insp.violation).toEqual({ kind: 'nul' });
    expect((await inspect(['a: b\x00c\r\n\r\nbody\r\n'])).insp.violation).toEqual({ kind: 'nul' });
    expect((await inspect(['a: b\r\n\r\nbody', '\x00', '\r\n'])).insp.violation).toEqual({ kind: 'nul' });
  });

  it('agrees with the byte-by-byte definition on random input split at random points', async () => {
    // The definition: every LF follows a CR, every CR precedes an LF, and no line holds more than
    // maxLineLength bytes besides its CRLF; the first broken rule in byte order is reported.
    const reference = (text: string, max: number) => {
      let line = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\n') { if (text[i - 1] !== '\r') return 'bare-newline'; line = 0; continue; }
        if (i > 0 && text[i - 1] === '\r') return 'bare-newline';
        if (c !== '\r' && ++line > max) return 'line-too-long';
      }
      return undefined;
    };
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let round = 0; round < 1000; round++) {
      const alphabet = ['a', 'a', 'a', 'a', '\r\n', '\r\n', '\r', '\n'];
      const body = Array.from({ length: 5 + rnd(60) }, () => alphabet[rnd(round % 3 === 0 ? 8 : 6)]).join('');
      const text = 'a: b\r\n\r\n' + body + '\r\n';
      const cuts = [...new Set(Array.from({ length: rnd(12) }, () => 1 + rnd(text.length - 1)))].sort((x, y) => x - y);
      const chunks = [0, ...cuts].map((c, i, all) => text.slice(c, all[i + 1] ?? text.length));
      const max = 2 + rnd(6);
      const { insp } = await inspect(chunks, { maxMessageSize: 10_000, maxLineLength: max, maxHeaderBytes: 1000 });
      expect(insp.violation?.kind, JSON.stringify({ chunks, max })).toBe(reference(text, max));
    }
  });
});
