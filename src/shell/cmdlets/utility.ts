// The PowerShell utility cmdlets admin scripts pipe Exchange output through: Where-Object,
// Select-Object, Sort-Object, ForEach-Object, Group-Object, Measure-Object, Format-Table,
// Format-List, Export-Csv, ConvertTo-Json, ConvertFrom-Json, Out-String, Out-Null, Write-*,
// Get-Date, Get-Content, Get-Command, Get-Help.
import { ShellError } from '../errors.js';
import { formatDefault, formatListText, formatTableText, type TableColumn } from '../format.js';
import { cmdletSyntax, type CmdletContext, type CmdletDef, type ParameterDef } from '../registry.js';
import { dateTimeType, int32Type, objectArrayType, objectType, scriptBlockType, stringType, switchType } from '../types.js';
import {
  FormattedText,
  Hashtable,
  ScriptBlock,
  collapse,
  compare,
  compareValues,
  enumerate,
  findProperty,
  formatDate,
  getMember,
  isPlainObject,
  propertyNames,
  tagged,
  toBool,
  toNumber,
  toStr,
  wildcardToRegExp,
} from '../values.js';

const inputObject: ParameterDef = { name: 'InputObject', type: objectType('System.Management.Automation.PSObject'), valueFromPipeline: true };

// ------------------------------------------------------------------ Where-Object

const WHERE_OPERATORS = [
  'EQ', 'NE', 'GT', 'GE', 'LT', 'LE', 'Like', 'NotLike', 'Match', 'NotMatch', 'Contains', 'NotContains', 'In', 'NotIn', 'Is', 'IsNot',
  'CEQ', 'CNE', 'CGT', 'CGE', 'CLT', 'CLE', 'CLike', 'CNotLike', 'CMatch', 'CNotMatch', 'CContains', 'CNotContains', 'CIn', 'CNotIn', 'Not',
];
const OPERATOR_SETS = WHERE_OPERATORS.map((op) => (op === 'EQ' ? 'EqualSet' : `${op}Set`));

const whereObject: CmdletDef = {
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
interface Selector {
  label: string;
  wildcard?: RegExp;
  get: (ctx: CmdletContext, obj: unknown) => Promise<unknown>;
}

function selectors(spec: unknown, command: string, parameter: string): Selector[] {
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
function expandSelectors(sel: Selector[], obj: unknown): Selector[] {
  return sel.flatMap((s) => {
    if (!s.wildcard) return [s];
    return propertyNames(obj)
      .filter((n) => s.wildcard?.test(n))
      .map((n) => ({ label: n, get: async (_c: CmdletContext, o: unknown) => getMember(o, n) }));
  });
}

const selectObject: CmdletDef = {
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

const sortObject: CmdletDef = {
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

const forEachObject: CmdletDef = {
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

const groupObject: CmdletDef = {
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

const measureObject: CmdletDef = {
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

// ------------------------------------------------------------------ Format-*, Out-*

async function tableColumns(ctx: CmdletContext, spec: unknown, objects: unknown[]): Promise<TableColumn[] | undefined> {
  if (spec === undefined) return undefined;
  const sel = expandSelectors(selectors(spec, 'Format-Table', 'Property'), objects[0]);
  const cache = new Map<unknown, unknown[]>();
  for (const o of objects) {
    const vals: unknown[] = [];
    for (const s of sel) vals.push(await s.get(ctx, o));
    cache.set(o, vals);
  }
  return sel.map((s, i) => ({ label: s.label, value: (o: unknown) => cache.get(o)?.[i] }));
}

const formatTable: CmdletDef = {
  name: 'Format-Table',
  aliases: ['ft'],
  synopsis: 'Shows objects as a table (default columns per type, or -Property).',
  inputMode: 'collect',
  parameters: [
    { name: 'Property', type: objectArrayType(), position: 1 },
    { name: 'AutoSize', type: switchType() },
    { name: 'Wrap', type: switchType() },
    { name: 'HideTableHeaders', type: switchType() },
    { name: 'GroupBy', type: objectType(), ignored: true },
    inputObject,
  ],
  async run(ctx, params, input) {
    const items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const objs = items.filter((o) => o !== null && o !== undefined);
    const calculated = await tableColumns(ctx, params.get('Property'), objs);
    const text = formatTableText(objs, undefined, { width: ctx.width, hideHeaders: params.get('HideTableHeaders') === true, calculated });
    return new FormattedText(text);
  },
};

const formatList: CmdletDef = {
  name: 'Format-List',
  aliases: ['fl'],
  synopsis: 'Shows every property (or -Property) of each object as "Name : Value".',
  inputMode: 'collect',
  parameters: [{ name: 'Property', type: objectArrayType(), position: 1 }, inputObject],
  async run(ctx, params, input) {
    const items = params.has('InputObject') && input.length === 0 ? enumerate(params.get('InputObject')) : input;
    const spec = params.get('Property');
    if (spec !== undefined && enumerate(spec).some((s) => s instanceof Hashtable || s instanceof ScriptBlock)) {
      const cols = (await tableColumns(ctx, spec, items)) ?? [];
      const rows = items.map((o) => Object.fromEntries(cols.map((c) => [c.label, c.value(o)])));
      return new FormattedText(formatListText(rows, undefined));
    }
    return new FormattedText(formatListText(items, spec === undefined ? undefined : enumerate(spec).map(toStr)));
  },
};

const outString: CmdletDef = {
  name: 'Out-String',
  synopsis: 'Returns the formatted text of the input as a string.',
  inputMode: 'collect',
  parameters: [{ name: 'Width', type: int32Type({ min: 2 }) }, { name: 'Stream', type: switchType() }, inputObject],
  async run(ctx, params, input) {
    const text = formatDefault(input, params.get<number>('Width') ?? ctx.width);
    return params.get('Stream') === true ? text.split('\n') : text;
  },
};

const outNull: CmdletDef = {
  name: 'Out-Null',
  synopsis: 'Discards the input.',
  inputMode: 'collect',
  parameters: [inputObject],
  run: () => undefined,
};

// ------------------------------------------------------------------ CSV and JSON

function csvField(v: unknown): string {
  let s: string;
  if (Array.isArray(v)) s = v.map(toStr).join(', ');
  else if (v instanceof Date) s = formatDate(v);
  else s = toStr(v);
  return `"${s.replace(/"/g, '""')}"`;
}

/** CSV text as Export-Csv / ConvertTo-Csv write it (every field quoted, header from the first object). */
export function toCsv(objects: unknown[], delimiter = ','): string {
  const objs = objects.filter((o) => o !== null && o !== undefined);
  if (objs.length === 0) return '';
  const cols = propertyNames(objs[0]);
  const lines = [cols.map((c) => `"${c}"`).join(delimiter)];
  for (const o of objs) lines.push(cols.map((c) => csvField(findProperty(o, c)?.[1])).join(delimiter));
  return lines.join('\r\n') + '\r\n';
}

const exportCsv: CmdletDef = {
  name: 'Export-Csv',
  aliases: ['epcsv'],
  synopsis: 'Writes the objects to a CSV file. Multi-valued properties are joined with ", ".',
  inputMode: 'collect',
  supportsShouldProcess: true,
  parameters: [
    { name: 'Path', type: stringType(), position: 1, mandatory: true, aliases: ['LiteralPath', 'PSPath', 'LP'] },
    { name: 'NoTypeInformation', type: switchType(), aliases: ['NTI'] },
    { name: 'IncludeTypeInformation', type: switchType(), aliases: ['ITI'] },
    { name: 'Delimiter', type: stringType() },
    { name: 'Encoding', type: stringType(), ignored: true },
    { name: 'Append', type: switchType(), ignored: true },
    { name: 'Force', type: switchType() },
    { name: 'NoClobber', type: switchType(), ignored: true },
    { name: 'UseCulture', type: switchType(), ignored: true },
    inputObject,
  ],
  async run(ctx, params, input) {
    const path = params.get<string>('Path') as string;
    if (!ctx.writeFile) throw new ShellError('Writing files is not available in this shell session.', { errorId: 'FileAccessNotAllowed', category: 'PermissionDenied', parameter: 'Path', command: 'Export-Csv' });
    let text = toCsv(input, (params.get<string>('Delimiter') ?? ',').slice(0, 1) || ',');
    if (params.get('IncludeTypeInformation') === true) text = `#TYPE System.Management.Automation.PSCustomObject\r\n${text}`;
    if (!(await ctx.shouldProcess(path, 'Export-Csv'))) return;
    await ctx.writeFile(path, text);
  },
};

function fileWriter(ctx: CmdletContext, command: string): NonNullable<CmdletContext['writeFile']> {
  if (!ctx.writeFile) throw new ShellError('Writing files is not available in this shell session.', { errorId: 'FileAccessNotAllowed', category: 'PermissionDenied', parameter: 'FilePath', command });
  return ctx.writeFile;
}

const outFile: CmdletDef = {
  name: 'Out-File',
  synopsis: 'Writes the formatted output to a file.',
  inputMode: 'collect',
  supportsShouldProcess: true,
  parameters: [
    { name: 'FilePath', type: stringType(), position: 1, mandatory: true, aliases: ['Path', 'LiteralPath'] },
    { name: 'Encoding', type: stringType(), ignored: true },
    { name: 'Width', type: int32Type({ min: 2 }) },
    { name: 'Append', type: switchType(), ignored: true },
    { name: 'Force', type: switchType() },
    { name: 'NoClobber', type: switchType(), ignored: true },
    inputObject,
  ],
  async run(ctx, params, input) {
    const write = fileWriter(ctx, 'Out-File');
    const path = params.get<string>('FilePath') as string;
    if (!(await ctx.shouldProcess(path, 'Output to File'))) return;
    await write(path, formatDefault(input, params.get<number>('Width') ?? ctx.width));
  },
};

const setContent: CmdletDef = {
  name: 'Set-Content',
  synopsis: 'Writes values to a file, one per line.',
  inputMode: 'collect',
  supportsShouldProcess: true,
  parameters: [
    { name: 'Path', type: stringType(), position: 1, mandatory: true, aliases: ['LiteralPath'] },
    { name: 'Value', type: objectType(), position: 2, valueFromPipeline: true },
    { name: 'Encoding', type: stringType(), ignored: true },
    { name: 'NoNewline', type: switchType() },
    { name: 'Force', type: switchType() },
  ],
  async run(ctx, params, input) {
    const write = fileWriter(ctx, 'Set-Content');
    const path = params.get<string>('Path') as string;
    const values = input.length ? input : enumerate(params.get('Value'));
    if (!(await ctx.shouldProcess(path, 'Set Content'))) return;
    if (values.length === 1 && values[0] instanceof Uint8Array) return write(path, values[0]);
    const sep = params.get('NoNewline') === true ? '' : '\n';
    await write(path, values.map(toStr).join(sep) + sep);
  },
};

const convertToCsv: CmdletDef = {
  name: 'ConvertTo-Csv',
  synopsis: 'Converts objects to CSV lines.',
  inputMode: 'collect',
  parameters: [{ name: 'NoTypeInformation', type: switchType() }, { name: 'Delimiter', type: stringType() }, inputObject],
  run(_ctx, params, input) {
    return toCsv(input, params.get<string>('Delimiter') ?? ',').replace(/\r\n$/, '').split('\r\n');
  },
};

interface JsonState {
  truncated: boolean;
}

/** A runtime value as JSON data, PowerShell 7 style; deeper than `depth` becomes its string form. */
export function jsonValue(v: unknown, depth: number, state: JsonState): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof ScriptBlock) return v.text;
  if (v instanceof FormattedText) return v.text;
  if (Array.isArray(v)) {
    if (depth < 0) {
      state.truncated = true;
      return v.map(toStr).join(' ');
    }
    return v.map((x) => jsonValue(x, depth - 1, state));
  }
  const entries = v instanceof Hashtable ? v.entries() : isPlainObject(v) ? Object.entries(v) : [];
  if (depth < 0) {
    state.truncated = true;
    return toStr(v);
  }
  const o: Record<string, unknown> = {};
  for (const [k, x] of entries) o[k] = jsonValue(x, depth - 1, state);
  return o;
}

const convertToJson: CmdletDef = {
  name: 'ConvertTo-Json',
  synopsis: 'Converts objects to JSON (-Depth, default 2; -Compress; -AsArray).',
  inputMode: 'collect',
  parameters: [
    { name: 'InputObject', type: objectType(), position: 1, valueFromPipeline: true },
    { name: 'Depth', type: int32Type({ min: 0, max: 100 }) },
    { name: 'Compress', type: switchType() },
    { name: 'AsArray', type: switchType() },
    { name: 'EnumsAsStrings', type: switchType(), ignored: true },
  ],
  run(ctx, params, input) {
    const value = params.has('InputObject') && input.length === 0 ? params.get('InputObject') : input.length === 1 ? input[0] : input;
    const depth = params.get<number>('Depth') ?? 2;
    const state: JsonState = { truncated: false };
    let data = jsonValue(value, depth, state);
    if (params.get('AsArray') === true && !Array.isArray(data)) data = [data];
    if (state.truncated) ctx.writeWarning(`Resulting JSON is truncated as serialization has exceeded the set depth of ${depth}.`);
    return params.get('Compress') === true ? JSON.stringify(data) : JSON.stringify(data, null, 2);
  },
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function fromJson(v: unknown, asHashtable: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => fromJson(x, asHashtable));
  if (typeof v === 'string' && ISO_DATE.test(v)) {
    const d = new Date(/Z|[+-]\d{2}:\d{2}$/.test(v) ? v : v + 'Z');
    return Number.isNaN(d.getTime()) ? v : d;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJson(x, asHashtable)] as [string, unknown]);
    return asHashtable ? Hashtable.from(entries) : Object.fromEntries(entries);
  }
  return v;
}

const convertFromJson: CmdletDef = {
  name: 'ConvertFrom-Json',
  synopsis: 'Converts JSON text to objects (-AsHashtable for hashtables you can splat).',
  inputMode: 'collect',
  parameters: [
    { name: 'InputObject', type: stringType(), position: 1, valueFromPipeline: true },
    { name: 'AsHashtable', type: switchType() },
    { name: 'NoEnumerate', type: switchType() },
    { name: 'Depth', type: int32Type({ min: 1 }), ignored: true },
  ],
  run(_ctx, params, input) {
    const text = params.has('InputObject') && input.length === 0 ? toStr(params.get('InputObject')) : input.map(toStr).join('\n');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ShellError(`Conversion from JSON failed with error: ${(e as Error).message}`, { errorId: 'System.ArgumentException', category: 'InvalidData', parameter: 'InputObject', command: 'ConvertFrom-Json' });
    }
    const v = fromJson(data, params.get('AsHashtable') === true);
    return params.get('NoEnumerate') === true ? [v] : enumerate(v);
  },
};

// ------------------------------------------------------------------ Write-*, Get-Date, Get-Content

const writeOutput: CmdletDef = {
  name: 'Write-Output',
  aliases: ['echo', 'write'],
  synopsis: 'Writes objects to the pipeline.',
  inputMode: 'collect',
  parameters: [{ name: 'InputObject', type: objectType(), position: 1, valueFromPipeline: true, valueFromRemainingArguments: true }, { name: 'NoEnumerate', type: switchType() }],
  run(_ctx, params, input) {
    if (input.length) return input;
    const v = params.get('InputObject');
    return params.get('NoEnumerate') === true ? [v] : enumerate(v);
  },
};

const writeHost: CmdletDef = {
  name: 'Write-Host',
  synopsis: 'Writes text to the console.',
  parameters: [
    { name: 'Object', type: objectType(), position: 1, valueFromPipeline: true, valueFromRemainingArguments: true },
    { name: 'NoNewline', type: switchType() },
    { name: 'Separator', type: objectType() },
    { name: 'ForegroundColor', type: stringType(), ignored: true },
    { name: 'BackgroundColor', type: stringType(), ignored: true },
  ],
  run(ctx, params) {
    const v = params.get('Object');
    const sep = params.has('Separator') ? toStr(params.get('Separator')) : ' ';
    ctx.writeHost(enumerate(v).map(toStr).join(sep) + (params.get('NoNewline') === true ? '' : '\n'));
  },
};

const writeWarning: CmdletDef = {
  name: 'Write-Warning',
  synopsis: 'Writes a warning.',
  parameters: [{ name: 'Message', type: stringType(), position: 1, mandatory: true, valueFromPipeline: true }],
  run(ctx, params) {
    ctx.writeWarning(params.get<string>('Message') as string);
  },
};

const writeError: CmdletDef = {
  name: 'Write-Error',
  synopsis: 'Writes a non-terminating error.',
  parameters: [{ name: 'Message', type: stringType(), position: 1, mandatory: true, valueFromPipeline: true }],
  run(ctx, params) {
    ctx.writeError(params.get<string>('Message') as string);
  },
};

const getDate: CmdletDef = {
  name: 'Get-Date',
  synopsis: 'The current date and time (UTC), or -Date parsed; -Format for a custom format.',
  parameters: [{ name: 'Date', type: dateTimeType(), position: 1, valueFromPipeline: true }, { name: 'Format', type: stringType() }, { name: 'AsUTC', type: switchType() }],
  run(ctx, params) {
    const d = params.get<Date>('Date') ?? ctx.now();
    const f = params.get<string>('Format');
    if (!f) return d;
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return f.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => ({ yyyy: p(d.getUTCFullYear(), 4), MM: p(d.getUTCMonth() + 1), dd: p(d.getUTCDate()), HH: p(d.getUTCHours()), mm: p(d.getUTCMinutes()), ss: p(d.getUTCSeconds()) })[t] as string);
  },
};

const getContent: CmdletDef = {
  name: 'Get-Content',
  aliases: ['gc', 'cat', 'type'],
  synopsis: 'Reads a text file (lines, or one string with -Raw).',
  parameters: [{ name: 'Path', type: stringType(), position: 1, mandatory: true, aliases: ['LiteralPath', 'PSPath'] }, { name: 'Raw', type: switchType() }, { name: 'Encoding', type: stringType(), ignored: true }],
  async run(ctx, params) {
    if (!ctx.readFile) throw new ShellError('Reading files is not available in this shell session.', { errorId: 'FileAccessNotAllowed', category: 'PermissionDenied', parameter: 'Path', command: 'Get-Content' });
    let text: string;
    try {
      text = await ctx.readFile(params.get<string>('Path') as string);
    } catch (e) {
      // as in PowerShell, a file that can't be read is a non-terminating error: the script goes
      // on unless $ErrorActionPreference or -ErrorAction is Stop
      if (!(e instanceof ShellError)) throw e;
      return ctx.writeError(e);
    }
    return params.get('Raw') === true ? text : text.replace(/\r?\n$/, '').split(/\r?\n/);
  },
};

// ------------------------------------------------------------------ Get-Command, Get-Help

const getCommand: CmdletDef = {
  name: 'Get-Command',
  aliases: ['gcm'],
  synopsis: 'Lists the cmdlets (wildcards allowed): Get-Command *TransportRule*.',
  parameters: [
    { name: 'Name', type: stringType(), position: 1 },
    { name: 'Verb', type: stringType() },
    { name: 'Noun', type: stringType() },
    { name: 'Syntax', type: switchType() },
  ],
  run(ctx, params) {
    // Get-Command $null lists everything, as Get-Command alone does
    const match = (pattern: string | null | undefined, s: string) => pattern === undefined || pattern === null || wildcardToRegExp(pattern).test(s);
    const defs = ctx.registry.list().filter((d) => {
      const [verb, noun] = d.name.split('-');
      return (match(params.get<string>('Name'), d.name) || (d.aliases ?? []).some((a) => match(params.get<string>('Name'), a))) && match(params.get<string>('Verb'), verb) && match(params.get<string>('Noun'), noun ?? '');
    });
    if (typeof params.get('Name') === 'string' && defs.length === 0 && !/[*?]/.test(params.get<string>('Name') as string)) {
      throw new ShellError(`The term '${params.get<string>('Name')}' is not recognized as a name of a cmdlet.`, { errorId: 'CommandNotFoundException', category: 'ObjectNotFound', parameter: 'Name', command: 'Get-Command' });
    }
    if (params.get('Syntax') === true) return defs.flatMap((d) => cmdletSyntax(d));
    return defs.map((d) => tagged({ CommandType: 'Cmdlet', Name: d.name, Source: d.postern ? 'Postern' : isExchange(d) ? 'ExchangeOnlineManagement' : 'Microsoft.PowerShell.Utility' }, 'CmdletInfo'));
  },
};

function isExchange(d: CmdletDef): boolean {
  return /(TransportRule|InboundConnector|AcceptedDomain|OrganizationConfig|QuarantineMessage|MessageTrace|HistoricalSearch)/.test(d.name);
}

const getHelp: CmdletDef = {
  name: 'Get-Help',
  aliases: ['help'],
  synopsis: 'Shows a cmdlet\'s synopsis, syntax and parameters (-Parameter for one).',
  parameters: [
    { name: 'Name', type: stringType(), position: 1, mandatory: true },
    { name: 'Parameter', type: stringType() },
    { name: 'Full', type: switchType() },
    { name: 'Detailed', type: switchType() },
    { name: 'Examples', type: switchType(), ignored: true },
  ],
  run(ctx, params) {
    const name = params.get<string>('Name') as string;
    const def = ctx.registry.get(name);
    if (!def) throw new ShellError(`Get-Help could not find ${name} in a help file in this session.`, { errorId: 'HelpNotFound', category: 'ObjectNotFound', parameter: 'Name', command: 'Get-Help' });
    const paramFilter = params.get<string>('Parameter');
    const ps = def.parameters.filter((p) => !paramFilter || wildcardToRegExp(paramFilter).test(p.name));
    const lines: string[] = [];
    if (!paramFilter) {
      lines.push('', 'NAME', `    ${def.name}`, '', 'SYNOPSIS', `    ${def.synopsis}`, '', 'SYNTAX');
      for (const s of cmdletSyntax(def)) lines.push(`    ${s}`, '');
      lines.push('PARAMETERS');
    }
    for (const p of ps) {
      lines.push(`    -${p.name} <${p.type.typeName.split('.').pop()}>`);
      if (p.description) lines.push(`        ${p.description}`);
      if (p.type.values) lines.push(`        Valid values: ${p.type.values.join(', ')}`);
      if (p.ignored) lines.push('        Accepted for compatibility; Postern does not act on it.');
      lines.push(`        Required?                    ${p.mandatory === true ? 'true' : Array.isArray(p.mandatory) ? `true (parameter set ${p.mandatory.join(', ')})` : 'false'}`);
      lines.push(`        Position?                    ${p.position ?? 'named'}`);
      lines.push(`        Accept pipeline input?       ${p.valueFromPipeline ? 'True (ByValue)' : p.valueFromPipelineByPropertyName ? 'True (ByPropertyName)' : 'False'}`);
      lines.push('');
    }
    return new FormattedText(lines.join('\n') + '\n');
  },
};

export const utilityCmdlets: CmdletDef[] = [
  whereObject,
  selectObject,
  sortObject,
  forEachObject,
  groupObject,
  measureObject,
  formatTable,
  formatList,
  outString,
  outNull,
  exportCsv,
  outFile,
  setContent,
  convertToCsv,
  convertToJson,
  convertFromJson,
  writeOutput,
  writeHost,
  writeWarning,
  writeError,
  getDate,
  getContent,
  getCommand,
  getHelp,
];

