// A streaming CSV reader (RFC 4180 as Exchange, PowerShell's Export-Csv and the Defender portal
// write it): text goes in chunk by chunk, complete records come out with the line each began on.
// Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF both end a record.
// The delimiter is the comma, or the semicolon when the header row is written with it
// (Export-Csv -UseCulture in a culture whose list separator is ';').
// Nothing but the record being read is kept, so a file of any size reads in bounded memory
// (one record is capped: a quote that never closes would otherwise swallow the file).
//
// ExportDecoder turns the file's bytes into text: UTF-16 LE with a BOM (Exchange's historical
// search reports), UTF-8 with or without a BOM, and UTF-16 LE without a BOM when the first bytes
// show it (ASCII text with every second byte zero).

export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file the record began on. */
  line: number;
}

export interface CsvEnd {
  /** The last record, when the file ended inside it without a line break (still complete). */
  records: CsvRecord[];
  /** The file ended inside a quoted field: the record that began on `line` is cut. */
  unterminated?: { line: number };
}

/** A record longer than this is refused: a stray quote must not read the rest of a 2 GB file into memory. */
export const MAX_RECORD_CHARS = 1 << 20;

export class CsvRecordTooLong extends Error {
  constructor(readonly line: number) {
    super(`the record that begins on line ${line} is longer than ${MAX_RECORD_CHARS} characters (a quote that never closes?)`);
  }
}

export class CsvReader {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  /** After a closing quote of a quoted field: the next quote is a doubled one. */
  private quoteSeen = false;
  private recordChars = 0;
  private line = 1;
  private recordLine = 1;
  private pendingCr = false;
  private crInField = false;
  private started = false;

  private delimiter = ',';
  /** Text held until the header row is complete and tells the delimiter. */
  private head: string | undefined = '';

  /** Feed text; returns the records completed by it. */
  push(text: string): CsvRecord[] {
    if (this.head !== undefined) {
      this.head += text;
      const d = delimiterOf(this.head);
      if (!d && this.head.length <= MAX_RECORD_CHARS) return [];
      return this.release(d ?? ',');
    }
    const out: CsvRecord[] = [];
    const delimiter = this.delimiter;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue;
      }
      if (!this.started) {
        this.started = true;
        this.recordLine = this.line;
      }
      if (!isSpecial(c, this.quoted, delimiter)) {
        // A run of ordinary characters goes in as one slice.
        let j = i + 1;
        while (j < text.length && !isSpecial(text[j], this.quoted, delimiter)) j++;
        this.add(text.slice(i, j));
        this.crInField = false;
        this.quoteSeen = false;
        i = j - 1;
        continue;
      }
      if (this.quoted) {
        if (c === '"') {
          this.quoted = false;
          this.quoteSeen = true;
        } else {
          // A line break inside a field: CRLF counts once, even split across chunks.
          if (c === '\r' || (c === '\n' && !this.crInField)) this.line++;
          this.crInField = c === '\r';
          this.add(c);
        }
        continue;
      }
      if (c === '"') {
        if (this.quoteSeen) this.add('"');
        this.quoted = true;
        this.quoteSeen = false;
        continue;
      }
      this.quoteSeen = false;
      if (c === delimiter) {
        this.fields.push(this.field);
        this.field = '';
      } else if (c === '\r' || c === '\n') {
        this.pendingCr = c === '\r';
        out.push(this.finish());
        this.line++;
      } else this.add(c);
    }
    return out;
  }

  /** The end of the file. */
  end(): CsvEnd {
    const held = this.head !== undefined ? this.release(delimiterOf(`${this.head}\n`) ?? ',') : [];
    if (!this.started) return { records: held };
    if (this.quoted) return { records: held, unterminated: { line: this.recordLine } };
    return { records: [...held, this.finish()] };
  }

  private release(delimiter: string): CsvRecord[] {
    const text = this.head ?? '';
    this.head = undefined;
    this.delimiter = delimiter;
    return this.push(text);
  }

  private add(text: string): void {
    this.recordChars += text.length;
    if (this.recordChars > MAX_RECORD_CHARS) throw new CsvRecordTooLong(this.recordLine);
    this.field += text;
  }

  private finish(): CsvRecord {
    this.fields.push(this.field);
    const rec = { fields: this.fields, line: this.recordLine };
    this.fields = [];
    this.field = '';
    this.recordChars = 0;
    this.quoteSeen = false;
    this.started = false;
    return rec;
  }
}

/** Characters that end a run: a quote and line breaks, and outside quotes the delimiter. */
function isSpecial(c: string, quoted: boolean, delimiter: string): boolean {
  return c === '"' || c === '\r' || c === '\n' || (!quoted && c === delimiter);
}

/**
 * The delimiter the header row uses (the first complete line not starting with '#': PowerShell's
 * #TYPE line comes before it): ';' when it has more semicolons than commas. Undefined until that
 * line is complete.
 */
function delimiterOf(head: string): string | undefined {
  let start = 0;
  for (;;) {
    const m = /\r\n|\r|\n/.exec(head.slice(start));
    if (!m) return undefined;
    const line = head.slice(start, start + m.index).replace(/^\uFEFF/, '');
    start += m.index + m[0].length;
    if (line.startsWith('#') || line.trim() === '') continue;
    const count = (ch: string) => line.split(ch).length - 1;
    return count(';') > count(',') ? ';' : ',';
  }
}

/** Bytes → text, the encoding told by the BOM (or by the first bytes), decoded as a stream. */
export class ExportDecoder {
  private decoder: TextDecoder | undefined;
  private head = new Uint8Array(0);
  encoding: 'utf-8' | 'utf-16le' | undefined;

  push(chunk: Uint8Array): string {
    if (this.decoder) return this.decoder.decode(chunk, { stream: true });
    const joined = new Uint8Array(this.head.length + chunk.length);
    joined.set(this.head);
    joined.set(chunk, this.head.length);
    if (joined.length < 4) {
      this.head = joined;
      return '';
    }
    return this.start(joined);
  }

  end(): string {
    if (!this.decoder) return this.head.length ? this.start(this.head) + this.finish() : '';
    return this.finish();
  }

  private finish(): string {
    return this.decoder ? this.decoder.decode() : '';
  }

  private start(bytes: Uint8Array): string {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0);
    this.encoding = utf16 ? 'utf-16le' : 'utf-8';
    // TextDecoder drops the BOM itself (ignoreBOM false).
    this.decoder = new TextDecoder(this.encoding, { fatal: false });
    this.head = new Uint8Array(0);
    return this.decoder.decode(bytes, { stream: true });
  }
}
