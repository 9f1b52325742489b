// The evaluator: runs a parsed script against the cmdlet registry. A session keeps variables
// between runs (the interactive shell); runScript is the one-shot form (`postern shell -c`).
// Semantics follow PowerShell where admin scripts depend on them: pipelines stream objects,
// assignment collects output ($null / one object / array), a failing statement is reported and
// the next one runs, a parse error stops the whole script before anything runs.
import { randomUUID } from 'node:crypto';
import type {
  AssignmentStatement,
  CommandCall,
  Expr,
  FunctionDefinition,
  FunctionParameter,
  PipelineStatement,
  Statement,
  ThrowStatement,
  TryStatement,
} from './ast.js';
import { ShellError, ShellParseError, fromCategorised, lineOf, positionAt } from './errors.js';
import { formatDefault } from './format.js';
import { parseScript } from './parser.js';
import { BoundParameters, CmdletRegistry, bindParameters, type CmdletContext, type CmdletDef, type RawArgument } from './registry.js';
import type { OrganizationAdmin } from '../admin/types.js';
import { parseDateTime } from './types.js';
import {
  ErrorRecord,
  Hashtable,
  ScriptBlock,
  collapse,
  compare,
  enumerate,
  findProperty,
  getMember,
  isPlainObject,
  toBool,
  toNumber,
  toStr,
  type CompareState,
} from './values.js';

export interface ShellSessionOptions {
  services: OrganizationAdmin;
  /** Cmdlets available; defaults to every Postern cmdlet (see cmdlets/index.ts). */
  registry: CmdletRegistry;
  /** Clock (UTC). Defaults to the system clock. */
  now?: () => Date;
  /** Console width for tables. Default 120. */
  width?: number;
  /** Asked before High-impact changes unless -Confirm:$false; absent = non-interactive (error). */
  confirm?: (message: string) => Promise<boolean>;
  /** Writes a file (Export-Csv, Export-QuarantineMessage). Absent = those cmdlets fail. */
  writeFile?: (path: string, content: string | Uint8Array) => Promise<void>;
  /** Reads a file (Get-Content, Test-MailFlow -MessageFile). Absent = those cmdlets fail. */
  readFile?: (path: string) => Promise<string>;
  /** Initial variables. */
  variables?: Record<string, unknown>;
}

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

/** Cmdlets that change state; check() never runs them, even nested in an argument. */
const CHANGING_VERBS = /^(New|Set|Remove|Enable|Disable|Release|Delete|Start|Stop|Export|Test|Invoke)-/i;

/** Stops the script: $ErrorActionPreference = 'Stop' or -ErrorAction Stop on a failing command. */
class ScriptStopped extends Error {
  constructor(readonly error: ShellError) {
    super(error.message);
  }
}

/** `return`: leaves the function or script block (or the script) with this output. */
class ReturnSignal {
  constructor(readonly output: unknown[]) {}
}

interface RunState {
  text: string;
  output: string[];
  errors: ShellError[];
  warnings: string[];
}

type Emit = (value: unknown) => void;

export class ShellSession {
  private readonly globals = new Map<string, unknown>();
  /** Functions defined by the scripts run in this session (by lower-case name). */
  private readonly functions = new Map<string, FunctionDefinition>();
  private scopes: Map<string, unknown>[] = [this.globals];
  private state: RunState = { text: '', output: [], errors: [], warnings: [] };

  /** The session's file reader, answering a missing or unreadable file in PowerShell's words. */
  private readonly readFile?: (path: string) => Promise<string>;

  constructor(readonly options: ShellSessionOptions) {
    this.readFile = options.readFile && readingWith(options.readFile);
    for (const [k, v] of Object.entries(options.variables ?? {})) this.globals.set(k.toLowerCase(), v);
  }

  get services(): OrganizationAdmin {
    return this.options.services;
  }

  get registry(): CmdletRegistry {
    return this.options.registry;
  }

  getVariable(name: string): unknown {
    return this.lookup(name);
  }

  /** Names of the variables set in this session (for completion). */
  variableNames(): string[] {
    return [...this.globals.keys()];
  }

  setVariable(name: string, value: unknown): void {
    this.globals.set(name.toLowerCase(), value);
  }

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
      const text = formatDefault(produced, width);
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

  private checking = false;

  private async checkScript(text: string): Promise<ShellError[]> {
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

  private async checkPipeline(p: PipelineStatement): Promise<void> {
    for (let i = 0; i < p.elements.length; i++) {
      const el = p.elements[i];
      if (el.kind !== 'command' || this.functions.has(el.name.toLowerCase())) continue;
      const def = this.registry.get(el.name);
      if (!def) {
        throw new ShellError(`The term '${el.name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`, {
          errorId: 'CommandNotFoundException',
          category: 'ObjectNotFound',
          position: this.positionOf(el.offset),
        });
      }
      const args = await this.commandArguments(el);
      this.bind(def, args, { positionOf: this.positionOf, commandOffset: el.offset, skipMandatory: i > 0 && def.inputMode !== 'collect' });
    }
  }

  // ---------------------------------------------------------------- errors

  private positionOf = (offset: number) => (offset < 0 ? undefined : positionAt(this.state.text, offset));

  private toShellError(e: unknown, offset: number, command?: string): ShellError {
    let err: ShellError;
    if (e instanceof ShellError) err = e;
    else err = fromCategorised(e) ?? new ShellError(e instanceof Error ? e.message : String(e), { errorId: 'UnexpectedError', category: 'NotSpecified' });
    if (!err.position && offset >= 0) err.position = this.positionOf(offset);
    if (!err.command && command) err.command = command;
    if (err.position && err.sourceLine === undefined) err.sourceLine = lineOf(this.state.text, err.position.line);
    return err;
  }

  private report(err: ShellError): void {
    this.state.errors.push(err);
    const list = this.globals.get('error');
    if (Array.isArray(list)) list.unshift(err);
    else this.globals.set('error', [err]);
  }

  // ---------------------------------------------------------------- variables

  private lookup(name: string): unknown {
    const key = name.toLowerCase();
    switch (key) {
      case 'true': return true;
      case 'false': return false;
      case 'null': return null;
      case 'psitem': return this.lookup('_');
    }
    if (key.startsWith('env:')) return null; // the shell does not expose the server's environment
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].has(key)) return this.scopes[i].get(key);
    return null;
  }

  private assignVariable(name: string, value: unknown): void {
    const key = name.toLowerCase();
    if (key === 'true' || key === 'false' || key === 'null') {
      throw new ShellError(`Cannot overwrite variable ${name} because it is read-only or constant.`, { errorId: 'VariableNotWritable', category: 'InvalidOperation' });
    }
    this.scopes[this.scopes.length - 1].set(key, value);
  }

  // ---------------------------------------------------------------- statements

  private async execStatements(statements: Statement[], emit: Emit): Promise<void> {
    for (const s of statements) await this.execStatement(s, emit);
  }

  private async execStatement(stmt: Statement, emit: Emit): Promise<void> {
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
  private async execTry(stmt: TryStatement, emit: Emit): Promise<void> {
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
  private async thrown(stmt: ThrowStatement): Promise<ShellError> {
    const value = stmt.value ? await this.pipelineValue(stmt.value) : null;
    if (value instanceof ErrorRecord && value.error instanceof ShellError) return value.error;
    const message = value === null ? 'ScriptHalted' : toStr(value);
    return new ShellError(message, { errorId: message, category: 'OperationStopped', position: this.positionOf(stmt.offset) });
  }

  /**
   * Calls a script function: named arguments bind to its parameters (switches take no value),
   * the rest fill the remaining parameters in order and then $args; pipeline input is $input.
   */
  private async invokeFunction(fn: FunctionDefinition, cmd: CommandCall, input: unknown[] | undefined): Promise<unknown[]> {
    const scope = new Map<string, unknown>();
    const given = new Set<string>();
    const rest: unknown[] = [];
    const args = await this.commandArguments(cmd);
    const isSwitch = (p: FunctionParameter) => /^switch$/i.test(p.type ?? '');
    const set = (p: FunctionParameter, value: unknown, offset: number) => {
      if (given.has(p.name.toLowerCase())) throw this.functionError(fn, `Cannot bind parameter because parameter '${p.name}' is specified more than once.`, 'ParameterAlreadyBound', offset);
      given.add(p.name.toLowerCase());
      scope.set(p.name.toLowerCase(), p.type && !isSwitch(p) ? this.cast(p.type, value, offset) : value);
    };
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a.kind === 'positional') {
        rest.push(a.value);
        continue;
      }
      const lower = a.name.toLowerCase();
      const matches = fn.parameters.filter((p) => p.name.toLowerCase().startsWith(lower));
      const p = matches.find((m) => m.name.toLowerCase() === lower) ?? (matches.length === 1 ? matches[0] : undefined);
      if (!p) {
        const why = matches.length ? `is ambiguous. Possible matches include: ${matches.map((m) => '-' + m.name).join(' ')}.` : "cannot be found.";
        throw this.functionError(fn, matches.length ? `Parameter cannot be processed because the parameter name '${a.name}' ${why}` : `A parameter cannot be found that matches parameter name '${a.name}'.`, matches.length ? 'AmbiguousParameter' : 'NamedParameterNotFound', a.offset);
      }
      if (a.colon) set(p, a.value, a.offset);
      else if (isSwitch(p)) set(p, true, a.offset);
      else {
        const next = args[i + 1];
        if (!next || next.kind !== 'positional') throw this.functionError(fn, `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${p.type ?? 'System.Object'}' and try again.`, 'MissingArgument', a.offset);
        set(p, next.value, next.offset);
        i++;
      }
    }
    for (const p of fn.parameters) {
      if (given.has(p.name.toLowerCase()) || isSwitch(p)) continue;
      if (rest.length) set(p, rest.shift(), cmd.offset);
    }
    const missing = fn.parameters.filter((p) => p.mandatory && !given.has(p.name.toLowerCase()));
    if (missing.length) throw this.functionError(fn, `Cannot process command because of one or more missing mandatory parameters: ${missing.map((p) => p.name).join(' ')}.`, 'MissingMandatoryParameter', cmd.offset);
    scope.set('args', rest);
    scope.set('input', input ?? []);
    return this.inScope(scope, fn.body, async () => {
      // defaults are evaluated in the function's scope, so one may use another parameter
      for (const p of fn.parameters) {
        if (given.has(p.name.toLowerCase())) continue;
        scope.set(p.name.toLowerCase(), isSwitch(p) ? false : p.defaultValue ? await this.evalExpr(p.defaultValue) : null);
      }
    });
  }

  /** Runs statements in a child scope; `return` ends them with its value. */
  private async inScope(scope: Map<string, unknown>, body: Statement[], prepare?: () => Promise<void>): Promise<unknown[]> {
    this.scopes.push(scope);
    try {
      await prepare?.();
      const out: unknown[] = [];
      try {
        await this.execStatements(body, (v) => out.push(v));
      } catch (e) {
        if (!(e instanceof ReturnSignal)) throw e;
        out.push(...e.output);
      }
      return out;
    } finally {
      this.scopes.pop();
    }
  }

  private functionError(fn: FunctionDefinition, message: string, errorId: string, offset: number): ShellError {
    return new ShellError(message, { errorId, category: 'InvalidArgument', command: fn.name, position: this.positionOf(offset) });
  }

  private async execAssign(stmt: AssignmentStatement): Promise<unknown> {
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
  private async pipelineValue(p: PipelineStatement): Promise<unknown> {
    if (p.elements.length === 1 && p.elements[0].kind === 'expression') return this.evalExpr(p.elements[0].expr);
    return collapse(await this.runPipeline(p));
  }

  private async runPipeline(p: PipelineStatement): Promise<unknown[]> {
    let stream: unknown[] | undefined;
    for (const el of p.elements) {
      if (el.kind === 'expression') stream = enumerate(await this.evalExpr(el.expr));
      else stream = await this.invokeCommand(el, stream);
    }
    return stream ?? [];
  }

  // ---------------------------------------------------------------- commands

  private async commandArguments(cmd: CommandCall): Promise<RawArgument[]> {
    const out: RawArgument[] = [];
    for (const el of cmd.elements) {
      if (el.kind === 'parameter') {
        if (el.colon && el.colonValue) out.push({ kind: 'named', name: el.name, offset: el.offset, colon: true, hasValue: true, value: await this.evalExpr(el.colonValue), valueOffset: el.colonValue.offset });
        else out.push({ kind: 'named', name: el.name, offset: el.offset, colon: el.colon, hasValue: false });
      } else if (el.kind === 'argument') {
        out.push({ kind: 'positional', value: await this.evalExpr(el.value), offset: el.value.offset });
      } else {
        const v = this.lookup(el.variable);
        if (v instanceof Hashtable) {
          for (const [k, x] of v.entries()) out.push({ kind: 'named', name: k, offset: el.offset, colon: true, hasValue: true, value: x });
        } else if (isPlainObject(v)) {
          for (const [k, x] of Object.entries(v)) out.push({ kind: 'named', name: k, offset: el.offset, colon: true, hasValue: true, value: x });
        } else if (Array.isArray(v)) {
          for (const x of v) out.push({ kind: 'positional', value: x, offset: el.offset });
        } else if (v !== null) {
          out.push({ kind: 'positional', value: v, offset: el.offset });
        }
      }
    }
    return out;
  }

  private async invokeCommand(cmd: CommandCall, input: unknown[] | undefined): Promise<unknown[]> {
    const fn = this.functions.get(cmd.name.toLowerCase());
    if (fn) return this.checking ? [] : this.invokeFunction(fn, cmd, input);
    const def = this.registry.get(cmd.name);
    if (!def) {
      throw new ShellError(`The term '${cmd.name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`, {
        errorId: 'CommandNotFoundException',
        category: 'ObjectNotFound',
        position: this.positionOf(cmd.offset),
      });
    }
    const args = await this.commandArguments(cmd);
    const bindOpts = { positionOf: this.positionOf, commandOffset: cmd.offset };
    if (this.checking && CHANGING_VERBS.test(def.name)) {
      // check(): a command nested in an argument that would change something is bound, not run
      this.bind(def, args, { ...bindOpts, skipMandatory: input !== undefined });
      return [];
    }
    if (input === undefined || def.inputMode === 'collect') {
      const bound = this.bind(def, args, bindOpts);
      return this.callRun(def, cmd, bound, input ?? []);
    }
    if (input.length === 0) {
      // nothing to process, but a misspelt parameter is still an error
      this.bind(def, args, { ...bindOpts, skipMandatory: true });
      return [];
    }
    const out: unknown[] = [];
    for (const item of input) {
      let bound: BoundParameters;
      try {
        bound = this.bind(def, args, { ...bindOpts, pipelineObject: item, hasPipelineObject: true });
      } catch (e) {
        // A binding failure for one input object is non-terminating: the next object is tried.
        const err = this.toShellError(e, cmd.offset, def.name);
        err.terminating = false;
        this.nonTerminating(def, err, undefined);
        continue;
      }
      try {
        out.push(...(await this.callRun(def, cmd, bound, [item])));
      } catch (e) {
        // Exchange cmdlets report a failure for one input object (not found, ...) and go on.
        if (e instanceof ScriptStopped) throw e;
        const err = this.toShellError(e, cmd.offset, def.name);
        err.terminating = false;
        this.nonTerminating(def, err, bound);
      }
    }
    return out;
  }

  private bind(def: CmdletDef, args: RawArgument[], opts: Parameters<typeof bindParameters>[2]): BoundParameters {
    try {
      return bindParameters(def, args, opts);
    } catch (e) {
      if (e instanceof ShellError) {
        if (e.position) e.sourceLine = lineOf(this.state.text, e.position.line);
      }
      throw e;
    }
  }

  private readonly recorded = new WeakSet<ShellError>();

  private recordErrorVariable(name: string, err: ShellError): void {
    if (this.recorded.has(err)) return;
    this.recorded.add(err);
    const key = name.replace(/^\+/, '');
    const current = this.lookup(key);
    this.assignVariable(key, [...(Array.isArray(current) ? current : []), err]);
  }

  private nonTerminating(def: CmdletDef, err: ShellError, bound: BoundParameters | undefined): void {
    if (!err.command) err.command = def.name;
    const ev = bound?.get<string>('ErrorVariable');
    if (ev) this.recordErrorVariable(ev, err);
    const pref = toStr(bound?.get('ErrorAction') ?? this.lookup('ErrorActionPreference') ?? 'Continue').toLowerCase();
    if (pref === 'silentlycontinue' || pref === 'ignore') return;
    if (pref === 'stop') throw new ScriptStopped(err); // reported where it stops, unless a catch takes it
    this.report(err);
  }

  private async callRun(def: CmdletDef, cmd: CommandCall, bound: BoundParameters, input: unknown[]): Promise<unknown[]> {
    const out: unknown[] = [];
    const ctx = this.context(def, cmd, bound);
    const ev = bound.get<string>('ErrorVariable');
    if (ev && !ev.startsWith('+')) this.assignVariable(ev, []);
    let result: unknown;
    try {
      result = await def.run(ctx, bound, input);
    } catch (e) {
      if (e instanceof ScriptStopped) throw e;
      const err = this.toShellError(e, cmd.offset, def.name);
      if (ev) this.recordErrorVariable(ev, err);
      const pref = toStr(bound.get('ErrorAction') ?? '').toLowerCase();
      if (pref === 'silentlycontinue' || pref === 'ignore') return [];
      if (pref === 'stop') throw new ScriptStopped(err);
      throw err;
    }
    if (result !== undefined) out.push(...(Array.isArray(result) ? result : [result]));
    const ov = bound.get<string>('OutVariable');
    if (ov) this.assignVariable(ov.replace(/^\+/, ''), out);
    return out;
  }

  private context(def: CmdletDef, cmd: CommandCall, bound: BoundParameters): CmdletContext {
    const state = this.state;
    return {
      services: this.services,
      commandName: def.name,
      registry: this.registry,
      width: this.options.width ?? 120,
      writeFile: this.options.writeFile,
      readFile: this.readFile,
      now: () => (this.options.now ? this.options.now() : new Date()),
      shouldProcess: async (target: string, action: string): Promise<boolean> => {
        if (bound.get('WhatIf') === true) {
          state.output.push(`What if: ${action} "${target}".\n`);
          return false;
        }
        const confirm = bound.has('Confirm') ? bound.get('Confirm') === true : def.confirmImpact === 'High';
        if (!confirm) return true;
        const question = `Are you sure you want to perform this action?\n${action} "${target}".`;
        if (!this.options.confirm) {
          throw new ShellError(`Confirmation is required for: ${action} "${target}". The shell isn't interactive; add -Confirm:$false to run this command without confirmation.`, {
            errorId: 'ConfirmationRequired',
            category: 'OperationStopped',
            parameter: 'Confirm',
            command: def.name,
          });
        }
        return this.options.confirm(question);
      },
      writeWarning(message: string) {
        const pref = toStr(bound.get('WarningAction') ?? '').toLowerCase();
        if (pref === 'silentlycontinue' || pref === 'ignore') return;
        state.warnings.push(message);
        state.output.push(`WARNING: ${message}\n`);
      },
      writeHost(text: string) {
        state.output.push(text.endsWith('\n') ? text : text + '\n');
      },
      writeError: (error: ShellError | string) => {
        const err = typeof error === 'string' ? new ShellError(error, { command: def.name, terminating: false }) : error;
        err.terminating = false;
        if (!err.position) err.position = this.positionOf(cmd.offset);
        if (err.position && err.sourceLine === undefined) err.sourceLine = lineOf(state.text, err.position.line);
        this.nonTerminating(def, err, bound);
      },
      invoke: (block: ScriptBlock, dollarUnder?: unknown, args?: unknown[]) => this.invokeBlock(block, dollarUnder, args),
    };
  }

  /** Runs a script block in a child scope with $_ (and $args) set. */
  async invokeBlock(block: ScriptBlock, dollarUnder?: unknown, args: unknown[] = []): Promise<unknown[]> {
    return this.inScope(new Map<string, unknown>([['_', dollarUnder ?? null], ['args', args]]), block.body);
  }

  // ---------------------------------------------------------------- expressions

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
        return this.staticMember(e.type, e.member, e.offset);
      case 'index': {
        const target = await this.evalExpr(e.target);
        const idx = await this.evalExpr(e.index);
        return indexValue(target, idx);
      }
      case 'invoke': {
        const args: unknown[] = [];
        for (const a of e.args) args.push(await this.evalExpr(a));
        if (e.isStatic && e.target.kind === 'type') return this.staticCall(e.target.type, e.member, args, e.offset);
        const target = await this.evalExpr(e.target);
        return this.callMethod(target, e.member, args, e.offset);
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
        return this.cast(e.type, await this.evalExpr(e.operand), e.offset);
      case 'type':
        return `[${e.type}]`;
    }
  }

  private opError(message: string, offset: number): ShellError {
    return new ShellError(message, { errorId: 'RuntimeException', category: 'InvalidOperation', position: this.positionOf(offset) });
  }

  private async evalBinary(op: string, le: Expr, re: Expr, offset: number): Promise<unknown> {
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
          return this.cast(toStr(right).replace(/^\[|\]$/g, ''), left, offset);
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

  private cast(typeRaw: string, v: unknown, offset: number): unknown {
    const type = typeRaw.toLowerCase().replace(/^system\./, '');
    const bad = () => this.opError(`Cannot convert value "${toStr(v)}" to type "${typeRaw}".`, offset);
    switch (type) {
      case 'int': case 'int32': case 'long': case 'int64': case 'double': case 'decimal': {
        const n = toNumber(Array.isArray(v) && v.length === 1 ? v[0] : v);
        if (Number.isNaN(n)) throw bad();
        return type === 'double' || type === 'decimal' ? n : Math.round(n);
      }
      case 'string': return toStr(v);
      case 'void': return undefined;
      case 'bool': case 'boolean': return toBool(v);
      case 'datetime': {
        if (v instanceof Date) return v;
        const d = parseDateTime(toStr(v));
        if (!d) throw bad();
        return d;
      }
      case 'array': case 'object[]': case 'string[]': return type === 'string[]' ? enumerate(v).map(toStr) : enumerate(v);
      case 'pscustomobject': case 'psobject':
        if (v instanceof Hashtable) return v.toObject();
        return v;
      case 'hashtable': case 'ordered':
        if (v instanceof Hashtable) return v;
        if (isPlainObject(v)) return Hashtable.from(Object.entries(v));
        throw bad();
      case 'guid': {
        const s = toStr(v);
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) throw bad();
        return s.toLowerCase();
      }
      case 'scriptblock':
        if (v instanceof ScriptBlock) return v;
        return new ScriptBlock(parseScript(toStr(v)).statements, toStr(v));
      default:
        throw this.opError(`Unable to find type [${typeRaw}].`, offset);
    }
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private staticMember(type: string, member: string, offset: number): unknown {
    const t = type.toLowerCase().replace(/^system\./, '');
    const m = member.toLowerCase();
    if (t === 'datetime' && (m === 'now' || m === 'utcnow')) return this.now();
    if (t === 'datetime' && m === 'today') {
      const n = this.now();
      return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate()));
    }
    if (t === 'string' && m === 'empty') return '';
    if ((t === 'int' || t === 'int32') && m === 'maxvalue') return 2147483647;
    if ((t === 'int' || t === 'int32') && m === 'minvalue') return -2147483648;
    throw this.opError(`The static member '${member}' of type [${type}] is not supported.`, offset);
  }

  private staticCall(type: string, member: string, args: unknown[], offset: number): unknown {
    const t = type.toLowerCase().replace(/^system\./, '');
    const m = member.toLowerCase();
    if (t === 'datetime' && m === 'parse') {
      const d = parseDateTime(toStr(args[0]));
      if (!d) throw this.opError(`Exception calling "Parse" with "1" argument(s): "String '${toStr(args[0])}' was not recognized as a valid DateTime."`, offset);
      return d;
    }
    if (t === 'guid' && m === 'newguid') return randomUUID();
    if (t === 'convert' && m === 'frombase64string') return new Uint8Array(Buffer.from(toStr(args[0]), 'base64'));
    if (t === 'convert' && m === 'tobase64string') return Buffer.from(args[0] instanceof Uint8Array ? args[0] : Buffer.from(toStr(args[0]))).toString('base64');
    if ((t === 'io.file') && (m === 'writeallbytes' || m === 'writealltext')) {
      // Export-QuarantineMessage's documented pattern: [IO.File]::WriteAllBytes($path, [Convert]::FromBase64String($e.Eml))
      const write = this.options.writeFile;
      if (!write) throw this.opError('Writing files is not available in this shell session.', offset);
      const data = args[1] instanceof Uint8Array ? args[1] : toStr(args[1]);
      return write(toStr(args[0]), data).then(() => undefined);
    }
    if (t === 'io.file' && m === 'readalltext') {
      const read = this.readFile;
      if (!read) throw this.opError('Reading files is not available in this shell session.', offset);
      return read(toStr(args[0]));
    }
    if (t === 'math') {
      const n = args.map(toNumber);
      switch (m) {
        case 'round': return n.length > 1 ? Number(n[0].toFixed(n[1])) : Math.round(n[0]);
        case 'floor': return Math.floor(n[0]);
        case 'ceiling': return Math.ceil(n[0]);
        case 'abs': return Math.abs(n[0]);
        case 'max': return Math.max(n[0], n[1]);
        case 'min': return Math.min(n[0], n[1]);
      }
    }
    if (t === 'string' && m === 'isnullorempty') return args[0] === null || args[0] === undefined || toStr(args[0]) === '';
    if (t === 'string' && m === 'join') return enumerate(args[1]).map(toStr).join(toStr(args[0]));
    throw this.opError(`Method invocation failed because [${type}] does not contain a method named '${member}'.`, offset);
  }

  private callMethod(target: unknown, member: string, args: unknown[], offset: number): unknown {
    const m = member.toLowerCase();
    const s = (i: number) => toStr(args[i]);
    const missing = () => this.opError(`Method invocation failed because [${typeLabel(target)}] does not contain a method named '${member}'.`, offset);
    if (m === 'tostring' && !(target instanceof Date && args.length)) return toStr(target);
    if (m === 'gettype') return { Name: typeLabel(target), FullName: typeLabel(target) };
    if (typeof target === 'string') {
      switch (m) {
        case 'toupper': case 'toupperinvariant': return target.toUpperCase();
        case 'tolower': case 'tolowerinvariant': return target.toLowerCase();
        case 'trim': return args.length ? trimChars(target, s(0), true, true) : target.trim();
        case 'trimstart': return args.length ? trimChars(target, s(0), true, false) : target.trimStart();
        case 'trimend': return args.length ? trimChars(target, s(0), false, true) : target.trimEnd();
        case 'startswith': return target.toLowerCase().startsWith(s(0).toLowerCase()) && (args.length < 2 || true);
        case 'endswith': return target.toLowerCase().endsWith(s(0).toLowerCase());
        case 'contains': return target.includes(s(0));
        case 'indexof': return target.indexOf(s(0));
        case 'replace': return target.split(s(0)).join(s(1));
        case 'split': return target.split(args.length ? new RegExp(`[${s(0).replace(/[\]\\^-]/g, '\\$&')}]`) : /\s/);
        case 'substring': return args.length > 1 ? target.substr(toNumber(args[0]), toNumber(args[1])) : target.slice(toNumber(args[0]));
        case 'padleft': return target.padStart(toNumber(args[0]), args.length > 1 ? s(1) : ' ');
        case 'padright': return target.padEnd(toNumber(args[0]), args.length > 1 ? s(1) : ' ');
        case 'equals': return target === s(0);
      }
      throw missing();
    }
    if (target instanceof Date) {
      const add = (ms: number) => new Date(target.getTime() + ms);
      switch (m) {
        case 'adddays': return add(toNumber(args[0]) * 86400000);
        case 'addhours': return add(toNumber(args[0]) * 3600000);
        case 'addminutes': return add(toNumber(args[0]) * 60000);
        case 'addseconds': return add(toNumber(args[0]) * 1000);
        case 'addmonths': { const d = new Date(target); d.setUTCMonth(d.getUTCMonth() + toNumber(args[0])); return d; }
        case 'addyears': { const d = new Date(target); d.setUTCFullYear(d.getUTCFullYear() + toNumber(args[0])); return d; }
        case 'touniversaltime': case 'tolocaltime': return target;
        case 'toshortdatestring': return `${target.getUTCMonth() + 1}/${target.getUTCDate()}/${target.getUTCFullYear()}`;
        case 'tostring': return formatDateWith(target, s(0));
      }
      throw missing();
    }
    if (Array.isArray(target)) {
      switch (m) {
        case 'contains': return target.some((x) => compare('eq', x, args[0]) === true);
        case 'indexof': return target.findIndex((x) => compare('eq', x, args[0]) === true);
      }
      throw missing();
    }
    if (target instanceof Hashtable) {
      switch (m) {
        case 'add':
          if (target.has(s(0))) throw this.opError(`Exception calling "Add" with "2" argument(s): "Item has already been added. Key in dictionary: '${s(0)}'"`, offset);
          target.set(s(0), args[1]);
          return undefined;
        case 'remove': target.delete(s(0)); return undefined;
        case 'containskey': return target.has(s(0));
        case 'clear': for (const k of target.keys()) target.delete(k); return undefined;
      }
      throw missing();
    }
    if (target instanceof ScriptBlock && m === 'invoke') return this.invokeBlock(target, null, args).then(collapse);
    throw missing();
  }
}

// ------------------------------------------------------------------ helpers

/** A file reader that takes Windows-style paths (.\\ips.txt) and fails as PowerShell does. */
function readingWith(read: (path: string) => Promise<string>): (path: string) => Promise<string> {
  return async (path) => {
    try {
      return await read(path.replace(/\\/g, '/'));
    } catch (e) {
      throw fileError(path, e);
    }
  };
}

function fileError(path: string, e: unknown): ShellError {
  if (e instanceof ShellError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const fail = (message: string, errorId: string, category: ShellError['category']) => new ShellError(message, { errorId, category, parameter: 'Path' });
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return fail(`Cannot find path '${path}' because it does not exist.`, 'PathNotFound', 'ObjectNotFound');
    case 'EISDIR':
      return fail(`Unable to get content because it is a directory: '${path}'. Please use 'Get-ChildItem' instead.`, 'GetContentReaderUnauthorizedAccessError', 'PermissionDenied');
    case 'EACCES':
    case 'EPERM':
      return fail(`Access to the path '${path}' is denied.`, 'GetContentReaderUnauthorizedAccessError', 'PermissionDenied');
    default:
      // a reader's own error (no system error code) is already worded for the user
      if (typeof code !== 'string' && e instanceof Error) return fail(e.message, 'GetContentReaderIOError', 'ReadError');
      return fail(`The file '${path}' couldn't be read${typeof code === 'string' ? ` (${code})` : ''}.`, 'GetContentReaderIOError', 'ReadError');
  }
}

/**
 * Whether `catch [Type]` takes the error. Postern's errors aren't .NET exceptions: the base types
 * take everything, otherwise the type's name must match the error id or its category.
 */
function catches(type: string, error: ShellError): boolean {
  const name = type.toLowerCase().replace(/^system\.(management\.automation\.)?/, '');
  if (['exception', 'runtimeexception', 'systemexception'].includes(name)) return true;
  const short = name.split('.').pop() as string;
  return short === error.errorId.toLowerCase() || short === `${error.category.toLowerCase()}exception` || (short === 'itemnotfoundexception' && error.category === 'ObjectNotFound');
}

function stmtOffset(s: Statement): number {
  return s.offset;
}

function typeLabel(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'System.String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
  if (typeof v === 'boolean') return 'System.Boolean';
  if (v instanceof Date) return 'System.DateTime';
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  if (v instanceof ScriptBlock) return 'System.Management.Automation.ScriptBlock';
  return 'System.Management.Automation.PSCustomObject';
}

function isType(v: unknown, typeRaw: unknown): boolean {
  const t = toStr(typeRaw).replace(/^\[|\]$/g, '').toLowerCase().replace(/^system\./, '');
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'int': case 'int32': case 'long': return typeof v === 'number' && Number.isInteger(v);
    case 'double': return typeof v === 'number';
    case 'bool': case 'boolean': return typeof v === 'boolean';
    case 'datetime': return v instanceof Date;
    case 'array': case 'object[]': return Array.isArray(v);
    case 'hashtable': return v instanceof Hashtable;
    case 'scriptblock': return v instanceof ScriptBlock;
    case 'pscustomobject': return isPlainObject(v);
    default: return false;
  }
}

function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let a = 0, b = s.length;
  if (start) while (a < b && chars.includes(s[a])) a++;
  if (end) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function indexValue(target: unknown, idx: unknown): unknown {
  if (target === null || target === undefined) return null;
  if (Array.isArray(idx)) return idx.map((i) => indexValue(target, i));
  if (target instanceof Hashtable) return target.get(toStr(idx)) ?? null;
  if (isPlainObject(target)) {
    if (typeof idx === 'number') return idx === 0 || idx === -1 ? target : null;
    return findProperty(target, toStr(idx))?.[1] ?? null;
  }
  const n = toNumber(idx);
  if (Array.isArray(target)) return target[n < 0 ? target.length + n : n] ?? null;
  if (typeof target === 'string') return target[n < 0 ? target.length + n : n] ?? null;
  return n === 0 || n === -1 ? target : null;
}

function add(left: unknown, right: unknown, err?: () => Error): unknown {
  if (left === null || left === undefined) return Array.isArray(right) ? [...right] : right;
  if (Array.isArray(left)) return [...left, ...enumerate(right)];
  if (left instanceof Hashtable) {
    const h = Hashtable.from(left.entries());
    if (right instanceof Hashtable) for (const [k, v] of right.entries()) h.set(k, v);
    return h;
  }
  if (typeof left === 'string') return left + toStr(right);
  if (left instanceof Date) return new Date(left.getTime() + toNumber(right));
  return arith('+', left, right, err);
}

function arith(op: string, left: unknown, right: unknown, err?: () => Error): unknown {
  if (op === '*' && typeof left === 'string' && Number.isFinite(toNumber(right))) return left.repeat(Math.max(0, Math.min(toNumber(right), 1_000_000)));
  if (op === '*' && Array.isArray(left) && Number.isFinite(toNumber(right))) return Array.from({ length: Math.min(toNumber(right), 100_000) }, () => left).flat();
  const a = toNumber(left), b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) {
    if (err) throw err();
    throw new Error(`Cannot convert value "${toStr(Number.isNaN(a) ? left : right)}" to type "System.Int32".`);
  }
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return a % b;
  }
}

/** The -f operator: "{0} rules, {1:N0} bytes" -f $a, $b (index, alignment and N/D/X formats). */
function formatOperator(format: string, args: unknown[]): string {
  return format.replace(/\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}/g, (all, i, align, fmt) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const v = args[Number(i)];
    let s: string;
    const f = (fmt ?? '') as string;
    if (/^[Nn]\d*$/.test(f)) s = toNumber(v).toLocaleString('en-US', { minimumFractionDigits: f.length > 1 ? +f.slice(1) : 2, maximumFractionDigits: f.length > 1 ? +f.slice(1) : 2 });
    else if (/^[Dd]\d*$/.test(f)) s = String(Math.trunc(toNumber(v))).padStart(f.length > 1 ? +f.slice(1) : 0, '0');
    else if (/^[Xx]\d*$/.test(f)) s = Math.trunc(toNumber(v)).toString(16)[f[0] === 'X' ? 'toUpperCase' : 'toLowerCase']().padStart(f.length > 1 ? +f.slice(1) : 0, '0');
    else if (v instanceof Date && f) s = formatDateWith(v, f);
    else s = toStr(v);
    if (align) {
      const w = Number(align);
      s = w < 0 ? s.padEnd(-w) : s.padStart(w);
    }
    return s;
  });
}

/** A subset of .NET custom date formats: yyyy MM dd HH mm ss, and 'o'/'s'/'u'. */
function formatDateWith(d: Date, fmt: string): string {
  if (!fmt) return toStr(d);
  if (fmt === 'o' || fmt === 'O') return d.toISOString().replace('Z', '0000Z');
  if (fmt === 's') return d.toISOString().slice(0, 19);
  if (fmt === 'u') return d.toISOString().slice(0, 19).replace('T', ' ') + 'Z';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return fmt.replace(/yyyy|MM|dd|HH|mm|ss|fff/g, (t) => {
    switch (t) {
      case 'yyyy': return p(d.getUTCFullYear(), 4);
      case 'MM': return p(d.getUTCMonth() + 1);
      case 'dd': return p(d.getUTCDate());
      case 'HH': return p(d.getUTCHours());
      case 'mm': return p(d.getUTCMinutes());
      case 'ss': return p(d.getUTCSeconds());
      default: return p(d.getUTCMilliseconds(), 3);
    }
  });
}

