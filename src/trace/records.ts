// What the receipt of a message and every later step write to message trace: one row per
// recipient, its events, the hunting rows, and the port the store implements to keep them.
import type { HuntingRow } from './tables.js';

export interface TraceEvent {
  orgGuid: string;
  networkMessageId: string;
  recipient: string;
  at: number;
  event: string;
  action?: string;
  detail?: string;
  data?: string;
}

export interface MessageTraceRow {
  orgGuid: string;
  networkMessageId: string;
  recipient: string;
  receivedAt: number;
  sender: string;
  subject: string;
  status: string;
  fromIp: string;
  size: number;
  internetMessageId: string;
  connector: string;
}

export interface TraceStore {
  /** `content`: EmailAttachmentInfo and EmailUrlInfo rows of the same message. */
  recordReceive(rows: MessageTraceRow[], events: TraceEvent[], emailEvents: HuntingRow[], content?: { attachments: HuntingRow[]; urls: HuntingRow[] }): void;
  recordEvent(event: TraceEvent, status?: string): void;
  recordReject(row: HuntingRow): void;
}

/**
 * The same port for a store whose writes are asynchronous (PostgreSQL, shared by several nodes):
 * each call resolves once its rows are committed.
 */
export interface AsyncTraceStore {
  recordReceiveAsync(rows: MessageTraceRow[], events: TraceEvent[], emailEvents: HuntingRow[], content?: { attachments: HuntingRow[]; urls: HuntingRow[] }): Promise<void>;
  recordEventAsync(event: TraceEvent, status?: string): Promise<void>;
  recordRejectAsync(row: HuntingRow): Promise<void>;
}

/** A synchronous store (SQLite) behind the asynchronous port, so callers of that port run on either engine. */
export function asAsyncTraceStore(store: TraceStore): AsyncTraceStore {
  return {
    recordReceiveAsync: async (rows, events, emailEvents, content) => store.recordReceive(rows, events, emailEvents, content),
    recordEventAsync: async (event, status) => store.recordEvent(event, status),
    recordRejectAsync: async (row) => store.recordReject(row),
  };
}
