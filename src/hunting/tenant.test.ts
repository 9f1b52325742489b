// Tenant isolation: whatever a query says, it sees only the caller's organization, and nothing
// from the query text is ever spliced into SQL.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { KqlError } from './errors.js';
import { bindParams, executeCompiled, huntOn, registerKqlFunctions } from '../store/sqlite/hunting/executor.js';
import { buildDataset, NOW, visible } from './testing/dataset.js';
import { loadDataset } from './testing/load.js';

const data = buildDataset();
let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  loadDataset(db, allHuntingDdl(), data);
});

const run = (query: string, orgId = 'contoso') => executeCompiled(db, compileKql(query, { orgId, now: NOW }));

// Each either fails with a KqlError or returns only the caller's rows.
const ESCAPES = [
  `EmailEvents | where OrgId == "fabrikam"`,
  `EmailEvents | project OrgId, NetworkMessageId`,
  `EmailEvents | extend o = OrgId`,
  `EmailEvents | where ['OrgId'] != ""`,
  `EmailEvents | summarize count() by OrgId`,
  `EmailEvents | project-rename Org = OrgId`,
  `EmailEvents | project-away OrgId`,
  `union EmailEvents, SmtpRejectEvents | project NetworkMessageId, SessionId, SenderMailFromAddress`,
  `union withsource=T EmailEvents, EmailUrlInfo, EmailAttachmentInfo, EmailPostDeliveryEvents, SmtpRejectEvents`,
  `EmailEvents | join kind=fullouter (EmailEvents) on NetworkMessageId | project NetworkMessageId, NetworkMessageId1`,
  `EmailEvents | join kind=rightouter (EmailAttachmentInfo) on NetworkMessageId | project NetworkMessageId1, FileName`,
  `EmailEvents | lookup (EmailUrlInfo) on NetworkMessageId | project NetworkMessageId, Url`,
  `let all = EmailEvents; all | project NetworkMessageId`,
  `let all = materialize(EmailEvents | project NetworkMessageId); all | union all`,
  `let f = () { EmailEvents }; f | project SenderFromAddress`,
  `let f = () { EmailEvents }; f() | project SenderFromAddress`,
  `table("EmailEvents") | project NetworkMessageId`,
  `table("SmtpRejectEvents") | project SessionId`,
  `union table("EmailEvents"), (EmailEvents) | project NetworkMessageId`,
  `database("other").EmailEvents`,
  `cluster("x").database("y").EmailEvents`,
  `EmailEvents // | where OrgId == 'fabrikam'
| project NetworkMessageId`,
  `EmailEvents /* | where OrgId == 'fabrikam' */ | project NetworkMessageId`,
  `EmailEvents | where Subject == "x' OR 1=1 --" or true | project NetworkMessageId`,
  `EmailEvents | where Subject == "\\") OR (\\"1\\"=\\"1" or true | project NetworkMessageId`,
  `EmailEvents | where NetworkMessageId in ((EmailEvents | project NetworkMessageId)) | project NetworkMessageId`,
  `EmailEvents | extend OrgId = "other" | where OrgId == "other" | project NetworkMessageId, OrgId`,
  `EmailEvents | summarize arg_max(Timestamp, *) by NetworkMessageId`,
  `EmailEvents | project ['OrgId" FROM EmailEvents --'] = 1`,
  `EmailEvents | where toscalar(SmtpRejectEvents | count) > 0 | project NetworkMessageId`,
  `SmtpRejectEvents | mv-expand x = pack_array(SessionId, OrgId)`,
  `EmailEvents | distinct *`,
  `EmailEvents | where Timestamp > ago(3650d) | project NetworkMessageId`,
  `externaldata(x:string) [@"https://example.com/x.csv"]`,
  `EmailEvents | make-series count() on Timestamp step 1d by OrgId`,
  `EmailEvents | make-series count() on Timestamp step 1d by RecipientDomain`,
  `EmailEvents | make-series dcount(OrgId) on Timestamp step 1d`,
  `print o = OrgId`,
  `print n = toscalar(EmailEvents | summarize make_set(RecipientDomain))`,
  `EmailEvents | mv-expand a = pack_array(OrgId), b = pack_array(NetworkMessageId)`,
  `EmailEvents | mv-expand with_itemindex = i a = pack_array(RecipientDomain), b = pack_array(1) | project a, i`,
  `EmailEvents | evaluate pivot(OrgId)`,
  `EmailEvents | evaluate bag_unpack(OrgId)`,
];

describe('tenant isolation', () => {
  const fabCount = visible(data.fabrikam, 'EmailEvents').length;
  for (const q of ESCAPES) {
    it(`contains: ${q.replace(/\s+/g, ' ').slice(0, 90)}`, () => {
      let rows: unknown[];
      try {
        rows = run(q).rows;
      } catch (e) {
        expect(e).toBeInstanceOf(KqlError);
        return;
      }
      const text = JSON.stringify(rows);
      expect(text).not.toMatch(/fab/i);
    });
  }

  it('the other tenant sees only its own rows', () => {
    expect(JSON.stringify(huntOn(db, { orgId: 'fabrikam', now: NOW, query: 'EmailEvents | evaluate pivot(RecipientDomain)' }).columns)).not.toMatch(/contoso/);
    const r = run('EmailEvents | summarize n = count(), d = dcount(RecipientDomain) by RecipientDomain', 'fabrikam');
    expect(r.rows).toEqual([{ RecipientDomain: 'fabrikam.net', n: fabCount, d: 1 }]);
    expect(JSON.stringify(run('union EmailEvents, EmailAttachmentInfo, SmtpRejectEvents', 'fabrikam').rows)).not.toMatch(/con-\d|@contoso\.com|contoso-s\d/);
  });

  it('an unknown organization sees nothing', () => {
    expect(run('EmailEvents | count', "contoso' OR '1'='1").rows).toEqual([{ Count: 0 }]);
  });

  it('OrgId is neither a column nor selectable through *', () => {
    const c = compileKql('EmailEvents | summarize arg_max(Timestamp, *) by NetworkMessageId', { orgId: 'contoso', now: NOW });
    expect(c.columns.map((x) => x.name)).not.toContain('OrgId');
    expect(() => compileKql('EmailEvents | project OrgId', { orgId: 'contoso' })).toThrow(/Unknown column.*'OrgId'/);
  });

  it('every table reference carries the tenant filter', () => {
    const c = compileKql('union EmailEvents, SmtpRejectEvents | join (EmailAttachmentInfo) on NetworkMessageId | lookup (EmailUrlInfo) on NetworkMessageId', { orgId: 'contoso', now: NOW });
    const refs = c.sql.match(/FROM "(EmailEvents|SmtpRejectEvents|EmailAttachmentInfo|EmailUrlInfo)"/g) ?? [];
    const scoped = c.sql.match(/FROM "(EmailEvents|SmtpRejectEvents|EmailAttachmentInfo|EmailUrlInfo)" WHERE "OrgId" = @p1 AND /g) ?? [];
    expect(refs.length).toBe(4);
    expect(scoped.length).toBe(4);
    expect(c.params[0]).toBe('contoso');
  });

  it('literals travel as parameters, never inside the SQL text', () => {
    const marker = "zz'inj\"ect--marker";
    const c = compileKql(`let x = "${marker.replace(/"/g, '\\"')}"; EmailEvents | where Subject == x or Subject has "${marker.replace(/"/g, '\\"')}" | extend y = strcat("${marker.replace(/"/g, '\\"')}", Subject) | where y matches regex "marker"`, { orgId: 'contoso', now: NOW });
    expect(c.sql).not.toContain('marker');
    expect(c.sql).not.toContain('inj');
    expect(c.params).toContain(marker);
  });

  it('project names from the query never become SQL identifiers', () => {
    const c = compileKql(`EmailEvents | project ['a" FROM x; --'] = Subject, ['Threat Classification'] = ThreatTypes`, { orgId: 'contoso', now: NOW });
    expect(c.sql).not.toContain('FROM x');
    expect(c.sql).not.toContain('Threat Classification');
    expect(c.columns.map((x) => x.name)).toEqual(['a" FROM x; --', 'Threat Classification']);
  });
});

// bag_unpack and pivot take column names from the data: only from the caller's rows, read
// through the same tenant filter, and never the hidden OrgId column.
describe('tenant isolation of operators whose columns come from the data', () => {
  let own: Database.Database;
  beforeAll(() => {
    own = new Database(':memory:');
    loadDataset(own, allHuntingDdl(), data);
    const add = own.prepare(`INSERT INTO "EmailEvents" ("OrgId", "Timestamp", "NetworkMessageId", "RecipientDomain", "AdditionalFields") VALUES (?, ?, ?, ?, ?)`);
    add.run('contoso', NOW - 3_600_000, 'con-extra', 'contoso.com', '{"Shared":1}');
    add.run('fabrikam', NOW - 3_600_000, 'fab-extra', 'fabrikam.net', '{"FabrikamSecret":"fab-only","Shared":2,"OrgId":"fabrikam"}');
  });
  const hunt = (query: string, orgId = 'contoso') => huntOn(own, { orgId, query, now: NOW });
  const QUERIES = [
    `EmailEvents | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d)`,
    `EmailEvents | evaluate bag_unpack(parse_json(AdditionalFields), 'x_')`,
    `EmailEvents | project NetworkMessageId, d = parse_json(AdditionalFields) | evaluate bag_unpack(d) : (OrgId:string, FabrikamSecret:string)`,
    `EmailEvents | evaluate pivot(RecipientDomain)`,
    `EmailEvents | project RecipientDomain, SenderIPv4 | evaluate pivot(RecipientDomain, dcount(SenderIPv4))`,
    `union EmailEvents, EmailUrlInfo | project UrlDomain, EmailDirection | evaluate pivot(UrlDomain, count(), EmailDirection)`,
    `EmailEvents | where Timestamp > ago(1d) | make-series count() on Timestamp step 1h by RecipientDomain`,
  ];
  for (const q of QUERIES) {
    it(`reveals nothing of the other tenant: ${q.slice(0, 80)}`, () => {
      const r = hunt(q);
      // (Column names the query itself writes are the user's; those found in the data must not leak.)
      if (!/Fabrikam|OrgId/.test(q)) expect(JSON.stringify(r.columns)).not.toMatch(/fab|"OrgId"/i);
      expect(JSON.stringify(r.rows.map((x) => Object.values(x)))).not.toMatch(/fab/i);
      expect(r.rows.length).toBeGreaterThan(0);
    });
  }
  it('an output schema naming OrgId reads the bag, not the hidden column', () => {
    const r = hunt(`EmailEvents | where NetworkMessageId == "con-extra" | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d) : (OrgId:string, Shared:long)`);
    expect(r.rows).toEqual([{ OrgId: '', Shared: 1 }]);
    expect(hunt(`EmailEvents | where NetworkMessageId == "fab-extra" | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d)`, 'fabrikam').rows)
      .toEqual([{ FabrikamSecret: 'fab-only', OrgId: 'fabrikam', Shared: 2 }]);
  });
  it('the questions asked of the data carry the tenant filter and the lookback window', () => {
    const asked: { sql: string; params: unknown[] }[] = [];
    registerKqlFunctions(own);
    const probe = (sql: string, params: unknown[]) => {
      asked.push({ sql, params });
      return own.prepare(sql).raw(true).all(bindParams(params)) as unknown[][];
    };
    compileKql(`EmailEvents | project d = parse_json(AdditionalFields) | evaluate bag_unpack(d) | evaluate pivot(Shared)`, { orgId: 'contoso', now: NOW, probe });
    compileKql(`EmailEvents | evaluate pivot(RecipientDomain)`, { orgId: 'contoso', now: NOW, probe });
    expect(asked.length).toBeGreaterThanOrEqual(2);
    for (const a of asked) {
      expect(a.sql).toMatch(/FROM "EmailEvents" WHERE "OrgId" = @p1 AND "Timestamp" >= @p2/);
      expect(a.sql.match(/FROM "EmailEvents"/g)!.length).toBe(a.sql.match(/FROM "EmailEvents" WHERE "OrgId" = @p1/g)!.length);
      expect(a.params[0]).toBe('contoso');
    }
  });
});
