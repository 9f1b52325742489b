// Content-Transfer-Encoding, decoded as the body streams past: base64 and quoted-printable keep
// only the few bytes that a chunk boundary cut (an incomplete base64 quantum, an unfinished QP
// line), so a part of any size costs a constant amount of memory.
import libqp from 'libqp';

export interface TransferDecoder {
  /** Decoded bytes of this chunk (may be empty while a quantum or line is incomplete). */
  write(chunk: Buffer): Buffer;
  /** What is left at the end of the part. */
  end(): Buffer;
}

const EMPTY = Buffer.alloc(0);

class Base64Decoder implements TransferDecoder {
  private carry = '';

  write(chunk: Buffer): Buffer {
    // Node's decoder skips line breaks itself; what it cannot do is resume a 4-character quantum
    // that a chunk boundary cut. MIME writes lines of a multiple of 4 characters, so a run of
    // such lines decodes as it is (the common case, checked with native searches only); anything
    // else goes through the exact path that counts the alphabet's characters.
    if (!this.carry && wholeQuanta(chunk)) return Buffer.from(chunk.toString('latin1'), 'base64');
    const text = this.carry + chunk.toString('latin1').replace(/[^A-Za-z0-9+/]+/g, '');
    const whole = text.length - (text.length % 4);
    this.carry = text.slice(whole);
    return whole ? Buffer.from(text.slice(0, whole), 'base64') : EMPTY;
  }

  end(): Buffer {
    const rest = this.carry;
    this.carry = '';
    return rest.length > 1 ? Buffer.from(rest, 'base64') : EMPTY;
  }
}

/** Every line (the last one too, which a boundary may have cut) holds a multiple of 4 characters, and padding ends the data. */
function wholeQuanta(chunk: Buffer): boolean {
  let start = 0;
  for (;;) {
    const lf = chunk.indexOf(0x0a, start);
    const end = lf < 0 ? chunk.length : lf;
    const len = end - start - (end > start && chunk[end - 1] === 0x0d ? 1 : 0);
    if (len % 4 !== 0) return false;
    if (lf < 0 || lf === chunk.length - 1) break;
    start = lf + 1;
  }
  const pad = chunk.indexOf(0x3d); // '=': nothing but a line end may follow it
  if (pad < 0) return true;
  const after = chunk.indexOf(0x0a, pad);
  return after < 0 || after === chunk.length - 1;
}

class QuotedPrintableDecoder implements TransferDecoder {
  private carry = '';

  write(chunk: Buffer): Buffer {
    // QP is line-based: a soft break (=CRLF) or an escape (=XX) never spans a line end, so
    // decoding up to the last line end and carrying the rest is exact.
    const text = this.carry + chunk.toString('latin1');
    const cut = text.lastIndexOf('\n') + 1;
    this.carry = text.slice(cut);
    return cut ? libqp.decode(text.slice(0, cut)) : EMPTY;
  }

  end(): Buffer {
    const rest = this.carry;
    this.carry = '';
    return rest ? libqp.decode(rest) : EMPTY;
  }
}

const identity: TransferDecoder = { write: (chunk) => chunk, end: () => EMPTY };

/** The decoder for a Content-Transfer-Encoding value (7bit, 8bit, binary and unknown ones pass through). */
export function transferDecoder(encoding: string | false | undefined): TransferDecoder {
  switch ((encoding || '').toLowerCase()) {
    case 'base64':
      return new Base64Decoder();
    case 'quoted-printable':
      return new QuotedPrintableDecoder();
    default:
      return identity;
  }
}
