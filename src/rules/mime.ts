// Header text as rules see it: MIME encoded-words decoded (RFC 2047, with RFC 2231 language
// tags), and the addr-specs of an address-list header. Exchange matches subjects and headers
// after decoding, so `=?UTF-8?B?...?=` is matched as the text it stands for.

const encodedWord = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
// Whitespace between two adjacent encoded-words is not displayed (RFC 2047 §6.2).
const betweenWords = /(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g;

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  const key = charset.toLowerCase().replace(/\*.*$/, ''); // strip an RFC 2231 language tag
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key === 'us-ascii' ? 'utf-8' : key, { fatal: false });
    } catch {
      d = null;
    }
    decoders.set(key, d);
  }
  return d;
}

function qBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Decode RFC 2047 encoded-words in an unstructured header value; text without any is returned as is. */
export function decodeMimeWords(value: string): string {
  if (!value.includes('=?')) return value;
  // Concatenate adjacent words' bytes before decoding: a multi-byte character may be split.
  const joined = value.replace(betweenWords, '$1');
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: number[] } | undefined;
  const flush = () => {
    if (!pending) return;
    const d = decoderFor(pending.charset);
    out += d ? d.decode(Uint8Array.from(pending.bytes)) : Buffer.from(pending.bytes).toString('latin1');
    pending = undefined;
  };
  for (const m of joined.matchAll(encodedWord)) {
    const [whole, charset, enc, text] = m;
    const index = m.index ?? 0;
    if (index > last) {
      flush();
      out += joined.slice(last, index);
    }
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qBytes(text);
    if (pending && pending.charset.toLowerCase() === charset.toLowerCase()) {
      for (const b of bytes) pending.bytes.push(b);
    } else {
      flush();
      pending = { charset, bytes: Array.from(bytes) };
    }
    last = index + whole.length;
  }
  flush();
  return out + joined.slice(last);
}

/**
 * The addr-specs of an address-list header value (From, To, Cc), lower-cased, in order.
 * Handles display names, quoted strings, comments, angle brackets and groups; bare local
 * parts without a domain are kept as written.
 */
export function parseAddressList(value: string): string[] {
  const out: string[] = [];
  let token = '';
  let angle: string | undefined;
  let inAngle = false;
  const finish = () => {
    const addr = (angle ?? token).trim();
    // A display name without brackets is not an address: keep only things that look like one.
    if (addr && (angle !== undefined || !/\s/.test(addr))) out.push(addr.toLowerCase());
    token = '';
    angle = undefined;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') {
      // quoted string: part of a display name or a quoted local part
      let j = i + 1;
      let q = '';
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\') j++;
        q += value[j] ?? '';
        j++;
      }
      if (inAngle) angle = (angle ?? '') + `"${q}"`;
      else token += `"${q}"`;
      i = j;
    } else if (c === '(' && !inAngle) {
      let depth = 1;
      let j = i + 1;
      while (j < value.length && depth > 0) {
        if (value[j] === '\\') j++;
        else if (value[j] === '(') depth++;
        else if (value[j] === ')') depth--;
        j++;
      }
      i = j - 1;
    } else if (c === '<') {
      inAngle = true;
      angle = '';
    } else if (c === '>' && inAngle) {
      inAngle = false;
    } else if (inAngle) {
      angle += c;
    } else if (c === ',' || c === ';') {
      finish();
    } else if (c === ':' && angle === undefined) {
      token = ''; // group name ("undisclosed-recipients:")
    } else {
      token += c;
    }
  }
  finish();
  // A quoted display name immediately followed by nothing left is not an address.
  return out.filter((a) => !a.startsWith('"') || a.includes('@')).map((a) => a.replace(/^mailto:/, ''));
}
