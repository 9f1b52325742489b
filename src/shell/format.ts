// Text rendering of pipeline output: Format-Table, Format-List, and the default view an object
// gets at the end of a pipeline (Out-Default). A type can have a default view (table columns, or
// a list), as PowerShell's format data gives; the modules that output those types declare them
// (cmdlets/views.ts for Exchange's) and the registry carries them. Other objects get a table when
// they have at most four properties and a list otherwise, as in PowerShell.
import { FormattedText, Hashtable, ScriptBlock, findProperty, formatDate, isPlainObject, propertyNames, toStr, typeNameOf } from './values.js';

/** Default views by type name: the table columns, or the types shown as a list. */
export interface FormatViews {
  readonly table: Readonly<Record<string, readonly string[]>>;
  readonly list: ReadonlySet<string>;
}

/** The engine's own types (Get-Command, Get-Help). */
export const ENGINE_VIEWS: FormatViews = { table: { CmdletInfo: ['CommandType', 'Name', 'Source'] }, list: new Set(['HelpInfo']) };

/** Two sets of views as one (the second adds to and overrides the first). */
export function withViews(base: FormatViews, more: FormatViews): FormatViews {
  return { table: { ...base.table, ...more.table }, list: new Set([...base.list, ...more.list]) };
}

/** How one value looks in a table cell or list line. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `{${v.map((x) => cellText(x)).join(', ')}}`;
  if (v instanceof Date) return formatDate(v);
  if (v instanceof Hashtable) return `{${v.keys().join(', ')}}`;
  if (v instanceof ScriptBlock) return v.text.trim();
  if (isPlainObject(v)) {
    const id = findProperty(v, 'Identity') ?? findProperty(v, 'Name');
    if (id && (typeof id[1] === 'string' || typeof id[1] === 'number')) return String(id[1]);
    return '@{' + Object.entries(v).map(([k, x]) => `${k}=${cellText(x)}`).join('; ') + '}';
  }
  return toStr(v);
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number';
}

export interface TableColumn {
  label: string;
  value: (obj: unknown) => unknown;
}

/** Renders objects as a PowerShell-style table. */
export function renderTable(objects: unknown[], columns: TableColumn[], options: { width?: number; autoSize?: boolean; hideHeaders?: boolean } = {}): string {
  if (columns.length === 0 || objects.length === 0) return '';
  const width = options.width ?? 120;
  const rows = objects.map((o) => columns.map((c) => c.value(o)));
  const numeric = columns.map((_, i) => rows.every((r) => r[i] === null || r[i] === undefined || isNumeric(r[i])) && rows.some((r) => isNumeric(r[i])));
  const text = rows.map((r) => r.map((v) => cellText(v).replace(/\r?\n/g, ' ')));
  const widths = columns.map((c, i) => Math.max(c.label.length, ...text.map((r) => r[i].length)));
  // Fit the console: shrink the widest columns first, never below the header or 6 characters.
  let total = widths.reduce((a, b) => a + b, 0) + widths.length - 1;
  while (total > width) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i] > widths[widest]) widest = i;
    const floor = Math.max(6, Math.min(columns[widest].label.length, 12));
    if (widths[widest] <= floor) break;
    widths[widest]--;
    total--;
  }
  const fit = (s: string, w: number, right: boolean) => {
    const t = s.length > w ? s.slice(0, Math.max(0, w - 3)) + '...' : s;
    return right ? t.padStart(w) : t.padEnd(w);
  };
  const lines: string[] = [];
  if (!options.hideHeaders) {
    lines.push(columns.map((c, i) => fit(c.label, widths[i], numeric[i])).join(' ').trimEnd());
    lines.push(columns.map((c, i) => fit('-'.repeat(Math.min(c.label.length, widths[i])), widths[i], numeric[i])).join(' ').trimEnd());
  }
  for (const r of text) lines.push(r.map((s, i) => fit(s, widths[i], numeric[i])).join(' ').trimEnd());
  return `\n${lines.join('\n')}\n\n`;
}

/** Renders objects as a PowerShell-style list ("Name : value"). */
export function renderList(objects: unknown[], properties?: (obj: unknown) => [string, unknown][]): string {
  const blocks: string[] = [];
  for (const o of objects) {
    const entries = properties ? properties(o) : propertyNames(o).map((n) => [n, findProperty(o, n)?.[1]] as [string, unknown]);
    if (entries.length === 0) {
      blocks.push(toStr(o));
      continue;
    }
    const w = Math.max(...entries.map(([n]) => n.length));
    blocks.push(entries.map(([n, v]) => `${n.padEnd(w)} : ${cellText(v).replace(/\r?\n/g, '\n' + ' '.repeat(w + 3))}`.trimEnd()).join('\n'));
  }
  return `\n${blocks.join('\n\n')}\n\n`;
}

function columnsFor(obj: unknown, properties: string[] | undefined, views: FormatViews): TableColumn[] {
  const names = properties ?? views.table[typeNameOf(obj) ?? ''] ?? propertyNames(obj);
  return names.map((n) => ({ label: n, value: (o: unknown) => findProperty(o, n)?.[1] }));
}

/** The key that groups consecutive objects into one table or list. */
function viewKey(v: unknown): string {
  const t = typeNameOf(v);
  if (t) return `type:${t}`;
  if (v instanceof Hashtable) return 'hashtable';
  if (isPlainObject(v)) return `props:${Object.keys(v).join('\u0000')}`;
  return 'scalar';
}

/** Out-Default: what the admin sees for a statement's output. */
export function formatDefault(values: unknown[], width = 120, views: FormatViews = ENGINE_VIEWS): string {
  let out = '';
  let i = 0;
  while (i < values.length) {
    const v = values[i];
    if (v === null || v === undefined) {
      i++;
      continue;
    }
    if (v instanceof FormattedText) {
      out += v.text;
      i++;
      continue;
    }
    const key = viewKey(v);
    if (key === 'scalar') {
      out += (Array.isArray(v) ? v.map(toStr).join('\n') : scalarText(v)) + '\n';
      i++;
      continue;
    }
    let j = i + 1;
    while (j < values.length && viewKey(values[j]) === key) j++;
    const group = values.slice(i, j);
    out += formatGroup(group, width, views);
    i = j;
  }
  return out;
}

function scalarText(v: unknown): string {
  if (v instanceof Date) {
    const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const h = v.getUTCHours();
    const h12 = h % 12 === 0 ? 12 : h % 12;
    const mm = String(v.getUTCMinutes()).padStart(2, '0');
    const ss = String(v.getUTCSeconds()).padStart(2, '0');
    return `${days[v.getUTCDay()]}, ${months[v.getUTCMonth()]} ${v.getUTCDate()}, ${v.getUTCFullYear()} ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
  }
  return toStr(v);
}

function formatGroup(group: unknown[], width: number, views: FormatViews): string {
  const first = group[0];
  if (first instanceof Hashtable) {
    const rows = group.flatMap((h) => (h as Hashtable).entries().map(([Name, Value]) => ({ Name, Value })));
    return renderTable(rows, [
      { label: 'Name', value: (o) => (o as { Name: string }).Name },
      { label: 'Value', value: (o) => (o as { Value: unknown }).Value },
    ], { width });
  }
  const type = typeNameOf(first);
  if (type && views.list.has(type)) return renderList(group);
  if ((type && views.table[type]) || propertyNames(first).length <= 4) return renderTable(group, columnsFor(first, undefined, views), { width });
  return renderList(group);
}

export function formatTableText(objects: unknown[], properties: string[] | undefined, options: { width?: number; autoSize?: boolean; hideHeaders?: boolean; calculated?: TableColumn[]; views?: FormatViews } = {}): string {
  const objs = objects.filter((o) => o !== null && o !== undefined);
  if (objs.length === 0) return '';
  if (objs.every((o) => !isPlainObject(o) && !(o instanceof Hashtable))) {
    return renderTable(objs, [{ label: properties?.[0] ?? 'Value', value: (o) => o }], { ...options, hideHeaders: properties === undefined ? true : options.hideHeaders });
  }
  const columns = options.calculated ?? columnsFor(objs[0], properties, options.views ?? ENGINE_VIEWS);
  return renderTable(objs, columns, options);
}

export function formatListText(objects: unknown[], properties: string[] | undefined): string {
  const objs = objects.filter((o) => o !== null && o !== undefined);
  if (objs.length === 0) return '';
  if (!properties || properties.includes('*')) return renderList(objs);
  return renderList(objs, (o) => properties.flatMap((p) => {
    if (p.includes('*')) {
      const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
      return propertyNames(o).filter((n) => re.test(n)).map((n) => [n, findProperty(o, n)?.[1]] as [string, unknown]);
    }
    const f = findProperty(o, p);
    return [[f ? f[0] : p, f?.[1]] as [string, unknown]];
  }));
}
