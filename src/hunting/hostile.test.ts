// Generated and hostile queries: thousands of `or`ed IOCs, hundreds of parentheses. They give
// the right rows or a KQL error with its position — never a JavaScript error or a stack trace.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { HuntInternalError, KqlError } from './errors.js';
import { MAX_NESTING } from './exprParser.js';
import { runHunt } from '../store/sqlite/hunting/executor.js';
import { buildDataset, NOW, visible } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';

const data = buildDataset();
const EE = visible(data.contoso, 'EmailEvents');
let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  loadDataset(db, allHuntingDdl(), data);
});
afterAll(() => db.close());

const hunt = async (query: string) => (await runHunt(db, { orgId: 'contoso', query, now: NOW })).rows;
const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.NetworkMessageId).sort();
const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** n IOC values: the real sender IPs of the dataset first, then addresses that match nothing. */
function iocs(n: number): string[] {
  const real = [...new Set(EE.map((r) => String(r.SenderIPv4)))].slice(0, 5);
  return [...real, ...Array.from({ length: n - real.length }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}`)];
}

function errorOf(q: string): KqlError {
  try {
    compileKql(q, { orgId: 'contoso', now: NOW });
  } catch (e) {
    expect(e).toBeInstanceOf(KqlError);
    return e as KqlError;
  }
  throw new Error(`expected an error for: ${q.slice(0, 80)}`);
}

describe('long or-chains over one column (IOC lists)', () => {
  it('a 5,000-term == chain returns the same rows as the in (…) form', async () => {
    const list = iocs(5000);
    const chain = await hunt(`EmailEvents | where ${list.map((v) => `SenderIPv4 == ${quote(v)}`).join(' or ')} | project NetworkMessageId`);
    const inForm = await hunt(`EmailEvents | where SenderIPv4 in (${list.map(quote).join(', ')}) | project NetworkMessageId`);
    expect(inForm.length).toBeGreaterThan(0);
    expect(ids(chain)).toEqual(ids(inForm));
  });

  it('=~ chains compile to in~ (case-insensitive), also in parentheses and mixed with other columns', async () => {
    const list = iocs(1000);
    const upper = list.map((v, i) => (i % 2 ? v : v.toUpperCase()));
    const dir = EE.find((r) => r.EmailDirection)?.EmailDirection as string;
    const q = `EmailEvents | where (${upper.slice(0, 500).map((v) => `SenderIPv4 =~ ${quote(v)}`).join(' or ')}) or EmailDirection == 'NoSuchDirection' or (${upper.slice(500).map((v) => `(${quote(v)} =~ SenderIPv4)`).join(' or ')}) | where EmailDirection == ${quote(dir)} | project NetworkMessageId`;
    const c = compileKql(q, { orgId: 'contoso', now: NOW });
    expect(c.sql).toMatch(/kql_lower\("SenderIPv4"\) IN \(/);
    const inForm = await hunt(`EmailEvents | where SenderIPv4 in~ (${list.map(quote).join(', ')}) | where EmailDirection == ${quote(dir)} | project NetworkMessageId`);
    expect(ids(await hunt(q))).toEqual(ids(inForm));
  });

  it('a 5,000-term chain over different columns runs (a balanced tree, not 5,000 levels)', async () => {
    const list = iocs(5000);
    const cols = ['SenderIPv4', 'SenderFromDomain', 'SenderMailFromAddress', 'Subject'];
    const q = `EmailEvents | where ${list.map((v, i) => `${cols[i % cols.length]} has ${quote(v)}`).join(' or ')} | count`;
    const rows = await hunt(q);
    expect(rows[0].Count).toBeGreaterThan(0);
  });

  it('a 5,000-term and chain runs', async () => {
    const q = `EmailEvents | where ${Array.from({ length: 5000 }, (_, i) => `SenderIPv4 != '203.0.113.${i}'`).join(' and ')} | count`;
    expect((await hunt(q))[0].Count).toBeGreaterThan(0);
  });
});

describe('nesting beyond the limit is a KQL error with its position', () => {
  // The where expression is the first level.
  it(`${MAX_NESTING} levels (199 parentheses) still work`, async () => {
    const q = `EmailEvents | where ${'('.repeat(MAX_NESTING - 1)}EmailSize > 0${')'.repeat(MAX_NESTING - 1)} | count`;
    expect((await hunt(q))[0].Count).toBeGreaterThan(0);
  });

  const DEEP: [string, string, number][] = [
    ['900 parentheses', `EmailEvents | where ${'('.repeat(900)}EmailSize > 0${')'.repeat(900)}`, 21 + MAX_NESTING],
    ['900 nested calls', `EmailEvents | extend x = ${'tostring('.repeat(900)}Subject${')'.repeat(900)}`, 26 + 'tostring('.length * MAX_NESTING],
    ['10,000 unary minus signs', `EmailEvents | extend x = ${'-'.repeat(10_000)}1`, 26 + MAX_NESTING],
    ['a 5,000-term + chain', `EmailEvents | extend x = ${Array.from({ length: 5000 }, () => 'EmailSize').join(' + ')}`, 26 + 'EmailSize + '.length * (MAX_NESTING - 1) + 'EmailSize '.length],
    ['a dynamic literal 900 arrays deep', `EmailEvents | extend x = dynamic(${'['.repeat(900)}1${']'.repeat(900)})`, 34 + MAX_NESTING],
  ];
  for (const [what, q, column] of DEEP) {
    it(what, async () => {
      const e = errorOf(q);
      expect(e.message).toMatch(new RegExp(`^line 1, column ${column}: The expression is nested more than ${MAX_NESTING} levels deep`));
      await expect(hunt(q)).rejects.toThrow(/nested more than 200 levels/);
    });
  }

  it('a multi-line query gives the line of the offending parenthesis', () => {
    const e = errorOf(`EmailEvents\n| where ${'(\n'.repeat(300)}EmailSize > 0${')'.repeat(300)}`);
    expect([e.line, e.column]).toEqual([2 + MAX_NESTING, 1]);
  });
});

describe('lists beyond SQLite\'s parameter bound', () => {
  it('a 100,000-item in (…) list returns the rows its real items match (in, in~ and !in)', async () => {
    const real = iocs(5);
    const list = [...real, ...Array.from({ length: 100_000 }, (_, i) => `240.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)];
    const expected = await hunt(`EmailEvents | where SenderIPv4 in (${real.map(quote).join(', ')}) | count`);
    expect(expected[0].Count).toBeGreaterThan(0);
    expect(await hunt(`EmailEvents | where SenderIPv4 in (${list.map(quote).join(', ')}) | count`)).toEqual(expected);
    expect(await hunt(`EmailEvents | where SenderIPv4 in~ (${list.map(quote).join(', ')}) | count`)).toEqual(expected);
    const all = (await hunt('EmailEvents | count'))[0].Count as number;
    expect(await hunt(`EmailEvents | where SenderIPv4 !in (${list.map(quote).join(', ')}) | count`)).toEqual([{ Count: all - (expected[0].Count as number) }]);
  });
});

describe('the last resort', () => {
  it('a failure the engine does not foresee is an internal error in a sentence, not a SqliteError', async () => {
    // 40,000 constants in a dynamic array are 40,000 bound parameters, beyond SQLite's 32,766.
    const q = `EmailEvents | extend x = pack_array(${iocs(40_000).map(quote).join(', ')}) | count`;
    const err = await hunt(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HuntInternalError);
    expect((err as Error).message).toMatch(/^internal error in the hunting engine: too many SQL variables\. Simplify the query/);
  });
});

describe('lets see only the names bound before them (no recursion)', () => {
  it('a function that calls itself is a KQL error, not a stack overflow', () => {
    expect(errorOf('let f = () { f() }; f()').message).toMatch(/^line 1, column 14: 'f\(…\)' does not produce a table/);
    expect(errorOf('let g = (x:long) { g(x) + 1 }; EmailEvents | extend y = g(1)').message).toMatch(/^line 1, column 20: Unknown or unsupported function 'g\(\)'/);
  });

  it('let EmailEvents = EmailEvents | … reads the table, as in Kusto', async () => {
    expect(await hunt('let EmailEvents = EmailEvents | take 3; EmailEvents | count')).toEqual([{ Count: 3 }]);
  });

  it('10,000 lets compile', async () => {
    const lets = Array.from({ length: 10_000 }, (_, i) => `let v${i} = ${i === 0 ? '1' : `v${i - 1}`};`).join('\n');
    expect(await hunt(`${lets}\nEmailEvents | where EmailSize > v9999 | count`)).toHaveLength(1);
  });
});
