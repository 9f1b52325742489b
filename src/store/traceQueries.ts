// Message-trace reads (Get-MessageTrace[V2], Get-MessageTraceDetail[V2], reference §7): the
// store port the shell and the admin API query through. Every query carries the organization's
// GUID and an adapter must never return another organization's rows, whatever the other
// filters say. Times are epoch milliseconds (UTC).

import type { MessageTraceRow } from './ports.js';

/** Filters over the per-recipient summary rows (message_trace). All optional but the window. */
export interface TraceSummaryQuery {
  orgGuid: string;
  /** Window on the received time, both ends inclusive. */
  start: number;
  end: number;
  /** MAIL FROM addresses; `*` is a wildcard (`*@contoso.com`); case-insensitive. */
  senders?: string[];
  /** Recipient addresses; `*` is a wildcard; case-insensitive. */
  recipients?: string[];
  /** Internet Message-IDs, with or without the angle brackets. */
  messageIds?: string[];
  /** NetworkMessageId (MessageTraceId). */
  networkMessageId?: string;
  fromIp?: string;
  toIp?: string;
  statuses?: string[];
  subject?: { text: string; match: 'Contains' | 'StartsWith' | 'EndsWith' };
  /**
   * Continue after a partial result (Get-MessageTraceV2): rows received exactly at `end` are
   * kept only when their recipient sorts after this address.
   */
  startingRecipient?: string;
  offset: number;
  limit: number;
}

/** A message-trace row as read back: the row written at receipt (less its tenant key) plus ToIP. */
export interface TraceSummary extends Omit<MessageTraceRow, 'orgGuid'> {
  toIp: string;
}

export interface TraceEventQuery {
  orgGuid: string;
  networkMessageId: string;
  recipient: string;
  /** Event names (RECEIVE, DELIVER, ...), case-insensitive. */
  events?: string[];
  /** Actions (Receive, Deliver, ...), case-insensitive. */
  actions?: string[];
  start?: number;
  end?: number;
}

export interface TraceEventRecord {
  at: number;
  event: string;
  action: string;
  detail: string;
  data: string;
}

export interface TraceQueries {
  /** Summary rows, newest first (then by recipient), after `offset`, at most `limit`. */
  messageTrace(query: TraceSummaryQuery): TraceSummary[];
  /** The summary row of one message copy for one recipient, when the organization has it. */
  messageTraceRow(orgGuid: string, networkMessageId: string, recipient: string): TraceSummary | undefined;
  /** The events of one message to one recipient, oldest first. */
  traceEvents(query: TraceEventQuery): TraceEventRecord[];
}

/** The same reads from a store shared by several nodes (PostgreSQL), whose queries are asynchronous. */
export interface AsyncTraceQueries {
  messageTraceAsync(query: TraceSummaryQuery): Promise<TraceSummary[]>;
  messageTraceRowAsync(orgGuid: string, networkMessageId: string, recipient: string): Promise<TraceSummary | undefined>;
  traceEventsAsync(query: TraceEventQuery): Promise<TraceEventRecord[]>;
}

/** A synchronous reader (SQLite) behind the asynchronous port. */
export function asAsyncTraceQueries(q: TraceQueries): AsyncTraceQueries {
  return {
    messageTraceAsync: async (query) => q.messageTrace(query),
    messageTraceRowAsync: async (orgGuid, networkMessageId, recipient) => q.messageTraceRow(orgGuid, networkMessageId, recipient),
    traceEventsAsync: async (query) => q.traceEvents(query),
  };
}
