// The one door into the queue. A message is accepted when its bytes are durable (its spool file
// fsynced, or, when small, its bytes in the queue row) and its queue entries and trace records are
// committed in one transaction with the WAL fsynced (GroupCommit). The SMTP session and the
// messages Postern writes itself (non-delivery reports) both come through here, so "250 OK" and
// "queued" mean the same thing everywhere.
import type { ContentFacts } from '../content/scan.js';
import type { Disposition } from '../mailflow/disposition.js';
import type { MessageFacts } from '../message/facts.js';
import type { MessageSource } from '../delivery/messageStream.js';
import type { DeliveryLease, DueRecipient, NewMessage, QueueStore, TraceStore } from '../store/ports.js';
import { receiptRecords } from '../trace/receipt.js';
import type { GroupCommit, SpoolWriter } from './spool.js';

export interface CommitDeps {
  commit: GroupCommit;
  queue: QueueStore;
  trace: TraceStore;
}

export interface AcceptedMessage {
  id: string;
  /** The message's bytes, as streamed into the spool (see SpoolWriter). */
  writer: SpoolWriter;
  receivedAt: number;
  facts: MessageFacts;
  disposition: Disposition;
  /** What the content scan found while DATA streamed (absent for messages Postern wrote). */
  content?: ContentFacts;
}

/** A message just committed under a delivery lease: its recipients and bytes, for its first attempt in this process. */
export interface FreshMessage {
  due: DueRecipient[];
  source: MessageSource;
}

/**
 * Make the message durable and record it: resolves once both are on disk. With a lease, the
 * recipients to deliver are returned with the message's bytes, so this process delivers them
 * without reading the queue back.
 */
export async function commitMessage(deps: CommitDeps, m: AcceptedMessage, lease?: DeliveryLease): Promise<FreshMessage> {
  const { copies, receipts } = m.disposition;
  // Quarantine holds the message for weeks and reads it from its spool file.
  const stored = await m.writer.settle(copies.some((c) => c.quarantine));
  const { facts } = m;
  const msg: NewMessage = {
    id: m.id,
    spoolFile: 'file' in stored ? stored.file : '',
    body: 'body' in stored ? stored.body : undefined,
    receivedAt: m.receivedAt,
    mailFrom: facts.envelope.mailFrom,
    client: facts.client,
    size: facts.size,
    copies,
  };
  let due: DueRecipient[] = [];
  await deps.commit.commit(
    () => {
      if (copies.length) due = deps.queue.enqueue(msg, lease);
      const { rows, events, emailEvents, attachments, urls } = receiptRecords(msg, facts, receipts, m.content);
      deps.trace.recordReceive(rows, events, emailEvents, { attachments, urls });
    },
    { newFile: 'file' in stored },
  );
  return { due, source: 'file' in stored ? stored.file : stored.body };
}
