// Character classes of the PowerShell lexer (language spec ch. 2; reference §10). Admins paste
// commands from Word and web pages, so the Unicode dash and quote variants matter.

/** dash: hyphen-minus, en dash, em dash, horizontal bar. */
export function isDash(c: string | undefined): boolean {
  return c === '-' || c === '\u2013' || c === '\u2014' || c === '\u2015';
}

/** single-quote-character class. */
export function isSingleQuote(c: string | undefined): boolean {
  return c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B';
}

/** double-quote-character class. */
export function isDoubleQuote(c: string | undefined): boolean {
  return c === '"' || c === '\u201C' || c === '\u201D' || c === '\u201E';
}

export function isQuote(c: string | undefined): boolean {
  return isSingleQuote(c) || isDoubleQuote(c);
}

export function isNewline(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

const ZS = /\p{Zs}/u;

/** Whitespace (not newline): Zs, Zl, Zp, tab, VT, FF. Backtick-newline is handled by the parser. */
export function isWhitespace(c: string | undefined): boolean {
  if (c === undefined) return false;
  return c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\u2028' || c === '\u2029' || ZS.test(c);
}

export function isLetter(c: string | undefined): boolean {
  return c !== undefined && /\p{L}/u.test(c);
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Characters of a simple variable name ($name). */
export function isVariableChar(c: string | undefined): boolean {
  return c !== undefined && (/[\p{L}\p{Nd}_?]/u.test(c));
}

/** First character of a command parameter after the dash. */
export function isParameterStart(c: string | undefined): boolean {
  return c !== undefined && (isLetter(c) || c === '_' || c === '?');
}

/** Characters that end a parameter name: { } ( ) ; , | & . [ : and whitespace. */
export function endsParameterName(c: string | undefined): boolean {
  return c === undefined || '{}();,|&.[:'.includes(c) || isWhitespace(c) || isNewline(c);
}

/** Characters that end a generic (bare) argument token. */
export function endsGenericToken(c: string | undefined): boolean {
  return c === undefined || '{}();,|&'.includes(c) || isWhitespace(c) || isNewline(c);
}

/** Replace the Unicode dash variants by U+002D (for command names and numbers). */
export function normalizeDashes(s: string): string {
  return s.replace(/[\u2013\u2014\u2015]/g, '-');
}
