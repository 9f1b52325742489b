// One trace-writing behaviour, every engine: the same tests run on SQLite
// (store/sqlite/traceStore.test.ts) and PostgreSQL (store/postgres/traceStore.test.ts) through
// AsyncTraceStore, and read back through AsyncTraceQueries and with the same SQL, so message trace, its events and the hunting
// rows cannot drift between them.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AsyncTraceStore, MessageTraceRow } from '../store/ports.js';
import type { AsyncTraceQueries } from '../store/traceQueries.js';
import type { HuntingRow } from '../trace/tables.js';

export interface OpenedTraceStore {
  store: AsyncTraceStore;
  /** The reads Get-MessageTrace and Get-MessageTraceDetail go through, on the same database. */
  queries: AsyncTraceQueries;
  /** Rows of a plain SQL query (`?` placeholders), integers as numbers. */
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const DAY = 86_400_000;

/** A receipt of one message for its recipients: the message-trace rows and EmailEvents rows the gateway writes. */
function receipt(orgGuid: string, at: number, recipients: string[]) {
  const networkMessageId = randomUUID();
  const rows: MessageTraceRow[] = recipients.map((recipient) => ({
    orgGuid, networkMessageId, recipient, receivedAt: at, sender: 'printer@contoso.com', subject: 'Scan from MFP',
    status: 'Pending', fromIp: '203.0.113.9', size: 48_213, internetMessageId: `<${networkMessageId}@mfp.contoso.com>`, connector: '',
  }));
  const emailEvents: HuntingRow[] = recipients.map((r) => ({
    OrgId: orgGuid, Timestamp: at, NetworkMessageId: networkMessageId, InternetMessageId: `<${networkMessageId}@mfp.contoso.com>`,
    SenderFromAddress: 'printer@contoso.com', SenderIPv4: '203.0.113.9', RecipientEmailAddress: r, Subject: 'Scan from MFP',
    EmailDirection: 'Inbound', DeliveryAction: 'Delivered', AttachmentCount: 1, UrlCount: 1, EmailSize: 48_213,
  }));
  return { networkMessageId, rows, emailEvents };
}

export function describeTraceStore(engine: string, open: () => Promise<OpenedTraceStore>): void {
  describe(`the trace store on ${engine}`, () => {
    let opened: OpenedTraceStore;
    let org: string;
    beforeEach(async () => {
      opened = await open();
      org = randomUUID();
    });
    afterEach(() => opened.close());

    it('keeps a message per recipient with its events and EmailEvents, attachments and URLs', async () => {
      const now = Date.now();
      const m = receipt(org, now, ['Alice@Contoso.com', 'bob@contoso.com']);
      const events = m.rows.map((r) => ({ orgGuid: org, networkMessageId: m.networkMessageId, recipient: r.recipient, at: now, event: 'Receive', detail: 'Message received by: postern' }));
      const attachments = [{ OrgId: org, Timestamp: now, NetworkMessageId: m.networkMessageId, FileName: 'scan.pdf', FileType: 'pdf', FileSize: 40_000 }];
      const urls = [{ OrgId: org, Timestamp: now, NetworkMessageId: m.networkMessageId, Url: 'https://contoso.com/x', UrlDomain: 'contoso.com', UrlChainPosition: 0 }];
      await opened.store.recordReceiveAsync(m.rows, events, m.emailEvents, { attachments, urls });
      // Delivery comes later and names the recipient in another case: it finds the row all the same.
      await opened.store.recordEventAsync({ orgGuid: org, networkMessageId: m.networkMessageId, recipient: 'alice@contoso.com', at: now + 1, event: 'Deliver', action: 'Maildir' }, undefined);
      await opened.store.recordEventAsync({ orgGuid: org, networkMessageId: m.networkMessageId, recipient: 'bob@contoso.com', at: now + 2, event: 'Deliver' }, 'Delivered');

      const trace = await opened.query('SELECT recipient, status, received_at, internet_message_id, connector FROM message_trace WHERE org_guid = ? ORDER BY lower(recipient)', [org]);
      expect(trace).toEqual([
        { recipient: 'Alice@Contoso.com', status: 'Pending', received_at: now, internet_message_id: `<${m.networkMessageId}@mfp.contoso.com>`, connector: '' },
        { recipient: 'bob@contoso.com', status: 'Delivered', received_at: now, internet_message_id: `<${m.networkMessageId}@mfp.contoso.com>`, connector: '' },
      ]);
      const evs = await opened.query('SELECT recipient, event, action, at FROM message_trace_events WHERE org_guid = ? ORDER BY at, lower(recipient)', [org]);
      expect(evs).toEqual([
        { recipient: 'Alice@Contoso.com', event: 'Receive', action: '', at: now },
        { recipient: 'bob@contoso.com', event: 'Receive', action: '', at: now },
        { recipient: 'Alice@Contoso.com', event: 'Deliver', action: 'Maildir', at: now + 1 },
        { recipient: 'bob@contoso.com', event: 'Deliver', action: '', at: now + 2 },
      ]);
      const ee = await opened.query('SELECT "RecipientEmailAddress", "Timestamp", "AttachmentCount", "EmailSize", "Connectors", "SenderIPv6", "EmailClusterId" FROM "EmailEvents" WHERE "OrgId" = ? ORDER BY "RecipientEmailAddress"', [org]);
      // Strings never null (a missing one is ''), numbers without a value null: Kusto's view of them.
      expect(ee).toEqual([
        { RecipientEmailAddress: 'Alice@Contoso.com', Timestamp: now, AttachmentCount: 1, EmailSize: 48_213, Connectors: '', SenderIPv6: '', EmailClusterId: null },
        { RecipientEmailAddress: 'bob@contoso.com', Timestamp: now, AttachmentCount: 1, EmailSize: 48_213, Connectors: '', SenderIPv6: '', EmailClusterId: null },
      ]);
      expect(await opened.query('SELECT "FileName", "FileSize", "SHA256" FROM "EmailAttachmentInfo" WHERE "OrgId" = ?', [org])).toEqual([{ FileName: 'scan.pdf', FileSize: 40_000, SHA256: '' }]);
      expect(await opened.query('SELECT "UrlDomain", "UrlChainPosition" FROM "EmailUrlInfo" WHERE "OrgId" = ?', [org])).toEqual([{ UrlDomain: 'contoso.com', UrlChainPosition: 0 }]);
    });

    it("answers the article's Direct Send hunting query, scoped to the organization", async () => {
      const now = Date.now();
      const direct = receipt(org, now - 2 * DAY, ['alice@contoso.com']);
      const viaConnector = receipt(org, now, ['bob@contoso.com']);
      viaConnector.emailEvents[0].Connectors = 'Partner by IP';
      const otherOrg = receipt(randomUUID(), now, ['carol@fabrikam.com']);
      const old = receipt(org, now - 40 * DAY, ['dave@contoso.com']);
      for (const m of [direct, viaConnector, otherOrg, old]) await opened.store.recordReceiveAsync(m.rows, [], m.emailEvents);

      // EmailEvents | where Timestamp > ago(30d) | where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
      const found = await opened.query(
        `SELECT "NetworkMessageId", "RecipientEmailAddress" FROM "EmailEvents"
          WHERE "OrgId" = ? AND "Timestamp" > ? AND "EmailDirection" = 'Inbound' AND "Connectors" = '' AND "SenderIPv4" <> ''`,
        [org, now - 30 * DAY],
      );
      expect(found).toEqual([{ NetworkMessageId: direct.networkMessageId, RecipientEmailAddress: 'alice@contoso.com' }]);
    });

    it('keeps a refusal in SmtpRejectEvents, with or without an organization', async () => {
      const now = Date.now();
      const session = randomUUID();
      await opened.store.recordRejectAsync({ OrgId: org, Timestamp: now, SessionId: session, SmtpStage: 'RCPT', SmtpCode: 550, EnhancedStatusCode: '5.7.68', Reason: 'RejectDirectSend' });
      await opened.store.recordRejectAsync({ OrgId: '', Timestamp: now, SessionId: session, SmtpStage: 'RCPT', SmtpCode: 550, EnhancedStatusCode: '5.4.1', Reason: 'RecipientNotAccepted' });
      const rows = await opened.query('SELECT "OrgId", "SmtpCode", "EnhancedStatusCode", "HeloName" FROM "SmtpRejectEvents" WHERE "SessionId" = ? ORDER BY "EnhancedStatusCode"', [session]);
      expect(rows).toEqual([
        { OrgId: '', SmtpCode: 550, EnhancedStatusCode: '5.4.1', HeloName: '' },
        { OrgId: org, SmtpCode: 550, EnhancedStatusCode: '5.7.68', HeloName: '' },
      ]);
    });

    it('reads message trace back as Get-MessageTrace asks: by Message-ID, recipient wildcard, status, paging, and the detail', async () => {
      const now = Date.now();
      const a = receipt(org, now - 1000, ['alice@contoso.com', 'Bob@contoso.com']);
      const b = receipt(org, now, ['carol@contoso.com']);
      const other = receipt(randomUUID(), now, ['alice@contoso.com']);
      for (const m of [a, b, other]) await opened.store.recordReceiveAsync(m.rows, [], m.emailEvents);
      await opened.store.recordEventAsync({ orgGuid: org, networkMessageId: a.networkMessageId, recipient: 'Bob@contoso.com', at: now + 5, event: 'DELIVER', action: 'Deliver', detail: 'to maildir' }, 'Delivered');
      const q = opened.queries;
      const window = { orgGuid: org, start: now - DAY, end: now + DAY, offset: 0, limit: 100 };

      const all = await q.messageTraceAsync(window);
      expect(all.map((r) => [r.recipient, r.status])).toEqual([['carol@contoso.com', 'Pending'], ['alice@contoso.com', 'Pending'], ['Bob@contoso.com', 'Delivered']]);
      // The row as written, less its tenant key, with its ToIP.
      const { orgGuid, ...written } = a.rows[0];
      expect(orgGuid).toBe(org);
      expect(all[1]).toEqual({ ...written, toIp: '' });
      // The Message-ID without its angle brackets, as admins paste it.
      const byId = await q.messageTraceAsync({ ...window, messageIds: [`${a.networkMessageId}@mfp.contoso.com`] });
      expect(byId.map((r) => r.recipient)).toEqual(['alice@contoso.com', 'Bob@contoso.com']);
      expect((await q.messageTraceAsync({ ...window, recipients: ['BOB@*'] })).map((r) => r.recipient)).toEqual(['Bob@contoso.com']);
      expect((await q.messageTraceAsync({ ...window, statuses: ['delivered'] })).map((r) => r.recipient)).toEqual(['Bob@contoso.com']);
      expect((await q.messageTraceAsync({ ...window, offset: 1, limit: 1 })).map((r) => r.recipient)).toEqual(['alice@contoso.com']);
      // Get-MessageTraceV2's next page: rows at the end time after the last recipient seen.
      expect((await q.messageTraceAsync({ ...window, end: now - 1000, startingRecipient: 'alice@contoso.com' })).map((r) => r.recipient)).toEqual(['Bob@contoso.com']);

      expect((await q.messageTraceRowAsync(org, a.networkMessageId, 'BOB@contoso.com'))?.status).toBe('Delivered');
      expect(await q.messageTraceRowAsync(org, other.networkMessageId, 'alice@contoso.com')).toBeUndefined();
      expect(await q.traceEventsAsync({ orgGuid: org, networkMessageId: a.networkMessageId, recipient: 'Bob@Contoso.com', events: ['deliver'] })).toEqual([
        { at: now + 5, event: 'DELIVER', action: 'Deliver', detail: 'to maildir', data: '' },
      ]);
    });
  });
}
