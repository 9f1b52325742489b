// The session's state: variables in scopes, script functions, the run's output and errors, and
// turning any failure into a positioned ShellError. The layers above (expressions, commands,
// statements) build on it.
import type { FunctionDefinition } from '../ast.js';
import { ShellError, fromCategorised, lineOf, positionAt } from '../errors.js';
import type { CmdletRegistry } from '../registry.js';
import { readingWith } from './files.js';

/** Cmdlets that change state; check() never runs them, even nested in an argument. */
export interface ShellSessionOptions {
  /** What the cmdlets act on (the Exchange cmdlets: admin/'s operations for one organization). */
  services: unknown;
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

export const CHANGING_VERBS = /^(New|Set|Remove|Enable|Disable|Release|Delete|Start|Stop|Export|Test|Invoke)-/i;

/** Stops the script: $ErrorActionPreference = 'Stop' or -ErrorAction Stop on a failing command. */
export class ScriptStopped extends Error {
  constructor(readonly error: ShellError) {
    super(error.message);
  }
}

/** `return`: leaves the function or script block (or the script) with this output. */
export class ReturnSignal {
  constructor(readonly output: unknown[]) {}
}

export interface RunState {
  text: string;
  output: string[];
  errors: ShellError[];
  warnings: string[];
}

export type Emit = (value: unknown) => void;

export abstract class SessionCore {
  protected readonly globals = new Map<string, unknown>();
  /** Functions defined by the scripts run in this session (by lower-case name). */
  protected readonly functions = new Map<string, FunctionDefinition>();
  protected scopes: Map<string, unknown>[] = [this.globals];
  protected state: RunState = { text: '', output: [], errors: [], warnings: [] };

  /** The session's file reader, answering a missing or unreadable file in PowerShell's words. */
  protected readonly readFile?: (path: string) => Promise<string>;

  constructor(readonly options: ShellSessionOptions) {
    this.readFile = options.readFile && readingWith(options.readFile);
    for (const [k, v] of Object.entries(options.variables ?? {})) this.globals.set(k.toLowerCase(), v);
  }

  get services(): ShellSessionOptions['services'] {
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


  // ---------------------------------------------------------------- errors

  protected positionOf = (offset: number) => (offset < 0 ? undefined : positionAt(this.state.text, offset));

  protected toShellError(e: unknown, offset: number, command?: string): ShellError {
    let err: ShellError;
    if (e instanceof ShellError) err = e;
    else err = fromCategorised(e) ?? new ShellError(e instanceof Error ? e.message : String(e), { errorId: 'UnexpectedError', category: 'NotSpecified' });
    if (!err.position && offset >= 0) err.position = this.positionOf(offset);
    if (!err.command && command) err.command = command;
    if (err.position && err.sourceLine === undefined) err.sourceLine = lineOf(this.state.text, err.position.line);
    return err;
  }

  protected report(err: ShellError): void {
    this.state.errors.push(err);
    const list = this.globals.get('error');
    if (Array.isArray(list)) list.unshift(err);
    else this.globals.set('error', [err]);
  }

  // ---------------------------------------------------------------- variables

  protected lookup(name: string): unknown {
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

  protected assignVariable(name: string, value: unknown): void {
    const key = name.toLowerCase();
    if (key === 'true' || key === 'false' || key === 'null') {
      throw new ShellError(`Cannot overwrite variable ${name} because it is read-only or constant.`, { errorId: 'VariableNotWritable', category: 'InvalidOperation' });
    }
    this.scopes[this.scopes.length - 1].set(key, value);
  }

  protected readonly recorded = new WeakSet<ShellError>();

  protected recordErrorVariable(name: string, err: ShellError): void {
    if (this.recorded.has(err)) return;
    this.recorded.add(err);
    const key = name.replace(/^\+/, '');
    const current = this.lookup(key);
    this.assignVariable(key, [...(Array.isArray(current) ? current : []), err]);
  }

  protected checking = false;
}
