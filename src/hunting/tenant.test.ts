// Tenant isolation: whatever a query says, it sees only the caller's organization, and nothing
// from the query text is ever spliced into SQL.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { allHuntingDdl } from '../store/sqlite/huntingDdl.js';
import { compileKql } from './compiler.js';
import { KqlError } from './errors.js';
import { executeCompiled } from './sqliteExecutor.js';
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
