// Parameter types and argument conversion. Each type converts a runtime value into what the
// cmdlet receives, or throws ConversionFailure; the binder turns that into PowerShell's wording
// with the parameter's name ("Cannot bind parameter 'Priority'. Cannot convert value ...").
import { formatIp, parseIp, parseIpRange as parseOneIpRange } from '../message/ipAddress.js';
import { FormattedText, Hashtable, ScriptBlock, findProperty, isPlainObject, toStr } from './values.js';

export type ParamKind =
  | 'String'
  | 'Identity'
  | 'Boolean'
  | 'Switch'
  | 'Int32'
  | 'Unlimited'
  | 'DateTime'
  | 'Enum'
  | 'MultiValued'
  | 'IPRange'
  | 'SmtpAddress'
  | 'Domain'
  | 'ByteQuantifiedSize'
  | 'Hashtable'
  | 'ScriptBlock'
  | 'Object'
  | 'Guid';

/**
 * Why a conversion failed. 'convert' → "Cannot bind parameter 'X'. Cannot convert value ...";
 * 'validate' → "Cannot validate argument on parameter 'X'. ..."; 'transform' → "Cannot process
 * argument transformation on parameter 'X'. ...".
 */
export class ConversionFailure extends Error {
  constructor(readonly failure: 'convert' | 'validate' | 'transform', readonly detail: string, readonly valueText: string, readonly typeName: string) {
    super(detail);
  }
}

export interface ParamType {
  readonly kind: ParamKind;
  /** The .NET-style type name used in messages and help (System.Int32, MultiValuedProperty ...). */
  readonly typeName: string;
  /** Enumerator names, for Enum types (and MultiValued of Enum). */
  readonly values?: readonly string[];
  /** MultiValued: the element type. */
  readonly element?: ParamType;
  /** MultiValued: accepts @{Add=...; Remove=...}. */
  readonly allowsEdit?: boolean;
  convert(value: unknown): unknown;
  /** Exact-type match, used to choose between parameters at the same position. */
  accepts(value: unknown): boolean;
}

/** A multi-valued edit: `@{Add="a","b"; Remove="c"}`. The cmdlet applies it to the current value. */
export class MultiValuedEdit<T = unknown> {
  constructor(readonly add: T[], readonly remove: T[]) {}
  /** Applies the edit to a current list (case-insensitive for strings; duplicates are not added). */
  apply(current: readonly T[] | null | undefined): T[] {
    const key = (v: T) => (typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v));
    const removeKeys = new Set(this.remove.map(key));
    const out = (current ?? []).filter((v) => !removeKeys.has(key(v)));
    const have = new Set(out.map(key));
    for (const v of this.add) {
      if (!have.has(key(v))) {
        out.push(v);
        have.add(key(v));
      }
    }
    return out;
  }
}

/** How a value is shown inside a conversion message. */
export function valueText(v: unknown): string {
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  if (v instanceof ScriptBlock) return v.text;
  if (isPlainObject(v)) return toStr(v);
  return toStr(v);
}

function fail(kind: ConversionFailure['failure'], detail: string, v: unknown, typeName: string): never {
  throw new ConversionFailure(kind, detail, valueText(v), typeName);
}

function notArray(v: unknown, typeName: string): void {
  if (Array.isArray(v)) {
    if (v.length === 1) return;
    fail('convert', `Cannot convert the "System.Object[]" value of type "System.Object[]" to type "${typeName}".`, v, typeName);
  }
}

function single(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

// ------------------------------------------------------------------ scalar types

export function stringType(options: { typeName?: string; maxLength?: number } = {}): ParamType {
  const typeName = options.typeName ?? 'System.String';
  return {
    kind: 'String',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (v === null || v === undefined) return null;
      if (v instanceof Hashtable || v instanceof ScriptBlock || v instanceof FormattedText) fail('convert', `Cannot convert the "${valueText(v)}" value to type "${typeName}".`, v, typeName);
      const s = toStr(v);
      if (options.maxLength !== undefined && s.length > options.maxLength) {
        fail('validate', `The length of the argument is too long. Shorten the length of the argument to less than or equal to "${options.maxLength}" and then try the command again.`, v, typeName);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  };
}

/**
 * An Exchange "IdParameter": a name, GUID or distinguished name, or an object that has an
 * Identity (so `Get-TransportRule X | Set-TransportRule ...` binds).
 */
export function identityType(typeName: string, properties: readonly string[] = ['Identity', 'Guid', 'Name']): ParamType {
  return {
    kind: 'Identity',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number') return String(v);
      if (isPlainObject(v) || v instanceof Hashtable) {
        for (const p of properties) {
          const found = findProperty(v, p);
          if (found && found[1] !== null && found[1] !== undefined && found[1] !== '') return toStr(found[1]);
        }
      }
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${v instanceof Hashtable ? 'System.Collections.Hashtable' : 'System.Management.Automation.PSCustomObject'}" to type "${typeName}".`, v, typeName);
    },
    accepts: (v) => typeof v === 'string',
  };
}

export function booleanType(): ParamType {
  const typeName = 'System.Boolean';
  return {
    kind: 'Boolean',
    typeName,
    convert(v) {
      v = single(v);
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (v === null || v === undefined) return false;
      const got = Array.isArray(v) ? 'System.Object[]' : typeof v === 'string' ? 'System.String' : 'System.Object';
      return fail('transform', `Cannot convert value "${got}" to type "System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.`, v, typeName);
    },
    accepts: (v) => typeof v === 'boolean',
  };
}

export function switchType(): ParamType {
  const typeName = 'System.Management.Automation.SwitchParameter';
  return {
    kind: 'Switch',
    typeName,
    convert(v) {
      v = single(v);
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (v === null || v === undefined) return false;
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "${typeName}".`, v, typeName);
    },
    accepts: (v) => typeof v === 'boolean',
  };
}

export function int32Type(options: { min?: number; max?: number; typeName?: string } = {}): ParamType {
  const typeName = options.typeName ?? 'System.Int32';
  return {
    kind: 'Int32',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      let n: number;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
      else if (typeof v === 'string' && /^\s*[+-]?0x[0-9a-f]+\s*$/i.test(v)) n = parseInt(v.replace(/0x/i, ''), 16) * (v.trim().startsWith('-') ? -1 : 1);
      else return fail('convert', 'Input string was not in a correct format.', v, typeName);
      if (!Number.isFinite(n)) return fail('convert', 'Input string was not in a correct format.', v, typeName);
      // .NET rounds half to even when converting to Int32
      const r = Math.round(n);
      n = Math.abs(n % 1) === 0.5 ? (r % 2 === 0 ? r : r - 1) : r;
      if (n > 2147483647 || n < -2147483648) return fail('convert', 'Value was either too large or too small for an Int32.', v, typeName);
      if (options.min !== undefined && n < options.min) {
        fail('validate', `The ${n} argument is less than the minimum allowed range of ${options.min}. Supply an argument that is greater than or equal to ${options.min} and then try the command again.`, v, typeName);
      }
      if (options.max !== undefined && n > options.max) {
        fail('validate', `The ${n} argument is greater than the maximum allowed range of ${options.max}. Supply an argument that is less than or equal to ${options.max} and then try the command again.`, v, typeName);
      }
      return n;
    },
    accepts: (v) => typeof v === 'number',
  };
}

/** Exchange's Unlimited<Int32>: a number or the word Unlimited (returned as null). */
export function unlimitedType(options: { min?: number; max?: number } = {}): ParamType {
  const inner = int32Type({ ...options, typeName: 'Microsoft.Exchange.Data.Unlimited' });
  return {
    kind: 'Unlimited',
    typeName: 'Microsoft.Exchange.Data.Unlimited',
    convert(v) {
      const s = single(v);
      if (typeof s === 'string' && s.trim().toLowerCase() === 'unlimited') return null;
      return inner.convert(v);
    },
    accepts: (v) => typeof v === 'number',
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Parses a date the way Exchange Online's en-US sessions do: M/d/yyyy [h:mm[:ss] [AM|PM]],
 * ISO 8601, yyyy-MM-dd, "1 Nov 2026". Times without a zone are UTC (Postern runs in UTC).
 */
export function parseDateTime(text: string): Date | undefined {
  const s = text.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(s);
  if (m) return build(+m[3], +m[1], +m[2], m[4], m[5], m[6], m[7]);
  m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(s);
  if (m) return build(+m[1], +m[2], +m[3]);
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    if (m[8]) {
      const d = new Date(s.replace(' ', 'T'));
      return Number.isNaN(d.getTime()) ? undefined : d;
    }
    const d = build(+m[1], +m[2], +m[3], m[4], m[5], m[6]);
    if (d && m[7]) d.setUTCMilliseconds(Math.round(Number(m[7]) * 1000));
    return d;
  }
  m = /^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -,]+(\d{4})$/.exec(s);
  if (m && MONTHS.includes(m[2].toLowerCase())) return build(+m[3], MONTHS.indexOf(m[2].toLowerCase()) + 1, +m[1]);
  m = /^([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}),? (\d{4})$/.exec(s);
  if (m && MONTHS.includes(m[1].toLowerCase())) return build(+m[3], MONTHS.indexOf(m[1].toLowerCase()) + 1, +m[2]);
  return undefined;

  function build(y: number, mo: number, d: number, h?: string, mi?: string, se?: string, ampm?: string): Date | undefined {
    let hour = h ? +h : 0;
    if (ampm) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    }
    const date = new Date(Date.UTC(y, mo - 1, d, hour, mi ? +mi : 0, se ? +se : 0));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || hour > 23) return undefined;
    return date;
  }
}

export function dateTimeType(): ParamType {
  const typeName = 'System.DateTime';
  return {
    kind: 'DateTime',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (v instanceof Date) return v;
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') {
        const d = parseDateTime(v);
        if (d) return d;
        return fail('convert', `String '${v}' was not recognized as a valid DateTime.`, v, typeName);
      }
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'number' ? 'System.Int32' : 'System.Object'}" to type "System.DateTime".`, v, typeName);
    },
    accepts: (v) => v instanceof Date,
  };
}

export function guidType(): ParamType {
  const typeName = 'System.Guid';
  return {
    kind: 'Guid',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (isPlainObject(v)) {
        const id = findProperty(v, 'JobId') ?? findProperty(v, 'Guid') ?? findProperty(v, 'Identity');
        if (id) v = id[1];
      }
      const s = toStr(v).trim().replace(/^\{|\}$/g, '');
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return s.toLowerCase();
      if (/^[0-9a-f]{32}$/i.test(s)) return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`.toLowerCase();
      return fail('convert', 'Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).', v, typeName);
    },
    accepts: (v) => typeof v === 'string',
  };
}

export function enumType(typeName: string, values: readonly string[]): ParamType {
  return {
    kind: 'Enum',
    typeName,
    values,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (v === null || v === undefined) return null;
      const s = toStr(v).trim();
      const hit = values.find((x) => x.toLowerCase() === s.toLowerCase());
      if (hit !== undefined) return hit;
      return fail('convert', `Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${values.join(', ')}`, v, typeName);
    },
    accepts: (v) => typeof v === 'string' && values.some((x) => x.toLowerCase() === v.toLowerCase()),
  };
}

// ------------------------------------------------------------------ element types

/**
 * An SMTP address (SmtpAddress, RecipientIdParameter). Exchange also takes a recipient's display
 * name, alias or group there and looks it up in the directory; Postern has no directory, so for
 * a `recipient` parameter such a value is refused saying so (stored, it could never match).
 */
export function smtpAddressType(options: { recipient?: boolean; typeName?: string } = {}): ParamType {
  const typeName = options.typeName ?? 'Microsoft.Exchange.Data.SmtpAddress';
  return {
    kind: 'SmtpAddress',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      const s = toStr(isPlainObject(v) ? (findProperty(v, 'PrimarySmtpAddress') ?? findProperty(v, 'Identity') ?? [null, v])[1] : v).trim();
      if (s === '') return fail('convert', 'The address is empty.', v, typeName);
      if (!/^[^\s@<>]+@[^\s@<>]+$/.test(s)) {
        if (options.recipient) {
          return fail('convert', `'${s}' isn't an email address. Postern has no recipient directory to look up display names, aliases or groups; give the SMTP address (for example sales@contoso.com).`, v, typeName);
        }
        return fail('convert', `"${s}" isn't a valid SMTP address.`, v, typeName);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  };
}

/** A domain: `contoso.com`, `*.contoso.com` (wildcard only as the first label), or `*` when allowed. */
export function domainType(options: { wildcard?: boolean; star?: boolean; typeName?: string } = {}): ParamType {
  const typeName = options.typeName ?? 'Microsoft.Exchange.Data.SmtpDomainWithSubdomains';
  return {
    kind: 'Domain',
    typeName,
    convert(v) {
      notArray(v, typeName);
      const s = toStr(single(v)).trim().toLowerCase();
      if (s === '*' && options.star) return s;
      const body = options.wildcard && s.startsWith('*.') ? s.slice(2) : s;
      if (!/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/i.test(body)) {
        return fail('convert', `"${s}" isn't a valid domain name.${options.wildcard ? ' A wildcard is allowed only as the first label (*.contoso.com).' : ''}`, v, typeName);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  };
}

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
  const typeName = 'Microsoft.Exchange.Data.IPRange';
  return {
    kind: 'IPRange',
    typeName,
    convert(v) {
      notArray(v, typeName);
      try {
        return parseIpRange(toStr(single(v)), options);
      } catch (e) {
        return fail('convert', (e as Error).message, v, typeName);
      }
    },
    accepts: (v) => typeof v === 'string',
  };
}

/** One IPv4 or IPv6 address (System.Net.IPAddress). */
export function ipAddressType(): ParamType {
  const typeName = 'System.Net.IPAddress';
  return {
    kind: 'IPRange',
    typeName,
    convert(v) {
      notArray(v, typeName);
      const s = toStr(single(v)).trim();
      const ip = parseIp(s);
      if (ip) return formatIp(ip);
      return fail('convert', 'An invalid IP address was specified.', v, typeName);
    },
    accepts: (v) => typeof v === 'string',
  };
}

/** Bytes from "10 MB", "10MB", "1.5 GB", "10 MB (10,485,760 bytes)" or a number of bytes. */
export function parseByteQuantifiedSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?\s*(?:\(\s*[\d,]+\s*bytes\s*\))?\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[unit] as number;
  return Math.floor(Number(m[1]) * mult);
}

/** Exchange's display form: "10 MB (10,485,760 bytes)". */
export function formatByteQuantifiedSize(bytes: number): string {
  const units: [string, number][] = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]];
  let head = `${bytes} B`;
  for (const [u, n] of units) {
    if (bytes >= n) {
      head = `${Number((bytes / n).toFixed(3))} ${u}`;
      break;
    }
  }
  return `${head} (${bytes.toLocaleString('en-US')} bytes)`;
}

export function byteQuantifiedSizeType(): ParamType {
  const typeName = 'Microsoft.Exchange.Data.ByteQuantifiedSize';
  return {
    kind: 'ByteQuantifiedSize',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      const n = parseByteQuantifiedSize(v);
      if (n === undefined) return fail('convert', `The value '${toStr(v)}' isn't a valid size. Use a number with B, KB, MB, GB or TB, for example "10 MB".`, v, typeName);
      return n;
    },
    accepts: (v) => typeof v === 'number',
  };
}

export function hashtableType(): ParamType {
  const typeName = 'System.Collections.Hashtable';
  return {
    kind: 'Hashtable',
    typeName,
    convert(v) {
      notArray(v, typeName);
      v = single(v);
      if (v instanceof Hashtable) return v;
      if (isPlainObject(v)) return Hashtable.from(Object.entries(v));
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Collections.Hashtable".`, v, typeName);
    },
    accepts: (v) => v instanceof Hashtable,
  };
}

export function scriptBlockType(): ParamType {
  const typeName = 'System.Management.Automation.ScriptBlock';
  return {
    kind: 'ScriptBlock',
    typeName,
    convert(v) {
      v = single(v);
      if (v instanceof ScriptBlock) return v;
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Management.Automation.ScriptBlock".`, v, typeName);
    },
    accepts: (v) => v instanceof ScriptBlock,
  };
}

export function objectType(typeName = 'System.Object'): ParamType {
  return { kind: 'Object', typeName, convert: (v) => v, accepts: () => true };
}

/** Any value, kept as an array (PSObject[] InputObject-style parameters). */
export function objectArrayType(typeName = 'System.Object[]'): ParamType {
  return { kind: 'Object', typeName, convert: (v) => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]), accepts: () => true };
}

// ------------------------------------------------------------------ multi-valued

export interface MultiValuedOptions {
  /** Accept @{Add=...; Remove=...} (Set-* cmdlets). */
  edit?: boolean;
  /**
   * Split a single string on commas/whitespace. Postern accepts `'203.0.113.0/24,198.51.100.7'`
   * as a list for IP-range parameters, since admins paste ranges as one quoted string (in
   * Exchange that would be one invalid range).
   */
  splitStrings?: boolean;
  typeName?: string;
  /** Maximum number of values. */
  maxCount?: number;
}

export function multiValuedType(element: ParamType, options: MultiValuedOptions = {}): ParamType {
  const typeName = options.typeName ?? 'Microsoft.Exchange.Data.MultiValuedProperty';
  const convertList = (v: unknown): unknown[] => {
    let items: unknown[] = Array.isArray(v) ? v.flat(Infinity) : v === null || v === undefined ? [] : [v];
    if (options.splitStrings) {
      items = items.flatMap((x) => (typeof x === 'string' ? x.split(/[\s,;]+/).filter((p) => p !== '') : [x]));
    }
    if (items.some((x) => x === null || x === undefined)) {
      fail('validate', 'The argument is null, empty, or an element of the argument collection contains a null value. Supply a collection that does not contain any null values and then try the command again.', v, typeName);
    }
    const out = items.map((x) => element.convert(x));
    if (options.maxCount !== undefined && out.length > options.maxCount) {
      fail('validate', `The number of provided arguments (${out.length}) exceeds the maximum number of allowed arguments (${options.maxCount}). Provide fewer than ${options.maxCount + 1} arguments, and then try the command again.`, v, typeName);
    }
    return out;
  };
  return {
    kind: 'MultiValued',
    typeName,
    element,
    values: element.values,
    allowsEdit: options.edit,
    convert(v) {
      const isEdit = (h: Hashtable) => h.size > 0 && h.keys().every((k) => /^(add|remove)$/i.test(k));
      if (element.kind === 'Hashtable' && v instanceof Hashtable && !isEdit(v)) return convertList(v);
      if (v instanceof Hashtable || (isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => /^(add|remove)$/i.test(k)))) {
        const h = v instanceof Hashtable ? v : Hashtable.from(Object.entries(v));
        const keys = h.keys();
        const bad = keys.find((k) => !/^(add|remove)$/i.test(k));
        if (!options.edit || bad !== undefined) {
          return fail('convert', options.edit ? `The hashtable key '${bad}' isn't valid. Use Add and Remove, for example @{Add="value1","value2"; Remove="value3"}.` : `A hashtable edit (@{Add=...; Remove=...}) can only be used to change an existing object; give the full list of values instead.`, v, typeName);
        }
        return new MultiValuedEdit(convertList(h.get('Add')), convertList(h.get('Remove')));
      }
      if (v === null || v === undefined) return [];
      return convertList(v);
    },
    accepts: (v) => Array.isArray(v) || element.accepts(v),
  };
}
