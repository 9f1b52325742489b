// The header block of a message (RFC 5322 §2.1): where it ends, its fields for the decisions,
// and its fields as raw bytes for rewriting. The one home of "end of header" and of header
// parsing: the SMTP inspector, delivery, non-delivery reports, DKIM and `postern simulate`
// all read a header through here.
import type { HeaderField } from './facts.js';

const CR = 0x0d;
const LF = 0x0a;
const BLANK_LINE = [CR, LF, CR, LF];

/**
 * Where the header block of `bytes` ends: the offset just past the CRLF of its last field (the
 * blank line that follows is not part of it), or -1 when `bytes` holds no blank line.
 */
export function headerEnd(bytes: Buffer): number {
  const blank = bytes.indexOf('\r\n\r\n');
  return blank < 0 ? -1 : blank + 2;
}

/**
 * The header block and where the body starts. Without a blank line the whole of `bytes` is the
 * header (a header-only message) and the body is empty.
 */
export function splitHeader(bytes: Buffer): { header: Buffer; bodyOffset: number } {
  const end = headerEnd(bytes);
  return end < 0 ? { header: bytes, bodyOffset: bytes.length } : { header: bytes.subarray(0, end), bodyOffset: end + 2 };
}

/**
 * Finds the blank line that ends the header block in a message that arrives in chunks,
 * carrying a partial match from one chunk to the next.
 */
export class HeaderEndFinder {
  private matched = 0;
  done = false;

  /** How many bytes of `chunk` still belong to the header block and its blank line: all of them until the end is seen. */
  feed(chunk: Buffer): number {
    for (let i = 0; i < chunk.length; i++) {
      this.matched = chunk[i] === BLANK_LINE[this.matched] ? this.matched + 1 : chunk[i] === CR ? 1 : 0;
      if (this.matched === 4) {
        this.done = true;
        return i + 1;
      }
    }
    return chunk.length;
  }
}

/** Parse a raw header block into fields: unfolded, names as written, values untrimmed of inner space. */
export function parseHeaderBlock(block: Buffer): HeaderField[] {
  const text = block.toString('utf8'); // for decisions only: delivery rewrites the raw bytes
  const fields: HeaderField[] = [];
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length) {
      fields[fields.length - 1].value += '\r\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header field; RFC 5322 parsers skip it too
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/^ /, '') });
  }
  return fields;
}

/** The header fields at the top of a whole message (or of a header block). */
export function messageHeaders(bytes: Buffer): HeaderField[] {
  return parseHeaderBlock(splitHeader(bytes).header);
}

/** One field as received: its name and its exact bytes (folding and line end included). */
export interface RawField {
  name: string;
  raw: Buffer;
}

/** Split raw header bytes into fields, each keeping its exact bytes (folding included). */
export function rawFields(header: Buffer): RawField[] {
  const fields: RawField[] = [];
  let start = 0;
  for (let i = 0; i < header.length - 1; i++) {
    if (header[i] !== CR || header[i + 1] !== LF) continue;
    const next = header[i + 2];
    if (next === 0x20 || next === 0x09) continue; // folded continuation
    const raw = header.subarray(start, i + 2);
    const colon = raw.indexOf(':');
    fields.push({ name: colon > 0 ? raw.subarray(0, colon).toString('latin1').trim() : '', raw });
    start = i + 2;
  }
  return fields;
}

/** The value of a raw field as text (after the colon, one leading space dropped, folding kept). */
export function rawValue(field: RawField): string {
  return field.raw.subarray(field.raw.indexOf(':') + 1).toString('utf8').replace(/^ /, '');
}
