// Statements and pipelines: if/foreach/try/throw/return/function, assignments, pipelines and
// commands in argument mode (bare words, -Parameter, splatting).
import type {
  ArgumentElement,
  AssignmentStatement,
  CommandCall,
  CommandElement,
  Expr,
  ForeachStatement,
  FunctionDefinition,
  FunctionParameter,
  IfStatement,
  IndexExpr,
  MemberExpr,
  PipelineElement,
  PipelineStatement,
  Statement,
  TryStatement,
  VariableExpr,
} from '../ast.js';
import {
  endsGenericToken,
  endsParameterName,
  isDash,
  isDigit,
  isNewline,
  isParameterStart,
  isQuote,
  isVariableChar,
  isWhitespace,
  normalizeDashes,
} from '../chars.js';
import { UNSUPPORTED_KEYWORDS, parseNumberLiteral } from './cursor.js';
import { ExpressionParser } from './expressions.js';

export class Parser extends ExpressionParser {

  parseStatements(terminator: ')' | '}' | null): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.skipTrivia(true);
      while (this.peek() === ';') {
        this.pos++;
        this.skipTrivia(true);
      }
      if (this.eof()) {
        if (terminator === ')') this.fail("Missing closing ')' in expression.", this.pos, 'MissingEndParenthesisInExpression', true);
        if (terminator === '}') this.fail("Missing closing '}' in statement block or type definition.", this.pos, 'MissingEndCurlyBrace', true);
        return out;
      }
      const c = this.peek();
      if (c === terminator) return out;
      if (c === ')' || c === '}') this.fail(`Unexpected token '${c}' in expression or statement.`, this.pos, 'UnexpectedToken');
      out.push(this.parseStatement());
      this.skipTrivia(false);
      const next = this.peek();
      if (next === undefined || next === ';' || isNewline(next) || next === terminator) continue;
      this.fail(`Unexpected token '${this.tokenAt(this.pos)}' in expression or statement.`, this.pos, 'UnexpectedToken');
    }
  }

  protected parseStatement(): Statement {
    const word = this.peekWord().toLowerCase();
    const after = this.text[this.pos + word.length];
    if (word === 'foreach' && (after === undefined || isWhitespace(after) || after === '(')) return this.parseForeach();
    if (word === 'if' && (after === undefined || isWhitespace(after) || after === '(')) return this.parseIf();
    const endsKeyword = after === undefined || isWhitespace(after) || isNewline(after) || after === ';' || after === '{' || after === '}' || after === ')';
    if (word === 'function' && endsKeyword) return this.parseFunction();
    if (word === 'try' && endsKeyword) return this.parseTry();
    if ((word === 'throw' || word === 'return') && endsKeyword) return this.parseThrowOrReturn(word);
    if (UNSUPPORTED_KEYWORDS.has(word) && (endsKeyword || after === '(')) {
      this.fail(`The '${word}' statement is not supported by Postern's shell; use foreach, if, try/catch and functions instead.`, this.pos, 'UnsupportedStatement');
    }
    if (this.peek() === '$' && this.peek(1) !== '(') {
      const save = this.pos;
      const target = this.parsePostfix(this.parseVariable(), true);
      this.skipTrivia(false);
      const c = this.peek();
      let op: AssignmentStatement['op'] | undefined;
      if (c === '=' && this.peek(1) !== '=') op = '=';
      else if (c === '+' && this.peek(1) === '=') op = '+=';
      else if (isDash(c) && this.peek(1) === '=') op = '-=';
      if (op && (target.kind === 'variable' || target.kind === 'member' || target.kind === 'index')) {
        this.pos += op.length;
        this.skipTrivia(true);
        if (this.eof()) this.fail("You must provide a value expression following the '=' operator.", this.pos, 'ExpectedValueExpression', true);
        const value = this.parsePipeline();
        return { kind: 'assign', offset: save, target: target as VariableExpr | MemberExpr | IndexExpr, op, value };
      }
      this.pos = save;
    }
    return this.parsePipeline();
  }

  protected parseBlock(): Statement[] {
    this.skipTrivia(true);
    this.expect('{', "Missing statement block.", 'MissingStatementBlock');
    const body = this.parseStatements('}');
    this.pos++;
    return body;
  }

  protected parseCondition(keyword: string): PipelineStatement {
    this.skipTrivia(false);
    this.expect('(', `Missing '(' after '${keyword}'.`, 'MissingOpenParenthesisAfterKeyword');
    this.skipTrivia(true);
    const cond = this.parsePipeline();
    this.skipTrivia(true);
    this.expect(')', `Missing closing ')' after expression in '${keyword}' statement.`, 'MissingEndParenthesisAfterStatement');
    return cond;
  }

  protected parseFunction(): FunctionDefinition {
    const offset = this.pos;
    this.pos += 'function'.length;
    this.skipTrivia(false);
    let name = '';
    while (!this.eof() && !isWhitespace(this.peek()) && !isNewline(this.peek()) && !'(){};'.includes(this.peek() as string)) name += this.text[this.pos++];
    if (name === '') this.fail('Missing name after function keyword.', this.pos, 'MissingNameAfterKeyword', this.eof());
    this.skipTrivia(false);
    let parameters: FunctionParameter[] = [];
    if (this.peek() === '(') {
      this.pos++;
      parameters = this.parseParameterList();
    }
    this.skipTrivia(true);
    if (this.peek() !== '{') this.fail(`Missing function body in function declaration.`, this.pos, 'MissingFunctionBody', this.eof());
    this.pos++;
    this.skipTrivia(true);
    if (this.peekWord().toLowerCase() === 'param') {
      const save = this.pos;
      this.pos += 'param'.length;
      this.skipTrivia(true);
      if (this.peek() === '(') {
        this.pos++;
        parameters = [...parameters, ...this.parseParameterList()];
      } else {
        this.pos = save;
      }
    }
    const body = this.parseStatements('}');
    this.pos++;
    return { kind: 'function', offset, name: normalizeDashes(name), parameters, body };
  }

  /** `[Parameter(Mandatory)][string]$a = 'x', [switch]$b )` — after the opening parenthesis. */
  protected parseParameterList(): FunctionParameter[] {
    const out: FunctionParameter[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.peek() === ')') {
        this.pos++;
        return out;
      }
      if (this.eof()) this.fail("Missing ')' in function parameter list.", this.pos, 'MissingEndParenthesisInFunctionParameterList', true);
      const p: FunctionParameter = { name: '', mandatory: false };
      while (this.peek() === '[') {
        const text = this.bracketed();
        const attribute = /^([A-Za-z.]+)\s*\(([\s\S]*)\)$/.exec(text);
        if (attribute) p.mandatory ||= /^(System\.Management\.Automation\.)?Parameter$/i.test(attribute[1]) && /\bMandatory\b(?!\s*=\s*\$false)/i.test(attribute[2]);
        else p.type = text.trim();
        this.skipTrivia(true);
      }
      if (this.peek() !== '$') this.fail('Missing variable name in the function parameter list.', this.pos, 'InvalidFunctionParameter', this.eof());
      p.name = this.parseVariable().name;
      this.skipTrivia(true);
      if (this.peek() === '=') {
        this.pos++;
        this.skipTrivia(true);
        p.defaultValue = this.withComma(() => this.parseExpression(), true);
        this.skipTrivia(true);
      }
      out.push(p);
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== ')') this.fail(`Unexpected token '${this.tokenAt(this.pos)}' in the function parameter list.`, this.pos, 'UnexpectedToken', this.eof());
    }
  }

  /** The text inside `[ ... ]` (nested brackets and parentheses allowed); the position moves past it. */
  protected bracketed(): string {
    const start = this.pos;
    let depth = 0;
    for (; !this.eof(); this.pos++) {
      const c = this.peek();
      if (c === '[' || c === '(') depth++;
      else if (c === ']' || c === ')') depth--;
      if (depth === 0) {
        this.pos++;
        return this.text.slice(start + 1, this.pos - 1);
      }
    }
    return this.fail("Missing ']' in attribute or type.", start, 'EndSquareBracketExpectedAtEndOfAttribute', true);
  }

  protected parseTry(): TryStatement {
    const offset = this.pos;
    this.pos += 'try'.length;
    const body = this.parseBlock();
    const catches: TryStatement['catches'] = [];
    let finallyBody: Statement[] | undefined;
    for (;;) {
      const save = this.pos;
      this.skipTrivia(true);
      const w = this.peekWord().toLowerCase();
      if (w === 'catch' && !finallyBody) {
        this.pos += 'catch'.length;
        const types: string[] = [];
        for (;;) {
          this.skipTrivia(true);
          if (this.peek() !== '[') break;
          types.push(this.bracketed().trim());
          this.skipTrivia(true);
          if (this.peek() === ',') this.pos++;
        }
        catches.push({ types, body: this.parseBlock() });
      } else if (w === 'finally' && !finallyBody) {
        this.pos += 'finally'.length;
        finallyBody = this.parseBlock();
      } else {
        this.pos = save;
        break;
      }
    }
    if (catches.length === 0 && !finallyBody) this.fail('The Try statement is missing its Catch or Finally block.', this.pos, 'MissingCatchOrFinally', this.eof());
    return { kind: 'try', offset, body, catches, finallyBody };
  }

  protected parseThrowOrReturn(word: 'throw' | 'return'): Statement {
    const offset = this.pos;
    this.pos += word.length;
    this.skipTrivia(false);
    const c = this.peek();
    const value = c === undefined || isNewline(c) || c === ';' || c === '}' || c === ')' ? undefined : this.parsePipeline();
    return { kind: word, offset, value };
  }

  protected parseForeach(): ForeachStatement {
    const offset = this.pos;
    this.pos += 'foreach'.length;
    this.skipTrivia(false);
    this.expect('(', "Missing opening '(' after keyword 'foreach'.", 'MissingOpenParenthesisAfterKeyword');
    this.skipTrivia(true);
    if (this.peek() !== '$') this.fail('Missing variable name after foreach.', this.pos, 'MissingVariableNameAfterForeach');
    const variable = this.parseVariable().name;
    this.skipTrivia(true);
    if (this.peekWord().toLowerCase() !== 'in') this.fail("Missing 'in' after variable in foreach loop.", this.pos, 'MissingInInForeach');
    this.pos += 2;
    this.skipTrivia(true);
    const collection = this.parsePipeline();
    this.skipTrivia(true);
    this.expect(')', "Missing closing ')' after expression in 'foreach' statement.", 'MissingEndParenthesisAfterForeach');
    const body = this.parseBlock();
    return { kind: 'foreach', offset, variable, collection, body };
  }

  protected parseIf(): IfStatement {
    const offset = this.pos;
    this.pos += 2;
    const clauses = [{ condition: this.parseCondition('if'), body: this.parseBlock() }];
    let elseBody: Statement[] | undefined;
    for (;;) {
      const save = this.pos;
      this.skipTrivia(true);
      const w = this.peekWord().toLowerCase();
      if (w === 'elseif') {
        this.pos += 6;
        clauses.push({ condition: this.parseCondition('elseif'), body: this.parseBlock() });
      } else if (w === 'else') {
        this.pos += 4;
        elseBody = this.parseBlock();
        break;
      } else {
        this.pos = save;
        break;
      }
    }
    return { kind: 'if', offset, clauses, elseBody };
  }

  // ---------------------------------------------------------------- pipelines and commands

  parsePipeline(): PipelineStatement {
    const offset = this.pos;
    const elements: PipelineElement[] = [this.parsePipelineElement(true)];
    for (;;) {
      this.skipTrivia(false);
      if (this.peek() === '|' && this.peek(1) !== '|') {
        const at = this.pos;
        this.pos++;
        this.skipTrivia(true);
        if (this.eof()) this.fail('An empty pipe element is not allowed.', at, 'EmptyPipeElement', true);
        elements.push(this.parsePipelineElement(false));
      } else {
        break;
      }
    }
    return { kind: 'pipeline', offset, elements };
  }

  protected startsExpression(): boolean {
    const c = this.peek();
    const n = this.peek(1);
    if (c === undefined) return false;
    if (c === '$' || isQuote(c) || isDigit(c) || c === '(' || c === '@' || c === '[' || c === '!' || c === '{' || c === ',') return true;
    if (c === '.' && isDigit(n)) return true;
    if (isDash(c)) {
      if (isDigit(n) || n === '.' || n === '$' || n === '(') return true;
      const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos + 1, this.pos + 10));
      if (m && m[0].toLowerCase() === 'not') return true;
    }
    return false;
  }

  protected parsePipelineElement(first: boolean): PipelineElement {
    const offset = this.pos;
    const c = this.peek();
    if (c === ')' || c === '}' || c === ';' || isNewline(c) || c === '|') {
      this.fail('An empty pipe element is not allowed.', offset, 'EmptyPipeElement');
    }
    if (this.startsExpression()) {
      if (!first) this.fail('Expressions are only allowed as the first element of a pipeline.', offset, 'ExpressionsMustBeFirstInPipeline');
      return { kind: 'expression', offset, expr: this.parseExpression() };
    }
    return this.parseCommand();
  }

  protected parseCommand(): CommandCall {
    const offset = this.pos;
    let name = '';
    while (!endsGenericToken(this.peek()) && !isQuote(this.peek())) name += this.text[this.pos++];
    if (name === '') this.fail(`Unexpected token '${this.tokenAt(offset)}' in expression or statement.`, offset, 'UnexpectedToken');
    if (name.startsWith('<') || name.startsWith('>')) this.fail(`The '${name[0]}' operator is reserved for future use.`, offset, 'RedirectionNotSupported');
    const elements: CommandElement[] = [];
    for (;;) {
      this.skipTrivia(false);
      const c = this.peek();
      if (c === undefined || isNewline(c) || c === ';' || c === '|' || c === ')' || c === '}') break;
      if (c === '&') this.fail("The ampersand (&) character is not allowed here.", this.pos, 'AmpersandNotAllowed');
      if ((c === '<' || c === '>') && !isDash(this.peek(1))) {
        this.fail(`The '${c}' operator is reserved for future use.`, this.pos, 'RedirectionNotSupported');
      }
      const at = this.pos;
      if (isDash(c) && isParameterStart(this.peek(1))) {
        this.pos++;
        let pname = '';
        while (!endsParameterName(this.peek()) && !isQuote(this.peek())) pname += this.text[this.pos++];
        if (this.peek() === ':') {
          this.pos++;
          this.skipTrivia(false);
          const v = this.peek();
          if (v === undefined || isNewline(v) || v === ';' || v === '|' || v === ')' || v === '}') {
            elements.push({ kind: 'parameter', offset: at, name: pname, colon: true });
          } else {
            elements.push({ kind: 'parameter', offset: at, name: pname, colon: true, colonValue: this.parseCommandArgumentList() });
          }
        } else {
          elements.push({ kind: 'parameter', offset: at, name: pname, colon: false });
        }
      } else if (c === '@' && isVariableChar(this.peek(1))) {
        this.pos++;
        let v = '';
        while (isVariableChar(this.peek())) v += this.text[this.pos++];
        elements.push({ kind: 'splat', offset: at, variable: v });
      } else {
        const value = this.parseCommandArgumentList();
        const arg: ArgumentElement = { kind: 'argument', offset: at, end: this.pos, value };
        elements.push(arg);
      }
    }
    return { kind: 'command', offset, name: normalizeDashes(name), elements };
  }

  /** An argument, or several separated by commas (an array). */
  protected parseCommandArgumentList(): Expr {
    const offset = this.pos;
    const items = this.commaList(this.parseCommandArgument(), () => this.parseCommandArgument());
    return items.length === 1 ? items[0] : { kind: 'arrayLiteral', offset, items };
  }

  protected parseCommandArgument(): Expr {
    const offset = this.pos;
    const c = this.peek();
    if (c === ',') this.fail('Missing argument in parameter list.', offset, 'MissingArgument');
    if (isQuote(c)) return this.parseStringLiteral();
    if (c === '@' && (isQuote(this.peek(1)) || this.peek(1) === '(' || this.peek(1) === '{')) return this.parsePostfix(this.parsePrimary(), false);
    if (c === '$' || c === '(' || c === '{') return this.parsePostfix(this.parsePrimary(), false);
    // Generic token: runs to whitespace or { } ( ) ; , | &
    let raw = '';
    let hasDollar = false;
    while (!endsGenericToken(this.peek())) {
      const ch = this.text[this.pos];
      if (ch === '`') {
        if (isNewline(this.peek(1))) break;
        this.pos++;
        if (this.eof()) break;
        raw += '`' + this.text[this.pos++];
        continue;
      }
      if (ch === '$') hasDollar = true;
      raw += ch;
      this.pos++;
    }
    if (raw === '') this.fail(`Unexpected token '${this.tokenAt(offset)}' in expression or statement.`, offset, 'UnexpectedToken');
    if (hasDollar) {
      return { kind: 'expandable', offset, parts: new Parser(raw).parseExpandableBody(raw, offset, this.text) };
    }
    const unescaped = raw.replace(/`(.)/g, '$1');
    const n = !raw.includes('`') ? parseNumberLiteral(raw) : undefined;
    if (n !== undefined) return { kind: 'number', offset, value: n, text: raw };
    return { kind: 'string', offset, value: unescaped, bare: true };
  }
}
