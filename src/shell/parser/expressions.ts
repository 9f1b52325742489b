// Expression mode: operators by precedence (logical, comparison, bitwise, arithmetic, format,
// range, unary, comma, casts), member access, indexing and method calls, and the primary
// expressions (literals, variables, sub-expressions, arrays, hashtables, script blocks).
import type { Expr, HashtableExpr, ScriptBlockExpr } from '../ast.js';
import { isDash, isDigit, isLetter, isNewline, isParameterStart, isQuote, isVariableChar } from '../chars.js';
import { BITWISE_OPS, LOGICAL_OPS, NUMBER_RE, isComparisonOp, parseNumberLiteral } from './cursor.js';
import { LiteralParser } from './literals.js';

export abstract class ExpressionParser extends LiteralParser {
  // ---------------------------------------------------------------- expressions

  parseExpression(): Expr {
    return this.parseLogical();
  }

  /** Reads `-word` (an operator) at the position without consuming; lower-case name or undefined. */
  protected peekDashOperator(): string | undefined {
    if (!isDash(this.peek())) return undefined;
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos + 1, this.pos + 16));
    return m ? m[0].toLowerCase() : undefined;
  }

  protected binaryLoop(next: () => Expr, accept: (op: string) => boolean): Expr {
    let left = next();
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      const op = this.peekDashOperator();
      if (op !== undefined && accept(op)) {
        const at = this.pos;
        this.pos += 1 + op.length;
        this.skipTrivia(true);
        if (this.eof()) this.fail(`You must provide a value expression following the '-${op}' operator.`, at, 'ExpectedValueExpression', true);
        const right = next();
        left = { kind: 'binary', offset: at, op, left, right };
      } else {
        this.pos = save;
        return left;
      }
    }
  }

  protected parseLogical(): Expr {
    return this.binaryLoop(() => this.parseComparison(), (op) => LOGICAL_OPS.has(op));
  }

  protected parseComparison(): Expr {
    const left = this.binaryLoop(() => this.parseBitwise(), (op) => isComparisonOp(op));
    // An unknown -word here is a user error worth naming precisely.
    const save = this.pos;
    this.skipTrivia(false);
    const op = this.peekDashOperator();
    if (op !== undefined && !LOGICAL_OPS.has(op) && !isComparisonOp(op) && !BITWISE_OPS.has(op) && op !== 'f') {
      this.fail(`Unexpected token '-${op}' in expression or statement.`, this.pos, 'UnexpectedToken');
    }
    this.pos = save;
    return left;
  }

  protected parseBitwise(): Expr {
    return this.binaryLoop(() => this.parseAdditive(), (op) => BITWISE_OPS.has(op));
  }

  protected parseArithmetic(next: () => Expr, ops: string[]): Expr {
    let left = next();
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      let c = this.peek();
      if (isDash(c)) c = '-';
      const isOp = c !== undefined && ops.includes(c) && !(c === '-' && isParameterStart(this.peek(1))) && this.peek(1) !== '=';
      if (!isOp) {
        this.pos = save;
        return left;
      }
      const at = this.pos;
      this.pos++;
      this.skipTrivia(true);
      if (this.eof()) this.fail(`You must provide a value expression following the '${c}' operator.`, at, 'ExpectedValueExpression', true);
      const right = next();
      left = { kind: 'binary', offset: at, op: c as string, left, right };
    }
  }

  protected parseAdditive(): Expr {
    return this.parseArithmetic(() => this.parseMultiplicative(), ['+', '-']);
  }

  protected parseMultiplicative(): Expr {
    return this.parseArithmetic(() => this.parseNegate(), ['*', '/', '%']);
  }

  protected parseNegate(): Expr {
    const c = this.peek();
    if ((isDash(c) || c === '+') && !isParameterStart(this.peek(1))) {
      const at = this.pos;
      this.pos++;
      // a literal negative number stays a number
      const operand = this.parseNegate();
      if (operand.kind === 'number' && isDash(c)) return { ...operand, offset: at, value: -operand.value, text: '-' + operand.text };
      return { kind: 'unary', offset: at, op: isDash(c) ? '-' : '+', operand };
    }
    return this.parseFormat();
  }

  protected parseFormat(): Expr {
    return this.binaryLoop(() => this.parseRange(), (op) => op === 'f');
  }

  protected parseRange(): Expr {
    const left = this.parseNot();
    const save = this.pos;
    this.skipTrivia(false);
    if (this.peek() === '.' && this.peek(1) === '.') {
      const at = this.pos;
      this.pos += 2;
      this.skipTrivia(true);
      const right = this.parseNot();
      return { kind: 'binary', offset: at, op: '..', left, right };
    }
    this.pos = save;
    return left;
  }

  protected parseNot(): Expr {
    const at = this.pos;
    if (this.peek() === '!') {
      this.pos++;
      this.skipTrivia(false);
      return { kind: 'unary', offset: at, op: '!', operand: this.parseNot() };
    }
    if (this.peekDashOperator() === 'not') {
      this.pos += 4;
      this.skipTrivia(false);
      return { kind: 'unary', offset: at, op: 'not', operand: this.parseNot() };
    }
    return this.parseComma();
  }

  protected parseComma(): Expr {
    const offset = this.pos;
    if (this.peek() === ',' && !this.noComma) {
      this.pos++;
      this.skipTrivia(true);
      return { kind: 'unary', offset, op: ',', operand: this.parseCast() };
    }
    const first = this.parseCast();
    if (this.noComma) return first;
    const items = this.commaList(first, () => this.parseCast());
    return items.length === 1 ? first : { kind: 'arrayLiteral', offset, items };
  }

  /** `first`, then every further item after a comma (a comma at the end is an error, as in PowerShell). */
  protected commaList(first: Expr, parseItem: () => Expr): Expr[] {
    const items = [first];
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      if (this.peek() !== ',') {
        this.pos = save;
        return items;
      }
      this.pos++;
      this.skipTrivia(true);
      if (this.eof()) this.fail("Missing expression after ','.", this.pos, 'MissingExpressionAfterToken', true);
      items.push(parseItem());
    }
  }

  protected parseCast(): Expr {
    return this.parsePostfix(this.parsePrimary(), true);
  }

  /** Member access `.Name`, method calls `.Name(args)`, indexing `[i]` — all without whitespace. */
  protected parsePostfix(target: Expr, expressionMode: boolean): Expr {
    for (;;) {
      const c = this.peek();
      if (c === '.' && this.peek(1) !== '.' && (isVariableChar(this.peek(1)) || isQuote(this.peek(1)))) {
        const at = this.pos;
        this.pos++;
        let member = '';
        if (isQuote(this.peek())) {
          const s = this.parseStringLiteral();
          member = s.kind === 'string' ? s.value : '';
        } else {
          while (isVariableChar(this.peek())) member += this.text[this.pos++];
        }
        if (this.peek() === '(') {
          target = { kind: 'invoke', offset: at, target, member, args: this.parseMethodArgs() };
        } else {
          target = { kind: 'member', offset: at, target, member };
        }
      } else if (c === ':' && this.peek(1) === ':' && target.kind === 'type') {
        const at = this.pos;
        this.pos += 2;
        let member = '';
        while (isVariableChar(this.peek())) member += this.text[this.pos++];
        if (this.peek() === '(') {
          target = { kind: 'invoke', offset: at, target, member, args: this.parseMethodArgs(), isStatic: true };
        } else {
          target = { kind: 'staticMember', offset: at, type: target.type, member };
        }
      } else if (c === '[' && (expressionMode || target.kind !== 'string')) {
        const at = this.pos;
        this.pos++;
        this.skipTrivia(true);
        const index = this.withComma(() => this.parseExpression());
        this.skipTrivia(true);
        this.expect(']', "Array index expression is missing or not valid.", 'MissingArrayIndexExpression');
        target = { kind: 'index', offset: at, target, index };
      } else {
        return target;
      }
    }
  }

  protected withComma<T>(f: () => T, noComma = false): T {
    const saved = this.noComma;
    this.noComma = noComma;
    try {
      return f();
    } finally {
      this.noComma = saved;
    }
  }

  protected parseMethodArgs(): Expr[] {
    this.pos++; // (
    const args: Expr[] = [];
    this.skipTrivia(true);
    if (this.peek() === ')') {
      this.pos++;
      return args;
    }
    for (;;) {
      this.skipTrivia(true);
      args.push(this.withComma(() => this.parseExpression(), true));
      this.skipTrivia(true);
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      this.expect(')', "Missing ')' in method call.", 'MissingEndParenthesisInMethodCall');
      return args;
    }
  }

  protected parsePrimary(): Expr {
    const offset = this.pos;
    const c = this.peek();
    if (c === undefined) this.fail('You must provide a value expression.', offset, 'ExpectedExpression', true);
    if (isQuote(c)) return this.parseStringLiteral();
    if (c === '@') {
      const n = this.peek(1);
      if (n === '(') {
        this.pos += 2;
        const body = this.withComma(() => this.parseStatements(')'));
        this.pos++;
        return { kind: 'arrayExpr', offset, body };
      }
      if (n === '{') return this.parseHashtable();
      if (isQuote(n)) return this.parseHereString();
      this.fail(`Unrecognized token in source text.`, offset, 'UnrecognizedToken');
    }
    if (c === '$') {
      if (this.peek(1) === '(') {
        this.pos += 2;
        const body = this.withComma(() => this.parseStatements(')'));
        this.pos++;
        return { kind: 'subExpr', offset, body };
      }
      return this.parseVariable();
    }
    if (c === '(') {
      this.pos++;
      this.skipTrivia(true);
      if (this.peek() === ')') this.fail('An expression was expected after \'(\'.', this.pos, 'ExpectedExpression');
      const stmt = this.withComma(() => this.parseStatement());
      this.skipTrivia(true);
      if (this.peek() !== ')') {
        if (this.eof()) this.fail("Missing closing ')' in expression.", this.pos, 'MissingEndParenthesisInExpression', true);
        this.fail(`Unexpected token '${this.tokenAt(this.pos)}' in expression or statement.`, this.pos, 'UnexpectedToken');
      }
      this.pos++;
      if (stmt.kind !== 'pipeline' && stmt.kind !== 'assign') this.fail('Statements are not allowed in parentheses.', offset, 'UnexpectedStatement');
      return { kind: 'paren', offset, pipeline: stmt };
    }
    if (c === '{') return this.parseScriptBlock();
    if (c === '[') {
      const end = this.text.indexOf(']', this.pos);
      if (end < 0) this.fail("Missing ] at end of type token.", offset, 'EndSquareBracketExpectedAtEndOfType', true);
      const type = this.text.slice(this.pos + 1, end).trim();
      this.pos = end + 1;
      const n = this.peek();
      if (n === ':' && this.peek(1) === ':') return { kind: 'type', offset, type };
      const save = this.pos;
      this.skipTrivia(false);
      const m = this.peek();
      if (m !== undefined && (m === '$' || isQuote(m) || isDigit(m) || m === '(' || m === '@' || m === '[' || (isDash(m) && isDigit(this.peek(1))))) {
        return { kind: 'cast', offset, type, operand: this.parseNot() };
      }
      this.pos = save;
      return { kind: 'type', offset, type };
    }
    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) {
      const m = NUMBER_RE.exec(this.text.slice(this.pos));
      if (m && !isVariableChar(this.text[this.pos + m[0].length])) {
        this.pos += m[0].length;
        return { kind: 'number', offset, value: parseNumberLiteral(m[0]) as number, text: m[0] };
      }
    }
    if (isDash(c) && isParameterStart(this.peek(1))) {
      this.fail(`Unexpected token '${this.tokenAt(offset)}' in expression or statement.`, offset, 'UnexpectedToken');
    }
    this.fail(`Unexpected token '${this.tokenAt(offset)}' in expression or statement.`, offset, 'UnexpectedToken');
  }


  protected parseScriptBlock(): ScriptBlockExpr {
    const offset = this.pos;
    this.pos++;
    const body = this.withComma(() => this.parseStatements('}'));
    const text = this.text.slice(offset + 1, this.pos);
    this.pos++;
    return { kind: 'scriptBlock', offset, body, text };
  }

  protected parseHashtable(): HashtableExpr {
    const offset = this.pos;
    this.pos += 2;
    const entries: HashtableExpr['entries'] = [];
    for (;;) {
      this.skipTrivia(true);
      while (this.peek() === ';') {
        this.pos++;
        this.skipTrivia(true);
      }
      if (this.eof()) this.fail("The hash literal was incomplete.", offset, 'IncompleteHashLiteral', true);
      if (this.peek() === '}') {
        this.pos++;
        return { kind: 'hashtable', offset, entries };
      }
      const keyAt = this.pos;
      let key: Expr;
      if (isQuote(this.peek())) {
        key = this.parseStringLiteral();
      } else if (isLetter(this.peek()) || this.peek() === '_') {
        let k = '';
        while (!this.eof() && /[\p{L}\p{Nd}_-]/u.test(this.peek() as string)) k += this.text[this.pos++];
        key = { kind: 'string', offset: keyAt, value: k };
      } else {
        key = this.withComma(() => this.parsePostfix(this.parsePrimary(), true), true);
      }
      this.skipTrivia(false);
      if (this.peek() !== '=') this.fail("Missing '=' operator after key in hash literal.", this.pos, 'MissingEqualsInHashLiteral', this.eof());
      this.pos++;
      this.skipTrivia(true);
      if (this.eof()) this.fail("Missing statement after '=' in hash literal.", this.pos, 'MissingStatementInHashLiteral', true);
      const value = this.withComma(() => this.parsePipeline());
      entries.push({ key, value });
      this.skipTrivia(false);
      const c = this.peek();
      if (c === ';' || isNewline(c) || c === '}') continue;
      if (c === undefined) this.fail("The hash literal was incomplete.", offset, 'IncompleteHashLiteral', true);
      this.fail("Missing statement after '=' in hash literal.", this.pos, 'MissingStatementInHashLiteral');
    }
  }
}
