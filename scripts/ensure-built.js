// Shared by `npm start` and `npm test`: install dependencies when they are missing or older than
// the lockfile, then compile. Plain Node so it runs on a fresh clone before anything is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

function run(cmd) {
  process.stderr.write(`> ${cmd}\n`);
  execSync(cmd, { stdio: 'inherit' });
}

export function ensureBuilt() {
  const marker = 'node_modules/.package-lock.json';
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
  // npm install, not npm ci: it installs exactly what the lockfile pins, and npm 11.19's ci
  // refuses lockfiles that (correctly) omit other platforms' optional packages.
  if (stale) run('npm install --no-audit --no-fund');
  run('npm run --silent build');
}
