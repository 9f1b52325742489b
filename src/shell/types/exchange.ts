// Exchange's data types: SMTP addresses (and recipients, without a directory), domains with
// wildcards, ByteQuantifiedSize.
import { findProperty, isPlainObject, toStr } from '../values.js';
import { NULL, scalarType, type ParamType } from './core.js';

/**
 * An SMTP address (SmtpAddress, RecipientIdParameter). Exchange also takes a recipient's display
 * name, alias or group there and looks it up in the directory; Postern has no directory, so for
 * a `recipient` parameter such a value is refused saying so (stored, it could never match).
 */
export function smtpAddressType(options: { recipient?: boolean; typeName?: string } = {}): ParamType {
  return scalarType({
    kind: 'SmtpAddress',
    typeName: options.typeName ?? 'Microsoft.Exchange.Data.SmtpAddress',
    convert(v, fail) {
      const s = toStr(isPlainObject(v) ? (findProperty(v, 'PrimarySmtpAddress') ?? findProperty(v, 'Identity') ?? [null, v])[1] : v).trim();
      if (s === '') return fail('convert', 'The address is empty.');
      if (!/^[^\s@<>]+@[^\s@<>]+$/.test(s)) {
        if (options.recipient) {
          return fail('convert', `'${s}' isn't an email address. Postern has no recipient directory to look up display names, aliases or groups; give the SMTP address (for example sales@contoso.com).`);
        }
        return fail('convert', `"${s}" isn't a valid SMTP address.`);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  });
}

/** A domain: `contoso.com`, `*.contoso.com` (wildcard only as the first label), or `*` when allowed. */
export function domainType(options: { wildcard?: boolean; star?: boolean; typeName?: string; nullable?: boolean } = {}): ParamType {
  return scalarType({
    kind: 'Domain',
    typeName: options.typeName ?? 'Microsoft.Exchange.Data.SmtpDomainWithSubdomains',
    // A single-valued setting a Set- cmdlet clears with $null (TlsSenderCertificateName).
    ...(options.nullable && { ifNull: NULL }),
    convert(v, fail) {
      const s = toStr(v).trim().toLowerCase();
      if (s === '*' && options.star) return s;
      const body = options.wildcard && s.startsWith('*.') ? s.slice(2) : s;
      if (!/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/i.test(body)) {
        return fail('convert', `"${s}" isn't a valid domain name.${options.wildcard ? ' A wildcard is allowed only as the first label (*.contoso.com).' : ''}`);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  });
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
  return scalarType({
    kind: 'ByteQuantifiedSize',
    typeName: 'Microsoft.Exchange.Data.ByteQuantifiedSize',
    convert: (v, fail) => parseByteQuantifiedSize(v) ?? fail('convert', `The value '${toStr(v)}' isn't a valid size. Use a number with B, KB, MB, GB or TB, for example "10 MB".`),
    accepts: (v) => typeof v === 'number',
  });
}

