// IPAddressRanges compiled into sorted, merged intervals searched by bisection: the rules' index
// over the one address parser (message/ipAddress.ts). IPv4 becomes a number, IPv6 a bigint;
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address.
import { parseIp, parseIpRange, type IpAddress, type IpFamily } from '../message/ipAddress.js';

export interface IpInterval<T extends number | bigint> {
  lo: T;
  hi: T;
}

export interface ParsedRange {
  family: IpFamily;
  lo: number | bigint;
  hi: number | bigint;
}

/** An address as a number (IPv4) or a bigint (IPv6), for comparing with interval bounds. */
function valueOf(ip: IpAddress): number | bigint {
  const b = ip.bytes;
  if (ip.family === 4) return b[0] * 0x1000000 + (b[1] << 16) + (b[2] << 8) + b[3];
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

/** One range as an interval; the parser's error message (a string) when it isn't one. */
export function parseIpInterval(text: string): ParsedRange | string {
  const r = parseIpRange(text);
  if ('error' in r) return r.error;
  return { family: r.family, lo: valueOf({ family: r.family, bytes: r.first }), hi: valueOf({ family: r.family, bytes: r.last }) };
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
export type ClientIp = { family: IpFamily; value: number | bigint } | undefined;

/** The connecting client's address (once per message) as a value to search intervals with. */
export function parseClientIp(ip: string): ClientIp {
  const parsed = parseIp(ip);
  return parsed && { family: parsed.family, value: valueOf(parsed) };
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
      const range = parseIpInterval(text);
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
