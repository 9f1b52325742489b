// The operators and forms issue 23 added to the hunting language: make-series, evaluate
// bag_unpack and pivot, mv-expand of several columns, print, `.['name']`, a number compared with
// a numeric string, Sentinel's TimeGenerated, and Unicode spaces. Expected answers are computed
// here from the dataset's arrays; schemas, where they do not depend on the data, are checked
// against Microsoft's binder (@kusto/language-service-next).
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { KqlError } from './errors.js';
import type { KustoValue } from './results.js';
import { bindParams, huntOn, registerKqlFunctions } from '../store/sqlite/hunting/executor.js';
import { buildDataset, DAY, NOW, visible, type Row } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';
import { kustoOracle } from './testing/oracle.js';

const data = buildDataset();
const EE = visible(data.contoso, 'EmailEvents');
let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  loadDataset(db, allHuntingDdl(), data);
});

const hunt = (query: string) => huntOn(db, { orgId: 'contoso', query, now: NOW });
const rows = (query: string) => hunt(query).rows;
const names = (query: string) => hunt(query).columns.map((c) => `${c.name}:${c.type}`);
/** The result schema Microsoft's binder gives, as name:type. */
const oracleNames = (query: string) => {
  const o = kustoOracle(query);
  expect(o.diagnostics, 'the official parser and binder accept the query').toEqual([]);
  return (o.columns ?? []).map((c) => `${c.name}:${c.type}`);
};
const errorOf = (query: string) => {
  try { hunt(query); } catch (e) { expect(e).toBeInstanceOf(KqlError); return e as KqlError; }
  throw new Error('expected a KqlError');
};
/** Kusto's rendering of a datetime inside a dynamic value. */
const kustoTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}0000Z`;
const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const byKey = (r: Record<string, KustoValue>) => JSON.stringify(r);
const sortRows = <T extends Record<string, unknown>>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('make-series', () => {
  it('counts per day and group over a given range, with default 0 where a day has no rows', () => {
    const q = `EmailEvents | where EmailDirection == "Inbound"
| make-series Messages = count() default = 0 on Timestamp from startofday(ago(7d)) to startofday(now()) step 1d by Connectors`;
    expect(names(q)).toEqual(oracleNames(q));
    const start = startOfDay(NOW - 7 * DAY);
    const inRange = EE.filter((r) => r.EmailDirection === 'Inbound' && (r.Timestamp as number) >= start && (r.Timestamp as number) < startOfDay(NOW));
    const groups = [...new Set(inRange.map((r) => String(r.Connectors)))];
    const want = groups.map((g) => ({
      Connectors: g,
      Messages: Array.from({ length: 7 }, (_, i) => inRange.filter((r) => r.Connectors === g && Math.floor(((r.Timestamp as number) - start) / DAY) === i).length),
      Timestamp: Array.from({ length: 7 }, (_, i) => kustoTime(start + i * DAY)),
    }));
    expect(sortRows(rows(q))).toEqual(sortRows(want));
    expect(want.some((w) => w.Messages.includes(0))).toBe(true); // the default is exercised
  });

  it('without from/to spans the bins that have data; default= fills the gaps; averages are real', () => {
    const q = `EmailEvents | where Timestamp > ago(6d) and EmailDirection != "Inbound" | make-series avg(EmailSize) default = -1 on Timestamp step 1d`;
    expect(names(q)).toEqual(oracleNames(q));
    const rs = EE.filter((r) => (r.Timestamp as number) > NOW - 6 * DAY && r.EmailDirection !== 'Inbound');
    const lo = startOfDay(Math.min(...rs.map((r) => r.Timestamp as number)));
    const n = (startOfDay(Math.max(...rs.map((r) => r.Timestamp as number))) - lo) / DAY + 1;
    const avg = Array.from({ length: n }, (_, i) => {
      const day = rs.filter((r) => startOfDay(r.Timestamp as number) === lo + i * DAY).map((r) => r.EmailSize as number);
      return day.length ? day.reduce((a, b) => a + b, 0) / day.length : -1;
    });
    const [row] = rows(q);
    expect(row.Timestamp).toEqual(Array.from({ length: n }, (_, i) => kustoTime(lo + i * DAY)));
    expect((row.avg_EmailSize as number[]).map((x) => Math.round(x * 1000) / 1000)).toEqual(avg.map((x) => Math.round(x * 1000) / 1000));
  });

  it('with only `from`, the series ends with the last step that has data, counted from `from`', () => {
    const q = `EmailEvents | where Timestamp > ago(3d) | make-series c = count() on Timestamp from ago(2d) step 1d`;
    const start = NOW - 2 * DAY;
    const rs = EE.filter((r) => (r.Timestamp as number) > NOW - 3 * DAY && (r.Timestamp as number) >= start);
    const n = Math.floor((Math.max(...rs.map((r) => r.Timestamp as number)) - start) / DAY) + 1;
    expect(rows(q)).toEqual([{
      c: Array.from({ length: n }, (_, i) => rs.filter((r) => Math.floor(((r.Timestamp as number) - start) / DAY) === i).length),
      Timestamp: Array.from({ length: n }, (_, i) => kustoTime(start + i * DAY)),
    }]);
  });

  it('a numeric axis, and the `in range()` form', () => {
    const q = `EmailEvents | make-series n = count() on EmailSize in range(0, 60000, 10000)`;
    expect(names(q)).toEqual(oracleNames(q));
    const bins = [0, 10000, 20000, 30000, 40000, 50000];
    const want = bins.map((b) => EE.filter((r) => (r.EmailSize as number) >= b && (r.EmailSize as number) < b + 10000).length);
    expect(rows(q)).toEqual([{ n: want, EmailSize: bins }]);
    expect(rows(`EmailEvents | make-series n = count() on EmailSize from 0 to 60000 step 10000`)).toEqual(rows(q));
  });

  it("the examples of Microsoft's make-series reference page give the documented output", () => {
    // learn.microsoft.com/kusto/query/make-series-operator (MicrosoftDocs/dataexplorer-docs)
    const data = `let data=datatable(timestamp:datetime, metric: real)
[
  datetime(2016-12-31T06:00), 50,
  datetime(2017-01-01), 4,
  datetime(2017-01-02), 3,
  datetime(2017-01-03), 4,
  datetime(2017-01-03T03:00), 6,
  datetime(2017-01-05), 8,
  datetime(2017-01-05T13:40), 13,
  datetime(2017-01-06), 4,
  datetime(2017-01-07), 3,
  datetime(2017-01-08), 8,
  datetime(2017-01-08T21:00), 8,
  datetime(2017-01-09), 2,
  datetime(2017-01-09T12:00), 11,
  datetime(2017-01-10T05:00), 5,
];
let interval = 1d;
let stime = datetime(2017-01-01);
let etime = datetime(2017-01-10);
data`;
    const days = Array.from({ length: 9 }, (_, i) => `2017-01-0${i + 1}T00:00:00.0000000Z`);
    expect(rows(`${data}\n| make-series avg(metric) on timestamp from stime to etime step interval `)).toEqual([{ avg_metric: [4.0, 3.0, 5.0, 0.0, 10.5, 4.0, 3.0, 8.0, 6.5], timestamp: days }]);
    expect(rows(`${data}\n| take 0\n| make-series avg(metric) default=1.0 on timestamp from stime to etime step interval \n| count `)).toEqual([{ Count: 0 }]);
    const nonempty = `${data}\n| take 0\n| make-series kind=nonempty avg(metric) default=1.0 on timestamp from stime to etime step interval `;
    expect(names(nonempty)).toEqual(oracleNames(nonempty));
    expect(rows(nonempty)).toEqual([{ avg_metric: new Array(9).fill(1.0), timestamp: days }]);
    // With rows, kind=nonempty changes nothing.
    expect(rows(`${data}\n| make-series kind=nonempty avg(metric) on timestamp from stime to etime step interval `)).toEqual(rows(`${data}\n| make-series avg(metric) on timestamp from stime to etime step interval `));
  });

  it('an empty input makes no series, with or without by', () => {
    expect(rows(`EmailEvents | where Subject == "nope" | make-series count() on Timestamp from ago(1d) to now() step 1h`)).toEqual([]);
    expect(rows(`EmailEvents | where Subject == "nope" | make-series count() on Timestamp step 1h by EmailDirection`)).toEqual([]);
  });

  it('refuses what Kusto refuses: a non-constant step, non-numeric aggregates, too many points', () => {
    expect(errorOf(`let s = 0d; EmailEvents | make-series count() on Timestamp step s`).message).toMatch(/step must be a positive timespan/);
    expect(errorOf(`EmailEvents | make-series make_set(Subject) on Timestamp step 1d`).message).toMatch(/make-series aggregates numbers/);
    expect(errorOf(`EmailEvents | make-series count() on Timestamp from datetime(2000-01-01) to now() step 1ms`).message).toMatch(/limit is 1048576/);
  });
});

describe('evaluate bag_unpack', () => {
  const auth = EE.filter((r) => String(r.AuthenticationDetails).startsWith('{'));

  it("unpacks Defender's AuthenticationDetails into sorted string columns after the others", () => {
    const q = `EmailEvents | where AuthenticationDetails startswith "{" | project NetworkMessageId, d = parse_json(AuthenticationDetails) | evaluate bag_unpack(d)`;
    expect(names(q)).toEqual(['NetworkMessageId:string', 'CompAuth:string', 'DKIM:string', 'DMARC:string', 'SPF:string']);
    expect(sortRows(rows(q))).toEqual(sortRows(auth.map((r) => ({ NetworkMessageId: r.NetworkMessageId, ...JSON.parse(String(r.AuthenticationDetails)) }))));
  });

  it("Microsoft's documented example: a slot's type when its values agree, dynamic when they do not", () => {
    const q = `datatable(d:dynamic) [dynamic({"Name": "John", "Age":20}), dynamic({"Name": "Dave", "Age":40}), dynamic({"Name": "Jasmine", "Age":30})] | evaluate bag_unpack(d)`;
    expect(names(q)).toEqual(['Age:long', 'Name:string']);
    expect(rows(q)).toEqual([{ Age: 20, Name: 'John' }, { Age: 40, Name: 'Dave' }, { Age: 30, Name: 'Jasmine' }]);
    const mixed = `datatable(d:dynamic) [dynamic({"Age":20, "On":true}), dynamic({"Age":40.5, "Tags":["a"]})] | evaluate bag_unpack(d)`;
    expect(names(mixed)).toEqual(['Age:dynamic', 'On:bool', 'Tags:dynamic']);
    expect(rows(mixed)).toEqual([{ Age: 20, On: true, Tags: null }, { Age: 40.5, On: null, Tags: ['a'] }]);
  });

  it('prefix, columnsConflict, ignoredProperties and an output schema', () => {
    const t = `datatable(Id:long, Name:string, d:dynamic) [1, "old", dynamic({"Name":"new", "Age":7, "Skip":1})]`;
    expect(errorOf(`${t} | evaluate bag_unpack(d)`).message).toMatch(/second column named 'Name'/);
    expect(rows(`${t} | evaluate bag_unpack(d, 'p_')`)).toEqual([{ Id: 1, Name: 'old', p_Age: 7, p_Name: 'new', p_Skip: 1 }]);
    expect(rows(`${t} | evaluate bag_unpack(d, '', 'keep_source', dynamic(['Skip']))`)).toEqual([{ Id: 1, Age: 7, Name: 'old' }]);
    expect(names(`${t} | evaluate bag_unpack(d, '', 'keep_source', dynamic(['Skip']))`)).toEqual(['Id:long', 'Age:long', 'Name:string']);
    expect(rows(`${t} | evaluate bag_unpack(d, '', 'replace_source', dynamic(['Skip']))`)).toEqual([{ Id: 1, Age: 7, Name: 'new' }]);
    const schema = `${t} | evaluate bag_unpack(d) : (Age:long, Missing:string)`;
    expect(names(schema)).toEqual(oracleNames(schema));
    expect(rows(schema)).toEqual([{ Age: 7, Missing: '' }]);
    expect(rows(`${t} | project Id, d | evaluate bag_unpack(d) : (*, Age:real)`)).toEqual([{ Id: 1, Age: 7 }]);
  });

  it("every example of Microsoft's bag_unpack reference page gives the documented output", () => {
    // learn.microsoft.com/kusto/query/bag-unpack-plugin (MicrosoftDocs/dataexplorer-docs)
    const people = `datatable(d:dynamic)
[
    dynamic({"Name": "John", "Age":20}),
    dynamic({"Name": "Dave", "Age":40}),
    dynamic({"Name": "Jasmine", "Age":30}),
]`;
    const named = `datatable(Name:string, d:dynamic)
[
    'Old_name', dynamic({"Name": "John", "Age":20}),
    'Old_name', dynamic({"Name": "Dave", "Age":40}),
    'Old_name', dynamic({"Name": "Jasmine", "Age":30}),
]`;
    const ages = [20, 40, 30], who = ['John', 'Dave', 'Jasmine'];
    const table = (cols: string[], values: unknown[][]) => values.map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i]])));
    expect(hunt(`${people}\n| evaluate bag_unpack(d)`).columns.map((c) => c.name)).toEqual(['Age', 'Name']);
    expect(rows(`${people}\n| evaluate bag_unpack(d)`)).toEqual(table(['Age', 'Name'], ages.map((a, i) => [a, who[i]])));
    expect(rows(`${people}\n| evaluate bag_unpack(d, 'Property_')`)).toEqual(table(['Property_Age', 'Property_Name'], ages.map((a, i) => [a, who[i]])));
    const replaced = hunt(`${named}\n| evaluate bag_unpack(d, columnsConflict='replace_source') // Use new name`);
    expect(replaced.columns.map((c) => c.name)).toEqual(['Age', 'Name']);
    expect(replaced.rows).toEqual(table(['Age', 'Name'], ages.map((a, i) => [a, who[i]])));
    const kept = hunt(`${named}\n| evaluate bag_unpack(d, columnsConflict='keep_source') // Keep old name`);
    expect(kept.columns.map((c) => c.name)).toEqual(['Age', 'Name']);
    expect(kept.rows).toEqual(table(['Age', 'Name'], ages.map((a) => [a, 'Old_name'])));
    expect(rows(`datatable(d:dynamic)
[
    dynamic({"Name": "John", "Age":20, "Address": "Address-1" }),
    dynamic({"Name": "Dave", "Age":40, "Address": "Address-2"}),
    dynamic({"Name": "Jasmine", "Age":30, "Address": "Address-3"}),
]
// Ignore 'Age' and 'Address' properties
| evaluate bag_unpack(d, ignoredProperties=dynamic(['Address', 'Age']))`)).toEqual(table(['Name'], who.map((w) => [w])));
    expect(rows(`datatable(d:dynamic)
[
    dynamic({"Name": "John", "Age":20}),
    dynamic({ "Name": "Dave", "Height": 170, "Age":40}),
    dynamic({"Name": "Jasmine", "Age":30}),
]
| evaluate bag_unpack(d)`)).toEqual(table(['Age', 'Height', 'Name'], [[20, null, 'John'], [40, 170, 'Dave'], [30, null, 'Jasmine']]));
    const wildcard = `datatable(d:dynamic, Description: string)
[
    dynamic({"Name": "John", "Age":20, "height":180}), "Student",
    dynamic({"Name": "Dave", "Age":40, "height":160}), "Teacher",
    dynamic({"Name": "Jasmine", "Age":30, "height":172}), "Student",
]
| evaluate bag_unpack(d) : (*, Name:string, Age:long)`;
    expect(names(wildcard)).toEqual(oracleNames(wildcard));
    expect(rows(wildcard)).toEqual(table(['Description', 'Name', 'Age'], [['Student', 'John', 20], ['Teacher', 'Dave', 40], ['Student', 'Jasmine', 30]]));
  });

  it('needs the data or an output schema: a caller without data gets a sentence saying so', () => {
    expect(() => compileKql(`EmailEvents | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d)`, { orgId: 'contoso' })).toThrow(/takes its columns from the data.*output schema/);
    expect(compileKql(`EmailEvents | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d) : (x:string)`, { orgId: 'contoso' }).columns).toEqual([{ name: 'x', type: 'string' }]);
    expect(errorOf(`EmailEvents | evaluate bag_unpack(AuthenticationDetails)`).message).toMatch(/needs a dynamic value.*parse_json\(AuthenticationDetails\)/);
  });
});

describe('names learned from the data', () => {
  it('any property name or pivot value is a result name only, never SQL text', () => {
    registerKqlFunctions(db);
    const probe = (sql: string, params: unknown[]) => db.prepare(sql).raw(true).all(bindParams(params)) as unknown[][];
    const bag = `print d = dynamic({"a.b": 1, "q\\"x": 2, "$[0]": 3, "x') FROM y --": 4}) | evaluate bag_unpack(d)`;
    const c = compileKql(bag, { orgId: 'contoso', now: NOW, probe });
    expect(c.sql).not.toMatch(/FROM y|q"x|a\.b/);
    expect(rows(bag)).toEqual([{ '$[0]': 3, 'a.b': 1, 'q"x': 2, "x') FROM y --": 4 }]);
    const piv = `datatable(p:string, n:long) ["x\\" FROM y", 1, "", 2, "a", 3] | evaluate pivot(p, sum(n))`;
    expect(compileKql(piv, { orgId: 'contoso', now: NOW, probe }).sql).not.toMatch(/FROM y/);
    expect(rows(piv)).toEqual([{ 'x" FROM y': 1, Column1: 2, a: 3 }]);
  });
});

describe('evaluate pivot', () => {
  // In the order the rows reach the operator: the table's (OrgId, Timestamp) index order.
  const byTime = [...EE].sort((a, b) => (a.Timestamp as number) - (b.Timestamp as number));
  const firstSeen = (xs: Row[], col: string) => [...new Set([...xs].sort((a, b) => (a.Timestamp as number) - (b.Timestamp as number)).map((r) => String(r[col])))];

  it('counts per group and value, values as columns in order of appearance, 0 where none', () => {
    const q = `EmailEvents | project EmailDirection, DeliveryAction | evaluate pivot(DeliveryAction)`;
    const actions = firstSeen(EE, 'DeliveryAction');
    expect(names(q)).toEqual(['EmailDirection:string', ...actions.map((a) => `${a}:long`)]);
    const want = firstSeen(EE, 'EmailDirection').map((d) => ({
      EmailDirection: d, ...Object.fromEntries(actions.map((a) => [a, EE.filter((r) => r.EmailDirection === d && r.DeliveryAction === a).length])),
    }));
    expect(sortRows(rows(q))).toEqual(sortRows(want));
  });

  it('with an aggregation and the columns to group by', () => {
    const q = `EmailEvents | evaluate pivot(EmailDirection, sum(EmailSize), EmailLanguage)`;
    const dirs = firstSeen(EE, 'EmailDirection');
    const sum = (xs: Row[]) => xs.reduce((a, r) => a + (r.EmailSize as number), 0);
    const want = firstSeen(EE, 'EmailLanguage').map((l) => ({ EmailLanguage: l, ...Object.fromEntries(dirs.map((d) => [d, sum(EE.filter((r) => r.EmailLanguage === l && r.EmailDirection === d))])) }));
    expect(sortRows(rows(q))).toEqual(sortRows(want));
    const dq = `EmailEvents | project RecipientEmailAddress, EmailDirection, SenderIPv4 | evaluate pivot(EmailDirection, dcount(SenderIPv4))`;
    const got = rows(dq).find((r) => r.RecipientEmailAddress === 'alice@contoso.com')!;
    const alice = EE.filter((r) => r.RecipientEmailAddress === 'alice@contoso.com');
    for (const d of dirs) expect(got[d]).toBe(new Set(alice.filter((r) => r.EmailDirection === d).map((r) => r.SenderIPv4)).size);
    void byTime;
  });

  it('refuses aggregations it does not implement by name', () => {
    expect(errorOf(`EmailEvents | evaluate pivot(EmailDirection, stdev(EmailSize))`).message).toMatch(/pivot with stdev\(\) is not supported.*count, sum/);
  });
});

describe('mv-expand of several columns', () => {
  const T = `datatable(a:dynamic, b:dynamic) [dynamic([1,2,3]), dynamic(["x","y"]), dynamic([]), dynamic([]), dynamic(null), dynamic([7])]`;

  it('expands side by side to the longest array, padding with null', () => {
    const q = `${T} | mv-expand a, b`;
    expect(names(q)).toEqual(oracleNames(q));
    expect(rows(q)).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: null }, { a: null, b: 7 }]);
  });

  it('with_itemindex, limit and to typeof()', () => {
    const q = `${T} | mv-expand with_itemindex = i a to typeof(long), b to typeof(string) limit 2`;
    expect(names(q)).toEqual(oracleNames(q));
    // to typeof() casts, it does not convert: the number 7 is no string, and becomes ''.
    expect(rows(q)).toEqual([{ a: 1, b: 'x', i: 0 }, { a: 2, b: 'y', i: 1 }, { a: null, b: '', i: 0 }]);
    expect(rows(`print d = dynamic({"k1":1, "k2":"v"}), n = dynamic([10, 20, 30]) | mv-expand d, n to typeof(long)`))
      .toEqual([{ d: { k1: 1 }, n: 10 }, { d: { k2: 'v' }, n: 20 }, { d: null, n: 30 }]);
  });

  it("the examples of Microsoft's mv-expand reference page give the documented output", () => {
    // learn.microsoft.com/kusto/query/mv-expand-operator (MicrosoftDocs/dataexplorer-docs)
    expect(rows(`datatable (a: int, b: dynamic)
[
    1, dynamic([10, 20]),
    2, dynamic(['a', 'b'])
]
| mv-expand b`)).toEqual([{ a: 1, b: 10 }, { a: 1, b: 20 }, { a: 2, b: 'a' }, { a: 2, b: 'b' }]);
    const bags = `datatable (a: int, b: dynamic)
[
    1, dynamic({"prop1": "a1", "prop2": "b1"}),
    2, dynamic({"prop1": "a2", "prop2": "b2"})
]`;
    expect(rows(`${bags}\n| mv-expand b`)).toEqual([{ a: 1, b: { prop1: 'a1' } }, { a: 1, b: { prop2: 'b1' } }, { a: 2, b: { prop1: 'a2' } }, { a: 2, b: { prop2: 'b2' } }]);
    expect(rows(`${bags}\n| mv-expand kind=array b \n| extend key = b[0], val=b[1]`)).toEqual([
      { a: 1, b: ['prop1', 'a1'], key: 'prop1', val: 'a1' }, { a: 1, b: ['prop2', 'b1'], key: 'prop2', val: 'b1' },
      { a: 2, b: ['prop1', 'a2'], key: 'prop1', val: 'a2' }, { a: 2, b: ['prop2', 'b2'], key: 'prop2', val: 'b2' },
    ]);
    expect(rows(`datatable (a: int, b: dynamic, c: dynamic)[
    1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 4, 3])
]
| mv-expand b, c`)).toEqual([{ a: 1, b: { prop1: 'a' }, c: 5 }, { a: 1, b: { prop2: 'b' }, c: 4 }, { a: 1, b: null, c: 3 }]);
    expect(rows(`datatable (a: int, b: dynamic, c: dynamic)
[
    1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 6])
]
| mv-expand b
| mv-expand c`)).toEqual([{ a: 1, b: { prop1: 'a' }, c: 5 }, { a: 1, b: { prop1: 'a' }, c: 6 }, { a: 1, b: { prop2: 'b' }, c: 5 }, { a: 1, b: { prop2: 'b' }, c: 6 }]);
    expect(rows(`datatable (a: string, b: dynamic, c: dynamic)[
    "Constant", dynamic([1, 2, 3, 4]), dynamic([6, 7, 8, 9])
]
| mv-expand b, c to typeof(int)
| getschema `)).toEqual([
      { ColumnName: 'a', ColumnOrdinal: 0, DataType: 'System.String', ColumnType: 'string' },
      { ColumnName: 'b', ColumnOrdinal: 1, DataType: 'System.Object', ColumnType: 'dynamic' },
      { ColumnName: 'c', ColumnOrdinal: 2, DataType: 'System.Int32', ColumnType: 'int' },
    ]);
  });

  it('over the hunting tables: as many rows as the longer list of each message', () => {
    const q = `EmailEvents | extend Parts = split(SenderFromAddress, "@"), Words = split(Subject, " ") | mv-expand Parts, Words | count`;
    const want = EE.reduce((n, r) => n + Math.max(String(r.SenderFromAddress).split('@').length, String(r.Subject).split(' ').length), 0);
    expect(rows(q)).toEqual([{ Count: want }]);
  });
});

describe('print, member access, comparisons, spaces', () => {
  it('print: one row, unnamed values print_0, print_1… by position', () => {
    const q = `print x = 1, "a", strlen("abc"), 1 == "1"`;
    expect(names(q)).toEqual(oracleNames(q));
    expect(rows(q)).toEqual([{ x: 1, print_1: 'a', print_2: 3, print_3: true }]);
    expect(rows(`print n = toscalar(EmailEvents | count) | extend m = n * 2`)).toEqual([{ n: EE.length, m: 2 * EE.length }]);
  });

  it(".['name'] and [\"name\"] read members with any name", () => {
    const q = `EmailEvents | where AuthenticationDetails startswith "{" | extend d = parse_json(AuthenticationDetails) | where d.['DMARC'] == "fail" and d["SPF"] != "pass" | count`;
    const want = EE.filter((r) => { try { const j = JSON.parse(String(r.AuthenticationDetails)); return j.DMARC === 'fail' && j.SPF !== 'pass'; } catch { return false; } }).length;
    expect(rows(q)).toEqual([{ Count: want }]);
    expect(rows(`print d = dynamic({"a b": {"c-d": 5}}) | project x = d.['a b'].["c-d"]`)).toEqual([{ x: 5 }]);
  });

  it('a number equals a numeric string as Kusto converts it; a non-number string equals nothing', () => {
    const bcl = (p: (n: number) => boolean) => [{ Count: EE.filter((r) => p(r.BulkComplaintLevel as number)).length }];
    for (const q of [`EmailEvents | where BulkComplaintLevel == "7" | count`, `EmailEvents | where "7" == BulkComplaintLevel | count`, `EmailEvents | where BulkComplaintLevel == " 7.0 " | count`]) {
      expect(kustoOracle(q).diagnostics).toEqual([]);
      expect(rows(q)).toEqual(bcl((n) => n === 7));
    }
    expect(rows(`EmailEvents | where BulkComplaintLevel != "7" | count`)).toEqual(bcl((n) => n !== 7));
    expect(rows(`EmailEvents | where BulkComplaintLevel in ("1", "2", "x") | count`)).toEqual(bcl((n) => n === 1 || n === 2));
    expect(rows(`EmailEvents | where BulkComplaintLevel == "x" | count`)).toEqual([{ Count: 0 }]);
    expect(rows(`EmailEvents | where EmailSize != "x" | count`)).toEqual([{ Count: EE.length }]);
    expect(rows(`EmailEvents | where BulkComplaintLevel == tostring(7) | count`)).toEqual(bcl((n) => n === 7));
    // A number and a bool compare as 1 and 0 (Sentinel's IsFirstContact is bool, Defender's int).
    for (const [q, v] of [['IsFirstContact == true', 1], ['IsFirstContact != true', 0], ['false == IsFirstContact', 0]] as const) {
      expect(kustoOracle(`EmailEvents | where ${q} | count`).diagnostics).toEqual([]);
      expect(rows(`EmailEvents | where ${q} | count`)).toEqual([{ Count: EE.filter((r) => r.IsFirstContact === v).length }]);
    }
  });

  it('no-break and other Unicode spaces separate tokens', () => {
    const plain = `EmailEvents | where EmailDirection == "Inbound" and Connectors == "" | summarize n = count() by bin(Timestamp, 1d) | order by Timestamp asc`;
    const pasted = plain.replace(/ /g, (_, i: number) => (i % 3 === 0 ? '\u00a0' : i % 3 === 1 ? '\u2009' : '\u3000')).replace(/"\u00a0"|"\u2009"|"\u3000"/g, '" "');
    expect(pasted).toContain('\u00a0');
    expect(rows(pasted.replace('" "', '""'))).toEqual(rows(plain));
    // Inside a string literal a no-break space is a character, not a separator.
    expect(rows(`print s = "a\u00a0b" | extend n = strlen(s)`)).toEqual([{ s: 'a\u00a0b', n: 3 }]);
  });
});

describe("Sentinel's TimeGenerated", () => {
  const TABLES = ['EmailEvents', 'EmailAttachmentInfo', 'EmailUrlInfo', 'EmailPostDeliveryEvents', 'SmtpRejectEvents'] as const;
  for (const t of TABLES) {
    it(`${t}: TimeGenerated is Timestamp in where, project, summarize, sort and join`, () => {
      const rs = visible(data.contoso, t).filter((r) => (r.Timestamp as number) > NOW - 7 * DAY);
      expect(rows(`${t} | where TimeGenerated > ago(7d) | count`)).toEqual([{ Count: rs.length }]);
      const last = Math.max(...rs.map((r) => r.Timestamp as number));
      expect(rows(`${t} | where TimeGenerated > ago(7d) | summarize Last = max(TimeGenerated) by bin(TimeGenerated, 1d) | top 1 by TimeGenerated desc | project Last`))
        .toEqual(rs.length ? [{ Last: new Date(last).toISOString() }] : []);
      const top = rows(`${t} | where TimeGenerated > ago(7d) | sort by TimeGenerated desc | take 1 | project TimeGenerated`);
      expect(top).toEqual(rs.length ? [{ TimeGenerated: new Date(last).toISOString() }] : []);
    });
  }
  it('keeps Defender\'s schema: TimeGenerated appears only where a query names it', () => {
    expect(names(`EmailEvents | take 1`)).not.toContain('TimeGenerated:datetime');
    expect(names(`EmailEvents | project TimeGenerated, Subject`)).toEqual(['TimeGenerated:datetime', 'Subject:string']);
    expect(rows(`EmailEvents | summarize arg_max(TimeGenerated, NetworkMessageId) by RecipientEmailAddress | where RecipientEmailAddress == "alice@contoso.com"`))
      .toEqual([(() => {
        const a = EE.filter((r) => r.RecipientEmailAddress === 'alice@contoso.com').sort((x, y) => (y.Timestamp as number) - (x.Timestamp as number))[0];
        return { RecipientEmailAddress: a.RecipientEmailAddress, TimeGenerated: new Date(a.Timestamp as number).toISOString(), NetworkMessageId: a.NetworkMessageId };
      })()]);
    expect(rows(`EmailEvents | extend TimeGenerated = Timestamp + 1h | where TimeGenerated - Timestamp != 1h | count`)).toEqual([{ Count: 0 }]);
    const joined = rows(`EmailEvents | project TimeGenerated, NetworkMessageId | join kind=inner (EmailEvents | project Timestamp, NetworkMessageId) on $left.TimeGenerated == $right.Timestamp | count`);
    expect((joined[0].Count as number) >= EE.length).toBe(true);
    void byKey;
  });
});
