// Parameter types and argument conversion. Each type converts a runtime value into what the
// cmdlet receives, or throws ConversionFailure; the binder turns that into PowerShell's wording
// with the parameter's name ("Cannot bind parameter 'Priority'. Cannot convert value ...").
//
// The types live under types/: core.ts (the ParamType contract and scalarType, the skeleton every
// scalar type shares), scalars.ts, dates.ts, exchange.ts (addresses, domains, sizes) and
// multiValued.ts. IP ranges are here.
import { formatIp, parseIp, parseIpRange as parseOneIpRange } from '../message/ipAddress.js';
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

/** Parses and normalises one IP range: an address, a CIDR block, or a `start-end` range (the one parser: message/ipAddress.ts). */
export function parseIpRange(text: string, options: IpRangeOptions = {}): string {
  const r = parseOneIpRange(text, { ipv4Only: options.ipv4Only, ranges: options.allowRanges, minPrefix: options.minPrefix === undefined ? undefined : { 4: options.minPrefix } });
  if ('error' in r) throw new Error(`${r.error}.`);
  return r.text;
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
      const ip = parseIp(toStr(v).trim());
      if (ip) return formatIp(ip);
      return fail('convert', 'An invalid IP address was specified.');
    },
    accepts: (v) => typeof v === 'string',
  });
}

