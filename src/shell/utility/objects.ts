// Where-Object, Select-Object, Sort-Object, ForEach-Object, Group-Object and Measure-Object, and
// the property selectors (names, wildcards, calculated @{Name=...; Expression=...}) they share.
import { ShellError } from '../errors.js';
import type { CmdletContext, CmdletDef, ParameterDef } from '../registry.js';
import { int32Type, objectArrayType, objectType, scriptBlockType, stringType, switchType } from '../types.js';
import {
  Hashtable,
  ScriptBlock,
  collapse,
  compare,
  compareValues,
  enumerate,
  findProperty,
  getMember,
  isPlainObject,
  propertyNames,
  toBool,
  toNumber,
  toStr,
  wildcardToRegExp,
} from '../values.js';
import { jsonValue } from './json.js';

/** The InputObject parameter every utility cmdlet takes from the pipeline. */
export const inputObject: ParameterDef = { name: 'InputObject', type: objectType('System.Management.Automation.PSObject'), valueFromPipeline: true };

// ------------------------------------------------------------------ Where-Object

const WHERE_OPERATORS = [
  'EQ', 'NE', 'GT', 'GE', 'LT', 'LE', 'Like', 'NotLike', 'Match', 'NotMatch', 'Contains', 'NotContains', 'In', 'NotIn', 'Is', 'IsNot',
  'CEQ', 'CNE', 'CGT', 'CGE', 'CLT', 'CLE', 'CLike', 'CNotLike', 'CMatch', 'CNotMatch', 'CContains', 'CNotContains', 'CIn', 'CNotIn', 'Not',
];
const OPERATOR_SETS = WHERE_OPERATORS.map((op) => (op === 'EQ' ? 'EqualSet' : `${op}Set`));

export const whereObject: CmdletDef = {
  name: 'Where-Object',
  aliases: ['?', 'where'],
  synopsis: 'Keeps the objects for which a condition holds: Where-Object { $_.State -eq "Enabled" } or Where-Object State -eq Enabled.',
  inputMode: 'collect',
  defaultSet: 'EqualSet',
  parameters: [
    { name: 'FilterScript', type: scriptBlockType(), position: 1, mandatory: true, sets: ['ScriptBlockSet'] },
    { name: 'Property', type: stringType(), position: 1, mandatory: OPERATOR_SETS, sets: OPERATOR_SETS },
    { name: 'Value', type: objectType(), position: 2, sets: OPERATOR_SETS },
    ...WHERE_OPERATORS.map((op, i): ParameterDef => ({ name: op, type: switchType(), mandatory: op === 'EQ' ? false : [OPERATOR_SETS[i]], sets: [OPERATOR_SETS[i]] })),
    inputObject,
  ],
  async run(ctx, params, input) {
    const items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const block = params.get<ScriptBlock>('FilterScript');
    const out: unknown[] = [];
    if (block) {
      for (const item of items) if (toBool(collapse(await ctx.invoke(block, item)))) out.push(item);
      return out;
    }
    const prop = params.get<string>('Property') as string;
    const op = WHERE_OPERATORS.find((o) => params.get(o) === true);
    for (const item of items) {
      const v = getMember(item, prop);
      let keep: boolean;
      if (!op) keep = params.has('Value') ? toBool(compare('eq', v, params.get('Value'))) : toBool(v);
      else if (op === 'Not') keep = !toBool(v);
      else if (op === 'Is' || op === 'IsNot') keep = (toStr(params.get('Value')).toLowerCase().includes(typeof v)) === (op === 'Is');
      else keep = toBool(compare(op.toLowerCase(), v, params.get('Value') ?? null));
      if (keep) out.push(item);
    }
    return out;
  },
};

// ------------------------------------------------------------------ Select/Sort/ForEach/Group/Measure

/** Property selectors: names (with wildcards), or calculated @{Name=...; Expression=...}. */
export interface Selector {
  label: string;
  wildcard?: RegExp;
  get: (ctx: CmdletContext, obj: unknown) => Promise<unknown>;
}

export function selectors(spec: unknown, command: string, parameter: string): Selector[] {
  return enumerate(spec).map((s): Selector => {
    if (s instanceof Hashtable) {
      const label = toStr(s.get('Name') ?? s.get('N') ?? s.get('Label') ?? s.get('L') ?? '');
      const expr = s.get('Expression') ?? s.get('E');
      if (expr === undefined || expr === null) throw new ShellError(`The Expression key is missing from the calculated property @{${s.keys().join('; ')}}.`, { errorId: 'DictionaryKeyMissing', category: 'InvalidArgument', parameter, command });
      if (expr instanceof ScriptBlock) return { label: label || expr.text.trim(), get: async (ctx, o) => collapse(await ctx.invoke(expr, o)) };
      const name = toStr(expr);
      return { label: label || name, get: async (_c, o) => getMember(o, name) };
    }
    if (s instanceof ScriptBlock) return { label: s.text.trim(), get: async (ctx, o) => collapse(await ctx.invoke(s, o)) };
    const name = toStr(s);
    if (/[*?[]/.test(name)) return { label: name, wildcard: wildcardToRegExp(name), get: async () => null };
    return { label: name, get: async (_c, o) => getMember(o, name) };
  });
}

/** Expands wildcard selectors against an object's property names. */
export function expandSelectors(sel: Selector[], obj: unknown): Selector[] {
  return sel.flatMap((s) => {
    if (!s.wildcard) return [s];
    return propertyNames(obj)
      .filter((n) => s.wildcard?.test(n))
      .map((n) => ({ label: n, get: async (_c: CmdletContext, o: unknown) => getMember(o, n) }));
  });
}

export const selectObject: CmdletDef = {
  name: 'Select-Object',
  aliases: ['select'],
  synopsis: 'Selects properties (-Property, calculated @{Name=..;Expression={..}}), or the -First/-Last/-Skip objects.',
  inputMode: 'collect',
  parameters: [
    { name: 'Property', type: objectArrayType(), position: 1 },
    { name: 'ExcludeProperty', type: objectArrayType('System.String[]') },
    { name: 'ExpandProperty', type: stringType() },
    { name: 'First', type: int32Type({ min: 0 }) },
    { name: 'Last', type: int32Type({ min: 0 }) },
    { name: 'Skip', type: int32Type({ min: 0 }) },
    { name: 'Unique', type: switchType() },
    inputObject,
  ],
  async run(ctx, params, input) {
    let items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const skip = params.get<number>('Skip') ?? 0;
    if (skip) items = items.slice(skip);
    if (params.has('First')) items = items.slice(0, params.get<number>('First'));
    if (params.has('Last')) items = items.slice(Math.max(0, items.length - (params.get<number>('Last') as number)));
    const spec = params.get('Property');
    const exclude = enumerate(params.get('ExcludeProperty')).map((x) => wildcardToRegExp(toStr(x)));
    let out: unknown[] = items;
    if (spec !== undefined || exclude.length) {
      const sel = selectors(spec ?? '*', 'Select-Object', 'Property');
      out = [];
      for (const item of items) {
        const o: Record<string, unknown> = {};
        for (const s of expandSelectors(sel, item)) {
          if (exclude.some((re) => re.test(s.label))) continue;
          o[s.label] = await s.get(ctx, item);
        }
        out.push(o);
      }
    }
    const expand = params.get<string>('ExpandProperty');
    if (expand) {
      const src = spec !== undefined ? out : items;
      out = [];
      for (const item of src) {
        const p = findProperty(item, expand);
        if (!p) {
          ctx.writeError(new ShellError(`Property "${expand}" cannot be found.`, { errorId: 'ExpandPropertyNotFound', category: 'InvalidArgument', parameter: 'ExpandProperty', command: 'Select-Object' }));
          continue;
        }
        out.push(...enumerate(p[1]));
      }
    }
    if (params.get('Unique') === true) {
      const seen = new Set<string>();
      out = out.filter((o) => {
        const k = JSON.stringify(jsonValue(o, 5, { truncated: false }));
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    return out;
  },
};

export const sortObject: CmdletDef = {
  name: 'Sort-Object',
  aliases: ['sort'],
  synopsis: 'Sorts objects by property values (-Descending, -Unique).',
  inputMode: 'collect',
  parameters: [
    { name: 'Property', type: objectArrayType(), position: 1 },
    { name: 'Descending', type: switchType() },
    { name: 'Unique', type: switchType() },
    { name: 'CaseSensitive', type: switchType() },
    { name: 'Top', type: int32Type({ min: 1 }) },
    { name: 'Bottom', type: int32Type({ min: 1 }) },
    inputObject,
  ],
  async run(ctx, params, input) {
    const items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const desc = params.get('Descending') === true;
    const cs = params.get('CaseSensitive') === true;
    const specs = params.has('Property') ? enumerate(params.get('Property')) : [];
    const keys: { get: (o: unknown) => Promise<unknown>; desc: boolean }[] = specs.map((s) => {
      if (s instanceof Hashtable) {
        const expr = s.get('Expression') ?? s.get('E');
        const d = s.has('Descending') ? toBool(s.get('Descending')) : s.has('Ascending') ? !toBool(s.get('Ascending')) : desc;
        if (expr instanceof ScriptBlock) return { get: async (o: unknown) => collapse(await ctx.invoke(expr, o)), desc: d };
        return { get: async (o: unknown) => getMember(o, toStr(expr)), desc: d };
      }
      if (s instanceof ScriptBlock) return { get: async (o: unknown) => collapse(await ctx.invoke(s, o)), desc };
      return { get: async (o: unknown) => getMember(o, toStr(s)), desc };
    });
    if (keys.length === 0) keys.push({ get: async (o) => (isPlainObject(o) ? toStr(o) : o), desc });
    const rows: { item: unknown; k: unknown[] }[] = [];
    for (const item of items) {
      const k: unknown[] = [];
      for (const key of keys) k.push(await key.get(item));
      rows.push({ item, k });
    }
    rows.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareValues(a.k[i], b.k[i], cs);
        if (c !== 0) return keys[i].desc ? -c : c;
      }
      return 0;
    });
    let out = rows;
    if (params.get('Unique') === true) out = out.filter((r, i) => i === 0 || keys.some((_, j) => compareValues(r.k[j], out[i - 1].k[j], cs) !== 0));
    let result = out.map((r) => r.item);
    if (params.has('Top')) result = result.slice(0, params.get<number>('Top'));
    if (params.has('Bottom')) result = result.slice(-(params.get<number>('Bottom') as number));
    return result;
  },
};

export const forEachObject: CmdletDef = {
  name: 'ForEach-Object',
  aliases: ['%', 'foreach'],
  synopsis: 'Runs a script block for each object ($_), or gets one property (-MemberName).',
  inputMode: 'collect',
  defaultSet: 'ScriptBlockSet',
  parameters: [
    { name: 'Process', type: { ...scriptBlockType(), convert: (v) => enumerate(v).map((x) => scriptBlockType().convert(x)) }, position: 1, mandatory: true, sets: ['ScriptBlockSet'] },
    { name: 'Begin', type: scriptBlockType(), sets: ['ScriptBlockSet'] },
    { name: 'End', type: scriptBlockType(), sets: ['ScriptBlockSet'] },
    { name: 'MemberName', type: stringType(), position: 1, mandatory: true, sets: ['PropertyAndMethodSet'] },
    inputObject,
  ],
  async run(ctx, params, input) {
    const items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const member = params.get<string>('MemberName');
    if (member) return items.flatMap((i) => enumerate(getMember(i, member)));
    const out: unknown[] = [];
    const begin = params.get<ScriptBlock>('Begin');
    if (begin) out.push(...(await ctx.invoke(begin)));
    const blocks = params.get<ScriptBlock[]>('Process') as ScriptBlock[];
    for (const item of items) for (const b of blocks) out.push(...(await ctx.invoke(b, item)));
    const end = params.get<ScriptBlock>('End');
    if (end) out.push(...(await ctx.invoke(end)));
    return out;
  },
};

export const groupObject: CmdletDef = {
  name: 'Group-Object',
  aliases: ['group'],
  synopsis: 'Groups objects by a property value (Count, Name, Group).',
  inputMode: 'collect',
  parameters: [{ name: 'Property', type: objectArrayType(), position: 1 }, { name: 'NoElement', type: switchType() }, inputObject],
  async run(ctx, params, input) {
    const sel = selectors(params.get('Property') ?? [], 'Group-Object', 'Property');
    const groups = new Map<string, { Count: number; Name: string; Group: unknown[] }>();
    for (const item of input) {
      const vals: string[] = [];
      for (const s of sel) vals.push(toStr(await s.get(ctx, item)));
      const name = sel.length ? vals.join(', ') : toStr(item);
      const key = name.toLowerCase();
      const g = groups.get(key) ?? { Count: 0, Name: name, Group: [] };
      g.Count++;
      g.Group.push(item);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => (params.get('NoElement') === true ? { Count: g.Count, Name: g.Name } : g));
  },
};

export const measureObject: CmdletDef = {
  name: 'Measure-Object',
  aliases: ['measure'],
  synopsis: 'Counts objects; -Sum/-Average/-Maximum/-Minimum of a property.',
  inputMode: 'collect',
  parameters: [
    { name: 'Property', type: stringType(), position: 1 },
    { name: 'Sum', type: switchType() },
    { name: 'Average', type: switchType() },
    { name: 'Maximum', type: switchType() },
    { name: 'Minimum', type: switchType() },
    inputObject,
  ],
  async run(_ctx, params, input) {
    const prop = params.get<string>('Property');
    const values = input.map((i) => (prop ? getMember(i, prop) : i)).filter((v) => v !== null && v !== undefined);
    const nums = values.map(toNumber).filter((n) => !Number.isNaN(n));
    const sum = nums.reduce((a, b) => a + b, 0);
    return {
      Count: prop ? values.length : input.length,
      Average: params.get('Average') === true && nums.length ? sum / nums.length : null,
      Sum: params.get('Sum') === true ? sum : null,
      Maximum: params.get('Maximum') === true && nums.length ? Math.max(...nums) : null,
      Minimum: params.get('Minimum') === true && nums.length ? Math.min(...nums) : null,
      Property: prop ?? null,
    };
  },
};

