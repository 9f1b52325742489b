// Recursive-descent KQL parser: tokens → syntax tree (ast.ts). It knows the grammar only;
// names, types and schemas are the compiler's business.
import type { KustoType } from '../trace/tables.js';
import type { Expr, NamedExpr, Op, OutputSchema, ParsePart, Query, SeriesAgg, SortKey, Statement } from './ast.js';
import { KqlError, unsupported } from './errors.js';
import { tokenize, TIMESPAN_UNITS, type Token } from './lexer.js';

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

const JOIN_KINDS = new Set(['innerunique', 'inner', 'leftouter', 'rightouter', 'fullouter', 'leftanti', 'anti', 'leftantisemi', 'rightanti', 'rightantisemi', 'leftsemi', 'rightsemi']);

/** Tabular sources Postern does not evaluate, with what to do instead. */
const SOURCE_HINTS: Record<string, string> = {
  externaldata: 'it would read data over the network; put the values in the query with datatable(…) or let x = dynamic([…])',
  range: 'use datatable(…) for a fixed list of values',
  evaluate: 'evaluate applies to a table: T | evaluate bag_unpack(Column) or pivot(Column)',
  find: 'name the tables and columns: union EmailEvents, EmailUrlInfo | where Column has "…"',
  search: 'use where Column has "…" on a table',
};
/** Tabular operators Postern does not evaluate, with what to do instead (where there is something). */
const OPERATOR_HINTS: Record<string, string> = {
  invoke: 'call the function directly: let f = (…) { … }; f(…)',
  as: "bind the table with let: let name = …;",
  'mv-apply': 'use mv-expand, then summarize by the row key',
  'parse-where': "use parse, then where isnotempty(Column)",
  'top-nested': 'use summarize, then top',
};

export function parseQuery(text: string): Query {
  try {
    const p = new Parser(text, tokenize(text));
    return p.query();
  } catch (e) {
    if (e instanceof KqlError) throw e.line ? e : e.locate(text);
    throw e;
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly text: string, private readonly toks: Token[]) {}

  private get t(): Token { return this.toks[this.i]; }
  private atEof(): boolean { return this.toks[this.i].kind === 'eof'; }
  private peek(n = 1): Token { return this.toks[Math.min(this.i + n, this.toks.length - 1)]; }
  private next(): Token { return this.toks[this.i++]; }
  private isP(p: string, tok = this.t): boolean { return tok.kind === 'punct' && tok.text === p; }
  private isW(w: string, tok = this.t): boolean { return tok.kind === 'ident' && tok.text === w; }
  private eatP(p: string): boolean { if (this.isP(p)) { this.i++; return true; } return false; }
  private eatW(w: string): boolean { if (this.isW(w)) { this.i++; return true; } return false; }
  private expectP(p: string): Token {
    if (!this.isP(p)) throw new KqlError(`Expected '${p}' but found ${this.describe(this.t)}`, this.t.pos);
    return this.next();
  }
  private expectW(w: string): Token {
    if (!this.isW(w)) throw new KqlError(`Expected '${w}' but found ${this.describe(this.t)}`, this.t.pos);
    return this.next();
  }
  /** Run one level of nesting, refusing more than MAX_NESTING levels (a deeper query would
   * exhaust the stack of the parser, the compiler or SQLite). */
  private nested<T>(levels: number, parse: () => T): T {
    this.checkNesting(levels);
    this.depth += levels;
    try {
      return parse();
    } finally {
      this.depth -= levels;
    }
  }
  private checkNesting(levels: number): void {
    if (this.depth + levels <= MAX_NESTING) return;
    throw new KqlError(`The expression is nested more than ${MAX_NESTING} levels deep (parentheses, calls or chained operators); simplify it, e.g. use 'in (…)' for a list of values`, this.t.pos);
  }
  private describe(t: Token): string { return t.kind === 'eof' ? 'the end of the query' : `'${this.text.slice(t.pos, t.end)}'`; }
  private ident(what = 'a name'): { name: string; pos: number } {
    const t = this.t;
    if (t.kind === 'ident' && !t.text.startsWith('!')) { this.i++; return { name: t.text, pos: t.pos }; }
    if (this.isP('[') && this.peek().kind === 'string' && this.isP(']', this.peek(2))) {
      this.i += 3;
      return { name: this.peek(-2).text, pos: t.pos };
    }
    throw new KqlError(`Expected ${what} but found ${this.describe(t)}`, t.pos);
  }

  query(): Query {
    const lets: Statement[] = [];
    let body: Expr | undefined;
    while (this.t.kind !== 'eof') {
      if (this.isW('let')) {
        lets.push(this.letStatement());
        if (!this.eatP(';')) throw new KqlError(`Expected ';' after the let statement`, this.t.pos);
        continue;
      }
      if (this.isW('set') || this.isW('declare') || this.isW('alias') || this.isW('pattern') || this.isW('restrict')) {
        throw unsupported(`The '${this.t.text}' statement`, this.t.pos);
      }
      if (body) throw unsupported('A query with several result statements', this.t.pos);
      body = this.pipe();
      if (!this.eatP(';') && !this.atEof()) throw new KqlError(`Unexpected ${this.describe(this.t)}`, this.t.pos);
    }
    if (!body) throw new KqlError('The query has no result expression (a query must end with a tabular expression)', this.text.length);
    return { lets, body, text: this.text };
  }

  private letStatement(): Statement {
    const pos = this.expectW('let').pos;
    const { name } = this.ident('a let name');
    this.expectP('=');
    // let f = (a:string, b:long = 1) { … }
    if (this.isP('(') && this.looksLikeParams()) {
      this.expectP('(');
      const params: { name: string; type: KustoType; def?: Expr }[] = [];
      while (!this.isP(')')) {
        const p = this.ident('a parameter name');
        this.expectP(':');
        if (this.isP('(')) throw unsupported('A tabular function parameter', this.t.pos);
        const tn = this.ident('a type');
        const type = TYPE_NAMES[tn.name];
        if (!type) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
        let def: Expr | undefined;
        if (this.eatP('=')) def = this.expr();
        params.push({ name: p.name, type, def });
        if (!this.eatP(',')) break;
      }
      this.expectP(')');
      this.expectP('{');
      const body: Statement[] = [];
      while (this.isW('let')) { body.push(this.letStatement()); this.expectP(';'); }
      const result = this.pipe();
      this.eatP(';');
      this.expectP('}');
      return { k: 'letfn', name, params, body, result, pos };
    }
    if (this.isW('view')) throw unsupported("'view' let statements", this.t.pos);
    return { k: 'let', name, value: this.pipe(), pos };
  }

  private looksLikeParams(): boolean {
    // `(` `)` `{` or `(` ident `:` …
    const a = this.peek(1), b = this.peek(2);
    if (this.isP(')', a) && this.isP('{', b)) return true;
    return a.kind === 'ident' && this.isP(':', b);
  }

  /** A tabular or scalar expression optionally followed by `| operator …`. */
  pipe(): Expr {
    const pos = this.t.pos;
    let source: Expr;
    if (this.isW('union') && !this.isP('(', this.peek())) source = this.unionSource();
    else if (this.isW('union') && this.isP('(', this.peek())) source = this.unionSource();
    else if (this.isW('datatable') && this.isP('(', this.peek())) source = this.datatable();
    else if (this.isW('print')) {
      const at = this.next().pos;
      source = { k: 'print', items: this.isP('|') || this.isP(';') || this.atEof() ? [] : this.namedList(), pos: at };
    } else if (this.t.kind === 'ident' && Object.hasOwn(SOURCE_HINTS, this.t.text)) {
      throw unsupported(`The '${this.t.text}' operator`, this.t.pos, SOURCE_HINTS[this.t.text]);
    } else source = this.expr();
    if (!this.isP('|')) return source;
    const ops: Op[] = [];
    while (this.eatP('|')) ops.push(this.operator());
    return { k: 'pipe', source, ops, pos };
  }

  /** datatable(Name:type, …) [ value, … ] — values row by row. */
  private datatable(): Expr {
    const pos = this.expectW('datatable').pos;
    this.expectP('(');
    const cols: { name: string; type: KustoType }[] = [];
    while (!this.isP(')')) {
      const n = this.ident('a column name');
      this.expectP(':');
      const tn = this.ident('a type');
      const type = TYPE_NAMES[tn.name];
      if (!type) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
      cols.push({ name: n.name, type });
      if (!this.eatP(',')) break;
    }
    this.expectP(')');
    this.expectP('[');
    const values: Expr[] = [];
    while (!this.isP(']')) { values.push(this.expr()); if (!this.eatP(',')) break; }
    this.expectP(']');
    return { k: 'datatable', cols, values, pos };
  }

  private unionSource(): Expr {
    const u = this.unionBody();
    return { k: 'union', ...u };
  }

  private unionBody(): { kind: 'outer' | 'inner'; withsource?: string; tables: Expr[]; pos: number } {
    const pos = this.expectW('union').pos;
    let kind: 'outer' | 'inner' = 'outer';
    let withsource: string | undefined;
    for (;;) {
      if (this.isW('kind') && this.isP('=', this.peek())) {
        this.i += 2;
        const k = this.ident('inner or outer');
        if (k.name !== 'inner' && k.name !== 'outer') throw new KqlError(`Unknown union kind '${k.name}'`, k.pos);
        kind = k.name;
      } else if (this.isW('withsource') && this.isP('=', this.peek())) {
        this.i += 2;
        withsource = this.ident('a column name').name;
      } else if (this.isW('isfuzzy') && this.isP('=', this.peek())) {
        this.i += 2;
        this.next();
      } else break;
    }
    const tables: Expr[] = [];
    do {
      const tpos = this.t.pos;
      if (this.isP('(')) {
        this.next();
        tables.push(this.pipe());
        this.expectP(')');
      } else {
        const n = this.ident('a table name');
        if (this.isP('*') && this.t.pos === tpos + n.name.length) throw unsupported('Wildcard table names in union', tpos);
        if (this.isP('(')) {
          // table('X') or a function call
          this.next();
          const args: Expr[] = [];
          while (!this.isP(')')) { args.push(this.pipe()); if (!this.eatP(',')) break; }
          this.expectP(')');
          tables.push({ k: 'call', name: n.name, args, pos: n.pos });
        } else tables.push({ k: 'name', name: n.name, pos: n.pos });
      }
    } while (this.eatP(','));
    return { kind, withsource, tables, pos };
  }

  private operator(): Op {
    const t = this.t;
    if (t.kind !== 'ident') throw new KqlError(`Expected a tabular operator after '|' but found ${this.describe(t)}`, t.pos);
    const pos = t.pos;
    const w = t.text;
    this.next();
    switch (w) {
      case 'where': case 'filter': return { op: 'where', pred: this.expr(), pos };
      case 'project': return { op: 'project', items: this.namedList(), pos };
      case 'extend': return { op: 'extend', items: this.namedList(), pos };
      case 'project-away': case 'project-keep': case 'project-reorder': {
        const names: { pattern: string; pos: number }[] = [];
        do {
          const n = this.ident('a column name');
          let pattern = n.name;
          while (this.isP('*') || (this.t.kind === 'ident' && this.t.pos === this.peek(-1).end)) {
            pattern += this.t.text;
            this.next();
          }
          if (w === 'project-reorder' && (this.isW('asc') || this.isW('desc'))) throw unsupported('project-reorder with asc/desc', this.t.pos);
          names.push({ pattern, pos: n.pos });
        } while (this.eatP(','));
        return { op: w, names, pos };
      }
      case 'project-rename': {
        const pairs: { to: string; from: string; pos: number }[] = [];
        do {
          const to = this.ident('a new column name');
          this.expectP('=');
          const from = this.ident('a column name');
          pairs.push({ to: to.name, from: from.name, pos: to.pos });
        } while (this.eatP(','));
        return { op: 'project-rename', pairs, pos };
      }
      case 'summarize': {
        this.rejectHints();
        const aggs = this.isW('by') ? [] : this.namedList();
        const by = this.eatW('by') ? this.namedList() : [];
        return { op: 'summarize', aggs, by, pos };
      }
      case 'join': case 'lookup': {
        let kind = w === 'join' ? 'innerunique' : 'leftouter';
        for (;;) {
          if (this.isW('kind') && this.isP('=', this.peek())) {
            this.i += 2;
            const k = this.ident('a join kind');
            if (!JOIN_KINDS.has(k.name)) throw new KqlError(`Unknown join kind '${k.name}'`, k.pos);
            kind = k.name;
          } else if (this.t.kind === 'ident' && this.t.text.startsWith('hint') && this.isP('.', this.peek())) {
            this.i += 2; this.next(); this.expectP('='); this.next();
          } else break;
        }
        let right: Expr;
        if (this.eatP('(')) { right = this.pipe(); this.expectP(')'); } else right = this.postfix();
        this.expectW('on');
        const on: Expr[] = [];
        do on.push(this.expr()); while (this.eatP(','));
        return { op: w, kind, right, on, pos };
      }
      case 'union': {
        this.i--;
        return { op: 'union', ...this.unionBody(), pos };
      }
      case 'top': {
        const n = this.expr();
        this.expectW('by');
        return { op: 'top', n, by: this.sortKey(), pos };
      }
      case 'sort': case 'order': {
        this.expectW('by');
        const keys: SortKey[] = [];
        do keys.push(this.sortKey()); while (this.eatP(','));
        return { op: 'sort', keys, pos };
      }
      case 'take': case 'limit': return { op: 'take', n: this.expr(), pos };
      case 'distinct': {
        if (this.eatP('*')) return { op: 'distinct', items: '*', pos };
        return { op: 'distinct', items: this.namedList(), pos };
      }
      case 'count': return { op: 'count', pos };
      case 'serialize': return { op: 'serialize', pos };
      case 'getschema': return { op: 'getschema', pos };
      case 'mv-expand': {
        let itemIndex: string | undefined;
        let bagsAsArrays = false;
        while (this.t.kind === 'ident' && this.isP('=', this.peek()) && ['bagexpansion', 'with_itemindex', 'kind'].includes(this.t.text)) {
          const option = this.t.text;
          this.i += 2;
          const v = this.ident(option === 'with_itemindex' ? 'a column name' : 'bag or array');
          if (option === 'with_itemindex') itemIndex = v.name;
          else if (v.name === 'array' || v.name === 'bag') bagsAsArrays = v.name === 'array';
          else throw new KqlError(`mv-expand ${option}= takes bag or array, not '${v.name}'`, v.pos);
        }
        const items: { name?: string; e: Expr; to?: KustoType; pos: number }[] = [];
        do {
          const ipos = this.t.pos;
          let name: string | undefined;
          if (this.isNameAssign()) { name = this.ident().name; this.expectP('='); }
          const e = this.expr();
          let to: KustoType | undefined;
          if (this.eatW('to')) {
            this.expectW('typeof');
            this.expectP('(');
            const tn = this.ident('a type');
            to = TYPE_NAMES[tn.name];
            if (!to) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
            this.expectP(')');
          }
          items.push({ name, e, to, pos: ipos });
        } while (this.eatP(','));
        let limit: Expr | undefined;
        if (this.eatW('limit')) limit = this.expr();
        return { op: 'mv-expand', items, itemIndex, bagsAsArrays, limit, pos };
      }
      case 'parse': {
        if (this.isW('kind') && this.isP('=', this.peek())) {
          const k = this.peek(2);
          if (k.text !== 'simple') throw unsupported(`parse kind=${k.text}`, k.pos);
          this.i += 3;
        }
        const e = this.expr();
        this.expectW('with');
        const parts: ParsePart[] = [];
        while (!this.isP('|') && !this.isP(')') && !this.isP(';') && this.t.kind !== 'eof') {
          if (this.eatP('*')) parts.push({ k: 'star' });
          else if (this.t.kind === 'string') parts.push({ k: 'text', text: this.next().text });
          else {
            const n = this.ident('a column name, a string or *');
            let type: KustoType = 'string';
            if (this.eatP(':')) {
              const tn = this.ident('a type');
              const ty = TYPE_NAMES[tn.name];
              if (!ty) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
              type = ty;
            }
            parts.push({ k: 'col', name: n.name, type, pos: n.pos });
          }
        }
        return { op: 'parse', e, parts, pos };
      }
      case 'render': {
        const kind = this.ident('a chart kind').name;
        const props: Record<string, unknown> = {};
        if (this.eatW('with')) {
          this.expectP('(');
          while (!this.isP(')')) {
            const key = this.ident('a render property').name;
            this.expectP('=');
            if (this.t.kind === 'string' || this.t.kind === 'int' || this.t.kind === 'real') props[key] = this.t.kind === 'string' ? this.next().text : this.next().num;
            else if (this.isP('(')) {
              this.next();
              const vals: string[] = [];
              while (!this.isP(')')) { vals.push(this.ident().name); if (!this.eatP(',')) break; }
              this.expectP(')');
              props[key] = vals;
            } else {
              const v: string[] = [this.ident().name];
              while (this.eatP(',') && this.t.kind === 'ident' && !this.isP('=', this.peek())) v.push(this.ident().name);
              props[key] = v.length === 1 ? v[0] : v;
              if (this.isP('=')) { this.i -= 1; }
              continue;
            }
            if (!this.eatP(',')) break;
          }
          this.expectP(')');
        }
        return { op: 'render', kind, props, pos };
      }
      case 'make-series': return this.makeSeries(pos);
      case 'evaluate': return this.evaluate(pos);
      case 'as': case 'invoke': case 'mv-apply': case 'sample': case 'sample-distinct':
      case 'facet': case 'fork': case 'partition': case 'scan': case 'top-nested': case 'top-hitters':
      case 'parse-where': case 'parse-kv': case 'reduce': case 'consume': case 'search': case 'find': case 'lookup-unknown':
        throw unsupported(`The '${w}' operator`, pos, Object.hasOwn(OPERATOR_HINTS, w) ? OPERATOR_HINTS[w] : undefined);
      default:
        throw new KqlError(`Unknown tabular operator '${w}'`, pos);
    }
  }

  /** make-series Agg [default = v], … on Axis [from A] [to B] step S [by …], or `on Axis in range(A, B, S)`. */
  private makeSeries(pos: number): Op {
    let nonempty = false;
    if (this.isW('kind') && this.isP('=', this.peek())) {
      this.i += 2;
      const k = this.ident('nonempty');
      if (k.name !== 'nonempty') throw new KqlError(`make-series kind= takes nonempty, not '${k.name}'`, k.pos);
      nonempty = true;
    }
    this.rejectHints();
    const aggs: SeriesAgg[] = [];
    do {
      const apos = this.t.pos;
      let name: string | undefined;
      if (this.isNameAssign()) { name = this.ident().name; this.expectP('='); }
      const e = this.expr();
      let def: Expr | undefined;
      if (this.eatW('default')) { this.expectP('='); def = this.expr(); }
      aggs.push({ name, e, def, pos: apos });
    } while (this.eatP(','));
    this.expectW('on');
    const axis = this.add(); // not expr(): `on Timestamp in range(…)` is make-series syntax, not the in operator
    let from: Expr | undefined, to: Expr | undefined, step: Expr;
    if (this.eatW('in')) {
      this.expectW('range');
      this.expectP('(');
      from = this.expr(); this.expectP(',');
      to = this.expr(); this.expectP(',');
      step = this.expr();
      this.expectP(')');
    } else {
      if (this.eatW('from')) from = this.expr();
      if (this.eatW('to')) to = this.expr();
      this.expectW('step');
      step = this.expr();
    }
    const by = this.eatW('by') ? this.namedList() : [];
    return { op: 'make-series', nonempty, aggs, axis, from, to, step, by, pos };
  }

  /** evaluate bag_unpack(…) / pivot(…) [: (Name:type, …)]; other plugins are refused by name. */
  private evaluate(pos: number): Op {
    this.rejectHints();
    const n = this.ident('a plugin name');
    if (n.name !== 'bag_unpack' && n.name !== 'pivot') {
      throw unsupported(`The '${n.name}' plugin (evaluate ${n.name})`, n.pos, 'Postern evaluates bag_unpack and pivot');
    }
    this.expectP('(');
    const args: Expr[] = [];
    const named: Record<string, Expr> = {};
    while (!this.isP(')')) {
      // bag_unpack(d, columnsConflict='replace_source'): arguments by name
      if (this.t.kind === 'ident' && this.isP('=', this.peek())) { const k = this.next().text; this.next(); named[k] = this.expr(); }
      else args.push(this.expr());
      if (!this.eatP(',')) break;
    }
    this.expectP(')');
    let schema: OutputSchema | undefined;
    if (this.isP(':')) {
      const spos = this.next().pos;
      this.expectP('(');
      schema = { wildcard: false, cols: [], pos: spos };
      if (this.eatP('*')) { schema.wildcard = true; this.eatP(','); }
      while (!this.isP(')')) {
        const c = this.ident('a column name');
        this.expectP(':');
        const tn = this.ident('a type');
        const type = TYPE_NAMES[tn.name];
        if (!type) throw new KqlError(`Unknown type '${tn.name}'`, tn.pos);
        schema.cols.push({ name: c.name, type, pos: c.pos });
        if (!this.eatP(',')) break;
      }
      this.expectP(')');
    }
    return { op: 'evaluate', plugin: n.name, args, named, schema, pos };
  }

  private rejectHints(): void {
    if (this.t.kind === 'ident' && this.t.text.startsWith('hint') && this.isP('.', this.peek())) {
      this.i += 2; this.next(); this.expectP('='); this.next();
    }
  }

  private sortKey(): SortKey {
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

  private isNameAssign(): boolean {
    if (this.t.kind === 'ident' && this.isP('=', this.peek())) return true;
    return this.isP('[') && this.peek().kind === 'string' && this.isP(']', this.peek(2)) && this.isP('=', this.peek(3));
  }

  private namedList(): NamedExpr[] {
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

  private or(): Expr { return this.logicalChain('or', () => this.and()); }
  private and(): Expr { return this.logicalChain('and', () => this.cmp()); }

  /** `a or b or c …`: and/or are associative, so a chain becomes a balanced tree — thousands
   * of terms (generated IOC lists) stay a few levels deep for the compiler and for SQLite. */
  private logicalChain(op: 'and' | 'or', operand: () => Expr): Expr {
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
  private arithmeticTerm(terms: number): void { this.checkNesting(terms - 1); }

  private cmp(): Expr {
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

  private add(): Expr {
    let l = this.mul();
    for (let n = 2; this.isP('+') || this.isP('-'); n++) {
      this.arithmeticTerm(n);
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.mul(), pos: t.pos };
    }
    return l;
  }

  private mul(): Expr {
    let l = this.unary();
    for (let n = 2; this.isP('*') || this.isP('/') || this.isP('%'); n++) {
      this.arithmeticTerm(n);
      const t = this.next();
      l = { k: 'bin', op: t.text, l, r: this.unary(), pos: t.pos };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isP('-') || this.isP('+')) {
      const t = this.next();
      const e = this.nested(1, () => this.unary());
      if (t.text === '-' && e.k === 'lit' && typeof e.value === 'number') return { ...e, value: -e.value, pos: t.pos };
      return { k: 'unary', op: t.text as '-' | '+', e, pos: t.pos };
    }
    return this.postfix();
  }

  private postfix(): Expr {
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

  private primary(): Expr {
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

  private isTypedLiteral(): boolean {
    // int(5), long(-1), real(null), bool(true) — but not e.g. toint(x).
    let j = 1;
    if (this.isP('-', this.peek(j))) j++;
    const v = this.peek(j);
    return this.isP(')', this.peek(j + 1)) && (v.kind === 'int' || v.kind === 'real' || (v.kind === 'ident' && ['null', 'true', 'false'].includes(v.text)));
  }

  private rawArg(): { raw: string; pos: number } {
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

  private datetimeLiteral(pos: number): Expr {
    const { raw } = this.rawArg();
    if (raw === 'null') return { k: 'lit', type: 'datetime', value: null, pos };
    const ms = parseDatetimeText(raw);
    if (ms === null) throw new KqlError(`Invalid datetime literal '${raw}'`, pos);
    return { k: 'lit', type: 'datetime', value: ms, pos };
  }

  private timespanLiteral(pos: number): Expr {
    const { raw } = this.rawArg();
    if (raw === 'null') return { k: 'lit', type: 'timespan', value: null, pos };
    const ms = parseTimespanText(raw);
    if (ms === null) throw new KqlError(`Invalid timespan literal '${raw}'`, pos);
    return { k: 'lit', type: 'timespan', value: ms, pos };
  }

  /** A JSON-like value inside dynamic(…): Kusto literals allowed (single quotes, datetime(…)). */
  private dynValue(): unknown {
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
