// Variables and strings: $name, ${braced}, single- and double-quoted strings with their
// expansions ($var, $(...)), here-strings, and backtick escapes.
import type { Expr, PipelineStatement, Statement, VariableExpr } from '../ast.js';
import { isDoubleQuote, isNewline, isSingleQuote, isVariableChar, isWhitespace } from '../chars.js';
import { ParserCursor } from './cursor.js';

export abstract class LiteralParser extends ParserCursor {
  // The layers above: a string's $(...) holds statements; expressions take commas or not.
  abstract parseStatements(terminator: ')' | '}' | null): Statement[];
  protected abstract parseStatement(): Statement;
  abstract parsePipeline(): PipelineStatement;
  protected abstract withComma<T>(f: () => T, noComma?: boolean): T;

  protected parseVariable(): VariableExpr {
    const offset = this.pos;
    this.pos++; // $
    let name = '';
    if (this.peek() === '{') {
      const end = this.text.indexOf('}', this.pos);
      if (end < 0) this.fail('Missing closing \'}\' in variable name.', offset, 'MissingEndCurlyBrace', true);
      name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      while (isVariableChar(this.peek())) name += this.text[this.pos++];
      // scope or drive qualifier: $global:x, $env:PATH
      if (this.peek() === ':' && isVariableChar(this.peek(1)) && /^(global|local|script|private|env|using)$/i.test(name)) {
        this.pos++;
        let rest = '';
        while (isVariableChar(this.peek())) rest += this.text[this.pos++];
        name = /^env$/i.test(name) ? `env:${rest}` : rest;
      }
    }
    if (name === '') this.fail("Invalid variable reference. '$' was not followed by a valid variable name character.", offset, 'InvalidVariableReference');
    return { kind: 'variable', offset, name };
  }


  // ---------------------------------------------------------------- strings

  protected parseStringLiteral(): Expr {
    const offset = this.pos;
    const open = this.text[this.pos];
    this.pos++;
    if (isSingleQuote(open)) {
      let value = '';
      for (;;) {
        if (this.eof()) this.fail(`The string is missing the terminator: ${open}.`, offset, 'TerminatorExpectedAtEndOfString', true);
        const ch = this.text[this.pos];
        if (isSingleQuote(ch)) {
          if (isSingleQuote(this.peek(1))) {
            value += this.text[this.pos + 1];
            this.pos += 2;
            continue;
          }
          this.pos++;
          return { kind: 'string', offset, value };
        }
        value += ch;
        this.pos++;
      }
    }
    // double-quoted, expandable
    const parts = this.readExpandable(offset, open, (ch) => isDoubleQuote(ch));
    if (parts.every((p) => typeof p === 'string')) return { kind: 'string', offset, value: (parts as string[]).join('') };
    return { kind: 'expandable', offset, parts };
  }

  /**
   * Reads the body of an expandable string up to its terminator: backtick escapes, doubled quotes,
   * `$var`, `${var}` and `$(statements)`.
   */
  protected readExpandable(offset: number, open: string, isClose: (ch: string) => boolean, closeLen = 1, hereString = false): (string | Expr)[] {
    const parts: (string | Expr)[] = [];
    let buf = '';
    const flush = () => {
      if (buf) parts.push(buf);
      buf = '';
    };
    for (;;) {
      if (this.eof()) this.fail(`The string is missing the terminator: ${open}.`, offset, 'TerminatorExpectedAtEndOfString', true);
      const ch = this.text[this.pos];
      if (hereString ? this.atHereStringEnd('"') : isClose(ch)) {
        if (!hereString && isDoubleQuote(this.peek(1))) {
          buf += this.text[this.pos + 1];
          this.pos += 2;
          continue;
        }
        this.pos += closeLen;
        flush();
        return parts;
      }
      if (ch === '`' && !hereString) {
        this.pos++;
        buf += unescapeBacktick(this.text[this.pos] ?? '');
        this.pos++;
        continue;
      }
      if (ch === '`' && hereString) {
        this.pos++;
        buf += unescapeBacktick(this.text[this.pos] ?? '');
        this.pos++;
        continue;
      }
      if (ch === '$') {
        const n = this.peek(1);
        if (n === '(') {
          flush();
          const at = this.pos;
          this.pos += 2;
          const body = this.withComma(() => this.parseStatements(')'));
          this.pos++;
          parts.push({ kind: 'subExpr', offset: at, body });
          continue;
        }
        if (n === '{' || isVariableChar(n)) {
          flush();
          parts.push(this.parseVariable());
          continue;
        }
      }
      buf += ch;
      this.pos++;
    }
  }

  protected atHereStringEnd(q: '"' | "'"): boolean {
    const ch = this.text[this.pos];
    if (!isNewline(ch)) return false;
    let i = this.pos + (ch === '\r' && this.text[this.pos + 1] === '\n' ? 2 : 1);
    const c = this.text[i];
    if (!(q === '"' ? isDoubleQuote(c) : isSingleQuote(c))) return false;
    i++;
    return this.text[i] === '@';
  }

  protected parseHereString(): Expr {
    const offset = this.pos;
    const q = isDoubleQuote(this.peek(1)) ? '"' : "'";
    this.pos += 2;
    while (isWhitespace(this.peek())) this.pos++;
    if (!isNewline(this.peek())) this.fail('No characters are allowed after a here-string header but before the end of the line.', this.pos, 'UnexpectedCharactersAfterHereStringHeader');
    this.pos += this.peek() === '\r' && this.peek(1) === '\n' ? 2 : 1;
    if (q === "'") {
      let value = '';
      for (;;) {
        if (this.eof()) this.fail("The string is missing the terminator: '@.", offset, 'TerminatorExpectedAtEndOfString', true);
        if (this.atHereStringEnd("'")) {
          this.pos += (this.text[this.pos] === '\r' && this.text[this.pos + 1] === '\n' ? 2 : 1) + 2;
          return { kind: 'string', offset, value };
        }
        value += this.text[this.pos++];
      }
    }
    // closing sequence: newline + quote + @ -- readExpandable detects it and skips 1; skip the rest here
    const start = this.pos;
    // empty here-string: the header newline is immediately followed by "@
    if ((isDoubleQuote(this.peek()) && this.peek(1) === '@')) {
      this.pos += 2;
      return { kind: 'string', offset: start, value: '' };
    }
    const parts = this.readExpandable(offset, '"@', () => false, 1, true);
    // readExpandable consumed the newline; consume the quote and @
    if (this.text[this.pos - 1] === '\r' && this.text[this.pos] === '\n') this.pos++;
    this.pos += 2;
    if (parts.every((p) => typeof p === 'string')) return { kind: 'string', offset, value: (parts as string[]).join('') };
    return { kind: 'expandable', offset, parts };
  }

  /** Expands `$var` / `$(...)` inside a bare argument token (`user$n@contoso.com`). */
  parseExpandableBody(raw: string, _offset: number, _source: string): (string | Expr)[] {
    this.pos = 0;
    const parts: (string | Expr)[] = [];
    let buf = '';
    while (this.pos < raw.length) {
      const ch = raw[this.pos];
      if (ch === '`') {
        buf += raw[this.pos + 1] ?? '';
        this.pos += 2;
        continue;
      }
      if (ch === '$' && (isVariableChar(raw[this.pos + 1]) || raw[this.pos + 1] === '{' || raw[this.pos + 1] === '(')) {
        if (buf) parts.push(buf);
        buf = '';
        if (raw[this.pos + 1] === '(') {
          const at = this.pos;
          this.pos += 2;
          const body = this.parseStatements(')');
          this.pos++;
          parts.push({ kind: 'subExpr', offset: at, body });
        } else {
          parts.push(this.parseVariable());
        }
        continue;
      }
      buf += ch;
      this.pos++;
    }
    if (buf) parts.push(buf);
    return parts;
  }
}

function unescapeBacktick(c: string): string {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case 'a': return '\x07';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'e': return '\x1b';
    default: return c;
  }
}
