// Content facts while DATA streams to the spool: attachments (name, type by content, SHA256, size),
// URLs in text and HTML parts, and the content shape for EmailClusterId. The message is never held:
// mailsplit's splitter parses the MIME structure line by line (part headers, boundaries, nesting),
// while long body runs, which cannot hold a boundary, go straight to the part's decoder without being
// cut into lines (mailsplit's own stream yields to the event loop after every line, which costs more
// than all the rest of the scan). Limits on parts, nesting and URLs bound the work a hostile message
// can ask for; each limit that is hit is reported.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Splitter, type MimeNode, type SplitterLine } from 'mailsplit';
import { fileTypeOf, ISO_MARK_AT, SNIFF_BYTES } from './fileType.js';
import { ShapeSketch } from './shapeSketch.js';
import { transferDecoder, type TransferDecoder } from './transferDecoding.js';
import { UrlCollector, type FoundUrl } from './urls.js';

export interface ContentLimits {
  /** MIME parts inspected per message (Postern's default: 250). */
  maxMimeParts: number;
  /** Nesting depth of multipart and message/rfc822 parts (default: 10). */
  maxMimeDepth: number;
  /** Distinct URLs recorded per message (default: 500). */
  maxUrlsPerMessage: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = { maxMimeParts: 250, maxMimeDepth: 10, maxUrlsPerMessage: 500 };

/** One attachment with Defender's EmailAttachmentInfo column names. */
export interface AttachmentFacts {
  FileName: string;
  FileType: string;
  SHA256: string;
  FileSize: number;
}

/** A limit that stopped part of the inspection: the rest of the message was not looked at for it. */
export interface ContentLimitHit {
  limit: keyof ContentLimits | 'mimeStructure';
  value: number;
  detail: string;
}

export interface ContentFacts {
  attachments: AttachmentFacts[];
  urls: FoundUrl[];
  clusterId: number;
  limitsHit: ContentLimitHit[];
}

const LF = 0x0a;
const DASH = 0x2d;
/**
 * DATA arrives in network-sized pieces (often a few KB, cut anywhere). The scan reads them in
 * batches of this size: every piece costs a decoder call, a text decode and a URL pass, so fewer,
 * larger ones cost less. The stream itself passes every piece on at once.
 */
const BATCH_BYTES = 16 * 1024;
const BODY = 2; // mailsplit's state while it reads a node's body
/** A part header larger than this is malformed (the message header itself is bounded by maxHeaderBytes). */
const MAX_PART_HEADER = 64 * 1024;

/** Where a leaf part's decoded bytes go. */
interface PartSink {
  write(bytes: Buffer): void;
  end(): void;
}

class AttachmentSink implements PartSink {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private macros = false;
  private isoMark = '';
  private tail = Buffer.alloc(0); // the end of the previous chunk, for a name a chunk boundary cut

  constructor(private readonly name: string, private readonly done: (a: AttachmentFacts) => void) {}

  write(bytes: Buffer): void {
    if (!bytes.length) return;
    this.hash.update(bytes);
    this.size += bytes.length;
    if (this.headBytes < SNIFF_BYTES) {
      const take = bytes.subarray(0, SNIFF_BYTES - this.headBytes);
      this.head.push(Buffer.from(take));
      this.headBytes += take.length;
    }
    if (this.size >= ISO_MARK_AT + 5 && this.size - bytes.length < ISO_MARK_AT + 5) {
      const at = ISO_MARK_AT - (this.size - bytes.length);
      if (at >= 0) this.isoMark = bytes.toString('latin1', at, at + 5);
    }
    // An Office document with macros names its VBA project in a ZIP local header, anywhere in the file.
    if (!this.macros && this.head[0][0] === 0x50 && this.head[0][1] === 0x4b) {
      this.macros = this.tail.length ? Buffer.concat([this.tail, bytes.subarray(0, 16)]).includes('vbaProject.bin') || bytes.includes('vbaProject.bin') : bytes.includes('vbaProject.bin');
      this.tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 16)));
    }
  }

  end(): void {
    const head = Buffer.concat(this.head);
    this.done({ FileName: this.name, FileType: fileTypeOf(head, this.name, this.macros, this.isoMark), SHA256: this.hash.digest('hex'), FileSize: this.size });
  }
}

class TextSink implements PartSink {
  private readonly decoder: { write(bytes: Buffer): string; end(): string };

  constructor(private readonly html: boolean, charset: string | false, private readonly urls: UrlCollector, private readonly sketch: ShapeSketch) {
    this.decoder = textDecoder(charset);
  }

  write(bytes: Buffer): void {
    if (!bytes.length) return;
    const text = this.decoder.write(bytes);
    this.urls.write(text);
    this.sketch.text(text, this.html);
  }

  end(): void {
    const text = this.decoder.end();
    if (text) {
      this.urls.write(text);
      this.sketch.text(text, this.html);
    }
    this.urls.endPart();
    this.sketch.endPart();
  }
}

/** Charsets Node's StringDecoder reads natively (most mail); TextDecoder (ICU) reads the others. */
const NATIVE_CHARSETS: Record<string, BufferEncoding> = { 'utf-8': 'utf8', utf8: 'utf8', 'us-ascii': 'latin1', ascii: 'latin1', 'iso-8859-1': 'latin1', latin1: 'latin1', 'utf-16le': 'utf16le' };

/** A streaming decoder for a part's charset (a character a chunk boundary cut is completed by the next). */
function textDecoder(charset: string | false): { write(bytes: Buffer): string; end(): string } {
  const native = NATIVE_CHARSETS[(charset || 'utf-8').toLowerCase()];
  if (native) return new StringDecoder(native);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset || 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8'); // an unknown charset: URLs are ASCII anyway
  }
  return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
}

/** A pass-through stream that inspects what flows through it; `facts()` once it has finished. */
export class ContentScan extends Transform {
  private readonly splitter = new Splitter({ maxHeadSize: MAX_PART_HEADER });
  private readonly urls: UrlCollector;
  private readonly sketch = new ShapeSketch();
  private readonly attachments: AttachmentFacts[] = [];
  private readonly limitsHit: ContentLimitHit[] = [];
  private stopped = false;
  private partial: Buffer | undefined; // a line a chunk boundary cut
  private pending: Buffer[] = []; // pieces not read yet (less than BATCH_BYTES)
  private pendingBytes = 0;
  private parts = 0;
  private current: { node: MimeNode; decoder: TransferDecoder; sink: PartSink } | undefined;
  private bodyNode: MimeNode | undefined;
  private heldEol: Buffer | undefined; // a body's last line end belongs to the boundary that may follow

  constructor(private readonly limits: ContentLimits) {
    super();
    this.urls = new UrlCollector(limits.maxUrlsPerMessage);
    // A node that a boundary closes before its header ended is pushed, not returned.
    this.splitter.push = (obj: unknown) => {
      if (obj && (obj as MimeNode).type === 'node') this.onNode(obj as MimeNode);
      return true;
    };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.stopped) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= BATCH_BYTES) this.readPending();
    }
    done(null, chunk);
  }

  private readPending(): void {
    const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.guarded(() => this.feed(batch));
  }

  /** Inspection never costs the message: a structure nothing parses ends the inspection, not the transaction. */
  private guarded(read: () => void): void {
    try {
      read();
    } catch (err) {
      this.stop({ limit: 'mimeStructure', value: 0, detail: `the MIME structure could not be read (${(err as Error).message})` });
    }
  }

  override _flush(done: TransformCallback): void {
    this.guarded(() => this.finish());
    done();
  }

  /** The facts, with the subject's URLs and words added (the header is parsed elsewhere). */
  facts(subject: string): ContentFacts {
    this.urls.addText(subject, 'Subject');
    this.sketch.subject(subject);
    if (this.urls.overLimit) this.hit('maxUrlsPerMessage', this.limits.maxUrlsPerMessage, `only the first ${this.limits.maxUrlsPerMessage} distinct URLs were recorded`);
    return { attachments: this.attachments, urls: this.urls.urls, clusterId: this.sketch.clusterId(), limitsHit: this.limitsHit };
  }

  private feed(chunk: Buffer): void {
    let pos = 0;
    if (this.partial) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.partial = Buffer.concat([this.partial, chunk]); // bounded: DATA lines are at most maxLineLength
        return;
      }
      const line = Buffer.concat([this.partial, chunk.subarray(0, lf + 1)]);
      this.partial = undefined;
      this.line(line);
      pos = lf + 1;
    }
    while (pos < chunk.length && !this.stopped) {
      if (this.splitter.state === BODY && chunk[pos] !== DASH) {
        // Only a line that starts with '-' can be a boundary: everything before the next one is body.
        const next = chunk.indexOf('\n-', pos);
        const end = next >= 0 ? next + 1 : chunk.lastIndexOf(LF) + 1;
        if (end > pos) {
          this.body(this.splitter.node, chunk.subarray(pos, end));
          pos = end;
          continue;
        }
      }
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) {
        this.partial = Buffer.from(chunk.subarray(pos));
        return;
      }
      this.line(chunk.subarray(pos, lf + 1));
      pos = lf + 1;
    }
  }

  /** One whole line through mailsplit's state machine: part headers, boundaries, body lines. */
  private line(line: Buffer | false, final = false): void {
    this.splitter.processLine(line, final, (err, data) => {
      if (err) return this.stop({ limit: 'mimeStructure', value: MAX_PART_HEADER, detail: err.message });
      if (!data) return;
      if (data.type === 'node') this.onNode(data);
      else if (data.type === 'body') this.body(data.node, (data as SplitterLine).value);
    });
  }

  private onNode(node: MimeNode): void {
    if (this.stopped) return;
    this.closePart();
    if (++this.parts > this.limits.maxMimeParts) {
      return this.stop({ limit: 'maxMimeParts', value: this.limits.maxMimeParts, detail: `parts after the first ${this.limits.maxMimeParts} were not inspected` });
    }
    let depth = 0;
    for (let p = node.parentNode; p; p = p.parentNode) depth++;
    if (depth > this.limits.maxMimeDepth) {
      return this.stop({ limit: 'maxMimeDepth', value: this.limits.maxMimeDepth, detail: `parts nested deeper than ${this.limits.maxMimeDepth} levels were not inspected` });
    }
    const sink = this.sinkFor(node);
    if (sink) this.current = { node, decoder: transferDecoder(node.encoding), sink };
  }

  /** What a leaf part is: an attachment, body text, or nothing to inspect (containers). */
  private sinkFor(node: MimeNode): PartSink | undefined {
    const type = node.contentType || 'text/plain';
    if (node.multipart || (node.rfc822 && (node as MimeNode & { messageNode?: boolean }).messageNode)) return undefined;
    const name = node.filename || '';
    const isBodyText = (type === 'text/plain' || type === 'text/html') && !name && node.disposition !== 'attachment';
    if (isBodyText) return new TextSink(type === 'text/html', node.charset, this.urls, this.sketch);
    if (!name && node.disposition !== 'attachment' && type.startsWith('text/')) return undefined; // calendars, vCards inline
    if (name) this.urls.addText(name, 'Attachment');
    return new AttachmentSink(name, (a) => this.attachments.push(a));
  }

  private body(node: MimeNode, bytes: Buffer): void {
    if (node !== this.bodyNode) {
      this.bodyNode = node;
      this.heldEol = undefined;
    }
    const part = this.current;
    if (!part || part.node !== node || !bytes.length) return;
    if (this.heldEol) part.sink.write(part.decoder.write(this.heldEol));
    // The line end before a boundary is the boundary's: hold it back until more body follows.
    const eol = bytes[bytes.length - 1] === LF ? (bytes.length > 1 && bytes[bytes.length - 2] === 0x0d ? 2 : 1) : 0;
    this.heldEol = eol ? bytes.subarray(bytes.length - eol) : undefined;
    part.sink.write(part.decoder.write(eol ? bytes.subarray(0, bytes.length - eol) : bytes));
  }

  private closePart(): void {
    const part = this.current;
    if (!part) return;
    this.current = undefined;
    part.sink.write(part.decoder.end());
    part.sink.end();
  }

  private finish(): void {
    if (this.pendingBytes && !this.stopped) this.readPending();
    if (this.stopped) return;
    if (this.partial) this.line(this.partial);
    this.partial = undefined;
    if (!this.stopped) this.line(false, true);
    if (!this.stopped) this.closePart();
  }

  private stop(hit: ContentLimitHit): void {
    this.stopped = true;
    this.current = undefined; // a part cut short has no true size or hash
    this.partial = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.hit(hit.limit, hit.value, hit.detail);
  }

  private hit(limit: ContentLimitHit['limit'], value: number, detail: string): void {
    if (!this.limitsHit.some((h) => h.limit === limit)) this.limitsHit.push({ limit, value, detail });
  }
}
