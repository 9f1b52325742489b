// One cmdlet, called with named parameters from a program instead of a command line — what the
// REST API does for every change, so that a request is bound, converted, defaulted and refused
// exactly as `postern shell` would (the same parameter names, types, defaults and messages).
//
//   const { output, warnings } = await invokeCmdlet(admin, 'New-InboundConnector', { Name: 'Printers', SenderIPAddresses: ['192.0.2.10'] });
//
// Values are what JSON gives: strings, numbers, booleans, null, arrays, and objects (passed as
// a hashtable, so @{Add=...; Remove=...} edits work). The call is non-interactive: confirmation
// prompts are answered yes (the API's caller confirmed in its own interface), -WhatIf is refused.
import type { OrganizationAdmin } from '../admin/types.js';
import { ShellError } from './errors.js';
import { cmdletRegistry } from './defaultRegistry.js';
import { bindParameters, type CmdletContext, type RawArgument } from './registry.js';
import { Hashtable } from './values.js';

export interface CmdletInvocation {
  output: unknown[];
  warnings: string[];
}

function psValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(psValue);
  if (v !== null && typeof v === 'object') return Hashtable.from(Object.entries(v).map(([k, x]) => [k, psValue(x)]));
  return v;
}

export async function invokeCmdlet(services: OrganizationAdmin, name: string, parameters: Record<string, unknown>, options: { now?: () => Date } = {}): Promise<CmdletInvocation> {
  const registry = cmdletRegistry();
  const def = registry.get(name);
  if (!def) throw new Error(`invokeCmdlet: no cmdlet ${name}`);
  for (const refused of ['WhatIf', 'Confirm', 'ErrorAction', 'OutVariable', 'ErrorVariable', 'WarningAction']) {
    if (Object.keys(parameters).some((k) => k.toLowerCase() === refused.toLowerCase())) {
      throw new ShellError(`The parameter '${refused}' is for the shell, not this interface.`, { errorId: 'ParameterNotAllowed', category: 'InvalidArgument', parameter: refused, command: def.name });
    }
  }
  const args: RawArgument[] = Object.entries(parameters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ kind: 'named', name: k, offset: -1, colon: true, hasValue: true, value: psValue(v) }));
  const bound = bindParameters(def, args);
  const warnings: string[] = [];
  const errors: ShellError[] = [];
  const ctx: CmdletContext = {
    services,
    commandName: def.name,
    registry,
    width: 120,
    now: () => (options.now ? options.now() : new Date()),
    shouldProcess: async () => true,
    writeWarning: (m) => void warnings.push(m),
    writeHost: () => undefined,
    writeError: (e) => void errors.push(typeof e === 'string' ? new ShellError(e, { command: def.name }) : e),
    invoke: () => Promise.reject(new ShellError('Script blocks are for the shell, not this interface.', { errorId: 'ScriptBlockNotAllowed', category: 'InvalidArgument' })),
  };
  const result = await def.run(ctx, bound, []);
  // A cmdlet that reports a non-terminating error did not do what was asked: the caller hears it.
  if (errors.length) throw errors[0];
  return { output: result === undefined ? [] : Array.isArray(result) ? result : [result], warnings };
}
