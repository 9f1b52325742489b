// KQL's expressions, parsed by recursive descent: tokens → syntax tree (ast.ts). The token
// helpers and the scalar grammar (operators by precedence, calls, literals, dynamic values)
// shared by the whole parser; the tabular grammar (lets, pipelines, operators) is parser.ts,
// which extends this class. It knows the grammar only: names, types and schemas are the compiler's.
import type { KustoType } from '../trace/tables.js';
import type { Expr, NamedExpr, SortKey } from './ast.js';
import { KqlError, unsupported } from './errors.js';
import { TIMESPAN_UNITS, type Token } from './lexer.js';

export const TYPE_NAMES: Record<string, KustoType> = {
  string: 'string', int: 'int', long: 'long', real: 'real', double: 'real', decimal: 'real', bool: 'bool', boolean: 'bool',
  datetime: 'datetime', date: 'datetime', timespan: 'timespan', time: 'timespan', dynamic: 'dynamic',
};

/** Binary operators that sit at comparison level (non-associative). */
const CMP_OPS = new Set(['==', '!=', '<>', '<', '<=', '>', '>=', '=~', '!~']);
const WORD_OPS = new Set([
  'has', '!has', 'has_cs', '!has_cs', 'hasprefix', '!hasprefix', 'hasprefix_cs', '!hasprefix_cs', 'hassuffix', '!hassuffix',
  'hassuffix_cs', '!hassuffix_cs', 'contains', '!contains', 'contains_cs', '!contains_cs', 'startswith', '!startswith',
  'startswith_cs', '!startswith_cs', 'endswith', '!endswith', 'endswith_cs', '!endswith_cs', 'matches',
]);
const LIST_OPS = new Set(['in', '!in', 'in~', '!in~', 'has_any', 'has_all']);
/** How deeply expressions may nest (parentheses, calls, unary signs, dynamic literals, chains of
 * arithmetic operators): far beyond any hand-written query, well within the stack of every stage. */
export const MAX_NESTING = 200;

export abstract class ExpressionParser {
  protected i = 0;
  protected depth = 0;
  constructor(protected readonly text: string, protected readonly toks: Token[]) {}

  protected get t(): Token { return this.toks[this.i]; }
  protected atEof(): boolean { return this.toks[this.i].kind === 'eof'; }
  protected peek(n = 1): Token { return this.toks[Math.min(this.i + n, this.toks.length - 1)]; }
  protected next(): Token { return this.toks[this.i++]; }
  protected isP(p: string, tok = this.t): boolean { return tok.kind === 'punct' && tok.text === p; }
  protected isW(w: string, tok = this.t): boolean { return tok.kind === 'ident' && tok.text === w; }
  protected eatP(p: string): boolean { if (this.isP(p)) { this.i++; return true; } return false; }
  protected eatW(w: string): boolean { if (this.isW(w)) { this.i++; return true; } return false; }
  protected expectP(p: string): Token {
    if (!this.isP(p)) throw new KqlError(`Expected '${p}' but found ${this.describe(this.t)}`, this.t.pos);
    return this.next();
  }
  protected expectW(w: string): Token {
    if (!this.isW(w)) throw new KqlError(`Expected '${w}' but found ${this.describe(this.t)}`, this.t.pos);
    return this.next();
  }
  /** Run one level of nesting, refusing more than MAX_NESTING levels (a deeper query would
   * exhaust the stack of the parser, the compiler or SQLite). */
  protected nested<T>(levels: number, parse: () => T): T {
    this.checkNesting(levels);
    this.depth += levels;
    try {
      return parse();
    } finally {
      this.depth -= levels;
    }
  }
  protected checkNesting(levels: number): void {
    if (this.depth + levels <= MAX_NESTING) return;
    throw new KqlError(`The expression is nested more than ${MAX_NESTING} levels deep (parentheses, calls or chained operators); simplify it, e.g. use 'in (…)' for a list of values`, this.t.pos);
  }
  protected describe(t: Token): string { return t.kind === 'eof' ? 'the end of the query' : `'${this.text.slice(t.pos, t.end)}'`; }
  protected ident(what = 'a name'): { name: string; pos: number } {
    const t = this.t;
    if (t.kind === 'ident' && !t.text.startsWith('!')) { this.i++; return { name: t.text, pos: t.pos }; }
    if (this.isP('[') && this.peek().kind === 'string' && this.isP(']', this.peek(2))) {
      this.i += 3;
      return { name: this.peek(-2).text, pos: t.pos };
    }
    throw new KqlError(`Expected ${what} but found ${this.describe(t)}`, t.pos);
  }

  protected sortKey(): SortKey {
    const pos = this.t.pos;
    const e = this.expr();
    let desc = true;
    if (this.eatW('asc')) desc = false;
    else this.eatW('desc');
    let nulls: 'first' | 'last' | undefined;
    if (this.eatW('nulls')) {
      if (this.eatW('first')) nulls = 'first';
      else { this.expectW('last'); nulls = 'last'; }
    }
    return { e, desc, nulls, pos };
  }

  protected isNameAssign(): boolean {
    if (this.t.kind === 'ident' && this.isP('=', this.peek())) return true;
    return this.isP('[') && this.peek().kind === 'string' && this.isP(']', this.peek(2)) && this.isP('=', this.peek(3));
  }

  protected namedList(): NamedExpr[] {
    const items: NamedExpr[] = [];
    do {
      const pos = this.t.pos;
      if (this.isP('(') && this.peek().kind === 'ident' && this.isP(',', this.peek(2))) throw unsupported('Tuple assignment (a, b) = …', pos);
      let name: string | undefined;
      if (this.isNameAssign()) { name = this.ident().name; this.expectP('='); }
      items.push({ name, e: this.expr(), pos });
    } while (this.eatP(','));
    return items;
  }

  // ---- scalar expressions -------------------------------------------------------------
  expr(): Expr { return this.nested(1, () => this.or()); }

  protected or(): Expr { return this.logicalChain('or', () => this.and()); }
  protected and(): Expr { return this.logicalChain('and', () => this.cmp()); }

  /** `a or b or c …`: and/or are associative, so a chain becomes a balanced tree — thousands
   * of terms (generated IOC lists) stay a few levels deep for the compiler and for SQLite. */
  protected logicalChain(op: 'and' | 'or', operand: () => Expr): Expr {
    const terms = [operand()];
    const opPos: number[] = [];
    while (this.isW(op)) { opPos.push(this.next().pos); terms.push(operand()); }
    const build = (lo: number, hi: number): Expr => {
      if (hi - lo === 1) return terms[lo];
      const mid = (lo + hi) >> 1;
      return { k: 'bin', op, l: build(lo, mid), r: build(mid, hi), pos: opPos[mid - 1] };
    };
    return build(0, terms.length);
  }

  /** Arithmetic chains are not reassociated (`a - b - c`), so each term is a level of nesting. */
  protected arithmeticTerm(terms: number): void { this.checkNesting(terms - 1); }

  protected cmp(): Expr {
    const l = this.add();
    const t = this.t;
    if (t.kind === 'punct' && CMP_OPS.has(t.text)) {
      this.next();
      return { k: 'bin', op: t.text === '<>' ? '!=' : t.text, l, r: this.add(), pos: t.pos };
    }
    if (t.kind !== 'ident') return l;
    if (WORD_OPS.has(t.text)) {
      this.next();
      if (t.text === 'matches') { this.expectW('regex'); return { k: 'bin', op: 'matches regex', l, r: this.add(), pos: t.pos }; }
      return { k: 'bin', op: t.text, l, r: this.add(), pos: t.pos };
    }
    if (LIST_OPS.has(t.text)) {
      this.next();
      this.expectP('(');
      const list: Expr[] = [];
      while (!this.isP(')')) { list.push(this.pipe()); if (!this.eatP(',')) break; }
      this.expectP(')');
      return { k: 'list', op: t.text, l, list, pos: t.pos };
    }
    if (t.text === 'between' || t.text === '!between') {
      this.next();
      this.expectP('(');
      const lo = this.add();
      this.expectP('..');
      const hi = this.add();
      this.expectP(')');
      return { k: 'between', not: t.text === '!between', l, lo, hi, pos: t.pos };
    }
    if (['like', 'notlike', 'has_any_cs', 'has_all_cs', '!has_any', '!has_all', 'matches_regex'].includes(t.text)) throw unsupported(`The '${t.text}' operator`, t.pos);
    return l;
  }

  protected add(): Expr {
    let l = this.mul();
    for (let n = 2; this.isP('+') || this.isP('-'); n++) {
      this.arithmeticTerm(n);
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.mul(), pos: t.pos };
    }
    return l;
  }

  protected mul(): Expr {
    let l = this.unary();
    for (let n = 2; this.isP('*') || this.isP('/') || this.isP('%'); n++) {
      this.arithmeticTerm(n);
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.unary(), pos: t.pos };
    }
    return l;
  }

  protected unary(): Expr {
    if (this.isP('-') || this.isP('+')) {
      const t = this.next();
      const e = this.nested(1, () => this.unary());
      if (t.text === '-' && e.k === 'lit' && typeof e.value === 'number') return { ...e, value: -e.value, pos: t.pos };
      return { k: 'unary', op: t.text as '-' | '+', e, pos: t.pos };
    }
    return this.postfix();
  }

  protected postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isP('.') && this.isP('[', this.peek())) {
        // d.['a b'] is d['a b'] (Kusto's bracketed member name).
        const pos = this.next().pos;
        this.next();
        const index = this.expr();
        this.expectP(']');
        e = { k: 'index', e, index, pos };
      } else if (this.isP('.')) {
        const pos = this.next().pos;
        const n = this.t;
        if (n.kind !== 'ident') throw new KqlError(`Expected a property name after '.' but found ${this.describe(n)}`, n.pos);
        this.next();
        e = { k: 'member', e, name: n.text, pos };
      } else if (this.isP('[')) {
        const pos = this.next().pos;
        const index = this.expr();
        this.expectP(']');
        e = { k: 'index', e, index, pos };
      } else return e;
    }
  }

  protected primary(): Expr {
    const t = this.t;
    switch (t.kind) {
      case 'string': {
        this.next();
        // Adjacent string literals concatenate.
        let s = t.text;
        while (this.t.kind === 'string') s += this.next().text;
        return { k: 'lit', type: 'string', value: s, pos: t.pos };
      }
      case 'int': this.next(); return { k: 'lit', type: 'long', value: t.num, pos: t.pos };
      case 'real': this.next(); return { k: 'lit', type: 'real', value: t.num, pos: t.pos };
      case 'timespan': this.next(); return { k: 'lit', type: 'timespan', value: t.num, pos: t.pos };
      case 'eof': throw new KqlError('Unexpected end of the query: an expression was expected', t.pos);
      default: break;
    }
    if (this.isP('(')) {
      this.next();
      const e = this.pipe();
      this.expectP(')');
      return e;
    }
    if (this.isP('*')) { this.next(); return { k: 'star', pos: t.pos }; }
    if (this.isP('[')) {
      const n = this.ident();
      return { k: 'name', name: n.name, pos: n.pos };
    }
    if (t.kind !== 'ident' || t.text.startsWith('!')) throw new KqlError(`Unexpected ${this.describe(t)}: an expression was expected`, t.pos);
    this.next();
    const w = t.text;
    if (w === 'true' || w === 'false') return { k: 'lit', type: 'bool', value: w === 'true', pos: t.pos };
    if (w === 'null') return { k: 'lit', type: 'dynamic', value: null, pos: t.pos };
    if (!this.isP('(')) return { k: 'name', name: w, pos: t.pos };
    // Typed literals and calls.
    if (w === 'datetime' || w === 'date') return this.datetimeLiteral(t.pos);
    if (w === 'timespan' || w === 'time') return this.timespanLiteral(t.pos);
    if (w === 'dynamic') {
      this.expectP('(');
      const value = this.dynValue();
      this.expectP(')');
      return { k: 'lit', type: 'dynamic', value, pos: t.pos };
    }
    if (w === 'typeof') {
      this.expectP('(');
      const tn = this.ident('a type');
      this.expectP(')');
      const type = TYPE_NAMES[tn.name];
      if (!type) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
      return { k: 'typeof', type, pos: t.pos };
    }
    const typed = TYPE_NAMES[w];
    if (typed && typed !== 'string' && (this.isW('null', this.peek()) || ['int', 'real', 'string', 'ident'].includes(this.peek().kind) || this.isP('-', this.peek())) && this.isTypedLiteral()) {
      this.expectP('(');
      let value: unknown;
      if (this.eatW('null')) value = null;
      else if (typed === 'bool') { const b = this.ident('true or false'); value = b.name === 'true'; }
      else {
        const neg = this.eatP('-');
        const n = this.next();
        if (n.kind !== 'int' && n.kind !== 'real') throw new KqlError(`Expected a number in ${w}(…)`, n.pos);
        value = neg ? -(n.num as number) : n.num;
      }
      this.expectP(')');
      return { k: 'lit', type: typed, value, pos: t.pos };
    }
    this.expectP('(');
    const args: Expr[] = [];
    while (!this.isP(')')) {
      args.push(this.pipe());
      if (!this.eatP(',')) break;
    }
    this.expectP(')');
    return { k: 'call', name: w, args, pos: t.pos };
  }

  protected isTypedLiteral(): boolean {
    // int(5), long(-1), real(null), bool(true) — but not e.g. toint(x).
    let j = 1;
    if (this.isP('-', this.peek(j))) j++;
    const v = this.peek(j);
    return this.isP(')', this.peek(j + 1)) && (v.kind === 'int' || v.kind === 'real' || (v.kind === 'ident' && ['null', 'true', 'false'].includes(v.text)));
  }

  protected rawArg(): { raw: string; pos: number } {
    const open = this.expectP('(');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') throw new KqlError('Unterminated literal: missing ")"', open.pos);
      if (this.isP('(', t)) depth++;
      if (this.isP(')', t)) depth--;
    }
    const close = this.peek(-1);
    const inner = this.toks.slice(this.toks.indexOf(open) + 1, this.i - 1);
    if (inner.length === 1 && inner[0].kind === 'string') return { raw: inner[0].text, pos: open.pos };
    return { raw: this.text.slice(open.end, close.pos).trim(), pos: open.pos };
  }

  protected datetimeLiteral(pos: number): Expr {
    const { raw } = this.rawArg();
    if (raw === 'null') return { k: 'lit', type: 'datetime', value: null, pos };
    const ms = parseDatetimeText(raw);
    if (ms === null) throw new KqlError(`Invalid datetime literal '${raw}'`, pos);
    return { k: 'lit', type: 'datetime', value: ms, pos };
  }

  protected timespanLiteral(pos: number): Expr {
    const { raw } = this.rawArg();
    if (raw === 'null') return { k: 'lit', type: 'timespan', value: null, pos };
    const ms = parseTimespanText(raw);
    if (ms === null) throw new KqlError(`Invalid timespan literal '${raw}'`, pos);
    return { k: 'lit', type: 'timespan', value: ms, pos };
  }

  /** A JSON-like value inside dynamic(…): Kusto literals allowed (single quotes, datetime(…)). */
  protected dynValue(): unknown {
    const t = this.t;
    if (this.eatP('[')) {
      const arr: unknown[] = [];
      while (!this.isP(']')) { arr.push(this.nested(1, () => this.dynValue())); if (!this.eatP(',')) break; }
      this.expectP(']');
      return arr;
    }
    if (this.eatP('{')) {
      const obj: Record<string, unknown> = {};
      while (!this.isP('}')) {
        const k = this.next();
        if (k.kind !== 'string' && k.kind !== 'ident') throw new KqlError('Expected a property name in dynamic literal', k.pos);
        this.expectP(':');
        obj[k.text] = this.nested(1, () => this.dynValue());
        if (!this.eatP(',')) break;
      }
      this.expectP('}');
      return obj;
    }
    if (t.kind === 'string') { this.next(); return t.text; }
    if (t.kind === 'int' || t.kind === 'real') { this.next(); return t.num; }
    if (this.isP('-')) { this.next(); const n = this.next(); if (n.kind !== 'int' && n.kind !== 'real') throw new KqlError('Expected a number', n.pos); return -(n.num as number); }
    if (this.eatW('true')) return true;
    if (this.eatW('false')) return false;
    if (this.eatW('null')) return null;
    if (this.isW('datetime')) {
      this.next();
      const { raw } = this.rawArg();
      const ms = parseDatetimeText(raw);
      if (ms === null) throw new KqlError(`Invalid datetime literal '${raw}'`, t.pos);
      return new Date(ms).toISOString();
    }
    throw new KqlError(`Unexpected ${this.describe(t)} in dynamic literal`, t.pos);
  }

  /** A tabular expression (a pipeline), where the scalar grammar allows one: `in (T | …)`, toscalar(…). */
  abstract pipe(): Expr;
}

/** Kusto datetime literal text → ms since epoch (UTC), or null when invalid. */
export function parseDatetimeText(raw: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
  if (m) {
    const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) + frac;
    if (m[8] && m[8] !== 'Z') {
      const sign = m[8][0] === '-' ? -1 : 1;
      const hm = m[8].slice(1).replace(':', '');
      ms -= sign * (+hm.slice(0, 2) * 60 + +hm.slice(2)) * 60_000;
    }
    return Number.isFinite(ms) ? ms : null;
  }
  const p = Date.parse(/[zZ]|[+-]\d\d:?\d\d$|GMT|UTC/.test(raw) ? raw : `${raw} UTC`);
  return Number.isFinite(p) ? p : null;
}

/** timespan(…) text: `2` (days), `15 seconds`, `1d`, `0.12:34:56.7`, `12:34:56`. */
export function parseTimespanText(raw: string): number | null {
  const s = raw.trim();
  let m = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(s);
  if (m) {
    if (!m[2]) return Number(m[1]) * 86_400_000;
    const mult = TIMESPAN_UNITS[m[2]];
    return mult === undefined ? null : Number(m[1]) * mult;
  }
  m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(s);
  if (m) {
    const v = (+(m[2] ?? 0) * 86400 + +m[3] * 3600 + +m[4] * 60 + +(m[5] ?? 0)) * 1000 + (m[6] ? Number(`0.${m[6]}`) * 1000 : 0);
    return m[1] ? -v : v;
  }
  return null;
}
