// Expression evaluation: literals, variables, members, indexing, method calls, arrays,
// hashtables, script blocks, unary and binary operators, casts.
import type { AssignmentStatement, Expr, PipelineStatement, Statement } from '../ast.js';
import { ShellError } from '../errors.js';
import { Hashtable, ScriptBlock, collapse, compare, enumerate, getMember, toBool, toNumber, toStr, type CompareState } from '../values.js';
import { SessionCore, type Emit } from './core.js';
import { callMethod, cast, staticCall, staticMember, type DotNetHost } from './dotnet.js';
import { add, arith, formatOperator, indexValue, isType } from './operators.js';

export abstract class Evaluator extends SessionCore {
  // The layers above: statements run in sub-expressions, pipelines in parentheses, blocks in .Invoke().
  protected abstract execStatements(statements: Statement[], emit: Emit): Promise<void>;
  protected abstract execAssign(stmt: AssignmentStatement): Promise<unknown>;
  protected abstract pipelineValue(p: PipelineStatement): Promise<unknown>;
  abstract invokeBlock(block: ScriptBlock, dollarUnder?: unknown, args?: unknown[]): Promise<unknown[]>;

  async evalExpr(e: Expr): Promise<unknown> {
    switch (e.kind) {
      case 'string':
        return e.value;
      case 'number':
        return e.value;
      case 'expandable': {
        let s = '';
        for (const part of e.parts) s += typeof part === 'string' ? part : toStr(await this.evalExpr(part));
        return s;
      }
      case 'variable':
        return this.lookup(e.name);
      case 'member': {
        const target = await this.evalExpr(e.target);
        return getMember(target, e.member);
      }
      case 'staticMember':
        return staticMember(e.type, e.member, this.host(e.offset));
      case 'index': {
        const target = await this.evalExpr(e.target);
        const idx = await this.evalExpr(e.index);
        return indexValue(target, idx);
      }
      case 'invoke': {
        const args: unknown[] = [];
        for (const a of e.args) args.push(await this.evalExpr(a));
        if (e.isStatic && e.target.kind === 'type') return staticCall(e.target.type, e.member, args, this.host(e.offset));
        const target = await this.evalExpr(e.target);
        return callMethod(target, e.member, args, this.host(e.offset));
      }
      case 'arrayLiteral': {
        const out: unknown[] = [];
        for (const item of e.items) out.push(await this.evalExpr(item));
        return out;
      }
      case 'arrayExpr': {
        const out: unknown[] = [];
        await this.execStatements(e.body, (v) => out.push(v));
        return out;
      }
      case 'subExpr': {
        const out: unknown[] = [];
        await this.execStatements(e.body, (v) => out.push(v));
        return collapse(out);
      }
      case 'paren':
        if (e.pipeline.kind === 'assign') return this.execAssign(e.pipeline);
        return this.pipelineValue(e.pipeline);
      case 'hashtable': {
        const h = new Hashtable();
        for (const entry of e.entries) h.set(toStr(await this.evalExpr(entry.key)), await this.pipelineValue(entry.value));
        return h;
      }
      case 'scriptBlock':
        return new ScriptBlock(e.body, e.text);
      case 'unary': {
        if (e.op === ',') return [await this.evalExpr(e.operand)];
        const v = await this.evalExpr(e.operand);
        if (e.op === '!' || e.op === 'not') return !toBool(v);
        const n = toNumber(v);
        if (Number.isNaN(n)) throw this.opError(`Cannot convert value "${toStr(v)}" to type "System.Int32".`, e.offset);
        return e.op === '-' ? -n : n;
      }
      case 'binary':
        return this.evalBinary(e.op, e.left, e.right, e.offset);
      case 'cast':
        return cast(e.type, await this.evalExpr(e.operand), this.host(e.offset));
      case 'type':
        return `[${e.type}]`;
    }
  }

  protected opError(message: string, offset: number): ShellError {
    return new ShellError(message, { errorId: 'RuntimeException', category: 'InvalidOperation', position: this.positionOf(offset) });
  }

  protected async evalBinary(op: string, le: Expr, re: Expr, offset: number): Promise<unknown> {
    if (op === 'and') return toBool(await this.evalExpr(le)) && toBool(await this.evalExpr(re));
    if (op === 'or') return toBool(await this.evalExpr(le)) || toBool(await this.evalExpr(re));
    const left = await this.evalExpr(le);
    const right = await this.evalExpr(re);
    switch (op) {
      case 'xor': return toBool(left) !== toBool(right);
      case '+': return add(left, right, () => this.opError(`Cannot convert value "${toStr(right)}" to type "System.Int32".`, offset));
      case '-': case '*': case '/': case '%': return arith(op, left, right, () => this.opError(`Cannot convert value "${toStr(right)}" to type "System.Int32".`, offset));
      case '..': {
        const a = toNumber(left), b = toNumber(right);
        if (Math.abs(b - a) > 100000) throw this.opError('The range is too large.', offset);
        const out: number[] = [];
        for (let i = a; a <= b ? i <= b : i >= b; i += a <= b ? 1 : -1) out.push(i);
        return out;
      }
      case 'f': return formatOperator(toStr(left), enumerate(right));
      case 'band': return toNumber(left) & toNumber(right);
      case 'bor': return toNumber(left) | toNumber(right);
      case 'bxor': return toNumber(left) ^ toNumber(right);
      case 'is': case 'isnot': {
        const r = isType(left, right);
        return op === 'is' ? r : !r;
      }
      case 'as':
        try {
          return cast(toStr(right).replace(/^\[|\]$/g, ''), left, this.host(offset));
        } catch {
          return null;
        }
      default: {
        const state: CompareState = {};
        try {
          const r = compare(op, left, right, state);
          if (state.matches) this.scopes[this.scopes.length - 1].set('matches', state.matches);
          return r;
        } catch (err) {
          throw this.opError(err instanceof SyntaxError ? `The regular expression pattern ${toStr(right)} is not valid: ${err.message}` : (err as Error).message, offset);
        }
      }
    }
  }

  /** The .NET surface's view of the session, failing at `offset`. */
  protected host(offset: number): DotNetHost {
    return {
      now: () => (this.options.now ? this.options.now() : new Date()),
      fail: (message) => this.opError(message, offset),
      writeFile: this.options.writeFile,
      readFile: this.readFile,
      invoke: (block, dollarUnder, args) => this.invokeBlock(block, dollarUnder, args),
    };
  }
}
