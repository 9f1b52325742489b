import { describe, expect, it } from 'vitest';
import { HeaderEndFinder, headerEnd, messageHeaders, parseHeaderBlock, rawFields, rawValue, splitHeader } from './header.js';

describe('end of header', () => {
  it('is just past the CRLF of the last field; the body starts after the blank line', () => {
    const msg = Buffer.from('A: 1\r\nB: 2\r\n\r\nbody\r\n');
    expect(headerEnd(msg)).toBe(12);
    expect(splitHeader(msg)).toEqual({ header: Buffer.from('A: 1\r\nB: 2\r\n'), bodyOffset: 14 });
  });
  it('without a blank line the whole message is header and the body is empty', () => {
    const msg = Buffer.from('A: 1\r\n');
    expect(headerEnd(msg)).toBe(-1);
    expect(splitHeader(msg)).toEqual({ header: msg, bodyOffset: 6 });
  });
  it('is found across chunks, whatever the split', () => {
    const msg = 'A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore';
    for (let cut = 1; cut < msg.length; cut++) {
      const finder = new HeaderEndFinder();
      const first = finder.feed(Buffer.from(msg.slice(0, cut)));
      const taken = finder.done ? first : first + finder.feed(Buffer.from(msg.slice(cut)));
      expect(finder.done, `cut at ${cut}`).toBe(true);
      expect(taken, `cut at ${cut}`).toBe(14);
    }
  });
  it('does not take a CR LF LF for the blank line', () => {
    const finder = new HeaderEndFinder();
    expect(finder.feed(Buffer.from('A: 1\r\n\n\r\nB'))).toBe(10);
    expect(finder.done).toBe(false);
  });
});

describe('header fields', () => {
  it('parses folded header fields', () => {
    expect(parseHeaderBlock(Buffer.from('Subject: a\r\n b\r\nX-Y:z\r\n'))).toEqual([
      { name: 'Subject', value: 'a\r\n b' },
      { name: 'X-Y', value: 'z' },
    ]);
  });
  it('skips a line that is not a field', () => {
    expect(parseHeaderBlock(Buffer.from('garbage\r\nA: 1\r\n'))).toEqual([{ name: 'A', value: '1' }]);
  });
  it('reads the header of a whole message and nothing of its body', () => {
    expect(messageHeaders(Buffer.from('A: 1\r\n\r\nB: 2\r\n'))).toEqual([{ name: 'A', value: '1' }]);
  });
  it('keeps each field\'s exact bytes for rewriting', () => {
    const fields = rawFields(Buffer.from('Subject: a\r\n\tb\r\nX-Y:z\r\n'));
    expect(fields.map((f) => [f.name, f.raw.toString()])).toEqual([
      ['Subject', 'Subject: a\r\n\tb\r\n'],
      ['X-Y', 'X-Y:z\r\n'],
    ]);
    expect(rawValue(fields[0])).toBe('a\r\n\tb\r\n');
  });
});
