// IPAddressRanges as Exchange writes them — a single address, a CIDR block, or `first-last` —
// for IPv4 and IPv6, compiled into sorted, merged intervals searched by bisection. IPv4 becomes a
// number, IPv6 a bigint; IPv4-mapped IPv6 (::ffff:a.b.c.d) is treated as the IPv4 address.
import ipaddr from 'ipaddr.js';

export interface IpInterval<T extends number | bigint> {
  lo: T;
  hi: T;
}

export interface ParsedRange {
  family: 4 | 6;
  lo: number | bigint;
  hi: number | bigint;
}

function unmap(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function toValue(addr: ipaddr.IPv4 | ipaddr.IPv6): { family: 4 | 6; value: number | bigint } {
  const bytes = addr.toByteArray();
  if (addr.kind() === 'ipv4') return { family: 4, value: ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3] };
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return { family: 6, value: v };
}

function parseAddress(text: string): { family: 4 | 6; value: number | bigint } | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(t)) return undefined;
  // ipaddr.js accepts legacy IPv4 forms ("10", "0x0a.1"); Exchange doesn't. Require dotted quads.
  if (!t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  return toValue(unmap(ipaddr.parse(t)));
}

/** Parse one range; returns an error message (a string) when it isn't one. */
export function parseIpRange(text: string): ParsedRange | string {
  const t = text.trim();
  const bad = `'${text}' is not an IP address range: use an address (192.168.1.1), a CIDR block (192.168.0.0/25) or a range (192.168.0.1-192.168.0.254)`;
  const slash = t.indexOf('/');
  if (slash >= 0) {
    const base = parseAddress(t.slice(0, slash));
    const bits = Number(t.slice(slash + 1));
    if (!base || !/^\d{1,3}$/.test(t.slice(slash + 1))) return bad;
    const width = base.family === 4 ? 32 : 128;
    // A mapped IPv6 CIDR (::ffff:10.0.0.0/104) is IPv4 now: re-base its prefix length.
    const prefix = base.family === 4 && t.includes(':') ? bits - 96 : bits;
    if (prefix < 0 || prefix > width) return bad;
    if (base.family === 4) {
      const size = 2 ** (32 - prefix);
      const lo = Math.floor((base.value as number) / size) * size;
      return { family: 4, lo, hi: lo + size - 1 };
    }
    const hostBits = BigInt(128 - prefix);
    const mask = (1n << hostBits) - 1n;
    const lo = (base.value as bigint) & ~mask;
    return { family: 6, lo, hi: lo | mask };
  }
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const a = parseAddress(t.slice(0, dash));
    const b = parseAddress(t.slice(dash + 1));
    if (!a || !b || a.family !== b.family) return bad;
    if (a.value > b.value) return `'${text}': the first address of a range must not be greater than the last`;
    return { family: a.family, lo: a.value, hi: b.value };
  }
  const a = parseAddress(t);
  return a ? { family: a.family, lo: a.value, hi: a.value } : bad;
}

function merge<T extends number | bigint>(list: IpInterval<T>[]): IpInterval<T>[] {
  list.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  const out: IpInterval<T>[] = [];
  for (const iv of list) {
    const last = out[out.length - 1];
    // Adjacent intervals merge too (hi + 1 === lo); compare with typed arithmetic.
    if (last && (iv.lo <= last.hi || (typeof iv.lo === 'number' ? (last.hi as number) + 1 === iv.lo : (last.hi as bigint) + 1n === iv.lo))) {
      if (iv.hi > last.hi) last.hi = iv.hi;
    } else out.push({ lo: iv.lo, hi: iv.hi });
  }
  return out;
}

function search<T extends number | bigint>(list: IpInterval<T>[], v: T): IpInterval<T> | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = list[mid];
    if (v < iv.lo) hi = mid - 1;
    else if (v > iv.hi) lo = mid + 1;
    else return iv;
  }
  return undefined;
}

/** A compiled client IP: family and numeric value, or undefined when the text isn't an address. */
export type ClientIp = { family: 4 | 6; value: number | bigint } | undefined;

/**
 * A dotted quad (four decimal octets, no leading zeros) as a number, in one pass over the
 * characters (a regular expression with captures cost several times as much); -1 for anything else.
 */
function parseDottedQuad(ip: string): number {
  const len = ip.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let octets = 0;
  let i = 0;
  while (true) {
    const start = i;
    let octet = 0;
    for (; i < len; i++) {
      const c = ip.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && ip.charCodeAt(start) === 0x30)) return -1;
    value = value * 256 + octet;
    if (++octets === 4) return i === len ? value : -1;
    if (ip.charCodeAt(i) !== 0x2e) return -1;
    i++;
  }
}

/** The value of a hex digit's char code, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Plain IPv6 (hex groups, at most one `::`, no embedded IPv4, zone or brackets) without ipaddr.js,
 * in one pass over the characters; undefined for anything else, which goes to ipaddr.js.
 * IPv4-mapped addresses become IPv4.
 */
function parsePlainIPv6(ip: string): ClientIp {
  const len = ip.length;
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let n = 0;
  let gap = -1; // how many groups precede the `::`
  let i = 0;
  if (ip.charCodeAt(0) === 0x3a) {
    if (ip.charCodeAt(1) !== 0x3a) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let v = 0;
    let digits = 0;
    for (; i < len && digits < 5; i++, digits++) {
      const h = hexDigit(ip.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
    }
    if (digits === 0 || digits > 4 || n === 8) return undefined;
    groups[n++] = v;
    if (i === len) break;
    if (ip.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (ip.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return undefined;
      gap = n;
      i++;
    } else if (i === len) return undefined; // a single trailing colon
  }
  if (gap < 0) {
    if (n !== 8) return undefined;
  } else {
    if (n > 7) return undefined;
    // Move the groups after `::` to the end; zeros in between.
    const after = n - gap;
    for (let k = 0; k < after; k++) groups[7 - k] = groups[n - 1 - k];
    for (let k = gap; k < 8 - after; k++) groups[k] = 0;
  }
  // ::ffff:0:0/96 is IPv4-mapped: the IPv4 address.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return { family: 4, value: groups[6] * 0x10000 + groups[7] };
  }
  const word = (k: number) => BigInt(groups[k] * 0x10000 + groups[k + 1]);
  return { family: 6, value: (word(0) << 96n) | (word(2) << 64n) | (word(4) << 32n) | word(6) };
}

/** Parse the connecting client's address (once per message): fast paths for IPv4 and plain IPv6, ipaddr.js otherwise. */
export function parseClientIp(ip: string): ClientIp {
  const v4 = parseDottedQuad(ip);
  if (v4 >= 0) return { family: 4, value: v4 };
  return parsePlainIPv6(ip) ?? parseAddress(ip);
}

/** A set of ranges (one condition's values), searchable in O(log n). */
export class IpRangeSet {
  private readonly v4: IpInterval<number>[];
  private readonly v6: IpInterval<bigint>[];
  /** Original texts with their parsed interval, to say which configured value matched. */
  private readonly sources: { text: string; range: ParsedRange }[];

  constructor(texts: readonly string[]) {
    const v4: IpInterval<number>[] = [];
    const v6: IpInterval<bigint>[] = [];
    this.sources = [];
    for (const text of texts) {
      const range = parseIpRange(text);
      if (typeof range === 'string') throw new Error(range);
      this.sources.push({ text, range });
      if (range.family === 4) v4.push({ lo: range.lo as number, hi: range.hi as number });
      else v6.push({ lo: range.lo as bigint, hi: range.hi as bigint });
    }
    this.v4 = merge(v4);
    this.v6 = merge(v6);
  }

  has(ip: ClientIp): boolean {
    if (!ip) return false;
    return ip.family === 4 ? search(this.v4, ip.value as number) !== undefined : search(this.v6, ip.value as bigint) !== undefined;
  }

  /** The configured value that contains `ip` (for explanations); only called on a hit. */
  which(ip: ClientIp): string | undefined {
    if (!ip) return undefined;
    return this.sources.find((s) => s.range.family === ip.family && s.range.lo <= ip.value && ip.value <= s.range.hi)?.text;
  }
}
