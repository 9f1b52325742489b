// CSV and JSON (Export-Csv, ConvertTo-Csv, ConvertTo-Json, ConvertFrom-Json) and files (Out-File,
// Set-Content, Get-Content) through the session's reader and writer.
import { ShellError } from '../errors.js';
import { formatDefault } from '../format.js';
import type { CmdletContext, CmdletDef } from '../registry.js';
import { int32Type, objectType, stringType, switchType } from '../types.js';
import { Hashtable, enumerate, findProperty, formatDate, propertyNames, toStr } from '../values.js';
import { jsonValue, type JsonState } from './json.js';
import { inputObject } from './objects.js';

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

export const exportCsv: CmdletDef = {
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

export const outFile: CmdletDef = {
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
    await write(path, formatDefault(input, params.get<number>('Width') ?? ctx.width, ctx.registry.views));
  },
};

export const setContent: CmdletDef = {
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

export const convertToCsv: CmdletDef = {
  name: 'ConvertTo-Csv',
  synopsis: 'Converts objects to CSV lines.',
  inputMode: 'collect',
  parameters: [{ name: 'NoTypeInformation', type: switchType() }, { name: 'Delimiter', type: stringType() }, inputObject],
  run(_ctx, params, input) {
    return toCsv(input, params.get<string>('Delimiter') ?? ',').replace(/\r\n$/, '').split('\r\n');
  },
};

export const convertToJson: CmdletDef = {
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

export const convertFromJson: CmdletDef = {
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


export const getContent: CmdletDef = {
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

