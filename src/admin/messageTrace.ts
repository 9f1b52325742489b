// Get-MessageTrace[V2] and Get-MessageTraceDetail[V2] over the TraceQueries port; every query
// carries the organization's GUID.
import type { TraceSummary } from '../store/traceQueries.js';
import { DAY, checkWindow } from './dateWindow.js';
import { same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { MessageTraceAdmin, MessageTraceObject } from './types.js';

function traceObject(r: TraceSummary): MessageTraceObject {
  return {
    Received: new Date(r.receivedAt),
    SenderAddress: r.sender,
    RecipientAddress: r.recipient,
    Subject: r.subject,
    Status: r.status,
    ToIP: r.toIp || null,
    FromIP: r.fromIp || null,
    Size: r.size,
    MessageId: r.internetMessageId,
    MessageTraceId: r.networkMessageId,
  };
}

const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '');

export function messageTraceAdmin(scope: OrganizationScope): MessageTraceAdmin {
  const trace = scope.options.trace;
  return {
    async getMessageTrace(q) {
      // Get-MessageTraceV2 gives ResultSize; Get-MessageTrace pages (1-based).
      const v2 = q.ResultSize !== undefined;
      const pageSize = v2 ? (q.ResultSize ?? 1000) : (q.PageSize ?? 1000);
      // Exchange's default window is the last 48 hours.
      const end = q.EndDate ?? scope.now();
      const start = q.StartDate ?? new Date(end.getTime() - 2 * DAY);
      checkWindow(scope.now(), start, end, v2 ? { maxAgeDays: 90, maxSpanDays: 10 } : { maxAgeDays: 10 });
      const rows = trace.messageTrace({
        orgGuid: scope.guid,
        start: start.getTime(),
        end: end.getTime(),
        senders: q.SenderAddress,
        recipients: q.RecipientAddress,
        messageIds: q.MessageId,
        networkMessageId: q.MessageTraceId,
        fromIp: q.FromIP,
        toIp: q.ToIP,
        statuses: q.Status,
        subject: q.Subject ? { text: q.Subject, match: q.SubjectFilterType ?? 'Contains' } : undefined,
        startingRecipient: q.StartingRecipientAddress,
        offset: v2 ? 0 : ((q.Page ?? 1) - 1) * pageSize,
        limit: pageSize,
      });
      return rows.map(traceObject);
    },

    async getMessageTraceDetail(q) {
      const row = trace.messageTraceRow(scope.guid, q.MessageTraceId, q.RecipientAddress);
      if (!row) return [];
      if (q.MessageId && bareMessageId(row.internetMessageId) !== bareMessageId(q.MessageId)) return [];
      if (q.SenderAddress && !same(row.sender, q.SenderAddress)) return [];
      const events = trace.traceEvents({
        orgGuid: scope.guid,
        networkMessageId: row.networkMessageId,
        recipient: row.recipient,
        events: q.Event,
        actions: q.Action,
        start: q.StartDate?.getTime(),
        end: q.EndDate?.getTime(),
      });
      return events.map((e) => ({
        Date: new Date(e.at),
        Event: e.event,
        Action: e.action || null,
        Detail: e.detail,
        Data: e.data || null,
        MessageId: row.internetMessageId,
        MessageTraceId: row.networkMessageId,
        RecipientAddress: row.recipient,
      }));
    },
  };
}
