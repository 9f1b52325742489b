// How values read in tables: dates in the user's locale, lists joined, unknown values as JSON.

export function formatDate(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Any API value as plain text (the caller renders it as a React text node, never as HTML). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** "a, b\nc" → ['a', 'b', 'c']: list fields are typed one per line or comma-separated. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

export function joinList(items: unknown): string {
  return Array.isArray(items) ? items.join('\n') : typeof items === 'string' ? items : '';
}
