// The benchmarks are tools people run by hand; run them here at a tiny size so that a change to
// the CLI (only `init` creates a data directory, say) cannot leave them broken unnoticed.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const bench = (script: string, ...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', script), ...args], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` },
  }));

describe('benchmarks at a tiny size', () => {
  it('growth prints throughput, bytes per message and the article query at that size', { timeout: 120_000 }, () => {
    const r = bench('growth.mjs', '--messages', '300', '--step', '150');
    expect(r.steps.map((s: { messages: number }) => s.messages)).toEqual([150, 300]);
    expect(r.steps[1].bytesPerMessage).toBeGreaterThan(100);
    expect(r.perObject.find((o: { name: string }) => o.name === 'EmailEvents').bytesPerMessage).toBeGreaterThan(0);
    expect(r.queries.articleHunt.rows).toBe(300);
  });

  it('import loads every generated row, UTF-8 and UTF-16, beside sqlite3', { timeout: 120_000 }, () => {
    for (const extra of [[], ['--utf16']]) {
      const r = bench('import.mjs', '--rows', '300', ...extra);
      expect(r).toMatchObject({ rows: 300, imported: 300, skipped: 0 });
      expect(r.postern.peakRssMB).toBeGreaterThan(0);
    }
  });

  it('historical-search finds exactly the generated and live Direct Send rows', { timeout: 120_000 }, () => {
    const r = bench('historical-search.mjs', '--rows', '500', '--messages', '20');
    expect(r.search).toMatchObject({ status: 'Done', exact: true });
  });
});
