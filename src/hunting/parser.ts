// Recursive-descent KQL parser, the tabular grammar: statements, lets, pipelines and their
// operators → syntax tree (ast.ts). Expressions are exprParser.ts's. It knows the grammar only;
// names, types and schemas are the compiler's business.
import type { KustoType } from '../trace/tables.js';
import type { Expr, Op, OutputSchema, ParsePart, Query, SeriesAgg, SortKey, Statement } from './ast.js';
import { KqlError, unsupported } from './errors.js';
import { ExpressionParser, TYPE_NAMES } from './exprParser.js';
import { tokenize } from './lexer.js';

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

class Parser extends ExpressionParser {
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
      case 'project-away': case 'project-keep': case 'project-reorder': return this.projectNames(w, pos);
      case 'project-rename': return this.projectRename(pos);
      case 'summarize': {
        this.rejectHints();
        const aggs = this.isW('by') ? [] : this.namedList();
        const by = this.eatW('by') ? this.namedList() : [];
        return { op: 'summarize', aggs, by, pos };
      }
      case 'join': case 'lookup': return this.join(w, pos);
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
      case 'mv-expand': return this.mvExpand(pos);
      case 'parse': return this.parse(pos);
      case 'render': return this.render(pos);
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

  /** project-away / project-keep / project-reorder: column names, `*` wildcards allowed. */
  private projectNames(w: 'project-away' | 'project-keep' | 'project-reorder', pos: number): Op {
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

  private projectRename(pos: number): Op {
    const pairs: { to: string; from: string; pos: number }[] = [];
    do {
      const to = this.ident('a new column name');
      this.expectP('=');
      const from = this.ident('a column name');
      pairs.push({ to: to.name, from: from.name, pos: to.pos });
    } while (this.eatP(','));
    return { op: 'project-rename', pairs, pos };
  }

  /** join / lookup [kind=…] [hint.…=…] (T | …) on …. */
  private join(w: 'join' | 'lookup', pos: number): Op {
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

  /** mv-expand [bagexpansion=…] [with_itemindex=…] [Name =] Column [to typeof(T)], … [limit N]. */
  private mvExpand(pos: number): Op {
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

  /** parse [kind=simple] Expr with * "text" Column:type …. */
  private parse(pos: number): Op {
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

  /** render Kind [with (property = value, …)]. */
  private render(pos: number): Op {
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
}
