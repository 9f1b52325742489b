// Chart colours and shaping shared by the dashboard and hunting charts. Colours are SVG
// attributes (fill/stroke), never inline style, so the strict CSP holds.

export const NO_CONNECTOR = 'NoConnector';
export const NO_CONNECTOR_COLOR = '#c62828';
const PALETTE = ['#1565c0', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#4e342e', '#283593', '#9e9d24'];

export function seriesColor(name: string, index: number): string {
  return name === NO_CONNECTOR ? NO_CONNECTOR_COLOR : PALETTE[index % PALETTE.length];
}

/** Rows of (key, series, value) → one object per key with a property per series, keys in order. */
export function pivot<R>(rows: R[], key: (row: R) => string, series: (row: R) => string, value: (row: R) => number) {
  const byKey = new Map<string, Record<string, number | string>>();
  const names: string[] = [];
  for (const row of rows) {
    const k = key(row);
    const s = series(row);
    if (!names.includes(s)) names.push(s);
    const entry = byKey.get(k) ?? { key: k };
    entry[s] = ((entry[s] as number | undefined) ?? 0) + value(row);
    byKey.set(k, entry);
  }
  const data = [...byKey.values()].sort((a, b) => String(a.key).localeCompare(String(b.key)));
  return { data, series: names };
}
