// Format-Table, Format-List, Out-String, Out-Null, Write-Output/Host/Warning/Error and Get-Date.
import { formatDefault, formatListText, formatTableText, type TableColumn } from '../format.js';
import type { CmdletContext, CmdletDef } from '../registry.js';
import { dateTimeType, int32Type, objectArrayType, objectType, stringType, switchType } from '../types.js';
import { FormattedText, Hashtable, ScriptBlock, enumerate, toStr } from '../values.js';
import { expandSelectors, inputObject, selectors } from './objects.js';

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

export const formatTable: CmdletDef = {
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
    const text = formatTableText(objs, undefined, { width: ctx.width, hideHeaders: params.get('HideTableHeaders') === true, calculated, views: ctx.registry.views });
    return new FormattedText(text);
  },
};

export const formatList: CmdletDef = {
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

export const outString: CmdletDef = {
  name: 'Out-String',
  synopsis: 'Returns the formatted text of the input as a string.',
  inputMode: 'collect',
  parameters: [{ name: 'Width', type: int32Type({ min: 2 }) }, { name: 'Stream', type: switchType() }, inputObject],
  async run(ctx, params, input) {
    const text = formatDefault(input, params.get<number>('Width') ?? ctx.width, ctx.registry.views);
    return params.get('Stream') === true ? text.split('\n') : text;
  },
};

export const outNull: CmdletDef = {
  name: 'Out-Null',
  synopsis: 'Discards the input.',
  inputMode: 'collect',
  parameters: [inputObject],
  run: () => undefined,
};


// ------------------------------------------------------------------ Write-*, Get-Date, Get-Content

export const writeOutput: CmdletDef = {
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

export const writeHost: CmdletDef = {
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

export const writeWarning: CmdletDef = {
  name: 'Write-Warning',
  synopsis: 'Writes a warning.',
  parameters: [{ name: 'Message', type: stringType(), position: 1, mandatory: true, valueFromPipeline: true }],
  run(ctx, params) {
    ctx.writeWarning(params.get<string>('Message') as string);
  },
};

export const writeError: CmdletDef = {
  name: 'Write-Error',
  synopsis: 'Writes a non-terminating error.',
  parameters: [{ name: 'Message', type: stringType(), position: 1, mandatory: true, valueFromPipeline: true }],
  run(ctx, params) {
    ctx.writeError(params.get<string>('Message') as string);
  },
};

export const getDate: CmdletDef = {
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

