// Header text as people read it: MIME encoded-words decoded (RFC 2047, with RFC 2231 language
// tags), and the addr-specs of an address-list header. The one decoder: transport rules match a
// subject after decoding (Exchange does, so `=?UTF-8?B?...?=` is matched as the text it stands
// for) and message trace records the same text.

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const ONLY_SPACE = /^[ \t\r\n]*$/;

const decoders = new Map<string, TextDecoder | null>();

function decodeBytes(charset: string, bytes: Buffer): string {
  const key = charset.toLowerCase().replace(/\*.*$/, ''); // strip an RFC 2231 language tag
  // Node decodes these natively and fast; TextDecoder handles every other WHATWG label.
  if (key === 'utf-8' || key === 'utf8' || key === 'us-ascii') return bytes.toString('utf8');
  if (key === 'iso-8859-1' || key === 'latin1') return bytes.toString('latin1');
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key, { fatal: false });
    } catch {
      d = null; // unknown charset: show the bytes as Latin-1 rather than lose them
    }
    decoders.set(key, d);
  }
  return d ? d.decode(bytes) : bytes.toString('latin1');
}

function qBytes(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out[n++] = 0x20; // '_'
    else if (c === 0x3d && i + 2 < text.length && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

/**
 * Decode RFC 2047 encoded-words in an unstructured header value; text without any is returned
 * as is. White space between adjacent encoded-words is dropped (RFC 2047 §6.2), and adjacent
 * words in one charset are decoded together, since a multi-byte character may be split.
 */
export function decodeMimeWords(value: string): string {
  if (value.indexOf('=?') < 0) return value;
  let out = '';
  let last = 0;
  let charset = '';
  let pending: Buffer[] = [];
  const flush = () => {
    if (pending.length) out += decodeBytes(charset, pending.length === 1 ? pending[0] : Buffer.concat(pending));
    pending = [];
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    const gap = value.slice(last, m.index);
    const adjacent = pending.length > 0 && ONLY_SPACE.test(gap);
    const bytes = m[2] === 'B' || m[2] === 'b' ? Buffer.from(m[3], 'base64') : qBytes(m[3]);
    if (adjacent && m[1].toLowerCase() === charset.toLowerCase()) pending.push(bytes);
    else {
      flush();
      if (!adjacent) out += gap;
      charset = m[1];
      pending.push(bytes);
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

/**
 * An unstructured header value (Subject, say) as people read it: unfolded (RFC 5322 §2.2.3: the
 * CRLF before white space is removed), encoded-words decoded, trimmed.
 */
export function decodeHeaderValue(value: string): string {
  const unfolded = value.indexOf('\r\n') < 0 ? value : value.replace(/\r\n(?=[ \t])/g, '');
  return decodeMimeWords(unfolded).trim();
}

/**
 * The common shapes in one pass — `a@b`, `Name <a@b>`, `"Last, First" <a@b>`, comma-separated —
 * or undefined when the value has comments, groups, escapes or quoted local parts (the full
 * parser below handles those).
 */
function simpleAddressList(value: string): string[] | undefined {
  const out: string[] = [];
  let start = 0; // start of the current element
  let angleStart = -1;
  let angle: string | undefined;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0x2c;
    if (c === 0x28 || c === 0x3a || c === 0x3b || c === 0x5c) return undefined; // ( : ; \
    if (c === 0x22) {
      // A quoted display name: skip it. Quoted local parts and escapes go to the full parser.
      const close = value.indexOf('"', i + 1);
      if (close < 0 || angleStart >= 0 || value.charCodeAt(close + 1) === 0x40 || value.slice(i, close).includes('\\')) return undefined;
      if (angle === undefined && value.indexOf('<', close) < 0) return undefined; // "name" with no address
      i = close;
    } else if (c === 0x3c) angleStart = i + 1; // <
    else if (c === 0x3e && angleStart >= 0) {
      angle = value.slice(angleStart, i); // >
      angleStart = -1;
    } else if (c === 0x2c && angleStart < 0) {
      const addr = (angle ?? value.slice(start, i)).trim();
      if (addr && (angle !== undefined || (!/\s/.test(addr) && addr.indexOf('"') < 0))) out.push(addr.toLowerCase());
      start = i + 1;
      angle = undefined;
    }
  }
  return out;
}

/**
 * The addr-specs of an address-list header value (From, To, Cc), lower-cased, in order.
 * Handles display names, quoted strings, comments, angle brackets and groups; bare local
 * parts without a domain are kept as written.
 */
export function parseAddressList(value: string): string[] {
  const fast = simpleAddressList(value);
  if (fast) return fast;
  const out: string[] = [];
  let token = '';
  let angle: string | undefined;
  let inAngle = false;
  const finish = () => {
    const addr = (angle ?? token).trim();
    // A display name without brackets is not an address: keep only things that look like one.
    if (addr && (angle !== undefined || !/\s/.test(addr.replace(/"[^"]*"/g, '""')))) out.push(addr.toLowerCase());
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
