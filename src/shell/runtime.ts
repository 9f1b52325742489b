// The evaluator: runs a parsed script against the cmdlet registry. A session keeps variables
// between runs (the interactive shell); runScript is the one-shot form (`postern shell -c`).
// Semantics follow PowerShell where admin scripts depend on them: pipelines stream objects,
// assignment collects output ($null / one object / array), a failing statement is reported and
// the next one runs, a parse error stops the whole script before anything runs.//
// The evaluator is layered (runtime/): core.ts (state, variables, errors), expressions.ts,
// dotnet.ts (casts and .NET members), operators.ts, commands.ts (binding, pipelines, functions),
// and this file: scripts, statements and check().
import type { AssignmentStatement, PipelineStatement, Statement, ThrowStatement, TryStatement } from './ast.js';
import { ShellError, ShellParseError, commandNotFound, lineOf } from './errors.js';
import { formatDefault } from './format.js';
import { parseScript } from './parser.js';
import { ErrorRecord, Hashtable, collapse, enumerate, findProperty, isPlainObject, toBool, toNumber, toStr } from './values.js';
import { CommandRunner } from './runtime/commands.js';
import { ReturnSignal, ScriptStopped, type Emit, type RunState } from './runtime/core.js';
import { add, arith, catches, stmtOffset } from './runtime/operators.js';

export type { ShellSessionOptions } from './runtime/core.js';

export interface ScriptResult {
  /** What the admin sees: formatted output, Write-Host text, warnings. */
  output: string;
  errors: ShellError[];
  warnings: string[];
  /** The raw output objects of the top-level statements (for the API and tests). */
  values: unknown[];
  /** 0 when no error was reported, 1 otherwise (PowerShell's $? at exit). */
  exitCode: number;
}

export class ShellSession extends CommandRunner {
  /** Runs a script; variables persist for the next run. */
  async run(text: string): Promise<ScriptResult> {
    const state: RunState = { text, output: [], errors: [], warnings: [] };
    this.state = state;
    const values: unknown[] = [];
    let statements: Statement[];
    try {
      statements = parseScript(text).statements;
    } catch (e) {
      if (e instanceof ShellParseError) {
        e.sourceLine = e.position ? lineOf(text, e.position.line) : undefined;
        return { output: '', errors: [e], warnings: [], values: [], exitCode: 1 };
      }
      throw e;
    }
    const width = this.options.width ?? 120;
    const write = (produced: unknown[]) => {
      values.push(...produced);
      const text = formatDefault(produced, width, this.registry.views);
      if (text) state.output.push(text);
    };
    for (const stmt of statements) {
      // what a statement wrote before failing is shown too (a finally block's output, ...)
      const produced: unknown[] = [];
      try {
        await this.execStatement(stmt, (v) => produced.push(v));
        write(produced);
      } catch (e) {
        write(produced);
        if (e instanceof ScriptStopped) {
          this.report(e.error);
          break;
        }
        if (e instanceof ReturnSignal) {
          write(e.output); // `return` at the top level ends the script, after writing its value
          break;
        }
        this.report(this.toShellError(e, stmtOffset(stmt)));
        if (/^stop$/i.test(toStr(this.lookup('ErrorActionPreference')))) break;
      }
    }
    const errors = state.errors;
    return { output: state.output.join(''), errors, warnings: state.warnings, values, exitCode: errors.length ? 1 : 0 };
  }

  /**
   * Parses the script and binds every command's parameters without running any cmdlet that
   * changes something (expressions in arguments are evaluated, so `(Get-Date).AddDays(-2)` and
   * nested Get-* commands run). Returns the errors a run would report first: parse
   * errors, unknown commands, unknown/ambiguous parameters, conversions, ranges, missing
   * mandatory parameters (except those a pipeline could supply).
   */
  async check(text: string): Promise<ShellError[]> {
    this.checking = true;
    try {
      return await this.checkScript(text);
    } finally {
      this.checking = false;
    }
  }


  protected async checkScript(text: string): Promise<ShellError[]> {
    this.state = { text, output: [], errors: [], warnings: [] };
    let statements: Statement[];
    try {
      statements = parseScript(text).statements;
    } catch (e) {
      if (e instanceof ShellParseError) {
        e.sourceLine = e.position ? lineOf(text, e.position.line) : undefined;
        return [e];
      }
      throw e;
    }
    const errors: ShellError[] = [];
    const checkStatements = async (list: Statement[]): Promise<void> => {
      for (const stmt of list) {
        try {
          if (stmt.kind === 'assign') {
            await this.checkPipeline(stmt.value);
            const single = stmt.value.elements.length === 1 && stmt.value.elements[0].kind === 'expression';
            if (stmt.target.kind === 'variable') this.assignVariable(stmt.target.name, single ? await this.pipelineValue(stmt.value) : null);
          } else if (stmt.kind === 'pipeline') {
            await this.checkPipeline(stmt);
          } else if (stmt.kind === 'foreach') {
            await this.checkPipeline(stmt.collection);
            await checkStatements(stmt.body);
          } else if (stmt.kind === 'if') {
            for (const c of stmt.clauses) {
              await this.checkPipeline(c.condition);
              await checkStatements(c.body);
            }
            if (stmt.elseBody) await checkStatements(stmt.elseBody);
          } else if (stmt.kind === 'function') {
            this.functions.set(stmt.name.toLowerCase(), stmt);
          } else if (stmt.kind === 'try') {
            await checkStatements(stmt.body);
            for (const c of stmt.catches) await checkStatements(c.body);
            if (stmt.finallyBody) await checkStatements(stmt.finallyBody);
          } else if (stmt.value) {
            await this.checkPipeline(stmt.value);
          }
        } catch (e) {
          errors.push(this.toShellError(e, stmt.offset));
        }
      }
    };
    await checkStatements(statements);
    return errors;
  }

  protected async checkPipeline(p: PipelineStatement): Promise<void> {
    for (let i = 0; i < p.elements.length; i++) {
      const el = p.elements[i];
      if (el.kind !== 'command' || this.functions.has(el.name.toLowerCase())) continue;
      const def = this.registry.get(el.name);
      if (!def) {
        throw commandNotFound(el.name, this.positionOf(el.offset));
      }
      const args = await this.commandArguments(el);
      this.bind(def, args, { positionOf: this.positionOf, commandOffset: el.offset, skipMandatory: i > 0 && def.inputMode !== 'collect' });
    }
  }

  // ---------------------------------------------------------------- statements

  protected async execStatements(statements: Statement[], emit: Emit): Promise<void> {
    for (const s of statements) await this.execStatement(s, emit);
  }

  protected async execStatement(stmt: Statement, emit: Emit): Promise<void> {
    switch (stmt.kind) {
      case 'assign':
        await this.execAssign(stmt);
        return;
      case 'pipeline':
        for (const v of await this.runPipeline(stmt)) emit(v);
        return;
      case 'foreach': {
        const coll = enumerate(await this.pipelineValue(stmt.collection));
        for (const item of coll) {
          this.assignVariable(stmt.variable, item);
          await this.execStatements(stmt.body, emit);
        }
        return;
      }
      case 'if': {
        for (const clause of stmt.clauses) {
          if (toBool(await this.pipelineValue(clause.condition))) {
            await this.execStatements(clause.body, emit);
            return;
          }
        }
        if (stmt.elseBody) await this.execStatements(stmt.elseBody, emit);
        return;
      }
      case 'function':
        this.functions.set(stmt.name.toLowerCase(), stmt);
        return;
      case 'try':
        await this.execTry(stmt, emit);
        return;
      case 'throw':
        throw await this.thrown(stmt);
      case 'return': {
        const output: unknown[] = [];
        if (stmt.value) for (const v of await this.runPipeline(stmt.value)) output.push(v);
        throw new ReturnSignal(output);
      }
    }
  }

  /** try/catch/finally: a catch takes any error that would stop the statement, with $_ its ErrorRecord. */
  protected async execTry(stmt: TryStatement, emit: Emit): Promise<void> {
    try {
      await this.execStatements(stmt.body, emit);
    } catch (e) {
      if (e instanceof ReturnSignal) throw e;
      const error = e instanceof ScriptStopped ? e.error : this.toShellError(e, stmt.offset);
      const clause = stmt.catches.find((c) => c.types.length === 0 || c.types.some((t) => catches(t, error)));
      if (!clause) throw e;
      this.scopes[this.scopes.length - 1].set('_', new ErrorRecord(error));
      await this.execStatements(clause.body, emit);
    } finally {
      if (stmt.finallyBody) await this.execStatements(stmt.finallyBody, emit);
    }
  }

  /** The error `throw` raises: its message, or the caught error itself (`throw $_`). */
  protected async thrown(stmt: ThrowStatement): Promise<ShellError> {
    const value = stmt.value ? await this.pipelineValue(stmt.value) : null;
    if (value instanceof ErrorRecord && value.error instanceof ShellError) return value.error;
    const message = value === null ? 'ScriptHalted' : toStr(value);
    return new ShellError(message, { errorId: message, category: 'OperationStopped', position: this.positionOf(stmt.offset) });
  }

  protected async execAssign(stmt: AssignmentStatement): Promise<unknown> {
    let value = await this.pipelineValue(stmt.value);
    const t = stmt.target;
    if (stmt.op !== '=') {
      const current = await this.evalExpr(t);
      value = stmt.op === '+=' ? add(current, value) : arith('-', current, value);
    }
    if (t.kind === 'variable') {
      if (t.name.toLowerCase() === 'null') return value; // `$null = ...` discards the output
      this.assignVariable(t.name, value);
    } else if (t.kind === 'member') {
      const obj = await this.evalExpr(t.target);
      if (obj instanceof Hashtable) obj.set(t.member, value);
      else if (isPlainObject(obj)) {
        const existing = findProperty(obj, t.member);
        obj[existing ? existing[0] : t.member] = value;
      } else {
        throw new ShellError(`The property '${t.member}' cannot be found on this object. Verify that the property exists and can be set.`, { errorId: 'PropertyAssignmentException', category: 'InvalidOperation', position: this.positionOf(t.offset) });
      }
    } else {
      const obj = await this.evalExpr(t.target);
      const idx = await this.evalExpr(t.index);
      if (obj instanceof Hashtable) obj.set(toStr(idx), value);
      else if (Array.isArray(obj)) obj[toNumber(idx) < 0 ? obj.length + toNumber(idx) : toNumber(idx)] = value;
      else if (isPlainObject(obj)) obj[toStr(idx)] = value;
      else throw new ShellError('Cannot index into a null array.', { errorId: 'NullArray', category: 'InvalidOperation', position: this.positionOf(t.offset) });
    }
    return value;
  }

  /** A pipeline used as a value: a lone expression keeps its value (arrays stay arrays). */
  protected async pipelineValue(p: PipelineStatement): Promise<unknown> {
    if (p.elements.length === 1 && p.elements[0].kind === 'expression') return this.evalExpr(p.elements[0].expr);
    return collapse(await this.runPipeline(p));
  }

  protected async runPipeline(p: PipelineStatement): Promise<unknown[]> {
    let stream: unknown[] | undefined;
    for (const el of p.elements) {
      if (el.kind === 'expression') stream = enumerate(await this.evalExpr(el.expr));
      else stream = await this.invokeCommand(el, stream);
    }
    return stream ?? [];
  }
}
