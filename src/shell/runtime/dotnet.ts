// The .NET surface admin scripts use: casts ([int], [datetime], [guid] ...), static members and
// methods ([DateTime]::Now, [Convert]::FromBase64String, [IO.File]::WriteAllBytes, [Math]::Round)
// and the instance methods of strings, dates, arrays and hashtables.
import { randomUUID } from 'node:crypto';
import type { ShellError } from '../errors.js';
import { parseScript } from '../parser.js';
import { parseDateTime } from '../types.js';
import { Hashtable, ScriptBlock, collapse, compare, enumerate, isPlainObject, toBool, toNumber, toStr } from '../values.js';
import { formatDateWith, trimChars, typeLabel } from './operators.js';

/** What these need from the session: its clock, its files, script blocks, and an error at the call's position. */
export interface DotNetHost {
  now(): Date;
  fail(message: string): ShellError;
  writeFile?: (path: string, content: string | Uint8Array) => Promise<void>;
  readFile?: (path: string) => Promise<string>;
  invoke(block: ScriptBlock, dollarUnder: unknown, args: unknown[]): Promise<unknown[]>;
}

export function cast(typeRaw: string, v: unknown, host: DotNetHost): unknown {
  const type = typeRaw.toLowerCase().replace(/^system\./, '');
  const bad = () => host.fail(`Cannot convert value "${toStr(v)}" to type "${typeRaw}".`);
  switch (type) {
    case 'int': case 'int32': case 'long': case 'int64': case 'double': case 'decimal': {
      const n = toNumber(Array.isArray(v) && v.length === 1 ? v[0] : v);
      if (Number.isNaN(n)) throw bad();
      return type === 'double' || type === 'decimal' ? n : Math.round(n);
    }
    case 'string': return toStr(v);
    case 'void': return undefined;
    case 'bool': case 'boolean': return toBool(v);
    case 'datetime': {
      if (v instanceof Date) return v;
      const d = parseDateTime(toStr(v));
      if (!d) throw bad();
      return d;
    }
    case 'array': case 'object[]': case 'string[]': return type === 'string[]' ? enumerate(v).map(toStr) : enumerate(v);
    case 'pscustomobject': case 'psobject':
      if (v instanceof Hashtable) return v.toObject();
      return v;
    case 'hashtable': case 'ordered':
      if (v instanceof Hashtable) return v;
      if (isPlainObject(v)) return Hashtable.from(Object.entries(v));
      throw bad();
    case 'guid': {
      const s = toStr(v);
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) throw bad();
      return s.toLowerCase();
    }
    case 'scriptblock':
      if (v instanceof ScriptBlock) return v;
      return new ScriptBlock(parseScript(toStr(v)).statements, toStr(v));
    default:
      throw host.fail(`Unable to find type [${typeRaw}].`);
  }
}

export function staticMember(type: string, member: string, host: DotNetHost): unknown {
  const t = type.toLowerCase().replace(/^system\./, '');
  const m = member.toLowerCase();
  if (t === 'datetime' && (m === 'now' || m === 'utcnow')) return host.now();
  if (t === 'datetime' && m === 'today') {
    const n = host.now();
    return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate()));
  }
  if (t === 'string' && m === 'empty') return '';
  if ((t === 'int' || t === 'int32') && m === 'maxvalue') return 2147483647;
  if ((t === 'int' || t === 'int32') && m === 'minvalue') return -2147483648;
  throw host.fail(`The static member '${member}' of type [${type}] is not supported.`);
}

export function staticCall(type: string, member: string, args: unknown[], host: DotNetHost): unknown {
  const t = type.toLowerCase().replace(/^system\./, '');
  const m = member.toLowerCase();
  if (t === 'datetime' && m === 'parse') {
    const d = parseDateTime(toStr(args[0]));
    if (!d) throw host.fail(`Exception calling "Parse" with "1" argument(s): "String '${toStr(args[0])}' was not recognized as a valid DateTime."`);
    return d;
  }
  if (t === 'guid' && m === 'newguid') return randomUUID();
  if (t === 'convert' && m === 'frombase64string') return new Uint8Array(Buffer.from(toStr(args[0]), 'base64'));
  if (t === 'convert' && m === 'tobase64string') return Buffer.from(args[0] instanceof Uint8Array ? args[0] : Buffer.from(toStr(args[0]))).toString('base64');
  if ((t === 'io.file') && (m === 'writeallbytes' || m === 'writealltext')) {
    // Export-QuarantineMessage's documented pattern: [IO.File]::WriteAllBytes($path, [Convert]::FromBase64String($e.Eml))
    const write = host.writeFile;
    if (!write) throw host.fail('Writing files is not available in this shell session.');
    const data = args[1] instanceof Uint8Array ? args[1] : toStr(args[1]);
    return write(toStr(args[0]), data).then(() => undefined);
  }
  if (t === 'io.file' && m === 'readalltext') {
    const read = host.readFile;
    if (!read) throw host.fail('Reading files is not available in this shell session.');
    return read(toStr(args[0]));
  }
  if (t === 'math') {
    const n = args.map(toNumber);
    switch (m) {
      case 'round': return n.length > 1 ? Number(n[0].toFixed(n[1])) : Math.round(n[0]);
      case 'floor': return Math.floor(n[0]);
      case 'ceiling': return Math.ceil(n[0]);
      case 'abs': return Math.abs(n[0]);
      case 'max': return Math.max(n[0], n[1]);
      case 'min': return Math.min(n[0], n[1]);
    }
  }
  if (t === 'string' && m === 'isnullorempty') return args[0] === null || args[0] === undefined || toStr(args[0]) === '';
  if (t === 'string' && m === 'join') return enumerate(args[1]).map(toStr).join(toStr(args[0]));
  throw host.fail(`Method invocation failed because [${type}] does not contain a method named '${member}'.`);
}

export function callMethod(target: unknown, member: string, args: unknown[], host: DotNetHost): unknown {
  const m = member.toLowerCase();
  const s = (i: number) => toStr(args[i]);
  const missing = () => host.fail(`Method invocation failed because [${typeLabel(target)}] does not contain a method named '${member}'.`);
  if (m === 'tostring' && !(target instanceof Date && args.length)) return toStr(target);
  if (m === 'gettype') return { Name: typeLabel(target), FullName: typeLabel(target) };
  if (typeof target === 'string') {
    switch (m) {
      case 'toupper': case 'toupperinvariant': return target.toUpperCase();
      case 'tolower': case 'tolowerinvariant': return target.toLowerCase();
      case 'trim': return args.length ? trimChars(target, s(0), true, true) : target.trim();
      case 'trimstart': return args.length ? trimChars(target, s(0), true, false) : target.trimStart();
      case 'trimend': return args.length ? trimChars(target, s(0), false, true) : target.trimEnd();
      case 'startswith': return target.toLowerCase().startsWith(s(0).toLowerCase()) && (args.length < 2 || true);
      case 'endswith': return target.toLowerCase().endsWith(s(0).toLowerCase());
      case 'contains': return target.includes(s(0));
      case 'indexof': return target.indexOf(s(0));
      case 'replace': return target.split(s(0)).join(s(1));
      case 'split': return target.split(args.length ? new RegExp(`[${s(0).replace(/[\]\\^-]/g, '\\$&')}]`) : /\s/);
      case 'substring': return args.length > 1 ? target.substr(toNumber(args[0]), toNumber(args[1])) : target.slice(toNumber(args[0]));
      case 'padleft': return target.padStart(toNumber(args[0]), args.length > 1 ? s(1) : ' ');
      case 'padright': return target.padEnd(toNumber(args[0]), args.length > 1 ? s(1) : ' ');
      case 'equals': return target === s(0);
    }
    throw missing();
  }
  if (target instanceof Date) {
    const add = (ms: number) => new Date(target.getTime() + ms);
    switch (m) {
      case 'adddays': return add(toNumber(args[0]) * 86400000);
      case 'addhours': return add(toNumber(args[0]) * 3600000);
      case 'addminutes': return add(toNumber(args[0]) * 60000);
      case 'addseconds': return add(toNumber(args[0]) * 1000);
      case 'addmonths': { const d = new Date(target); d.setUTCMonth(d.getUTCMonth() + toNumber(args[0])); return d; }
      case 'addyears': { const d = new Date(target); d.setUTCFullYear(d.getUTCFullYear() + toNumber(args[0])); return d; }
      case 'touniversaltime': case 'tolocaltime': return target;
      case 'toshortdatestring': return `${target.getUTCMonth() + 1}/${target.getUTCDate()}/${target.getUTCFullYear()}`;
      case 'tostring': return formatDateWith(target, s(0));
    }
    throw missing();
  }
  if (Array.isArray(target)) {
    switch (m) {
      case 'contains': return target.some((x) => compare('eq', x, args[0]) === true);
      case 'indexof': return target.findIndex((x) => compare('eq', x, args[0]) === true);
    }
    throw missing();
  }
  if (target instanceof Hashtable) {
    switch (m) {
      case 'add':
        if (target.has(s(0))) throw host.fail(`Exception calling "Add" with "2" argument(s): "Item has already been added. Key in dictionary: '${s(0)}'"`);
        target.set(s(0), args[1]);
        return undefined;
      case 'remove': target.delete(s(0)); return undefined;
      case 'containskey': return target.has(s(0));
      case 'clear': for (const k of target.keys()) target.delete(k); return undefined;
    }
    throw missing();
  }
  if (target instanceof ScriptBlock && m === 'invoke') return host.invoke(target, null, args).then(collapse);
  throw missing();
}
