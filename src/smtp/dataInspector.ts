// Watches DATA as it streams to the spool: detects bare LF / bare CR line endings and NUL bytes
// (SMTP smuggling), over-long lines and an over-large header block, and keeps the header block (and
// only it) for the decision stages. The body is never held in memory.
import { Transform, type TransformCallback } from 'node:stream';
import { HeaderEndFinder, splitHeader } from '../message/header.js';

const CR = 0x0d;
const LF = 0x0a;

export interface DataLimits {
  maxMessageSize: number;
  maxLineLength: number;
  maxHeaderBytes: number;
}

export type DataViolation =
  | { kind: 'too-big'; limit: number }
  | { kind: 'bare-newline' }
  | { kind: 'nul' }
  | { kind: 'line-too-long'; limit: number }
  | { kind: 'header-too-large'; limit: number };

export class DataInspector extends Transform {
  bytes = 0;
  violation: DataViolation | undefined;
  private headerChunks: Buffer[] = [];
  private headerBytes = 0;
  private headerDone = false;
  private prev = -1; // last byte of the previous chunk
  private lineLength = 0;
  private readonly headerEnd = new HeaderEndFinder();

  constructor(private readonly limits: DataLimits) {
    super();
  }

  /** The raw header block (without the blank line that ends it). */
  headerBlock(): Buffer {
    return splitHeader(Buffer.concat(this.headerChunks)).header;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxMessageSize) this.violation = { kind: 'too-big', limit: this.limits.maxMessageSize };
    if (!this.violation) this.scan(chunk);
    if (!this.headerDone) this.collectHeader(chunk);
    // Once the message is refused, read the rest of DATA but write nothing more to disk.
    done(null, this.violation ? undefined : chunk);
  }

  private scan(chunk: Buffer): void {
    // A next hop that drops NULs would turn `\r\n\0.\r\n` into an end of data: refused, as
    // Postfix does. indexOf is native memchr, so a clean chunk costs one pass.
    if (chunk.indexOf(0) >= 0) return this.fail({ kind: 'nul' });
    // Fast path: CR and LF positions come from native memchr (indexOf); a clean chunk, the usual
    // case, is never walked byte by byte in JavaScript. Only a chunk that breaks a rule is, to
    // report its first violation exactly.
    if (this.clean(chunk)) {
      const lastLf = chunk.lastIndexOf(LF);
      this.lineLength = lastLf < 0 ? this.lineLength + chunk.length : chunk.length - lastLf - 1;
      if (chunk[chunk.length - 1] === CR) this.lineLength--; // a CR that the next chunk's LF will end
      this.prev = chunk[chunk.length - 1];
      return;
    }
    let prev = this.prev;
    let line = this.lineLength;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF) {
        if (prev !== CR) return this.fail({ kind: 'bare-newline' });
        line = 0;
      } else {
        if (prev === CR) return this.fail({ kind: 'bare-newline' });
        if (b !== CR && ++line > this.limits.maxLineLength) {
          return this.fail({ kind: 'line-too-long', limit: this.limits.maxLineLength });
        }
      }
      prev = b;
    }
    this.prev = prev;
    this.lineLength = line;
  }

  /** True when every CR in the chunk precedes an LF, every LF follows a CR, and no line is too long. */
  private clean(chunk: Buffer): boolean {
    const max = this.limits.maxLineLength;
    if (this.prev === CR && chunk[0] !== LF) return false;
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) return false;
    }
    let start = 0; // first byte of the current line in this chunk
    let carried = this.lineLength;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      const cr = i > 0 ? chunk[i - 1] : this.prev;
      if (cr !== CR) return false;
      if (carried + (i - start) - (i > 0 ? 1 : 0) > max) return false; // the line's bytes without its CR (which a previous chunk may hold)
      start = i + 1;
      carried = 0;
    }
    const tail = carried + (chunk.length - start) - (chunk[chunk.length - 1] === CR ? 1 : 0);
    return tail <= max;
  }

  override _flush(done: TransformCallback): void {
    // DATA always ends with CRLF before the terminator, so a trailing CR cannot be bare here.
    done();
  }

  private collectHeader(chunk: Buffer): void {
    const take = this.headerEnd.feed(chunk);
    this.headerDone = this.headerEnd.done;
    this.headerBytes += take;
    if (this.headerBytes > this.limits.maxHeaderBytes) {
      this.headerDone = true;
      if (!this.violation) this.fail({ kind: 'header-too-large', limit: this.limits.maxHeaderBytes });
      return;
    }
    this.headerChunks.push(Buffer.from(chunk.subarray(0, take)));
  }

  private fail(v: DataViolation): void {
    this.violation = v;
  }
}
