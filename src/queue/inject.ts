// Messages Postern writes itself (non-delivery reports, historical-search reports) enter the queue
// through the same door as received ones (commitMessage), addressed to recipients in the
// organizations' accepted domains; the rest come back as unroutable (disposeInternalMessage).
import { randomUUID } from 'node:crypto';
import { disposeInternalMessage } from '../mailflow/disposition.js';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';
import { messageHeaders } from '../message/header.js';
import { commitMessage, type CommitDeps } from './commit.js';
import type { Spool } from './spool.js';

export interface InjectDeps extends CommitDeps {
  spool: Spool;
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
  const headers = messageHeaders(bytes);
  const disposition = disposeInternalMessage(deps.snapshot(), recipients, headers, { newId: randomUUID, bounce: opts.bounce });
  if (disposition.copies.length === 0) return { unroutable: disposition.unroutable };
  const id = deps.spool.newId();
  const writer = deps.spool.writer(id);
  try {
    await new Promise<void>((resolve, reject) => writer.end(bytes, (err?: Error | null) => (err ? reject(err) : resolve())));
    const facts = { client: { ip: '127.0.0.1', helo: deps.hostname }, envelope: { mailFrom, rcptTo: recipients }, headers, size: bytes.length };
    await commitMessage(deps, { id, writer, receivedAt: Date.now(), facts, disposition });
  } catch (err) {
    await writer.discard();
    throw err;
  }
  return { queueId: id, unroutable: disposition.unroutable };
}
