// The PowerShell scalar parameter types: String, Boolean, SwitchParameter, Int32, DateTime, Guid,
// enums, Hashtable, ScriptBlock, Object; and Exchange's IdParameter and Unlimited<Int32>.
import { FormattedText, Hashtable, ScriptBlock, findProperty, isPlainObject, toStr } from '../values.js';
import { FALSE, NULL, scalarType, valueText, type ParamType } from './core.js';
import { parseDateTime } from './dates.js';

export function stringType(options: { typeName?: string; maxLength?: number } = {}): ParamType {
  const typeName = options.typeName ?? 'System.String';
  return scalarType({
    kind: 'String',
    typeName,
    ifNull: NULL,
    convert(v, fail) {
      if (v instanceof Hashtable || v instanceof ScriptBlock || v instanceof FormattedText) fail('convert', `Cannot convert the "${valueText(v)}" value to type "${typeName}".`);
      const s = toStr(v);
      if (options.maxLength !== undefined && s.length > options.maxLength) {
        fail('validate', `The length of the argument is too long. Shorten the length of the argument to less than or equal to "${options.maxLength}" and then try the command again.`);
      }
      return s;
    },
    accepts: (v) => typeof v === 'string',
  });
}

/**
 * An Exchange "IdParameter": a name, GUID or distinguished name, or an object that has an
 * Identity (so `Get-TransportRule X | Set-TransportRule ...` binds).
 */
export function identityType(typeName: string, properties: readonly string[] = ['Identity', 'Guid', 'Name']): ParamType {
  return scalarType({
    kind: 'Identity',
    typeName,
    ifNull: NULL,
    convert(v, fail) {
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number') return String(v);
      if (isPlainObject(v) || v instanceof Hashtable) {
        for (const p of properties) {
          const found = findProperty(v, p);
          if (found && found[1] !== null && found[1] !== undefined && found[1] !== '') return toStr(found[1]);
        }
      }
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${v instanceof Hashtable ? 'System.Collections.Hashtable' : 'System.Management.Automation.PSCustomObject'}" to type "${typeName}".`);
    },
    accepts: (v) => typeof v === 'string',
  });
}

export function booleanType(): ParamType {
  return scalarType({
    kind: 'Boolean',
    typeName: 'System.Boolean',
    lists: 'convert',
    ifNull: FALSE,
    convert(v, fail) {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      const got = Array.isArray(v) ? 'System.Object[]' : typeof v === 'string' ? 'System.String' : 'System.Object';
      return fail('transform', `Cannot convert value "${got}" to type "System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.`);
    },
    accepts: (v) => typeof v === 'boolean',
  });
}

export function switchType(): ParamType {
  const typeName = 'System.Management.Automation.SwitchParameter';
  return scalarType({
    kind: 'Switch',
    typeName,
    lists: 'convert',
    ifNull: FALSE,
    convert(v, fail) {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "${typeName}".`);
    },
    accepts: (v) => typeof v === 'boolean',
  });
}

export function int32Type(options: { min?: number; max?: number; typeName?: string } = {}): ParamType {
  return scalarType({
    kind: 'Int32',
    typeName: options.typeName ?? 'System.Int32',
    convert(v, fail) {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
      else if (typeof v === 'string' && /^\s*[+-]?0x[0-9a-f]+\s*$/i.test(v)) n = parseInt(v.replace(/0x/i, ''), 16) * (v.trim().startsWith('-') ? -1 : 1);
      else return fail('convert', 'Input string was not in a correct format.');
      if (!Number.isFinite(n)) return fail('convert', 'Input string was not in a correct format.');
      // .NET rounds half to even when converting to Int32
      const r = Math.round(n);
      n = Math.abs(n % 1) === 0.5 ? (r % 2 === 0 ? r : r - 1) : r;
      if (n > 2147483647 || n < -2147483648) return fail('convert', 'Value was either too large or too small for an Int32.');
      if (options.min !== undefined && n < options.min) {
        fail('validate', `The ${n} argument is less than the minimum allowed range of ${options.min}. Supply an argument that is greater than or equal to ${options.min} and then try the command again.`);
      }
      if (options.max !== undefined && n > options.max) {
        fail('validate', `The ${n} argument is greater than the maximum allowed range of ${options.max}. Supply an argument that is less than or equal to ${options.max} and then try the command again.`);
      }
      return n;
    },
    accepts: (v) => typeof v === 'number',
  });
}

/** Exchange's Unlimited<Int32>: a number or the word Unlimited (returned as null). */
export function unlimitedType(options: { min?: number; max?: number } = {}): ParamType {
  const typeName = 'Microsoft.Exchange.Data.Unlimited';
  const inner = int32Type({ ...options, typeName });
  return scalarType({
    kind: 'Unlimited',
    typeName,
    lists: 'convert',
    convert: (v) => (typeof v === 'string' && v.trim().toLowerCase() === 'unlimited' ? null : inner.convert(v)),
    accepts: (v) => typeof v === 'number',
  });
}

export function dateTimeType(): ParamType {
  return scalarType({
    kind: 'DateTime',
    typeName: 'System.DateTime',
    ifNull: NULL,
    convert(v, fail) {
      if (v instanceof Date) return v;
      if (typeof v === 'string') return parseDateTime(v) ?? fail('convert', `String '${v}' was not recognized as a valid DateTime.`);
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'number' ? 'System.Int32' : 'System.Object'}" to type "System.DateTime".`);
    },
    accepts: (v) => v instanceof Date,
  });
}

export function guidType(): ParamType {
  return scalarType({
    kind: 'Guid',
    typeName: 'System.Guid',
    convert(v, fail) {
      if (isPlainObject(v)) {
        const id = findProperty(v, 'JobId') ?? findProperty(v, 'Guid') ?? findProperty(v, 'Identity');
        if (id) v = id[1];
      }
      const s = toStr(v).trim().replace(/^\{|\}$/g, '');
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return s.toLowerCase();
      if (/^[0-9a-f]{32}$/i.test(s)) return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`.toLowerCase();
      return fail('convert', 'Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).');
    },
    accepts: (v) => typeof v === 'string',
  });
}

export function enumType(typeName: string, values: readonly string[]): ParamType {
  return scalarType({
    kind: 'Enum',
    typeName,
    values,
    ifNull: NULL,
    convert(v, fail) {
      const s = toStr(v).trim();
      const hit = values.find((x) => x.toLowerCase() === s.toLowerCase());
      if (hit !== undefined) return hit;
      return fail('convert', `Unable to match the identifier name ${s} to a valid enumerator name. Specify one of the following enumerator names and try again:\n${values.join(', ')}`);
    },
    accepts: (v) => typeof v === 'string' && values.some((x) => x.toLowerCase() === v.toLowerCase()),
  });
}

export function hashtableType(): ParamType {
  return scalarType({
    kind: 'Hashtable',
    typeName: 'System.Collections.Hashtable',
    convert(v, fail) {
      if (v instanceof Hashtable) return v;
      if (isPlainObject(v)) return Hashtable.from(Object.entries(v));
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Collections.Hashtable".`);
    },
    accepts: (v) => v instanceof Hashtable,
  });
}

export function scriptBlockType(): ParamType {
  return scalarType({
    kind: 'ScriptBlock',
    typeName: 'System.Management.Automation.ScriptBlock',
    lists: 'convert',
    convert(v, fail) {
      if (v instanceof ScriptBlock) return v;
      return fail('convert', `Cannot convert the "${valueText(v)}" value of type "${typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Management.Automation.ScriptBlock".`);
    },
    accepts: (v) => v instanceof ScriptBlock,
  });
}

export function objectType(typeName = 'System.Object'): ParamType {
  return { kind: 'Object', typeName, convert: (v) => v, accepts: () => true };
}

/** Any value, kept as an array (PSObject[] InputObject-style parameters). */
export function objectArrayType(typeName = 'System.Object[]'): ParamType {
  return { kind: 'Object', typeName, convert: (v) => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]), accepts: () => true };
}

