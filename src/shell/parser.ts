// Parser for the PowerShell subset admin scripts use. PowerShell tokenizes differently in
// argument mode (after a command name: bare words, `-Parameter`, `10MB`) and in expression mode
// (`$a -eq 'x'`, `1 + 2`), so the lexer is driven by the parser: each parse function reads the
// characters it expects. Tokenizer facts follow reference §10 (Unicode dashes and quotes,
// backtick continuation, `#` / `<# #>` comments, number multipliers).
import type {
  ArgumentElement,
  AssignmentStatement,
  CommandCall,
  CommandElement,
  Expr,
  ForeachStatement,
  FunctionDefinition,
  FunctionParameter,
  HashtableExpr,
  IfStatement,
  IndexExpr,
  MemberExpr,
  PipelineElement,
  PipelineStatement,
  Script,
  ScriptBlockExpr,
  Statement,
  TryStatement,
  VariableExpr,
} from './ast.js';
import {
  endsGenericToken,
  endsParameterName,
  isDash,
  isDigit,
  isDoubleQuote,
  isLetter,
  isNewline,
  isParameterStart,
  isQuote,
  isSingleQuote,
  isVariableChar,
  isWhitespace,
  normalizeDashes,
} from './chars.js';
import { ShellParseError, positionAt } from './errors.js';

const COMPARISON_OPS = new Set([
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains',
  'in', 'notin', 'replace', 'split', 'join', 'is', 'isnot', 'as',
]);
const LOGICAL_OPS = new Set(['and', 'or', 'xor']);
/** PowerShell statements Postern's shell doesn't run: named in the error, never "term not recognized". */
const UNSUPPORTED_KEYWORDS = new Set(['while', 'do', 'for', 'switch', 'trap', 'filter', 'workflow', 'class', 'enum', 'break', 'continue', 'begin', 'process', 'end', 'until', 'data']);
const BITWISE_OPS = new Set(['band', 'bor', 'bxor']);

/** A comparison operator name with an optional i/c prefix ('ieq', 'clike'). */
function isComparisonOp(op: string): boolean {
  if (COMPARISON_OPS.has(op)) return true;
  if ((op.startsWith('i') || op.startsWith('c')) && COMPARISON_OPS.has(op.slice(1)) && !['is', 'isnot', 'as', 'join', 'in'].includes(op)) return true;
  return false;
}

const NUMBER_RE = /^(0x[0-9a-f]+|(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)(l|d)?(kb|mb|gb|tb|pb)?/i;
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

export function parseScript(text: string): Script {
  // A byte-order mark (scripts saved by Windows editors) is not part of the first token.
  const p = new Parser(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const statements = p.parseStatements(null);
  return { kind: 'script', statements };
}

class Parser {
  pos = 0;
  private noComma = false;

  constructor(readonly text: string) {}

  // ---------------------------------------------------------------- characters

  private peek(k = 0): string | undefined {
    return this.text[this.pos + k];
  }

  private eof(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(message: string, offset: number, errorId: string, incomplete = false): never {
    throw new ShellParseError(message, positionAt(this.text, offset), errorId, incomplete);
  }

  /** The token-ish text at the position, for "Unexpected token 'x'" messages. */
  private tokenAt(offset: number): string {
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

  private expect(ch: string, message: string, errorId: string): void {
    if (this.peek() !== ch) this.fail(message, this.pos, errorId, this.eof());
    this.pos++;
  }

  /** The identifier word at the position (letters, digits, _), without consuming it. */
  private peekWord(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64));
    return m ? m[0] : '';
  }

  // ---------------------------------------------------------------- statements

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

  private parseStatement(): Statement {
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

  private parseBlock(): Statement[] {
    this.skipTrivia(true);
    this.expect('{', "Missing statement block.", 'MissingStatementBlock');
    const body = this.parseStatements('}');
    this.pos++;
    return body;
  }

  private parseCondition(keyword: string): PipelineStatement {
    this.skipTrivia(false);
    this.expect('(', `Missing '(' after '${keyword}'.`, 'MissingOpenParenthesisAfterKeyword');
    this.skipTrivia(true);
    const cond = this.parsePipeline();
    this.skipTrivia(true);
    this.expect(')', `Missing closing ')' after expression in '${keyword}' statement.`, 'MissingEndParenthesisAfterStatement');
    return cond;
  }

  private parseFunction(): FunctionDefinition {
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
  private parseParameterList(): FunctionParameter[] {
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
  private bracketed(): string {
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

  private parseTry(): TryStatement {
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

  private parseThrowOrReturn(word: 'throw' | 'return'): Statement {
    const offset = this.pos;
    this.pos += word.length;
    this.skipTrivia(false);
    const c = this.peek();
    const value = c === undefined || isNewline(c) || c === ';' || c === '}' || c === ')' ? undefined : this.parsePipeline();
    return { kind: word, offset, value };
  }

  private parseForeach(): ForeachStatement {
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

  private parseIf(): IfStatement {
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

  private startsExpression(): boolean {
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

  private parsePipelineElement(first: boolean): PipelineElement {
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

  private parseCommand(): CommandCall {
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
  private parseCommandArgumentList(): Expr {
    const offset = this.pos;
    const items = [this.parseCommandArgument()];
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      if (this.peek() === ',') {
        this.pos++;
        this.skipTrivia(true);
        if (this.eof()) this.fail("Missing expression after ','.", this.pos, 'MissingExpressionAfterToken', true);
        items.push(this.parseCommandArgument());
      } else {
        this.pos = save;
        break;
      }
    }
    return items.length === 1 ? items[0] : { kind: 'arrayLiteral', offset, items };
  }

  private parseCommandArgument(): Expr {
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

  // ---------------------------------------------------------------- expressions

  parseExpression(): Expr {
    return this.parseLogical();
  }

  /** Reads `-word` (an operator) at the position without consuming; lower-case name or undefined. */
  private peekDashOperator(): string | undefined {
    if (!isDash(this.peek())) return undefined;
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos + 1, this.pos + 16));
    return m ? m[0].toLowerCase() : undefined;
  }

  private binaryLoop(next: () => Expr, accept: (op: string) => boolean): Expr {
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

  private parseLogical(): Expr {
    return this.binaryLoop(() => this.parseComparison(), (op) => LOGICAL_OPS.has(op));
  }

  private parseComparison(): Expr {
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

  private parseBitwise(): Expr {
    return this.binaryLoop(() => this.parseAdditive(), (op) => BITWISE_OPS.has(op));
  }

  private parseArithmetic(next: () => Expr, ops: string[]): Expr {
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

  private parseAdditive(): Expr {
    return this.parseArithmetic(() => this.parseMultiplicative(), ['+', '-']);
  }

  private parseMultiplicative(): Expr {
    return this.parseArithmetic(() => this.parseNegate(), ['*', '/', '%']);
  }

  private parseNegate(): Expr {
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

  private parseFormat(): Expr {
    return this.binaryLoop(() => this.parseRange(), (op) => op === 'f');
  }

  private parseRange(): Expr {
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

  private parseNot(): Expr {
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

  private parseComma(): Expr {
    const offset = this.pos;
    if (this.peek() === ',' && !this.noComma) {
      this.pos++;
      this.skipTrivia(true);
      return { kind: 'unary', offset, op: ',', operand: this.parseCast() };
    }
    const first = this.parseCast();
    if (this.noComma) return first;
    const items = [first];
    for (;;) {
      const save = this.pos;
      this.skipTrivia(false);
      if (this.peek() === ',') {
        this.pos++;
        this.skipTrivia(true);
        if (this.eof()) this.fail("Missing expression after ','.", this.pos, 'MissingExpressionAfterToken', true);
        items.push(this.parseCast());
      } else {
        this.pos = save;
        break;
      }
    }
    return items.length === 1 ? first : { kind: 'arrayLiteral', offset, items };
  }

  private parseCast(): Expr {
    return this.parsePostfix(this.parsePrimary(), true);
  }

  /** Member access `.Name`, method calls `.Name(args)`, indexing `[i]` — all without whitespace. */
  private parsePostfix(target: Expr, expressionMode: boolean): Expr {
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

  private withComma<T>(f: () => T, noComma = false): T {
    const saved = this.noComma;
    this.noComma = noComma;
    try {
      return f();
    } finally {
      this.noComma = saved;
    }
  }

  private parseMethodArgs(): Expr[] {
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

  private parsePrimary(): Expr {
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

  private parseVariable(): VariableExpr {
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

  private parseScriptBlock(): ScriptBlockExpr {
    const offset = this.pos;
    this.pos++;
    const body = this.withComma(() => this.parseStatements('}'));
    const text = this.text.slice(offset + 1, this.pos);
    this.pos++;
    return { kind: 'scriptBlock', offset, body, text };
  }

  private parseHashtable(): HashtableExpr {
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

  // ---------------------------------------------------------------- strings

  private parseStringLiteral(): Expr {
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
  private readExpandable(offset: number, open: string, isClose: (ch: string) => boolean, closeLen = 1, hereString = false): (string | Expr)[] {
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

  private atHereStringEnd(q: '"' | "'"): boolean {
    const ch = this.text[this.pos];
    if (!isNewline(ch)) return false;
    let i = this.pos + (ch === '\r' && this.text[this.pos + 1] === '\n' ? 2 : 1);
    const c = this.text[i];
    if (!(q === '"' ? isDoubleQuote(c) : isSingleQuote(c))) return false;
    i++;
    return this.text[i] === '@';
  }

  private parseHereString(): Expr {
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
