// The registry of every Exchange cmdlet Postern has, built once and shared by sessions and invokeCmdlet.
import { createDefaultRegistry } from './cmdlets/index.js';
import type { CmdletRegistry } from './registry.js';

let defaultRegistry: CmdletRegistry | undefined;

export function cmdletRegistry(): CmdletRegistry {
  defaultRegistry ??= createDefaultRegistry();
  return defaultRegistry;
}
