// The bytes a recipient gets: the spooled message with its copy's header edits applied (stamps
// on top, firewall removals, rule edits). Only the header block is read into memory; the body
// streams straight from the spool file (small messages are queued with their bytes: see Spool).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isOwnAuthResults } from '../auth/authResults.js';
import { isRemoved, type HeaderEdits } from '../mailflow/headerEdits.js';
import type { HeaderField } from '../mailflow/message.js';

const HEADER_READ_LIMIT = 1024 * 1024;

/** Where a queued message's bytes are: its spool file, or (small messages) the bytes themselves. */
export type MessageSource = string | Buffer;

/** The header block of a spooled message (bounded read) and where its body starts. */
export async function readHeaderBlock(source: MessageSource): Promise<{ header: Buffer; bodyOffset: number }> {
  if (typeof source !== 'string') {
    const end = source.subarray(0, HEADER_READ_LIMIT).indexOf('\r\n\r\n');
    return end >= 0 ? { header: source.subarray(0, end + 2), bodyOffset: end + 2 } : { header: source.subarray(0, HEADER_READ_LIMIT), bodyOffset: Math.min(source.length, HEADER_READ_LIMIT) };
  }
  const fh = await open(source, 'r');
  try {
    let data = Buffer.alloc(0);
    for (let want = 64 * 1024; ; want *= 4) {
      const buf = Buffer.allocUnsafe(Math.min(want, HEADER_READ_LIMIT) - data.length);
      const { bytesRead } = await fh.read(buf, 0, buf.length, data.length);
      data = Buffer.concat([data, buf.subarray(0, bytesRead)]);
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) return { header: data.subarray(0, end + 2), bodyOffset: end + 2 };
      if (bytesRead < buf.length || data.length >= HEADER_READ_LIMIT) return { header: data, bodyOffset: data.length }; // header-only message
    }
  } finally {
    await fh.close();
  }
}

/** Split raw header bytes into fields, each keeping its exact bytes (folding included). */
function rawFields(header: Buffer): { name: string; raw: Buffer }[] {
  const fields: { name: string; raw: Buffer }[] = [];
  let start = 0;
  for (let i = 0; i < header.length - 1; i++) {
    if (header[i] !== 0x0d || header[i + 1] !== 0x0a) continue;
    const next = header[i + 2];
    if (next === 0x20 || next === 0x09) continue; // folded continuation
    const raw = header.subarray(start, i + 2);
    const colon = raw.indexOf(':');
    fields.push({ name: colon > 0 ? raw.subarray(0, colon).toString('latin1').trim() : '', raw });
    start = i + 2;
  }
  return fields;
}

const fieldBytes = (f: HeaderField) => Buffer.from(`${f.name}: ${f.value}\r\n`, 'utf8');

export function applyEdits(header: Buffer, edits: HeaderEdits): Buffer {
  const setNames = new Set(edits.set.map((f) => f.name.toLowerCase()));
  const out: Buffer[] = edits.prepend.map(fieldBytes);
  for (const f of rawFields(header)) {
    if (isRemoved(f.name, edits.remove) || setNames.has(f.name.toLowerCase())) continue;
    if (edits.removeAuthResultsOf && isOwnAuthResults({ name: f.name, value: f.raw.subarray(f.raw.indexOf(':') + 1).toString('utf8') }, edits.removeAuthResultsOf)) continue;
    if (edits.subjectPrefix && f.name.toLowerCase() === 'subject') {
      const value = f.raw.subarray(f.raw.indexOf(':') + 1).toString('utf8').replace(/^ /, '');
      out.push(Buffer.from(`${f.name}: ${edits.subjectPrefix}${value}`, 'utf8'));
      continue;
    }
    out.push(f.raw);
  }
  out.push(...edits.set.map(fieldBytes));
  return Buffer.concat(out);
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
