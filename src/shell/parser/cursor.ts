// The parser's cursor over the script text: characters, trivia (whitespace, line
// continuations, comments), parse errors with their position, and the operator tables.
import { isNewline, isWhitespace, normalizeDashes } from '../chars.js';
import { ShellParseError, positionAt } from '../errors.js';

export const COMPARISON_OPS = new Set([
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains',
  'in', 'notin', 'replace', 'split', 'join', 'is', 'isnot', 'as',
]);
export const LOGICAL_OPS = new Set(['and', 'or', 'xor']);
/** PowerShell statements Postern's shell doesn't run: named in the error, never "term not recognized". */
export const UNSUPPORTED_KEYWORDS = new Set(['while', 'do', 'for', 'switch', 'trap', 'filter', 'workflow', 'class', 'enum', 'break', 'continue', 'begin', 'process', 'end', 'until', 'data']);
export const BITWISE_OPS = new Set(['band', 'bor', 'bxor']);

/** A comparison operator name with an optional i/c prefix ('ieq', 'clike'). */
export function isComparisonOp(op: string): boolean {
  if (COMPARISON_OPS.has(op)) return true;
  if ((op.startsWith('i') || op.startsWith('c')) && COMPARISON_OPS.has(op.slice(1)) && !['is', 'isnot', 'as', 'join', 'in'].includes(op)) return true;
  return false;
}

export const NUMBER_RE = /^(0x[0-9a-f]+|(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)(l|d)?(kb|mb|gb|tb|pb)?/i;
const MULTIPLIERS: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

/** Parses a number literal ("10", "0x1F", "1.5e3", "10MB", "-1"); undefined when it isn't one. */
export function parseNumberLiteral(text: string): number | undefined {
  let s = normalizeDashes(text);
  let sign = 1;
  if (s.startsWith('-')) {
    sign = -1;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  const m = NUMBER_RE.exec(s);
  if (!m || m[0].length !== s.length) return undefined;
  const base = m[1].toLowerCase().startsWith('0x') ? parseInt(m[1].slice(2), 16) : Number(m[1]);
  const mult = m[3] ? MULTIPLIERS[m[3].toLowerCase()] : 1;
  return sign * base * mult;
}

/** The cursor and character-level reading every parser layer shares. */
export abstract class ParserCursor {
  pos = 0;
  protected noComma = false;

  constructor(readonly text: string) {}

  // ---------------------------------------------------------------- characters

  protected peek(k = 0): string | undefined {
    return this.text[this.pos + k];
  }

  protected eof(): boolean {
    return this.pos >= this.text.length;
  }

  protected fail(message: string, offset: number, errorId: string, incomplete = false): never {
    throw new ShellParseError(message, positionAt(this.text, offset), errorId, incomplete);
  }

  /** The token-ish text at the position, for "Unexpected token 'x'" messages. */
  protected tokenAt(offset: number): string {
    const rest = this.text.slice(offset);
    const m = /^[^\s;|]+/.exec(rest);
    return m ? m[0].slice(0, 40) : rest.slice(0, 1);
  }

  /** Skips whitespace, line continuations and comments; newlines too when asked. */
  skipTrivia(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === undefined) return;
      if (isWhitespace(c)) {
        this.pos++;
      } else if (c === '`' && (this.peek(1) === '\n' || this.peek(1) === '\r')) {
        this.pos += this.peek(1) === '\r' && this.peek(2) === '\n' ? 3 : 2;
      } else if (c === '`' && this.pos + 1 >= this.text.length) {
        this.fail('Missing statement after the line-continuation character (`).', this.pos, 'IncompleteLineContinuation', true);
      } else if (c === '#') {
        while (!this.eof() && !isNewline(this.peek())) this.pos++;
      } else if (c === '<' && this.peek(1) === '#') {
        const start = this.pos;
        const end = this.text.indexOf('#>', this.pos + 2);
        if (end < 0) this.fail("Missing the terminator '#>' of the block comment.", start, 'MissingEndOfBlockComment', true);
        this.pos = end + 2;
      } else if (newlines && isNewline(c)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  protected expect(ch: string, message: string, errorId: string): void {
    if (this.peek() !== ch) this.fail(message, this.pos, errorId, this.eof());
    this.pos++;
  }

  /** The identifier word at the position (letters, digits, _), without consuming it. */
  protected peekWord(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64));
    return m ? m[0] : '';
  }

}
