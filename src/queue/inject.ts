// Messages Postern writes itself (non-delivery reports, later quarantine notifications and
// report mails) enter the queue the same durable way as received ones, addressed to recipients
// in the organizations' accepted domains. Postern is an inbound gateway: it has no route to
// other destinations, so those recipients are returned as unroutable.
import { randomUUID } from 'node:crypto';
import { writeFile, open } from 'node:fs/promises';
import { messageHeaders } from '../message/header.js';
import { organizationForRecipient, isRefusal } from '../mailflow/recipientTenant.js';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';
import type { NewMessage, QueueStore, QueuedCopy, TraceStore } from '../store/ports.js';
import { internalReceipt, receiptRecords } from '../trace/receipt.js';
import type { GroupCommit, Spool } from './spool.js';

export interface InjectDeps {
  spool: Spool;
  commit: GroupCommit;
  queue: QueueStore;
  trace: TraceStore;
  snapshot(): ConfigSnapshot;
  hostname: string;
}

export async function injectMessage(
  deps: InjectDeps,
  bytes: Buffer,
  mailFrom: string,
  recipients: string[],
  opts: { bounce?: boolean } = {},
): Promise<{ queueId?: string; unroutable: string[] }> {
  const byOrg = new Map<string, string[]>();
  const unroutable: string[] = [];
  for (const r of recipients) {
    const org = organizationForRecipient(deps.snapshot().domains, r);
    if (isRefusal(org)) unroutable.push(r);
    else byOrg.set(org.Guid, [...(byOrg.get(org.Guid) ?? []), r]);
  }
  if (byOrg.size === 0) return { unroutable };
  const id = deps.spool.newId();
  const file = deps.spool.path(id);
  await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
  const fh = await open(file, 'r+');
  await fh.sync();
  await fh.close();
  const copies: QueuedCopy[] = [...byOrg].map(([orgGuid, rcpts]) => {
    const networkMessageId = randomUUID();
    return {
      networkMessageId,
      orgGuid,
      recipients: rcpts,
      bounce: opts.bounce,
      edits: { prepend: [{ name: 'X-MS-Exchange-Organization-Network-Message-Id', value: networkMessageId }], remove: [], set: [] },
    };
  });
  const client = { ip: '127.0.0.1', helo: deps.hostname };
  const msg: NewMessage = { id, spoolFile: file, receivedAt: Date.now(), mailFrom, client, size: bytes.length, copies };
  const headers = messageHeaders(bytes);
  await deps.commit.commit(() => {
    deps.queue.enqueue(msg);
    const receipts = copies.map((c) => internalReceipt(c.networkMessageId, c.orgGuid, c.recipients, headers));
    const { rows, events, emailEvents } = receiptRecords(msg, { client, envelope: { mailFrom, rcptTo: recipients }, headers, size: bytes.length }, receipts);
    deps.trace.recordReceive(rows, events, emailEvents);
  });
  return { queueId: id, unroutable };
}
