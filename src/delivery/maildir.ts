// Maildir delivery: write to tmp/, fsync, rename into new/, fsync new/ (the Maildir protocol,
// made durable). Each recipient's folder is <root>/<domain>/<local part>/.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pump } from '../message/pump.js';
import { failure, type DeliveryResult } from './agent.js';

/** Safe folder name for an address part: no path traversal, no separators. */
function safe(part: string): string {
  const s = part.toLowerCase().replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return s || '_';
}

export function maildirFor(root: string, recipient: string): string {
  const at = recipient.lastIndexOf('@');
  return join(root, safe(recipient.slice(at + 1)), safe(recipient.slice(0, at)));
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function deliverToMaildir(root: string, recipient: string, message: Readable): Promise<DeliveryResult> {
  const dir = maildirFor(resolve(root), recipient);
  const name = `${Date.now()}.P${process.pid}R${randomBytes(6).toString('hex')}.${hostname()}`;
  const tmp = join(dir, 'tmp', name);
  try {
    await Promise.all(['tmp', 'new', 'cur'].map((d) => mkdir(join(dir, d), { recursive: true })));
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true });
    await pump(message, out);
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, join(dir, 'new', name));
    await syncDir(join(dir, 'new'));
    return { ok: true, response: `delivered to maildir ${join(dir, 'new', name)}` };
  } catch (err) {
    await unlink(tmp).catch(() => {});
    return failure(err);
  }
}
