// The hunting schema against Microsoft's schema reference: every column of Defender's four email
// tables, by name, Kusto type and order, as the reference pages list them; and a database made
// before a column was added, once upgraded, has the same tables as a new one.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { MIGRATIONS } from '../store/sqlite/migrations.js';
import { HUNTING_TABLES } from './tables.js';

// learn.microsoft.com/defender-xdr/advanced-hunting-<table>-table (EmailEvents as of the page
// dated 2026-08-03, with Topics; EmailUrlInfo with the URL chain columns).
const DOCUMENTED: Record<string, string> = {
  EmailEvents: `Timestamp:datetime NetworkMessageId:string InternetMessageId:string SenderMailFromAddress:string
    SenderFromAddress:string SenderDisplayName:string SenderObjectId:string SenderMailFromDomain:string SenderFromDomain:string
    SenderIPv4:string SenderIPv6:string RecipientEmailAddress:string RecipientObjectId:string Subject:string EmailClusterId:long
    EmailDirection:string DeliveryAction:string DeliveryLocation:string ThreatTypes:string ThreatNames:string
    DetectionMethods:string ConfidenceLevel:string BulkComplaintLevel:int EmailAction:string EmailActionPolicy:string
    EmailActionPolicyGuid:string AuthenticationDetails:string AttachmentCount:int UrlCount:int EmailLanguage:string
    Connectors:string OrgLevelAction:string OrgLevelPolicy:string UserLevelAction:string UserLevelPolicy:string ReportId:string
    AdditionalFields:string LatestDeliveryLocation:string LatestDeliveryAction:string OriginalThreatTypes:string
    OriginalDetectionMethods:string OriginalConfidenceLevel:string DistributionList:string ExchangeTransportRule:string
    ForwardingInformation:string Context:string To:string Cc:string ThreatClassification:string RecipientDomain:string
    EmailSize:long IsFirstContact:int Topics:string`,
  EmailAttachmentInfo: `Timestamp:datetime NetworkMessageId:string SenderFromAddress:string SenderDisplayName:string
    SenderObjectId:string RecipientEmailAddress:string RecipientObjectId:string FileName:string FileType:string SHA256:string
    FileSize:long ThreatTypes:string ThreatNames:string DetectionMethods:string ReportId:string`,
  EmailUrlInfo: `Timestamp:datetime NetworkMessageId:string Url:string UrlDomain:string UrlLocation:string UrlChainId:string
    UrlChainPosition:int ReportId:string`,
  EmailPostDeliveryEvents: `Timestamp:datetime NetworkMessageId:string InternetMessageId:string Action:string ActionType:string
    ActionTrigger:string ActionResult:string RecipientEmailAddress:string DeliveryLocation:string ThreatTypes:string
    DetectionMethods:string ReportId:string SenderFromAddress:string EmailDirection:string SourceLocation:string`,
  // Postern's own (no Defender counterpart): Defender's names wherever Defender has the concept.
  SmtpRejectEvents: `Timestamp:datetime SessionId:string SenderIPv4:string SenderIPv6:string HeloName:string
    SenderMailFromAddress:string SenderMailFromDomain:string RecipientEmailAddress:string RecipientDomain:string SmtpStage:string
    SmtpCode:int EnhancedStatusCode:string Response:string Reason:string Connectors:string TlsVersion:string`,
  // Postern's own: the admin audit log, with the property names of Exchange's AdminAuditLogEvent.
  AdminAuditEvents: `Timestamp:datetime Caller:string CmdletName:string CmdletParameters:dynamic ObjectModified:string
    ModifiedProperties:dynamic Succeeded:bool ErrorMessage:string ClientIP:string`,
};

const listed = (t: { columns: { name: string; type: string }[] }) => t.columns.map((c) => `${c.name}:${c.type}`);

describe('hunting schema', () => {
  it('has exactly the six tables', () => {
    expect(HUNTING_TABLES.map((t) => t.name)).toEqual(Object.keys(DOCUMENTED));
  });
  for (const [name, text] of Object.entries(DOCUMENTED)) {
    it(`${name} has the documented columns, types and order`, () => {
      expect(listed(HUNTING_TABLES.find((t) => t.name === name)!)).toEqual(text.trim().split(/\s+/));
    });
  }
});

describe('hunting schema migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-tables-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const columnsOf = (db: Database.Database) => Object.fromEntries(HUNTING_TABLES.map((t) => [
    t.name, (db.prepare(`PRAGMA table_info("${t.name}")`).all() as { name: string; type: string; notnull: number; dflt_value: unknown }[])
      .map((c) => `${c.name} ${c.type} ${c.notnull} ${String(c.dflt_value)}`).sort(),
  ]));

  it('a database made before the URL chain columns gains them, and then matches a new one', () => {
    const oldFile = join(dir, 'old.db');
    const old = new Database(oldFile);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 5)) {
      for (const stmt of m.up) old.exec(stmt);
      old.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(m.version);
    }
    expect(columnsOf(old).EmailUrlInfo.some((c) => c.startsWith('UrlChainId '))).toBe(false);
    old.prepare(`INSERT INTO "EmailUrlInfo" ("OrgId", "Timestamp", "NetworkMessageId", "Url") VALUES ('o', 1, 'n', 'https://x.example/')`).run();
    old.close();

    const upgraded = openDatabase(oldFile);
    const fresh = openDatabase(join(dir, 'new.db'));
    try {
      expect(columnsOf(upgraded)).toEqual(columnsOf(fresh));
      expect(columnsOf(fresh).EmailUrlInfo).toContain("UrlChainId TEXT 1 ''");
      // The row written before the upgrade reads back with Kusto's empty string and a null int.
      expect(upgraded.prepare(`SELECT "UrlChainId", "UrlChainPosition" FROM "EmailUrlInfo"`).get()).toEqual({ UrlChainId: '', UrlChainPosition: null });
    } finally {
      upgraded.close();
      fresh.close();
    }
  });
});
