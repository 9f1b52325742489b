// MultiValuedProperty parameters: lists, and the @{Add=...; Remove=...} edits Set-* cmdlets take.
import { Hashtable, isPlainObject } from '../values.js';
import { fail, type ParamType } from './core.js';

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
