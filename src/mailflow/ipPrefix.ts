// IP addresses and CIDR prefixes as bytes, and a binary prefix trie that answers "which
// entries contain this address" in at most 32 (IPv4) or 128 (IPv6) steps, independent of how
// many prefixes are stored. Used to validate SenderIPAddresses and to index connectors by IP.
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpPrefix {
  family: IpFamily;
  /** Network address bytes (host bits cleared): 4 or 16 bytes. */
  bytes: Uint8Array;
  /** Prefix length in bits. */
  length: number;
  /** Canonical text: `a.b.c.d` / `a.b.c.d/n` (IPv4), RFC 5952 form for IPv6. */
  text: string;
}

/**
 * Parse one address to bytes. IPv4 must be strict dotted quad (no `127.1`, no octal);
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is returned as IPv4. Undefined when not an address.
 */
export function parseIp(text: string): { family: IpFamily; bytes: Uint8Array } | undefined {
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

/**
 * Parse `address` or `address/length`. Host bits beyond the prefix are cleared (Exchange's own
 * example is `192.168.0.1/25`). Returns an error message instead when the text is not valid.
 */
export function parseIpPrefix(text: string): IpPrefix | { error: string } {
  const s = text.trim();
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return { error: `'${text}' is not an IPv4 or IPv6 address` };
  const bits = ip.bytes.length * 8;
  let length = bits;
  if (slash >= 0) {
    const lenText = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return { error: `'${text}' has an invalid prefix length` };
    length = Number(lenText);
    if (length > bits) return { error: `'${text}' has a prefix length above /${bits}` };
  }
  const bytes = Uint8Array.from(ip.bytes);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    bytes[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  const addr = ip.family === 4 ? Array.from(bytes).join('.') : ipaddr.fromByteArray(Array.from(bytes)).toString();
  return { family: ip.family, bytes, length, text: length === bits ? addr : `${addr}/${length}` };
}

interface TrieNode {
  zero?: TrieNode;
  one?: TrieNode;
  values?: number[];
}

/** Binary trie of prefixes per family; `lookup` returns every value whose prefix contains the address. */
export class IpPrefixTrie {
  private readonly roots: Record<IpFamily, TrieNode> = { 4: {}, 6: {} };
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(prefix: IpPrefix, value: number): void {
    let node = this.roots[prefix.family];
    for (let bit = 0; bit < prefix.length; bit++) {
      const one = (prefix.bytes[bit >> 3] >> (7 - (bit & 7))) & 1;
      node = one ? (node.one ??= {}) : (node.zero ??= {});
    }
    (node.values ??= []).push(value);
    this.count++;
  }

  /** Values of all prefixes containing the address, shortest prefix first; [] for an unparsable address. */
  lookup(address: string): number[] {
    const ip = parseIp(address);
    return ip ? this.lookupBytes(ip.family, ip.bytes) : [];
  }

  lookupBytes(family: IpFamily, bytes: Uint8Array): number[] {
    let node: TrieNode | undefined = this.roots[family];
    const found: number[] = [];
    const bits = bytes.length * 8;
    for (let bit = 0; node; bit++) {
      if (node.values) for (const v of node.values) found.push(v);
      if (bit === bits) break;
      node = (bytes[bit >> 3] >> (7 - (bit & 7))) & 1 ? node.one : node.zero;
    }
    return found;
  }
}
