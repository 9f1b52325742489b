// Execution limits: the row cap, the time limit (genuinely cancelling SQLite), the worker
// thread used for file databases, and value conversion.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { HuntCancelledError, HuntTimeoutError, KqlError } from './errors.js';
import { formatHuntResult } from './format.js';
import { executeCompiled, runHunt } from '../store/sqlite/hunting/executor.js';
import { buildDataset, NOW, visible } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';

const data = buildDataset();
const EE = visible(data.contoso, 'EmailEvents');
const tmp = join(process.cwd(), '.tmp', `hunting-exec-${process.pid}`);
const dbPath = join(tmp, 'hunt.db');
let db: Database.Database;
let workerUrl: URL;

/** Compile src/hunting + src/trace to JS under .tmp so the worker thread can load it. */
function buildWorker(): URL {
  const out = join(tmp, 'js');
  for (const dir of ['hunting', 'trace', 'store/sqlite/hunting']) {
    mkdirSync(join(out, dir), { recursive: true });
    const src = join(process.cwd(), 'src', dir);
    for (const f of readdirSync(src)) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      const js = ts.transpileModule(readFileSync(join(src, f), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(out, dir, f.replace(/\.ts$/, '.js')), js);
    }
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return new URL(`file://${join(out, 'store', 'sqlite', 'hunting', 'huntWorker.js')}`);
}

beforeAll(() => {
  mkdirSync(tmp, { recursive: true });
  db = new Database(dbPath);
  loadDataset(db, allHuntingDdl(), data);
  workerUrl = buildWorker();
});
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

// A query whose work grows as n^4 over the table: far beyond any reasonable time limit.
const HEAVY = `EmailEvents | project A = EmailLanguage
| join kind=inner (EmailEvents | project A = EmailLanguage) on A
| join kind=inner (EmailEvents | project A = EmailLanguage) on A
| join kind=inner (EmailEvents | project A = EmailLanguage) on A
| count`;

describe('hunting execution', () => {
  it('caps the rows and reports truncation', async () => {
    const r = await runHunt(db, { orgId: 'contoso', query: 'EmailEvents | project NetworkMessageId', now: NOW, maxRows: 10 });
    expect(r.rows.length).toBe(10);
    expect(r.truncated).toBe(true);
    const all = await runHunt(db, { orgId: 'contoso', query: 'EmailEvents | project NetworkMessageId', now: NOW });
    expect(all.rows.length).toBe(EE.length);
    expect(all.truncated).toBe(false);
  });

  it('the lookback window is configurable', async () => {
    const r = await runHunt(db, { orgId: 'contoso', query: 'EmailEvents | count', now: NOW, lookbackDays: 45 });
    expect(r.rows).toEqual([{ Count: data.contoso.EmailEvents.length }]);
  });

  it('cancels a runaway query on the calling thread', () => {
    const c = compileKql(HEAVY, { orgId: 'contoso', now: NOW });
    const t0 = Date.now();
    expect(() => executeCompiled(db, c, { timeoutMs: 150 })).toThrow(HuntTimeoutError);
    expect(Date.now() - t0).toBeLessThan(3000);
    // The connection is still usable afterwards.
    expect(executeCompiled(db, compileKql('EmailUrlInfo | count', { orgId: 'contoso', now: NOW })).rows.length).toBe(1);
  });

  it('runs file databases in a worker thread', async () => {
    const r = await runHunt(dbPath, { orgId: 'contoso', query: 'EmailEvents | summarize n = count() by EmailDirection | order by n desc', now: NOW, workerUrl });
    expect(r.rows[0]).toEqual({ EmailDirection: 'Inbound', n: EE.filter((x) => x.EmailDirection === 'Inbound').length });
  });

  it('learns bag_unpack and pivot columns from the data inside the worker thread', async () => {
    const auth = EE.filter((x) => String(x.AuthenticationDetails).startsWith('{'));
    const r = await runHunt(dbPath, { orgId: 'contoso', now: NOW, workerUrl, query: 'EmailEvents | where AuthenticationDetails startswith "{" | project d = parse_json(AuthenticationDetails) | evaluate bag_unpack(d) | summarize n = count() by DMARC' });
    expect(r.columns.map((c) => c.name)).toEqual(['DMARC', 'n']);
    expect(r.rows.reduce((a, x) => a + (x.n as number), 0)).toBe(auth.length);
    const p = await runHunt(dbPath, { orgId: 'contoso', now: NOW, workerUrl, query: 'EmailEvents | project EmailDirection | evaluate pivot(EmailDirection)' });
    expect(p.rows).toEqual([Object.fromEntries(p.columns.map((c) => [c.name, EE.filter((x) => x.EmailDirection === c.name).length]))]);
  });

  it('a query error from the worker keeps its line and column', async () => {
    const e = await runHunt(dbPath, { orgId: 'contoso', now: NOW, workerUrl, query: 'EmailEvents\n| where Foo == 1' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KqlError);
    expect([(e as KqlError).line, (e as KqlError).column]).toEqual([2, 9]);
  });

  it('cancels a runaway query in the worker thread', async () => {
    const t0 = Date.now();
    await expect(runHunt(dbPath, { orgId: 'contoso', query: HEAVY, now: NOW, timeoutMs: 200, workerUrl })).rejects.toBeInstanceOf(HuntTimeoutError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('stops a query when its caller cancels it (the REST API client went away), long before its time limit', async () => {
    const cancel = new AbortController();
    const t0 = Date.now();
    setTimeout(() => cancel.abort(), 150);
    await expect(runHunt(dbPath, { orgId: 'contoso', query: HEAVY, now: NOW, timeoutMs: 60_000, workerUrl, signal: cancel.signal })).rejects.toBeInstanceOf(HuntCancelledError);
    expect(Date.now() - t0).toBeLessThan(3000);
    // An already cancelled query does not start.
    await expect(runHunt(dbPath, { orgId: 'contoso', query: 'EmailEvents | count', workerUrl, signal: cancel.signal })).rejects.toBeInstanceOf(HuntCancelledError);
  });

  it('reports query errors with a position', async () => {
    await expect(runHunt(db, { orgId: 'contoso', query: 'EmailEvents | where Foo == 1' })).rejects.toThrow(/line 1, column 21: Unknown column or name 'Foo'/);
    await expect(runHunt(dbPath, { orgId: 'contoso', query: 'EmailEvents | evaluate bag_unpack(x)', workerUrl })).rejects.toBeInstanceOf(KqlError);
    // A pattern only known at run time fails inside the worker and still arrives as a KqlError.
    await expect(runHunt(dbPath, { orgId: 'contoso', now: NOW, query: 'EmailEvents | where Subject matches regex strcat("(", Subject)', workerUrl })).rejects.toThrow(KqlError);
    await expect(runHunt(db, { orgId: 'contoso', now: NOW, query: 'EmailEvents | where Subject matches regex strcat("(", Subject)' })).rejects.toThrow(/Invalid regular expression/);
  });

  it('returns Kusto values: ISO datetimes, timespans, bools, parsed dynamics, "" for strings', async () => {
    const r = await runHunt(db, {
      orgId: 'contoso', now: NOW,
      query: `EmailEvents | top 1 by Timestamp | project Timestamp, Age = now() - Timestamp + 1d, B = AttachmentCount >= 0, D = parse_json('{"a":[1,"x"]}'), S = extract("zzz", 0, Subject), N = EmailClusterId * 0 + 1`,
    });
    const row = r.rows[0];
    expect(row.Timestamp).toMatch(/^2026-0[23]-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(row.Age).toMatch(/^1\.\d\d:\d\d:\d\d/);
    expect(row.B).toBe(true);
    expect(row.D).toEqual({ a: [1, 'x'] });
    expect(row.S).toBe('');
    expect(r.columns.map((c) => c.type)).toEqual(['datetime', 'timespan', 'bool', 'dynamic', 'string', 'long']);
  });

  it('formats results as table, CSV and JSON', async () => {
    const r = await runHunt(db, { orgId: 'contoso', now: NOW, query: `EmailEvents | summarize n = count() by EmailDirection | order by EmailDirection asc | extend Note = strcat("a,\\"b\\"", "") | render columnchart` });
    const table = formatHuntResult(r, 'table');
    expect(table.split('\n')[0]).toMatch(/^EmailDirection \| n\s+\| Note$/);
    expect(table).toContain('3 rows');
    expect(table).toContain('chart: columnchart');
    const csv = formatHuntResult(r, 'csv');
    expect(csv.split('\r\n')[0]).toBe('EmailDirection,n,Note');
    expect(csv.split('\r\n')[1]).toMatch(/^Inbound,\d+,"a,""b"""$/);
    const json = JSON.parse(formatHuntResult(r, 'json'));
    expect(json.columns[1]).toEqual({ name: 'n', type: 'long' });
    expect(json.chart).toEqual({ kind: 'columnchart' });
    expect(json.truncated).toBe(false);
  });
});

describe('bin() of a table Timestamp', () => {
  // Rows of a table are at or after the lookback window start, so when that start is not before
  // 1970 the compiler bins with the plain remainder; otherwise (and for values of unknown sign)
  // with the flooring form. Both must give Kusto's bins.
  const DAY = 86_400_000;
  const floorBin = (t: number, size: number, origin = 0) => t - ((((t - origin) % size) + size) % size);
  const ORIGIN = -62135596800000; // 0001-01-01
  const run = (now: number, stamps: number[], query: string, lookbackDays = 30) => {
    const mem = new Database(':memory:');
    for (const s of allHuntingDdl()) mem.exec(s);
    const ins = mem.prepare('INSERT INTO EmailEvents (OrgId, Timestamp) VALUES (?, ?)');
    for (const t of stamps) ins.run('contoso', t);
    const compiled = compileKql(query, { orgId: 'contoso', now, lookbackDays });
    const rows = executeCompiled(mem, compiled).rows;
    mem.close();
    return { sql: compiled.sql, rows };
  };

  it('uses the plain remainder after 1970 and gives the same bins (days, weeks from 0001-01-01)', () => {
    const now = Date.UTC(2026, 2, 1, 12);
    const stamps = [now - 3 * DAY + 5, now - 3 * DAY - 5, now - 10 * DAY + 3_600_000, now - 1];
    for (const [size, origin] of [[DAY, 0], [7 * DAY, ORIGIN]] as const) {
      const { sql, rows } = run(now, stamps, `EmailEvents | summarize n = count() by B = bin(Timestamp, ${size / DAY}d) | order by B asc`);
      expect(sql).not.toMatch(/% @p\d+\) \+ @p\d+\) % @p\d+/); // no flooring form
      const want = [...new Set(stamps.map((t) => floorBin(t, size, origin)))].sort((a, b) => a - b).map((t) => new Date(t).toISOString());
      expect(rows.map((r) => r.B)).toEqual(want);
    }
  });

  it('floors when the window reaches before 1970 (and for datatable values)', () => {
    const now = Date.UTC(1970, 0, 10);
    const stamps = [Date.UTC(1969, 11, 20, 5), Date.UTC(1969, 11, 31, 23, 59), Date.UTC(1970, 0, 2, 1)];
    const { sql, rows } = run(now, stamps, `EmailEvents | summarize n = count() by B = bin(Timestamp, 1d) | order by B asc`);
    expect(sql).toMatch(/% @p\d+\) \+ @p\d+\) % @p\d+/);
    expect(rows.map((r) => r.B)).toEqual(['1969-12-20T00:00:00.000Z', '1969-12-31T00:00:00.000Z', '1970-01-02T00:00:00.000Z']);
    const dt = run(Date.UTC(2026, 2, 1), [], `datatable(T:datetime) [datetime(1969-12-20 05:00)] | project B = bin(T, 1d)`);
    expect(dt.rows.map((r) => r.B)).toEqual(['1969-12-20T00:00:00.000Z']);
  });
});
