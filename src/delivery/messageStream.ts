// The bytes a recipient gets: the spooled message with its copy's header edits applied (stamps
// on top, firewall removals, rule edits). Only the header block is read into memory; the body
// streams straight from the spool file (small messages are queued with their bytes: see Spool).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { headerEnd, splitHeader } from '../message/header.js';
import { applyEdits, type HeaderEdits } from '../message/headerEdits.js';

const HEADER_READ_LIMIT = 1024 * 1024;

/** Where a queued message's bytes are: its spool file, or (small messages) the bytes themselves. */
export type MessageSource = string | Buffer;

/**
 * The header block of a spooled message (bounded read) and where the rest starts: the blank line
 * and the body, copied as they are after the edited header.
 */
export async function readHeaderBlock(source: MessageSource): Promise<{ header: Buffer; bodyOffset: number }> {
  if (typeof source !== 'string') return headerAndRest(source.subarray(0, HEADER_READ_LIMIT));
  const fh = await open(source, 'r');
  try {
    let data = Buffer.alloc(0);
    for (let want = 64 * 1024; ; want *= 4) {
      const buf = Buffer.allocUnsafe(Math.min(want, HEADER_READ_LIMIT) - data.length);
      const { bytesRead } = await fh.read(buf, 0, buf.length, data.length);
      data = Buffer.concat([data, buf.subarray(0, bytesRead)]);
      if (headerEnd(data) >= 0 || bytesRead < buf.length || data.length >= HEADER_READ_LIMIT) return headerAndRest(data); // without a blank line: a header-only message
    }
  } finally {
    await fh.close();
  }
}

function headerAndRest(bytes: Buffer): { header: Buffer; bodyOffset: number } {
  const { header } = splitHeader(bytes);
  return { header, bodyOffset: header.length };
}

export async function messageStream(source: MessageSource, edits: HeaderEdits): Promise<Readable> {
  const { header, bodyOffset } = await readHeaderBlock(source);
  const head = applyEdits(header, edits);
  const body = typeof source === 'string' ? createReadStream(source, { start: bodyOffset }) : [source.subarray(bodyOffset)];
  return Readable.from(
    (async function* () {
      yield head;
      yield* body;
    })(),
  );
}
