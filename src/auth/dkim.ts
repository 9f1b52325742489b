// DKIM verification (RFC 6376; Ed25519 by RFC 8463) for the gateway's hot path. mailauth's
// verifier re-parses the whole message in a JavaScript stream parser, which cost most of the
// time sender authentication adds; here the header block is split once, the body is hashed in
// large chunks by native code (relaxed canonicalization by one regular expression per chunk),
// each distinct body canonicalization is hashed once for all signatures, and parsed public keys
// are cached. Results are worded as mailauth words them (its lenient mode), so the
// Authentication-Results header reads the same whichever path checked a message; a body hash
// mismatch is `fail`, as RFC 8601 and Exchange report it.
import { createHash, createPublicKey, hash, verify, type Hash, type KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isNegative, type DnsLookup } from './dnsResolver.js';
import { headerEnd, rawFields as headerFields } from '../message/header.js';

const CR = 0x0d;
const LF = 0x0a;
/** More signatures than this on one message are not checked (hostile input). */
const MAX_SIGNATURES = 10;
/** A header block larger than this is not looked at. */
const MAX_HEADER_BYTES = 1024 * 1024;
const MIN_RSA_BITS = 1024;
const NEEDS_RELAXING = /\t| [ \r]/;
/** What makes relaxing a header value more than a trim: folding, tabs, runs of spaces. */
const FOLDED_OR_SPACED = /\r|\t| {2}/;
const WSP_OR_CRLF = /[ \t\r\n]/;
const EMPTY = Buffer.alloc(0);
/** Canonical body bytes up to this much are hashed in one call (see BodyHasher). */
const ONE_SHOT_BYTES = 64 * 1024;
/** How a key problem is reported (as mailauth does); anything else is permerror. */
const KEY_ERROR_RESULT: Record<string, DkimCheck['result']> = { 'no key': 'neutral', 'weak key': 'policy' };

export interface RawField {
  /** Lower-case name. */
  key: string;
  /** The whole field as received, folding included, without its final CRLF. */
  line: string;
}

export interface DkimCheck {
  result: 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror' | 'policy';
  comment?: string;
  domain: string;
  selector: string;
  algorithm: string;
  /** i= (the AUID), default @d. */
  identity: string;
  /** The first 8 characters of b=, for header.b. */
  shortB: string;
  /** Body bytes left unsigned by l=. */
  underSized?: number;
}

interface Signature {
  tags: Map<string, string>;
  field: RawField;
  domain: string;
  selector: string;
  algorithm: string;
  hashAlgo: 'sha256' | 'sha1';
  keyType: 'rsa' | 'ed25519';
  headerCanon: 'simple' | 'relaxed';
  bodyCanon: 'simple' | 'relaxed';
  signedHeaders: string[];
  bodyHash: string;
  signature: Buffer;
  length?: number;
  identity: string;
  expires?: number;
}

/** A header block (latin1 text up to and including the CRLF before the blank line) as fields, each line without its final CRLF. */
export function rawFields(block: string): RawField[] {
  const bytes = Buffer.from(block.endsWith('\r\n') || block === '' ? block : block + '\r\n', 'latin1');
  return headerFields(bytes)
    .filter((f) => f.name)
    .map((f) => ({ key: f.name.toLowerCase(), line: f.raw.toString('latin1', 0, f.raw.length - 2) }));
}

/** tag=value; list of a DKIM-Signature or key record (RFC 6376 3.2), whitespace removed from values. */
export function parseTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || tags.has(name)) continue;
    const value = part.slice(eq + 1);
    tags.set(name, WSP_OR_CRLF.test(value) ? value.replace(/[ \t\r\n]+/g, '') : value);
  }
  return tags;
}

function parseSignature(field: RawField, now: number): Signature | { error: string; domain: string; selector: string } {
  const tags = parseTags(field.line.slice(field.line.indexOf(':') + 1));
  const domain = (tags.get('d') ?? '').toLowerCase();
  const selector = tags.get('s') ?? '';
  const fail = (error: string) => ({ error, domain, selector });
  const v = tags.get('v');
  if (v !== undefined && v !== '1') return fail('unknown signature version');
  const algorithm = (tags.get('a') ?? '').toLowerCase();
  const [keyType, hashAlgo] = algorithm.split('-') as [string, string];
  if (!((keyType === 'rsa' && (hashAlgo === 'sha256' || hashAlgo === 'sha1')) || (keyType === 'ed25519' && hashAlgo === 'sha256'))) return fail('unknown algorithm');
  if (!domain || !selector || !tags.get('b') || !tags.get('bh') || !tags.get('h')) return fail('missing required tag');
  const [hc, bc] = (tags.get('c') ?? 'simple/simple').toLowerCase().split('/');
  const headerCanon = hc === 'relaxed' ? 'relaxed' : hc === 'simple' ? 'simple' : undefined;
  const bodyCanon = (bc ?? 'simple') === 'relaxed' ? 'relaxed' : (bc ?? 'simple') === 'simple' ? 'simple' : undefined;
  if (!headerCanon || !bodyCanon) return fail('unknown canonicalization');
  const signedHeaders = tags.get('h')!.toLowerCase().split(':').filter(Boolean);
  if (!signedHeaders.includes('from')) return fail('From header not signed');
  const identity = tags.get('i') ?? `@${domain}`;
  const idDomain = identity.slice(identity.lastIndexOf('@') + 1).toLowerCase();
  if (idDomain !== domain && !idDomain.endsWith(`.${domain}`)) return fail('identity domain does not match');
  const l = tags.get('l');
  const x = tags.get('x');
  if (x !== undefined && /^\d+$/.test(x) && Number(x) * 1000 < now) return fail('signature expired');
  return {
    tags, field, domain, selector, algorithm, identity, signedHeaders, headerCanon, bodyCanon,
    keyType: keyType as 'rsa' | 'ed25519',
    hashAlgo: hashAlgo as 'sha256' | 'sha1',
    bodyHash: tags.get('bh')!,
    signature: Buffer.from(tags.get('b')!, 'base64'),
    length: l !== undefined && /^\d+$/.test(l) ? Number(l) : undefined,
    expires: x !== undefined ? Number(x) : undefined,
  };
}

/** RFC 6376 3.4.2 relaxed header canonicalization of a field (its lower-case name and its value). */
function relaxedHeader(key: string, value: string): string {
  // Most values are unfolded with single spaces: then relaxing them is only the trim.
  const relaxed = FOLDED_OR_SPACED.test(value) ? value.replace(/\r\n/g, '').replace(/[ \t]+/g, ' ') : value;
  return `${key}:${relaxed.trim()}`;
}

/** The fields of a message by lower-case name, in order (signatures pick theirs bottom-up). */
function fieldsByName(fields: RawField[]): Map<string, RawField[]> {
  const byName = new Map<string, RawField[]>();
  for (const f of fields) {
    const list = byName.get(f.key);
    if (list) list.push(f);
    else byName.set(f.key, [f]);
  }
  return byName;
}

/** The data the header signature covers (RFC 6376 3.7): the signed fields bottom-up, then the signature field with b= empty. */
function signedHeaderData(sig: Signature, byName: Map<string, RawField[]>): Buffer {
  const canon = sig.headerCanon === 'relaxed' ? (f: RawField, value: string) => relaxedHeader(f.key, value) : (f: RawField, value: string) => f.line.slice(0, f.line.indexOf(':') + 1) + value;
  const valueOf = (f: RawField) => f.line.slice(f.line.indexOf(':') + 1);
  const used = new Map<string, number>();
  let data = '';
  for (const name of sig.signedHeaders) {
    const candidates = byName.get(name);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    const f = candidates?.[candidates.length - 1 - n];
    if (f) data += canon(f, valueOf(f)) + '\r\n';
  }
  // The signature field itself, with the value of its b= tag (not bh=) emptied, and no final CRLF.
  data += canon(sig.field, withEmptyB(valueOf(sig.field)));
  return Buffer.from(data, 'latin1');
}

const isFws = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** A tag list with the value of its first b= tag emptied (b= only: not bh=); the rest exactly as written. */
export function withEmptyB(value: string): string {
  for (let start = 0; ; ) {
    let i = start;
    while (i < value.length && isFws(value.charCodeAt(i))) i++;
    if (value.charCodeAt(i) === 0x62 /* b */) {
      let j = i + 1;
      while (j < value.length && isFws(value.charCodeAt(j))) j++;
      if (value.charCodeAt(j) === 0x3d /* = */) {
        const end = value.indexOf(';', j);
        return value.slice(0, j + 1) + (end < 0 ? '' : value.slice(end));
      }
    }
    const next = value.indexOf(';', start);
    if (next < 0) return value;
    start = next + 1;
  }
}

/** Hashes a message body under one canonicalization, fed in chunks as they come. */
export class BodyHasher {
  /**
   * Canonical bytes wait here until they outgrow ONE_SHOT_BYTES: a small body (most mail) is
   * then hashed by one call, which costs less than a Hash object; a larger one streams through.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private hash: Hash | undefined;
  private carry: Buffer = EMPTY; // relaxed: the unterminated last line
  private tail: Buffer = EMPTY; // simple: trailing CRLFs held back
  private blankLines = 0; // relaxed: empty lines held back
  private written = 0;
  private total = 0;

  constructor(readonly canon: 'simple' | 'relaxed', private readonly algo: 'sha256' | 'sha1', readonly limit?: number) {}

  update(chunk: Buffer): void {
    if (this.canon === 'simple') this.simple(chunk);
    else this.relaxed(chunk);
  }

  /** base64 of the hash; and how many canonical body bytes l= left out. */
  digest(): { bodyHash: string; underSized: number } {
    if (this.canon === 'simple') {
      // Trailing empty lines go; the body ends with exactly one CRLF, added when it had none
      // (an empty body is one CRLF).
      if (this.tail.length && this.tail.indexOf('\r\n') < 0) this.emit(this.tail);
      this.emit(Buffer.from('\r\n'));
    } else {
      if (this.carry.length) this.line(this.carry.toString('latin1'));
    }
    const bodyHash = this.hash ? this.hash.digest('base64') : hash(this.algo, this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending), 'base64');
    return { bodyHash, underSized: this.limit === undefined ? 0 : Math.max(0, this.total - this.limit) };
  }

  private emit(data: Buffer): void {
    this.total += data.length;
    if (this.limit !== undefined) {
      const room = this.limit - this.written;
      if (room <= 0) return;
      if (data.length > room) data = data.subarray(0, room);
    }
    this.written += data.length;
    if (this.hash) {
      this.hash.update(data);
    } else if (this.pendingBytes + data.length <= ONE_SHOT_BYTES) {
      this.pending.push(data);
      this.pendingBytes += data.length;
    } else {
      this.hash = createHash(this.algo);
      for (const p of this.pending) this.hash.update(p);
      this.hash.update(data);
      this.pending = [];
    }
  }

  private simple(chunk: Buffer): void {
    const data = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    let end = data.length;
    // Hold back what could be trailing empty lines: a run of CRLFs (and a CR whose LF is yet to come).
    if (end && data[end - 1] === CR) end--;
    while (end >= 2 && data[end - 2] === CR && data[end - 1] === LF) end -= 2;
    if (end > 0) {
      // A held-back CRLF that turns out to be followed by content was a line end: keep it.
      this.emit(data.subarray(0, end));
    }
    this.tail = end === data.length ? EMPTY : Buffer.from(data.subarray(end));
  }

  private relaxed(chunk: Buffer): void {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const last = data.lastIndexOf('\r\n');
    if (last < 0) {
      this.carry = Buffer.from(data);
      return;
    }
    this.carry = last + 2 === data.length ? EMPTY : Buffer.from(data.subarray(last + 2));
    let lines = data.subarray(0, last + 2);
    // Most text needs no change (single spaces, no tabs, no space before a line end): then its
    // bytes are hashed as they are, found out by one regular-expression scan (measured faster
    // than Buffer.indexOf with multi-byte needles). Otherwise runs of WSP become one SP and WSP
    // at a line end goes.
    const text = lines.toString('latin1');
    if (NEEDS_RELAXING.test(text)) lines = Buffer.from(text.replace(/[ \t]+/g, ' ').replace(/ \r\n/g, '\r\n'), 'latin1');
    // Empty lines are held back until content follows them (trailing empty lines are not hashed).
    let end = lines.length;
    while (end >= 4 && lines[end - 4] === CR && lines[end - 3] === LF && lines[end - 2] === CR) end -= 2;
    if (end === 2 && lines[0] === CR) {
      this.blankLines += lines.length / 2;
      return;
    }
    this.flushBlank();
    this.emit(lines.subarray(0, end));
    this.blankLines = (lines.length - end) / 2;
  }

  private line(text: string): void {
    const l = text.replace(/[ \t]+/g, ' ').replace(/ $/, '');
    if (!l) return;
    this.flushBlank();
    this.emit(Buffer.from(l + '\r\n', 'latin1'));
  }

  private flushBlank(): void {
    if (this.blankLines) this.emit(Buffer.from('\r\n'.repeat(this.blankLines)));
    this.blankLines = 0;
  }
}

const keyCache = new Map<string, KeyObject | Error>();
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The public key of a key record (RFC 6376 3.6.1), parsed once per distinct record. */
function publicKey(record: string, keyType: 'rsa' | 'ed25519', hashAlgo: string): KeyObject | Error {
  const cacheKey = `${keyType} ${hashAlgo} ${record}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const key = parseKey(record, keyType, hashAlgo);
  if (keyCache.size >= 1000) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(cacheKey, key);
  return key;
}

function parseKey(record: string, keyType: string, hashAlgo: string): KeyObject | Error {
  const tags = parseTags(record);
  const v = tags.get('v');
  if (v !== undefined && v !== 'DKIM1') return new Error('unknown key version');
  if ((tags.get('k') ?? 'rsa').toLowerCase() !== keyType) return new Error('unknown key type');
  const h = tags.get('h');
  if (h && !h.toLowerCase().split(':').includes(hashAlgo)) return new Error('inappropriate hash algorithm');
  const s = tags.get('s');
  if (s && !s.toLowerCase().split(':').some((x) => x === '*' || x === 'email')) return new Error('key not for email');
  const p = tags.get('p');
  if (!p) return new Error('key revoked');
  const der = Buffer.from(p, 'base64');
  try {
    if (keyType === 'ed25519') return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
    let key: KeyObject;
    try {
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    }
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS ? new Error('weak key') : key;
  } catch {
    return new Error('invalid public key');
  }
}

/**
 * Parsed keys by DNS answer and algorithm. The resolver's cache hands out the same answer object
 * for as long as it keeps it, so a warm cache costs one lookup here, not a record to rebuild and
 * look up by its text; a new answer is a new object, parsed again.
 */
const keysByAnswer = new WeakMap<object, Map<string, KeyObject | Error>>();

function keyOfAnswer(answer: string[][], sig: Signature): KeyObject | Error {
  let byAlgorithm = keysByAnswer.get(answer);
  const hit = byAlgorithm?.get(sig.algorithm);
  if (hit) return hit;
  const key = answer.length ? publicKey(answer[0].join(''), sig.keyType, sig.hashAlgo) : new Error('no key');
  if (!byAlgorithm) keysByAnswer.set(answer, (byAlgorithm = new Map()));
  byAlgorithm.set(sig.algorithm, key);
  return key;
}

async function fetchKey(sig: Signature, lookup: DnsLookup): Promise<KeyObject | Error | { temporary: string }> {
  try {
    return keyOfAnswer((await lookup(`${sig.selector}._domainkey.${sig.domain}`, 'TXT')) as string[][], sig);
  } catch (e) {
    if (isNegative(e)) return new Error('no key');
    return { temporary: (e as { code?: string }).code ?? 'DNS failure' };
  }
}

function checkOf(sig: Signature, result: DkimCheck['result'], comment?: string, underSized?: number): DkimCheck {
  return { result, comment, domain: sig.domain, selector: sig.selector, algorithm: sig.algorithm, identity: sig.identity, shortB: sig.tags.get('b')!.slice(0, 8), underSized };
}

/** The header block and the body of a message held in memory. */
function splitMessage(source: Buffer): { header: string; body: Buffer } {
  const end = headerEnd(source);
  if (end < 0 || end - 2 > MAX_HEADER_BYTES) return { header: source.subarray(0, Math.min(source.length, MAX_HEADER_BYTES)).toString('latin1'), body: Buffer.alloc(0) };
  return { header: source.subarray(0, end).toString('latin1'), body: source.subarray(end + 2) };
}

/**
 * Opens a spooled message for reading. The edge that owns the spool passes it in (node:fs's
 * createReadStream), so authentication itself does no I/O but DNS.
 */
export type OpenFile = (path: string, options?: { highWaterMark?: number }) => Readable;

/** The header block and then the body of a spooled message, the body in chunks. */
async function* messageParts(source: string, openFile: OpenFile): AsyncGenerator<{ header: string } | { body: Buffer }> {
  let head: Buffer = Buffer.alloc(0);
  let inBody = false;
  for await (const chunk of openFile(source, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    if (inBody) {
      yield { body: chunk };
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end >= 0) {
      inBody = true;
      yield { header: head.subarray(0, end).toString('latin1') };
      yield { body: head.subarray(end + 2) };
    } else if (head.length > MAX_HEADER_BYTES) {
      return yield { header: head.subarray(0, MAX_HEADER_BYTES).toString('latin1') };
    }
  }
  if (!inBody) yield { header: head.toString('latin1') };
}

/** Every DKIM-Signature of the message, checked; and the header fields (for From). */
export async function verifyDkim(source: string | Buffer, lookup: DnsLookup, openFile: OpenFile, now = Date.now()): Promise<{ checks: DkimCheck[]; fields: RawField[] }> {
  // A message held in memory (the usual small one) is split directly; a spool file is streamed.
  const parts = typeof source === 'string' ? messageParts(source, openFile) : undefined;
  const split = parts ? undefined : splitMessage(source as Buffer);
  const first = parts ? await parts.next() : undefined;
  const header = split ? split.header : first && !first.done ? (first.value as { header: string }).header : '';
  const fields = rawFields(header);
  const sigFields = fields.filter((f) => f.key === 'dkim-signature').slice(0, MAX_SIGNATURES);
  if (!sigFields.length) {
    await parts?.return(undefined);
    return { checks: [], fields };
  }
  const parsed = sigFields.map((f) => parseSignature(f, now));
  const valid = parsed.filter((s): s is Signature => !('error' in s));
  // Keys are asked for while the body is hashed.
  const keys = new Map(valid.map((s) => [s, fetchKey(s, lookup)]));
  const hashers = new Map<string, BodyHasher>();
  const hasherOf = (s: Signature) => {
    const id = `${s.bodyCanon}/${s.hashAlgo}/${s.length ?? ''}`;
    let h = hashers.get(id);
    if (!h) hashers.set(id, (h = new BodyHasher(s.bodyCanon, s.hashAlgo, s.length)));
    return h;
  };
  for (const s of valid) hasherOf(s);
  if (split) for (const h of hashers.values()) h.update(split.body);
  else for await (const part of parts!) if ('body' in part) for (const h of hashers.values()) h.update(part.body);
  const digests = new Map([...hashers].map(([id, h]) => [id, h.digest()]));

  const checks: DkimCheck[] = [];
  let byName: Map<string, RawField[]> | undefined;
  for (const s of parsed) {
    if ('error' in s) {
      checks.push({ result: 'neutral', comment: s.error, domain: s.domain, selector: s.selector, algorithm: '', identity: `@${s.domain}`, shortB: '' });
      continue;
    }
    const digest = digests.get(`${s.bodyCanon}/${s.hashAlgo}/${s.length ?? ''}`)!;
    const key = await keys.get(s)!;
    if ('temporary' in key) checks.push(checkOf(s, 'temperror', 'DNS failure'));
    else if (key instanceof Error) checks.push(checkOf(s, KEY_ERROR_RESULT[key.message] ?? 'permerror', key.message));
    else if (digest.bodyHash !== s.bodyHash) checks.push(checkOf(s, 'fail', 'body hash did not verify'));
    else {
      const ok = verifyHeaderSignature(s, signedHeaderData(s, (byName ??= fieldsByName(fields))), key);
      checks.push(ok ? checkOf(s, 'pass', undefined, digest.underSized || undefined) : checkOf(s, 'fail', 'signature did not verify'));
    }
  }
  return { checks, fields };
}

/** RSA signs the header data with its hash (PKCS#1 v1.5); Ed25519 signs the SHA-256 of it (RFC 8463). */
function verifyHeaderSignature(s: Signature, data: Buffer, key: KeyObject): boolean {
  try {
    if (s.keyType === 'ed25519') return verify(null, createHash('sha256').update(data).digest(), key, s.signature);
    return verify(s.hashAlgo === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA1', data, key, s.signature);
  } catch {
    return false; // a malformed signature value
  }
}

/** The Authentication-Results clause of one check, as mailauth writes it. */
export function dkimClause(c: DkimCheck): string {
  const comment = c.comment ? ` (${c.comment})` : '';
  const props = [`header.i=${c.identity}`, `header.s=${c.selector}`, c.algorithm && `header.a=${c.algorithm}`, c.shortB && `header.b="${c.shortB}"`].filter(Boolean);
  return `dkim=${c.result}${comment} ${props.join(' ')}`;
}
