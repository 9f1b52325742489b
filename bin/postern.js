#!/usr/bin/env node
// The `postern` command: a thin launcher for the compiled CLI. Under a Node.js older than
// Postern needs, it runs itself again under the Node.js that set-up brought, or says what to
// install; it never crashes on the old runtime's syntax or native modules.
import { existsSync } from 'node:fs';
import { runUnderSupportedNode } from '../scripts/runtime.js';

if (!runUnderSupportedNode({ install: false })) {
  const cli = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(cli)) {
    process.stderr.write('postern: not built yet; run `npm start` (or `npm ci && npm run build`) in the Postern folder first.\n');
    process.exit(1);
  }
  await import(cli.href);
}
