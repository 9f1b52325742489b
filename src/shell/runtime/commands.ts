// Running commands: arguments (splatting), parameter binding, pipeline input one object at a
// time, -ErrorAction/-ErrorVariable/-OutVariable/-WhatIf/-Confirm, the cmdlet context, and
// script functions and blocks in their own scope.
import type { CommandCall, FunctionDefinition, FunctionParameter, Statement } from '../ast.js';
import { ShellError, commandNotFound, lineOf } from '../errors.js';
import { BoundParameters, bindParameters, type CmdletContext, type CmdletDef, type RawArgument } from '../registry.js';
import { Hashtable, ScriptBlock, isPlainObject, toStr } from '../values.js';
import { CHANGING_VERBS, ReturnSignal, ScriptStopped } from './core.js';
import { cast } from './dotnet.js';
import { Evaluator } from './expressions.js';

export abstract class CommandRunner extends Evaluator {
  /**
   * Calls a script function: named arguments bind to its parameters (switches take no value),
   * the rest fill the remaining parameters in order and then $args; pipeline input is $input.
   */
  protected async invokeFunction(fn: FunctionDefinition, cmd: CommandCall, input: unknown[] | undefined): Promise<unknown[]> {
    const scope = new Map<string, unknown>();
    const given = new Set<string>();
    const rest: unknown[] = [];
    const args = await this.commandArguments(cmd);
    const isSwitch = (p: FunctionParameter) => /^switch$/i.test(p.type ?? '');
    const set = (p: FunctionParameter, value: unknown, offset: number) => {
      if (given.has(p.name.toLowerCase())) throw this.functionError(fn, `Cannot bind parameter because parameter '${p.name}' is specified more than once.`, 'ParameterAlreadyBound', offset);
      given.add(p.name.toLowerCase());
      scope.set(p.name.toLowerCase(), p.type && !isSwitch(p) ? cast(p.type, value, this.host(offset)) : value);
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
  protected async inScope(scope: Map<string, unknown>, body: Statement[], prepare?: () => Promise<void>): Promise<unknown[]> {
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

  protected functionError(fn: FunctionDefinition, message: string, errorId: string, offset: number): ShellError {
    return new ShellError(message, { errorId, category: 'InvalidArgument', command: fn.name, position: this.positionOf(offset) });
  }

  // ---------------------------------------------------------------- commands

  protected async commandArguments(cmd: CommandCall): Promise<RawArgument[]> {
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

  protected async invokeCommand(cmd: CommandCall, input: unknown[] | undefined): Promise<unknown[]> {
    const fn = this.functions.get(cmd.name.toLowerCase());
    if (fn) return this.checking ? [] : this.invokeFunction(fn, cmd, input);
    const def = this.registry.get(cmd.name);
    if (!def) {
      throw commandNotFound(cmd.name, this.positionOf(cmd.offset));
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

  protected bind(def: CmdletDef, args: RawArgument[], opts: Parameters<typeof bindParameters>[2]): BoundParameters {
    try {
      return bindParameters(def, args, opts);
    } catch (e) {
      if (e instanceof ShellError) {
        if (e.position) e.sourceLine = lineOf(this.state.text, e.position.line);
      }
      throw e;
    }
  }

  protected nonTerminating(def: CmdletDef, err: ShellError, bound: BoundParameters | undefined): void {
    if (!err.command) err.command = def.name;
    const ev = bound?.get<string>('ErrorVariable');
    if (ev) this.recordErrorVariable(ev, err);
    const pref = toStr(bound?.get('ErrorAction') ?? this.lookup('ErrorActionPreference') ?? 'Continue').toLowerCase();
    if (pref === 'silentlycontinue' || pref === 'ignore') return;
    if (pref === 'stop') throw new ScriptStopped(err); // reported where it stops, unless a catch takes it
    this.report(err);
  }

  protected async callRun(def: CmdletDef, cmd: CommandCall, bound: BoundParameters, input: unknown[]): Promise<unknown[]> {
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

  protected context(def: CmdletDef, cmd: CommandCall, bound: BoundParameters): CmdletContext {
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
}
