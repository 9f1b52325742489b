// The fixture exports (test/fixtures/exports) as a test imports them.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/exports');
const DAY = 86_400_000;

/**
 * A copy of each fixture with every date moved forward by whole days, so that the newest (4 December
 * 2026) is yesterday and "the last 30 days" holds them all whenever the test runs.
 */
export function shiftedFixtures(dir: string): string[] {
  const shift = Math.max(0, Math.floor((Date.now() - Date.UTC(2026, 11, 5)) / DAY)) * DAY;
  const move = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d) + shift);
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.csv')).map((name) => {
    const bytes = readFileSync(join(FIXTURES, name));
    const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
    const text = (utf16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8'))
      .replace(/\b(\d{4})-(\d{2})-(\d{2})(?=[T ])/g, (_, y, m, d) => move(+y, +m, +d).toISOString().slice(0, 10))
      .replace(/\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g, (_, m, d, y) => {
        const t = move(+y, +m, +d);
        return `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${t.getUTCFullYear()}`;
      });
    const out = join(dir, name);
    writeFileSync(out, utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text));
    return out;
  });
}

