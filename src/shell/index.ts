// Postern's admin shell: the PowerShell-compatible command language and the Exchange cmdlets.
//
//   const session = createShellSession({ services });        // services: admin/'s OrganizationAdmin for one org
//   const { output, errors, exitCode } = await session.run('Get-TransportRule | Format-List');
//   // or once: await runScript(text, { services })
//
// The CLI (`postern shell`, `-c`) wires the admin operations (admin/) on the store.
import type { OrganizationAdmin } from '../admin/types.js';
import { cmdletRegistry } from './defaultRegistry.js';
import type { CmdletRegistry } from './registry.js';
import { ShellSession, type ScriptResult, type ShellSessionOptions } from './runtime.js';

/** A session of Postern's shell: the Exchange cmdlets act on one organization's admin operations. */
export type ShellOptions = Omit<ShellSessionOptions, 'registry' | 'services'> & { services: OrganizationAdmin; registry?: CmdletRegistry };

export { cmdletRegistry } from './defaultRegistry.js';
export { invokeCmdlet, type CmdletInvocation } from './invoke.js';

/** A session: variables persist between run() calls (the interactive shell). */
export function createShellSession(options: ShellOptions): ShellSession {
  return new ShellSession({ ...options, registry: options.registry ?? cmdletRegistry() });
}

/** Runs a script once, non-interactively. Parse errors stop it before anything runs. */
export async function runScript(text: string, options: ShellOptions): Promise<ScriptResult> {
  return createShellSession(options).run(text);
}

export { ShellSession } from './runtime.js';
export type { ScriptResult, ShellSessionOptions } from './runtime.js';
export { ShellError, ShellParseError } from './errors.js';
export type { SourcePosition } from './errors.js';
export { ReplBuffer, complete, isIncompleteInput, type Completion } from './complete.js';
export { parseScript } from './parser.js';
export { CmdletRegistry, bindParameters, cmdletSyntax, BoundParameters } from './registry.js';
export type { CmdletDef, ParameterDef, CmdletContext, RawArgument } from './registry.js';
export { createDefaultRegistry, TRANSPORT_RULE_PROPERTIES, describeRule, defaultConnector } from './cmdlets/index.js';
export { formatDefault } from './format.js';
export { MultiValuedEdit, parseIpRange, parseByteQuantifiedSize, formatByteQuantifiedSize, parseDateTime } from './types.js';
export { Hashtable, ScriptBlock, FormattedText, tagged } from './values.js';
