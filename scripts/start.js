// `npm start`: move to a supported Node.js, install, build, create ./data with the demo
// organization when new, and serve.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureBuilt } from './ensure-built.js';
import { runUnderSupportedNode } from './runtime.js';

if (!runUnderSupportedNode({ install: true })) start();

function start() {
  ensureBuilt();
  const dataDir = process.env.POSTERN_DATA_DIR ?? './data';
  const args = process.argv.slice(2);
  const steps = existsSync(`${dataDir}/postern.db`) ? [] : [['init', '--demo', '--data-dir', dataDir]];
  steps.push(['serve', '--data-dir', dataDir, '--banner', ...args]);
  const next = () => {
    const step = steps.shift();
    if (!step) return;
    const child = spawn(process.execPath, ['bin/postern.js', ...step], { stdio: 'inherit' });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code) => (code === 0 && steps.length ? next() : process.exit(code ?? 1)));
  };
  next();
}
