// The cmdlet registry and the parameter binder. A cmdlet declares its parameters (name, type,
// mandatory, position, parameter sets, pipeline binding) and a run function; the binder turns
// the words of a command line into typed values, with PowerShell's rules and error messages:
// case-insensitive names, unambiguous prefixes, switches and `-Switch:$false`, positional
// arguments, parameter sets, mandatory parameters, type conversion, ranges.
import { ENGINE_VIEWS, withViews, type FormatViews } from './format.js';
import type { ScriptBlock } from './values.js';
import { ShellError, type SourcePosition } from './errors.js';
import { ConversionFailure, enumType, int32Type, stringType, switchType, type ParamType } from './types.js';
import { findProperty, toStr } from './values.js';

export interface ParameterDef {
  /** Exchange's parameter name, exact casing. */
  name: string;
  type: ParamType;
  /** true: mandatory in every set it belongs to; a list: mandatory in those sets only. */
  mandatory?: boolean | readonly string[];
  /** 1-based position as Exchange's documentation numbers it ("Position: 1"); absent = named only. */
  position?: number;
  /** Parameter sets the parameter belongs to; absent = all sets. */
  sets?: readonly string[];
  valueFromPipeline?: boolean;
  valueFromPipelineByPropertyName?: boolean;
  /** Collects positional arguments no other parameter takes (Write-Output a b c). */
  valueFromRemainingArguments?: boolean;
  aliases?: readonly string[];
  /** Extra validation after conversion; return an error detail to reject. */
  validate?: (value: unknown) => string | undefined;
  /** One line for help and completion. */
  description?: string;
  /** Accepted for compatibility; Postern ignores it (help says so). */
  ignored?: boolean;
}

/**
 * What a cmdlet gets from the session. `services` is what the cmdlets act on, given by whoever
 * creates the session; the engine passes it through without knowing it (the Exchange cmdlets'
 * is admin/'s OrganizationAdmin).
 */
export interface CmdletContext<S = unknown> {
  readonly services: S;
  /** Name of the command being run (canonical cmdlet name). */
  readonly commandName: string;
  /** The session's clock (UTC). */
  now(): Date;
  /**
   * ShouldProcess: false when -WhatIf (a "What if:" line is written) or when the user declines
   * the confirmation. Cmdlets call it before each change.
   */
  shouldProcess(target: string, action: string): Promise<boolean>;
  writeWarning(message: string): void;
  /** Text straight to the output (Write-Host). */
  writeHost(text: string): void;
  /** A non-terminating error: reported, and the pipeline goes on. */
  writeError(error: ShellError | string): void;
  /** Runs a script block with `$_` set; returns its output. */
  invoke(block: ScriptBlock, dollarUnder?: unknown, args?: unknown[]): Promise<unknown[]>;
  /** Console width for Format-Table. */
  readonly width: number;
  /** File writer for Export-Csv / Export-QuarantineMessage (edge concern; absent = not allowed). */
  readonly writeFile?: (path: string, content: string | Uint8Array) => Promise<void>;
  /** File reader for Get-Content / Test-MailFlow -MessageFile (absent = not allowed). */
  readonly readFile?: (path: string) => Promise<string>;
  /** Every registered cmdlet (Get-Command, Get-Help). */
  readonly registry: CmdletRegistry;
}

export class BoundParameters {
  constructor(
    private readonly values: Map<string, unknown>,
    /** The parameter set the binder chose. */
    readonly setName: string,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  get<T = unknown>(name: string): T | undefined {
    return this.values.get(name) as T | undefined;
  }

  /** Canonical names of the parameters given (common parameters included). */
  names(): string[] {
    return [...this.values.keys()];
  }

  /** The given parameters, minus common ones and the listed names. */
  pick(exclude: readonly string[] = []): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const skip = new Set([...exclude.map((e) => e.toLowerCase()), ...COMMON_PARAMETER_NAMES.map((c) => c.toLowerCase())]);
    for (const [k, v] of this.values) if (!skip.has(k.toLowerCase())) out[k] = v;
    return out;
  }
}

export type CmdletOutput = unknown[] | unknown | void;

export interface CmdletDef<S = unknown> {
  name: string;
  synopsis: string;
  parameters: ParameterDef[];
  /** Parameter set used when several remain possible. */
  defaultSet?: string;
  /** Adds -WhatIf and -Confirm. */
  supportsShouldProcess?: boolean;
  /** High: asks for confirmation unless -Confirm:$false (Exchange's Remove-* cmdlets). */
  confirmImpact?: 'Low' | 'Medium' | 'High';
  /**
   * perItem (default): with pipeline input, parameters are bound per input object and run is
   * called once per object. collect: run is called once with every input object (Where-Object,
   * Sort-Object, Format-*, ConvertTo-Json ...).
   */
  inputMode?: 'perItem' | 'collect';
  /** Other names (aliases) for the cmdlet: `?`, `select`, `ft`. */
  aliases?: readonly string[];
  /** Type name of the objects it outputs, for help. */
  outputType?: string;
  /** The module Get-Command names as its source; the engine's own cmdlets leave it out (Microsoft.PowerShell.Utility). */
  source?: string;
  run(ctx: CmdletContext<S>, params: BoundParameters, input: unknown[]): Promise<CmdletOutput> | CmdletOutput;
}

const ACTION_PREFERENCE = ['Continue', 'Ignore', 'Inquire', 'SilentlyContinue', 'Stop', 'Suspend', 'Break'] as const;

export const COMMON_PARAMETERS: ParameterDef[] = [
  { name: 'Verbose', type: switchType(), aliases: ['vb'] },
  { name: 'Debug', type: switchType(), aliases: ['db'] },
  { name: 'ErrorAction', type: enumType('System.Management.Automation.ActionPreference', ACTION_PREFERENCE), aliases: ['ea'] },
  { name: 'WarningAction', type: enumType('System.Management.Automation.ActionPreference', ACTION_PREFERENCE), aliases: ['wa'] },
  { name: 'InformationAction', type: enumType('System.Management.Automation.ActionPreference', ACTION_PREFERENCE), aliases: ['infa'] },
  { name: 'ProgressAction', type: enumType('System.Management.Automation.ActionPreference', ACTION_PREFERENCE), aliases: ['proga'] },
  { name: 'ErrorVariable', type: stringType(), aliases: ['ev'] },
  { name: 'WarningVariable', type: stringType(), aliases: ['wv'] },
  { name: 'InformationVariable', type: stringType(), aliases: ['iv'] },
  { name: 'OutVariable', type: stringType(), aliases: ['ov'] },
  { name: 'OutBuffer', type: int32Type({ min: 0 }), aliases: ['ob'] },
  { name: 'PipelineVariable', type: stringType(), aliases: ['pv'] },
];
export const SHOULD_PROCESS_PARAMETERS: ParameterDef[] = [
  { name: 'WhatIf', type: switchType(), aliases: ['wi'] },
  { name: 'Confirm', type: switchType(), aliases: ['cf'] },
];
export const COMMON_PARAMETER_NAMES = [...COMMON_PARAMETERS, ...SHOULD_PROCESS_PARAMETERS].map((p) => p.name);

export class CmdletRegistry {
  private readonly byName = new Map<string, CmdletDef>();
  private readonly all: CmdletDef[] = [];
  /** The default views of the types the registered cmdlets output. */
  views: FormatViews = ENGINE_VIEWS;

  /** Adds default views (PowerShell's Update-FormatData). */
  addViews(views: FormatViews): this {
    this.views = withViews(this.views, views);
    return this;
  }

  register(...defs: CmdletDef[]): this {
    for (const def of defs) {
      const key = def.name.toLowerCase();
      if (this.byName.has(key)) throw new Error(`Cmdlet ${def.name} is registered twice`);
      this.byName.set(key, def);
      for (const a of def.aliases ?? []) this.byName.set(a.toLowerCase(), def);
      this.all.push(def);
    }
    return this;
  }

  get(name: string): CmdletDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  list(): CmdletDef[] {
    return [...this.all];
  }

  /** Every name a command can be called by (cmdlets and aliases). */
  names(): string[] {
    return [...this.byName.keys()].map((k) => this.byName.get(k)?.aliases?.find((a) => a.toLowerCase() === k) ?? (this.byName.get(k) as CmdletDef).name);
  }
}

/** All parameters of a cmdlet, common ones included. */
export function allParameters(def: CmdletDef): ParameterDef[] {
  return [...def.parameters, ...COMMON_PARAMETERS, ...(def.supportsShouldProcess ? SHOULD_PROCESS_PARAMETERS : [])];
}

// ------------------------------------------------------------------ binding

/** An argument of a command line after evaluation, before binding. */
export type RawArgument =
  | { kind: 'named'; name: string; offset: number; colon: boolean; hasValue: boolean; value?: unknown; valueOffset?: number }
  | { kind: 'positional'; value: unknown; offset: number };

export interface BindOptions {
  positionOf?: (offset: number) => SourcePosition | undefined;
  /** One pipeline input object to bind (ValueFromPipeline / ByPropertyName). */
  pipelineObject?: unknown;
  hasPipelineObject?: boolean;
  /** Offset of the command name, for errors about the command as a whole. */
  commandOffset?: number;
  /** Don't fail on missing mandatory parameters (they may come from pipeline input). */
  skipMandatory?: boolean;
}

const ALL_SETS = '__AllParameterSets';

function bindingError(def: CmdletDef, message: string, errorId: string, parameter: string | undefined, position: SourcePosition | undefined, category: ShellError['category'] = 'InvalidArgument'): ShellError {
  return new ShellError(message, { errorId: `${errorId}`, category, parameter, command: def.name, position });
}

/** Resolves a typed parameter name: exact name or alias first, then an unambiguous prefix. */
export function resolveParameter(def: CmdletDef, typed: string): ParameterDef | { ambiguous: ParameterDef[] } | undefined {
  const lower = typed.toLowerCase();
  const params = allParameters(def);
  const exact = params.find((p) => p.name.toLowerCase() === lower || (p.aliases ?? []).some((a) => a.toLowerCase() === lower));
  if (exact) return exact;
  const matches = params.filter((p) => p.name.toLowerCase().startsWith(lower) || (p.aliases ?? []).some((a) => a.toLowerCase().startsWith(lower)));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) return { ambiguous: matches };
  return undefined;
}

function setsOf(p: ParameterDef): readonly string[] | undefined {
  return p.sets;
}

function declaredSets(def: CmdletDef): string[] {
  const out: string[] = [];
  if (def.defaultSet) out.push(def.defaultSet);
  for (const p of def.parameters) {
    for (const s of p.sets ?? []) if (!out.includes(s)) out.push(s);
    if (Array.isArray(p.mandatory)) for (const s of p.mandatory) if (!out.includes(s)) out.push(s);
  }
  return out.length ? out : [ALL_SETS];
}

function inSet(p: ParameterDef, set: string): boolean {
  const s = setsOf(p);
  return s === undefined || s.includes(set);
}

function isMandatoryIn(p: ParameterDef, set: string): boolean {
  if (!p.mandatory) return false;
  if (p.mandatory === true) return inSet(p, set);
  return p.mandatory.includes(set);
}

function typeHint(p: ParameterDef): string {
  return p.type.typeName;
}

type Bound = Map<string, { value: unknown; offset: number; converted: boolean }>;

/** Named arguments bound to their parameters (a non-switch takes the value after it); the rest are positional. */
function bindNamed(def: CmdletDef, args: RawArgument[], pos: (offset: number) => SourcePosition | undefined): { bound: Bound; positionals: { value: unknown; offset: number }[] } {
  const bound: Bound = new Map();
  const positionals: { value: unknown; offset: number }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.kind === 'positional') {
      positionals.push(a);
      continue;
    }
    const r = resolveParameter(def, a.name);
    if (!r) {
      throw bindingError(def, `A parameter cannot be found that matches parameter name '${a.name}'.`, 'NamedParameterNotFound', a.name, pos(a.offset));
    }
    if ('ambiguous' in r) {
      throw bindingError(def, `Parameter cannot be processed because the parameter name '${a.name}' is ambiguous. Possible matches include: ${r.ambiguous.map((p) => '-' + p.name).join(' ')}.`, 'AmbiguousParameter', a.name, pos(a.offset));
    }
    if (bound.has(r.name)) {
      throw bindingError(def, `Cannot bind parameter because parameter '${r.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`, 'ParameterAlreadyBound', r.name, pos(a.offset));
    }
    let value: unknown;
    let valueOffset = a.valueOffset ?? a.offset;
    if (a.colon) {
      if (!a.hasValue) throw bindingError(def, `Missing an argument for parameter '${r.name}'. Specify a parameter of type '${typeHint(r)}' and try again.`, 'MissingArgument', r.name, pos(a.offset));
      value = a.value;
    } else if (r.type.kind === 'Switch') {
      value = true;
    } else {
      const next = args[i + 1];
      if (!next || next.kind !== 'positional') {
        throw bindingError(def, `Missing an argument for parameter '${r.name}'. Specify a parameter of type '${typeHint(r)}' and try again.`, 'MissingArgument', r.name, pos(a.offset));
      }
      value = next.value;
      valueOffset = next.offset;
      i++;
    }
    bound.set(r.name, { value, offset: valueOffset, converted: false });
  }
  return { bound, positionals };
}

/** Binds the pipeline object ByValue, else ByPropertyName, to parameters of the sets still possible. */
function bindPipelineObject(def: CmdletDef, obj: unknown, bound: Bound, eligibleNow: (p: ParameterDef) => boolean, narrow: (p: ParameterDef, offset: number) => void): void {
  let used = false;
  const eligible = def.parameters.filter((p) => !bound.has(p.name) && eligibleNow(p));
  for (const p of eligible.filter((q) => q.valueFromPipeline)) {
    if (obj === null || obj === undefined) {
      // $null | Cmdlet: bound as null, so a mandatory parameter says it is null (step 6)
      bound.set(p.name, { value: null, offset: -1, converted: true });
      narrow(p, -1);
      used = true;
      break;
    }
    try {
      const v = p.type.convert(obj);
      bound.set(p.name, { value: v, offset: -1, converted: true });
      narrow(p, -1);
      used = true;
      break;
    } catch {
      // try the next one
    }
  }
  for (const p of eligible.filter((q) => q.valueFromPipelineByPropertyName && !bound.has(q.name))) {
    if (!eligibleNow(p)) continue;
    const prop = [p.name, ...(p.aliases ?? [])].map((n) => findProperty(obj, n)).find((x) => x !== undefined);
    if (!prop || prop[1] === null || prop[1] === undefined) continue;
    bound.set(p.name, { value: convertOrThrow(def, p, prop[1], () => undefined), offset: -1, converted: true });
    narrow(p, -1);
    used = true;
  }
  if (!used) {
    throw bindingError(def, 'The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.', 'InputObjectNotBound', undefined, undefined);
  }
}

/**
 * Binds evaluated arguments (and optionally one pipeline object) to a cmdlet's parameters.
 * Throws ShellError naming the parameter on any failure.
 */
export function bindParameters(def: CmdletDef, args: RawArgument[], options: BindOptions = {}): BoundParameters {
  const pos = (offset: number) => options.positionOf?.(offset);
  // 1. named parameters, with the value that follows a non-switch
  const { bound, positionals } = bindNamed(def, args, pos);

  // 2. parameter sets narrowed by the named parameters
  const paramsByName = new Map(allParameters(def).map((p) => [p.name, p]));
  let candidates = declaredSets(def);
  const narrow = (p: ParameterDef, offset: number) => {
    const s = setsOf(p);
    if (!s) return;
    const next = candidates.filter((c) => s.includes(c));
    if (next.length === 0) {
      const other = [...bound.keys()].map((n) => paramsByName.get(n) as ParameterDef).find((q) => q.name !== p.name && q.sets && !q.sets.some((x) => s.includes(x)));
      const pair = other ? ` The parameters -${other.name} and -${p.name} can't be used together.` : '';
      throw bindingError(def, `Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.${pair}`, 'AmbiguousParameterSet', p.name, pos(offset));
    }
    candidates = next;
  };
  for (const [name, b] of bound) narrow(paramsByName.get(name) as ParameterDef, b.offset);

  // 3. positional arguments, in order, to the lowest free position of a remaining set
  for (const a of positionals) {
    const free = def.parameters
      .filter((p) => p.position !== undefined && !bound.has(p.name) && candidates.some((c) => inSet(p, c)))
      .sort((x, y) => (x.position as number) - (y.position as number));
    if (free.length === 0) {
      const rest = def.parameters.find((p) => p.valueFromRemainingArguments && candidates.some((c) => inSet(p, c)));
      if (rest) {
        const prev = bound.get(rest.name);
        if (!prev) bound.set(rest.name, { value: [a.value], offset: a.offset, converted: false });
        else if (Array.isArray(prev.value) && prev.offset !== -1) prev.value = [...prev.value, a.value];
        else bound.set(rest.name, { value: [prev.value, a.value], offset: prev.offset, converted: false });
        continue;
      }
      throw bindingError(def, `A positional parameter cannot be found that accepts argument '${toStr(a.value)}'.`, 'PositionalParameterNotFound', undefined, pos(a.offset));
    }
    const lowest = free[0].position;
    const atLowest = free.filter((p) => p.position === lowest);
    let chosen = atLowest.find((p) => p.type.accepts(a.value)) ?? atLowest.find((p) => def.defaultSet && inSet(p, def.defaultSet)) ?? atLowest[0];
    if (atLowest.length > 1 && !chosen.type.accepts(a.value)) {
      chosen = atLowest.find((p) => { try { p.type.convert(a.value); return true; } catch { return false; } }) ?? chosen;
    }
    bound.set(chosen.name, { value: a.value, offset: a.offset, converted: false });
    narrow(chosen, a.offset);
  }

  // 4. the pipeline object
  if (options.hasPipelineObject) bindPipelineObject(def, options.pipelineObject, bound, (p) => candidates.some((c) => inSet(p, c)), narrow);

  // 5. the parameter set: the one whose mandatory parameters are all given
  const satisfied = candidates.filter((c) => def.parameters.every((p) => !isMandatoryIn(p, c) || bound.has(p.name)));
  let setName: string;
  if (satisfied.length > 0) {
    setName = def.defaultSet && satisfied.includes(def.defaultSet) ? def.defaultSet : satisfied[0];
  } else {
    setName = def.defaultSet && candidates.includes(def.defaultSet) ? def.defaultSet : candidates[0];
    const missing = def.parameters.filter((p) => isMandatoryIn(p, setName) && !bound.has(p.name));
    if (!options.skipMandatory) throw bindingError(def, `Cannot process command because of one or more missing mandatory parameters: ${missing.map((p) => p.name).join(' ')}.`, 'MissingMandatoryParameter', missing[0]?.name, pos(options.commandOffset ?? -1));
  }

  // 6. conversion and validation
  const values = new Map<string, unknown>();
  for (const [name, b] of bound) {
    const p = paramsByName.get(name) as ParameterDef;
    const v = b.converted ? b.value : convertOrThrow(def, p, b.value, () => pos(b.offset));
    if (isMandatoryIn(p, setName)) {
      const empty = emptyArgument(v);
      if (empty) throw bindingError(def, `Cannot bind argument to parameter '${p.name}' because it is ${empty}.`, `ParameterArgumentValidationError${EMPTY_ERROR_IDS[empty]}`, p.name, pos(b.offset));
    }
    if (p.validate && v !== null && v !== undefined) {
      const problem = p.validate(v);
      if (problem) throw bindingError(def, `Cannot validate argument on parameter '${p.name}'. ${problem}`, 'ParameterArgumentValidationError', p.name, pos(b.offset));
    }
    values.set(name, v);
  }
  return new BoundParameters(values, setName === ALL_SETS ? 'Default' : setName);
}

const EMPTY_ERROR_IDS = { null: 'NullNotAllowed', 'an empty string': 'EmptyStringNotAllowed', 'an empty array': 'EmptyArrayNotAllowed' } as const;

/** Why a mandatory parameter's value is unusable, in PowerShell's words ("null", "an empty string" ...). */
function emptyArgument(v: unknown): keyof typeof EMPTY_ERROR_IDS | undefined {
  if (v === null || v === undefined) return 'null';
  if (v === '') return 'an empty string';
  if (Array.isArray(v) && v.length === 0) return 'an empty array';
  return undefined;
}

function convertOrThrow(def: CmdletDef, p: ParameterDef, value: unknown, position: () => SourcePosition | undefined): unknown {
  try {
    return p.type.convert(value);
  } catch (e) {
    if (e instanceof ConversionFailure) {
      let message: string;
      if (e.failure === 'validate') message = `Cannot validate argument on parameter '${p.name}'. ${e.detail}`;
      else if (e.failure === 'transform') message = `Cannot process argument transformation on parameter '${p.name}'. ${e.detail}`;
      else message = `Cannot bind parameter '${p.name}'. Cannot convert value "${e.valueText}" to type "${e.typeName}". Error: "${e.detail}"`;
      throw bindingError(def, message, e.failure === 'validate' ? 'ParameterArgumentValidationError' : 'CannotConvertArgumentNoMessage', p.name, position());
    }
    throw e;
  }
}

/** Parameter help line: "-Name <String>" / "[-Force]". */
export function parameterSyntax(p: ParameterDef): string {
  const t = p.type.kind === 'Switch' ? '' : ` <${p.type.typeName.split('.').pop()}${p.type.kind === 'MultiValued' ? '' : ''}>`;
  const name = p.position !== undefined ? `[-${p.name}]` : `-${p.name}`;
  const body = `${name}${t}`;
  return p.mandatory ? body : `[${body}]`;
}

/** Syntax lines per parameter set, like Get-Help/Get-Command -Syntax. */
export function cmdletSyntax(def: CmdletDef): string[] {
  const sets = declaredSets(def);
  return sets.map((set) => {
    const ps = def.parameters.filter((p) => inSet(p, set));
    ps.sort((a, b) => (a.position ?? 99) - (b.position ?? 99) || Number(!!b.mandatory) - Number(!!a.mandatory) || a.name.localeCompare(b.name));
    const parts = ps.map((p) => {
      const mandatory = isMandatoryIn(p, set);
      const t = p.type.kind === 'Switch' ? '' : ` <${p.type.typeName.split('.').pop()}>`;
      const name = p.position !== undefined ? `[-${p.name}]` : `-${p.name}`;
      return mandatory ? `${name}${t}` : `[${name}${t}]`;
    });
    if (def.supportsShouldProcess) parts.push('[-Confirm]', '[-WhatIf]');
    parts.push('[<CommonParameters>]');
    return `${def.name} ${parts.join(' ')}`;
  });
}
