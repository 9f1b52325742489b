// The spool writer: small messages stay in memory (queued with their bytes), larger ones go to
// their spool file, byte for byte, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pump } from '../message/pump.js';
import { SpoolWriter } from './spool.js';

const dir = () => mkdtempSync(join(tmpdir(), 'spool-test-'));
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => 65 + (i % 26)));

async function write(chunks: Buffer[], limit: number): Promise<{ writer: SpoolWriter; file: string }> {
  const file = join(dir(), 'msg');
  const writer = new SpoolWriter(file, limit);
  await pump(Readable.from(chunks), writer);
  return { writer, file };
}

describe('SpoolWriter', () => {
  it('keeps a message up to the limit in memory: no file is ever created', async () => {
    const { writer, file } = await write([bytes(600), bytes(400)], 1000);
    expect(existsSync(file)).toBe(false);
    const stored = await writer.settle(false);
    expect(stored).toEqual({ body: Buffer.concat([bytes(600), bytes(400)]) });
    expect(existsSync(file)).toBe(false);
  });

  it('moves a message that outgrows the limit to its file, with every byte in order', async () => {
    const chunks = [bytes(700), bytes(700), bytes(5000), bytes(3)];
    const { writer, file } = await write(chunks, 1000);
    expect(writer.source()).toBe(file); // readable (content extraction) before it is durable
    expect(await writer.settle(false)).toEqual({ file });
    expect(readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('writes a small message to a file when asked (quarantine holds files)', async () => {
    const { writer, file } = await write([bytes(10)], 1000);
    expect(await writer.settle(true)).toEqual({ file });
    expect(readFileSync(file).equals(bytes(10))).toBe(true);
  });

  it('discard removes the file it created, and is harmless without one', async () => {
    const big = await write([bytes(2000)], 1000);
    expect(existsSync(big.file)).toBe(true);
    await big.writer.discard();
    expect(existsSync(big.file)).toBe(false);
    const small = await write([bytes(10)], 1000);
    await small.writer.discard();
    expect(existsSync(small.file)).toBe(false);
  });
});
