// Parameter types and argument conversion. Each type converts a runtime value into what the
// cmdlet receives, or throws ConversionFailure; the binder turns that into PowerShell's wording
// with the parameter's name ("Cannot bind parameter 'Priority'. Cannot convert value ...").
// scalarType() is the skeleton every scalar type shares.
import { Hashtable, ScriptBlock, isPlainObject, toStr } from '../values.js';

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


/** How a value is shown inside a conversion message. */
export function valueText(v: unknown): string {
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  if (v instanceof ScriptBlock) return v.text;
  if (isPlainObject(v)) return toStr(v);
  return toStr(v);
}

export function fail(kind: ConversionFailure['failure'], detail: string, v: unknown, typeName: string): never {
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

/** Fails a conversion of the value at hand: 'convert', 'validate' or 'transform' (see ConversionFailure). */
export type Fail = (failure: ConversionFailure['failure'], detail: string) => never;

/** What sets one parameter type apart; scalarType() supplies the rest of the skeleton. */
interface ScalarSpec {
  kind: ParamKind;
  typeName: string;
  values?: readonly string[];
  /**
   * A list of several values: 'refuse' it ("Cannot convert the System.Object[] value ...", as
   * PowerShell does for scalar parameters) or hand it to `convert` (which words its own error).
   * A one-element list is always its element.
   */
  lists?: 'refuse' | 'convert';
  /** What $null binds as; absent, $null goes to `convert` like any value. */
  ifNull?: { value: unknown };
  convert(v: unknown, fail: Fail): unknown;
  accepts(v: unknown): boolean;
}

/** The one skeleton every scalar parameter type shares. */
export function scalarType(spec: ScalarSpec): ParamType {
  const { kind, typeName, values, accepts } = spec;
  return {
    kind,
    typeName,
    ...(values ? { values } : {}),
    convert(raw) {
      if ((spec.lists ?? 'refuse') === 'refuse') notArray(raw, typeName);
      const v = single(raw);
      if (spec.ifNull && (v === null || v === undefined)) return spec.ifNull.value;
      return spec.convert(v, (failure, detail) => fail(failure, detail, v, typeName));
    },
    accepts,
  };
}

export const NULL = { value: null };
export const FALSE = { value: false };
