// IP addresses and ranges as Exchange writes them: a single address, a CIDR block
// (`192.168.0.1/25`) or, where Exchange takes one, a range (`192.168.0.1-192.168.0.254`); IPv4 and
// IPv6. The one parser of addresses in Postern: connectors, transport rules, cmdlet parameters,
// server settings and the connecting client all go through it; the connector trie
// (ipPrefixTrie.ts) and the rules' interval index (rules/ipRanges.ts) are indexes over it.
// IPv4 is strict dotted quad (no `127.1`, no octal); IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is the
// IPv4 address; no zone ids. Parsed by hand (every connection's address goes through here; and
// ipaddr.js reads the IPv4-compatible `::a.b.c.d` as IPv4-mapped), printed by ipaddr.js.
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
}

/** Parse one address to bytes; undefined when the text is not an address. */
export function parseIp(text: string): IpAddress | undefined {
  const s = text.trim();
  const v4 = parseIpv4(s);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(s);
  if (!v6) return undefined;
  if (isV4Mapped(v6)) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6 };
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** RFC 4291 text forms: 8 groups, one `::`, an embedded dotted quad at the end; no zone ids. */
function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const gap = s.indexOf('::');
  if (gap >= 0 && s.indexOf('::', gap + 1) >= 0) return undefined;
  const head = gap < 0 ? s : s.slice(0, gap);
  const tail = gap < 0 ? '' : s.slice(gap + 2);
  const groups: number[] = [];
  const headCount = parseGroups(head, groups, gap < 0);
  if (headCount < 0) return undefined;
  const tailCount = parseGroups(tail, groups, true);
  if (tailCount < 0) return undefined;
  const total = headCount + tailCount;
  if (gap < 0 ? total !== 8 : total > 7) return undefined;
  const out = new Uint8Array(16);
  const put = (g: number, at: number): void => {
    out[at * 2] = g >> 8;
    out[at * 2 + 1] = g & 0xff;
  };
  for (let i = 0; i < headCount; i++) put(groups[i], i);
  for (let i = 0; i < tailCount; i++) put(groups[headCount + i], 8 - tailCount + i);
  return out;
}

/** Hex groups separated by ':' (the last may be a dotted quad when `last`); the count, or -1. */
function parseGroups(text: string, into: number[], last: boolean): number {
  if (text === '') return 0;
  const parts = text.split(':');
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (last && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (!v4) return -1;
      into.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      count += 2;
      continue;
    }
    if (p.length < 1 || p.length > 4) return -1;
    let g = 0;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(k);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return -1;
      g = g * 16 + d;
    }
    into.push(g);
    count++;
  }
  return count;
}

/** An address as text: dotted quad, or RFC 5952's compact IPv6 form. */
export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? ip.bytes.join('.') : ipaddr.fromByteArray(Array.from(ip.bytes)).toString();
}

/** A parsed range: its first and last address (inclusive), and how it was written. */
export interface IpRange {
  family: IpFamily;
  first: Uint8Array;
  last: Uint8Array;
  /** The prefix length of an address (32 or 128) or a CIDR block; undefined for `first-last`. */
  prefixLength?: number;
  /** Normalised as written: addresses in canonical form, a CIDR block keeps its host bits. */
  text: string;
}

/** What a field accepts beyond the syntax (Exchange's per-parameter rules). */
export interface IpRangeAccept {
  /** `first-last` ranges (default: accepted). Connectors' SenderIPAddresses take none. */
  ranges?: boolean;
  ipv4Only?: boolean;
  /** The smallest CIDR prefix length accepted, per family. */
  minPrefix?: Partial<Record<IpFamily, number>>;
}

/** Parse an address, a CIDR block or a `first-last` range; an error message when it is not one (or `accept` refuses it). */
export function parseIpRange(text: string, accept: IpRangeAccept = {}): IpRange | { error: string } {
  const s = text.trim();
  const ranges = accept.ranges !== false;
  const range = s.indexOf('/') >= 0 ? parseCidr(s, text) : s.indexOf('-') >= 0 ? parseFirstLast(s, text, ranges) : parseSingle(s, text, ranges);
  if ('error' in range) return range;
  if (accept.ipv4Only && range.family === 6) return { error: `'${text}' is IPv6; only IPv4 addresses are supported here` };
  const min = accept.minPrefix?.[range.family];
  if (min !== undefined && range.prefixLength !== undefined && range.prefixLength < min) {
    return { error: `'${text}' is too wide; valid IPv${range.family} prefix lengths are /${min} through /${range.family === 4 ? 32 : 128}` };
  }
  return range;
}

function notAnAddress(text: string, ranges: boolean): { error: string } {
  return { error: `'${text}' isn't a valid IP address: give an address (192.168.1.1)${ranges ? ', a CIDR block (192.168.0.0/25) or a range (192.168.0.1-192.168.0.254)' : ' or a CIDR block (192.168.0.0/25)'}` };
}

function parseSingle(s: string, text: string, ranges: boolean): IpRange | { error: string } {
  const ip = parseIp(s);
  if (!ip) return notAnAddress(text, ranges);
  return { family: ip.family, first: ip.bytes, last: ip.bytes, prefixLength: ip.bytes.length * 8, text: formatIp(ip) };
}

function parseCidr(s: string, text: string): IpRange | { error: string } {
  const slash = s.indexOf('/');
  const addrText = s.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return notAnAddress(text, false);
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return { error: `'${text}' has an invalid prefix length` };
  // A mapped IPv6 block (::ffff:10.0.0.0/104) is IPv4 now: its prefix length counts IPv4 bits.
  const length = ip.family === 4 && addrText.indexOf(':') >= 0 ? Number(lenText) - 96 : Number(lenText);
  const bits = ip.bytes.length * 8;
  if (length > bits) return { error: `'${text}' has a prefix length above /${bits}` };
  if (length < 0) return { error: `'${text}' has an invalid prefix length` };
  const first = Uint8Array.from(ip.bytes);
  const last = Uint8Array.from(ip.bytes);
  for (let i = 0; i < first.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    first[i] &= mask;
    last[i] |= ~mask & 0xff;
  }
  return { family: ip.family, first, last, prefixLength: length, text: `${formatIp(ip)}/${length}` };
}

function parseFirstLast(s: string, text: string, ranges: boolean): IpRange | { error: string } {
  const dash = s.indexOf('-');
  const a = parseIp(s.slice(0, dash));
  const b = parseIp(s.slice(dash + 1));
  if (!a || !b) return notAnAddress(text, ranges);
  if (!ranges) return { error: `'${text}' is an address range; ranges aren't supported here: give an address or a CIDR block` };
  if (a.family !== b.family) return { error: `'${text}' mixes IPv4 and IPv6` };
  if (compareBytes(a.bytes, b.bytes) > 0) return { error: `'${text}': the first address of a range must not be greater than the last` };
  return { family: a.family, first: a.bytes, last: b.bytes, text: `${formatIp(a)}-${formatIp(b)}` };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** A CIDR prefix (an address is a /32 or /128): what the connector trie indexes. */
export interface IpPrefix {
  family: IpFamily;
  /** Network address bytes (host bits cleared): 4 or 16 bytes. */
  bytes: Uint8Array;
  /** Prefix length in bits. */
  length: number;
  /** Canonical text of the network: `a.b.c.d` / `a.b.c.d/n` (IPv4), RFC 5952 form for IPv6. */
  text: string;
}

/** Parse an address or a CIDR block (no `first-last` ranges) as a prefix; host bits are cleared (Exchange's own example is `192.168.0.1/25`). */
export function parseIpPrefix(text: string, accept: Omit<IpRangeAccept, 'ranges'> = {}): IpPrefix | { error: string } {
  const r = parseIpRange(text, { ...accept, ranges: false });
  if ('error' in r) return r;
  const length = r.prefixLength!;
  const network = formatIp({ family: r.family, bytes: r.first });
  return { family: r.family, bytes: r.first, length, text: length === r.first.length * 8 ? network : `${network}/${length}` };
}

/** Fast strict dotted-quad parser (the hot path: every connection's address). */
function parseIpv4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined; // leading zero: octal ambiguity
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = value;
  return out;
}

