// The admin audit log's table as advanced hunting reads it: `AdminAuditEvents` answers KQL inside
// the caller's organization only, its dynamic columns open with KQL's property access, and trace
// retention ages it out.
import { describe, expect, it } from 'vitest';
import type { AdminAuditRecord } from '../ports.js';
import { SqliteAdminAuditLog } from './adminAuditLog.js';
import { openDatabase } from './db.js';
import { huntOn } from './hunting/executor.js';
import { SqliteRetentionStore } from './retention.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const DAY = 86_400_000;

function record(orgGuid: string, at: number, changes: Partial<AdminAuditRecord> = {}): AdminAuditRecord {
  return {
    orgGuid,
    at,
    caller: `admin of ${orgGuid}`,
    cmdletName: 'Set-OrganizationConfig',
    cmdletParameters: [{ Name: 'RejectDirectSend', Value: true }],
    objectModified: orgGuid,
    modifiedProperties: [{ Name: 'RejectDirectSend', OldValue: false, NewValue: true }],
    succeeded: true,
    errorMessage: '',
    clientIp: '192.0.2.9',
    ...changes,
  };
}

function store() {
  const db = openDatabase(':memory:');
  const log = new SqliteAdminAuditLog(db);
  log.append(record('contoso', NOW - DAY));
  log.append(record('contoso', NOW - 2 * DAY, { cmdletName: 'Remove-InboundConnector', cmdletParameters: [{ Name: 'Identity', Value: 'Partner' }], objectModified: 'Partner', modifiedProperties: [], succeeded: false, errorMessage: 'not found' }));
  log.append(record('fabrikam', NOW - DAY, { caller: 'fabrikam admin' }));
  return { db, log };
}

describe('AdminAuditEvents in advanced hunting', () => {
  it("answers `postern hunt`'s query with the organization's own records only", () => {
    const { db } = store();
    const hunt = (orgId: string, query: string) => huntOn(db, { orgId, now: NOW, query }).rows;
    expect(hunt('contoso', 'AdminAuditEvents | where CmdletName == "Set-OrganizationConfig"')).toEqual([
      {
        Timestamp: new Date(NOW - DAY).toISOString(),
        Caller: 'admin of contoso',
        CmdletName: 'Set-OrganizationConfig',
        CmdletParameters: [{ Name: 'RejectDirectSend', Value: true }],
        ObjectModified: 'contoso',
        ModifiedProperties: [{ Name: 'RejectDirectSend', OldValue: false, NewValue: true }],
        Succeeded: true,
        ErrorMessage: '',
        ClientIP: '192.0.2.9',
      },
    ]);
    expect(hunt('fabrikam', 'AdminAuditEvents | project Caller')).toEqual([{ Caller: 'fabrikam admin' }]);
    for (const escape of ['AdminAuditEvents | where OrgId == "fabrikam"', 'union withsource=T AdminAuditEvents, EmailEvents | project Caller', 'table("AdminAuditEvents") | summarize count() by Caller']) {
      let text = '';
      try {
        text = JSON.stringify(hunt('contoso', escape));
      } catch (e) {
        expect((e as Error).name).toBe('KqlError');
      }
      expect(text).not.toMatch(/fabrikam/);
    }
  });

  it('opens the dynamic columns with property access and mv-expand', () => {
    const { db } = store();
    const rows = huntOn(db, {
      orgId: 'contoso',
      now: NOW,
      query: 'AdminAuditEvents | mv-expand p = ModifiedProperties | where tostring(p.Name) == "RejectDirectSend" | project CmdletName, Old = tobool(p.OldValue), New = tobool(p.NewValue), Failed = not(Succeeded)',
    }).rows;
    expect(rows).toEqual([{ CmdletName: 'Set-OrganizationConfig', Old: false, New: true, Failed: false }]);
  });

  it('ages out with the trace: records older than the retention go', () => {
    const { db, log } = store();
    // Retention walks the organizations of the store.
    for (const org of ['contoso', 'fabrikam']) db.prepare("INSERT INTO organizations (guid, name, doc) VALUES (?, ?, '{}')").run(org, org);
    new SqliteRetentionStore(db).purgeBatch(NOW - 1.5 * DAY, 100);
    expect(log.search({ orgGuid: 'contoso', limit: 10 }).map((r) => r.cmdletName)).toEqual(['Set-OrganizationConfig']);
    expect(log.search({ orgGuid: 'fabrikam', limit: 10 })).toHaveLength(1);
  });
});
