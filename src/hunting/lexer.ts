// KQL lexer: text → tokens with offsets. Comments (`// …`) are dropped; string literals are
// decoded here so nothing downstream ever sees quoting.
import { KqlError } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'int' | 'real' | 'timespan' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for idents/punct; decoded value for strings. */
  text: string;
  /** Numeric value (timespans in milliseconds). */
  num?: number;
  pos: number;
  end: number;
}

/** Milliseconds per timespan unit suffix (`30d`, `4hrs`, `100ms`, `1tick`). */
export const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  microsecond: 0.001, microseconds: 0.001, tick: 0.0001, ticks: 0.0001,
};

const PUNCT = ['..', '==', '!=', '<>', '<=', '>=', '=~', '!~', '=>', '|', '(', ')', '[', ']', '{', '}', ',', ';', '.', '=', '<', '>', '+', '-', '*', '/', '%', ':', '!', '~', '?'];

const isIdStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdPart = (c: string) => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';
// ASCII by comparison; only characters beyond it pay for the regular expression.
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || (c > '\x7f' && /\s/.test(c));

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    // Any Unicode space separates tokens, as in Kusto: a query pasted from a web page or a chat
    // often carries no-break spaces (U+00A0) where it shows plain ones.
    if (isSpace(c)) { i++; continue; }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // Strings: '…' "…" @'…' h'…' h@'…' ```…```
    if (c === '`' && text.startsWith('```', i)) {
      const close = text.indexOf('```', i + 3);
      if (close < 0) throw new KqlError('Unterminated ``` string literal', start);
      out.push({ kind: 'string', text: text.slice(i + 3, close), pos: start, end: close + 3 });
      i = close + 3;
      continue;
    }
    let j = i;
    if ((c === 'h' || c === 'H') && (text[i + 1] === "'" || text[i + 1] === '"' || (text[i + 1] === '@' && (text[i + 2] === "'" || text[i + 2] === '"')))) j++;
    let verbatim = false;
    if (text[j] === '@' && (text[j + 1] === "'" || text[j + 1] === '"')) { verbatim = true; j++; }
    if (text[j] === "'" || text[j] === '"') {
      const q = text[j];
      let k = j + 1;
      let val = '';
      for (;;) {
        if (k >= n || (!verbatim && text[k] === '\n')) throw new KqlError('Unterminated string literal', start);
        const ch = text[k];
        if (ch === q) {
          if (verbatim && text[k + 1] === q) { val += q; k += 2; continue; }
          k++;
          break;
        }
        if (!verbatim && ch === '\\') {
          const e = text[k + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) { val += String.fromCharCode(parseInt(text.slice(k + 2, k + 6), 16)); k += 6; continue; }
          if (e in map) { val += map[e]; k += 2; continue; }
          throw new KqlError(`Unknown escape sequence '\\${e ?? ''}' in string literal`, k);
        }
        val += ch;
        k++;
      }
      out.push({ kind: 'string', text: val, pos: start, end: k });
      i = k;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      let k = i;
      let isReal = false;
      if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
        k += 2;
        while (k < n && /[0-9a-fA-F]/.test(text[k])) k++;
        out.push({ kind: 'int', text: text.slice(i, k), num: parseInt(text.slice(i + 2, k), 16), pos: start, end: k });
        i = k;
        continue;
      }
      while (k < n && isDigit(text[k])) k++;
      if (text[k] === '.' && isDigit(text[k + 1] ?? '')) { isReal = true; k++; while (k < n && isDigit(text[k])) k++; }
      if ((text[k] === 'e' || text[k] === 'E') && /[0-9]/.test(text[k + 1] === '+' || text[k + 1] === '-' ? text[k + 2] ?? '' : text[k + 1] ?? '')) {
        isReal = true;
        k += text[k + 1] === '+' || text[k + 1] === '-' ? 2 : 1;
        while (k < n && isDigit(text[k])) k++;
      }
      const numText = text.slice(i, k);
      if (k < n && /[A-Za-z]/.test(text[k])) {
        let u = k;
        while (u < n && /[A-Za-z]/.test(text[u])) u++;
        const unit = text.slice(k, u);
        const mult = TIMESPAN_UNITS[unit];
        if (mult === undefined) throw new KqlError(`Unknown timespan unit '${unit}' in '${text.slice(i, u)}'`, start);
        out.push({ kind: 'timespan', text: text.slice(i, u), num: Number(numText) * mult, pos: start, end: u });
        i = u;
        continue;
      }
      out.push({ kind: isReal ? 'real' : 'int', text: numText, num: Number(numText), pos: start, end: k });
      i = k;
      continue;
    }
    if (isIdStart(c) || (c === '!' && /[A-Za-z]/.test(text[i + 1] ?? ''))) {
      let k = i + 1;
      while (k < n && (isIdPart(text[k]) || (text[k] === '-' && /[a-z]/.test(text[k + 1] ?? '') && isOperatorWithDash(text, i, k)))) k++;
      let word = text.slice(i, k);
      if ((word === 'in' || word === '!in') && text[k] === '~') { word += '~'; k++; }
      out.push({ kind: 'ident', text: word, pos: start, end: k });
      i = k;
      // datetime(2024-01-01 10:00) and timespan(1.02:03:04) hold raw text, not tokens.
      if (['datetime', 'date', 'timespan', 'time'].includes(word)) {
        let p = k;
        while (isSpace(text[p] ?? '')) p++;
        const close = text[p] === '(' ? text.indexOf(')', p) : -1;
        if (close > 0) {
          const raw = text.slice(p + 1, close).trim();
          const quoted = /^(['"])(.*)\1$/.exec(raw);
          out.push({ kind: 'punct', text: '(', pos: p, end: p + 1 });
          out.push({ kind: 'string', text: quoted ? quoted[2] : raw, pos: p + 1, end: close });
          out.push({ kind: 'punct', text: ')', pos: close, end: close + 1 });
          i = close + 1;
        }
      }
      continue;
    }
    const p = PUNCT.find((t) => text.startsWith(t, i));
    if (!p) throw new KqlError(`Unexpected character '${c}'`, start);
    out.push({ kind: 'punct', text: p, pos: start, end: i + p.length });
    i += p.length;
  }
  out.push({ kind: 'eof', text: '', pos: n, end: n });
  return out;
}

// Dashed operator names (`project-away`, `mv-expand`, `!has`-style names have no dash). Only these
// words swallow a dash, so `a-b` stays a subtraction.
const DASHED = ['project-away', 'project-rename', 'project-reorder', 'project-keep', 'mv-expand', 'mv-apply', 'make-series', 'parse-where', 'parse-kv', 'top-nested', 'top-hitters', 'order-by'];
function isOperatorWithDash(text: string, start: number, dashAt: number): boolean {
  const prefix = text.slice(start, dashAt);
  return DASHED.some((d) => d.startsWith(prefix + '-') && text.startsWith(d, start) && !isIdPart(text[start + d.length] ?? ''));
}
