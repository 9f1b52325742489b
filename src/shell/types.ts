// Parameter types and argument conversion. Each type converts a runtime value into what the
// cmdlet receives, or throws ConversionFailure; the binder turns that into PowerShell's wording
// with the parameter's name ("Cannot bind parameter 'Priority'. Cannot convert value ...").//
// The types live under types/: core.ts (the ParamType contract and scalarType, the skeleton every
// scalar type shares), scalars.ts, dates.ts, exchange.ts (addresses, domains, sizes) and
// multiValued.ts. IP ranges are here.
import ipaddr from 'ipaddr.js';
import { toStr } from './values.js';
import { scalarType, type ParamType } from './types/core.js';

export { ConversionFailure, valueText, type ParamKind, type ParamType } from './types/core.js';
export * from './types/scalars.js';
export { parseDateTime } from './types/dates.js';
export * from './types/exchange.js';
export * from './types/multiValued.js';

export interface IpRangeOptions {
  ipv4Only?: boolean;
  /** Smallest CIDR prefix allowed (Exchange connectors: /24). */
  minPrefix?: number;
  /** Allow `a.b.c.d-e.f.g.h`. */
  allowRanges?: boolean;
}

/** Parses and normalises one IP range: an address, a CIDR block, or a `start-end` range. */
export function parseIpRange(text: string, options: IpRangeOptions = {}): string {
  const s = text.trim();
  const family = (a: ipaddr.IPv4 | ipaddr.IPv6) => a.kind();
  const checkFamily = (a: ipaddr.IPv4 | ipaddr.IPv6) => {
    if (options.ipv4Only && family(a) !== 'ipv4') throw new Error(`IPv6 addresses aren't supported here: '${s}'.`);
  };
  if (s.includes('/')) {
    if (!ipaddr.isValidCIDR(s)) throw new Error(`'${s}' isn't a valid CIDR range.`);
    const [addr, len] = ipaddr.parseCIDR(s);
    checkFamily(addr);
    if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidCIDRFourPartDecimal(s)) throw new Error(`'${s}' isn't a valid CIDR range.`);
    if (options.minPrefix !== undefined && addr.kind() === 'ipv4' && len < options.minPrefix) {
      throw new Error(`The CIDR range '${s}' is too large; use a prefix length between /${options.minPrefix} and /32.`);
    }
    return `${addr.toString()}/${len}`;
  }
  const dash = s.indexOf('-', s.indexOf(':') >= 0 ? 0 : 1);
  if (dash > 0) {
    if (options.allowRanges === false) throw new Error(`Address ranges aren't supported here: '${s}'. Use an address or a CIDR block.`);
    const a = s.slice(0, dash).trim();
    const b = s.slice(dash + 1).trim();
    if (!ipaddr.isValid(a) || !ipaddr.isValid(b)) throw new Error(`'${s}' isn't a valid IP address range.`);
    const pa = ipaddr.parse(a);
    const pb = ipaddr.parse(b);
    checkFamily(pa);
    if (pa.kind() !== pb.kind()) throw new Error(`'${s}' mixes IPv4 and IPv6.`);
    const ba = pa.toByteArray();
    const bb = pb.toByteArray();
    for (let i = 0; i < ba.length; i++) {
      if (ba[i] < bb[i]) break;
      if (ba[i] > bb[i]) throw new Error(`'${s}': the start address is greater than the end address.`);
    }
    return `${pa.toString()}-${pb.toString()}`;
  }
  if (pa4(s)) return s;
  if (ipaddr.IPv6.isValid(s)) {
    const a = ipaddr.parse(s);
    checkFamily(a);
    return a.toString();
  }
  throw new Error(`'${s}' isn't a valid IP address, CIDR range or address range.`);

  function pa4(x: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(x);
  }
}

export function ipRangeType(options: IpRangeOptions = {}): ParamType {
  return scalarType({
    kind: 'IPRange',
    typeName: 'Microsoft.Exchange.Data.IPRange',
    convert(v, fail) {
      try {
        return parseIpRange(toStr(v), options);
      } catch (e) {
        return fail('convert', (e as Error).message);
      }
    },
    accepts: (v) => typeof v === 'string',
  });
}

/** One IPv4 or IPv6 address (System.Net.IPAddress). */
export function ipAddressType(): ParamType {
  return scalarType({
    kind: 'IPRange',
    typeName: 'System.Net.IPAddress',
    convert(v, fail) {
      const s = toStr(v).trim();
      if (ipaddr.IPv4.isValidFourPartDecimal(s)) return s;
      if (ipaddr.IPv6.isValid(s)) return ipaddr.parse(s).toString();
      return fail('convert', 'An invalid IP address was specified.');
    },
    accepts: (v) => typeof v === 'string',
  });
}

