// Shared by `npm start` and `npm test`: install the locked dependencies when they are missing,
// changed, or built for another Node.js, then compile. Plain Node so it runs on a fresh clone
// before anything is installed; the caller has already moved to a supported Node.js.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MARKER = 'node_modules/.postern-install';

function run(cmd, note) {
  process.stderr.write(`> ${cmd}${note ? `   (${note})` : ''}\n`);
  execSync(cmd, { stdio: 'inherit' });
}

/** What the installed tree must match: the lockfile and the Node.js ABI that native modules target. */
function installStamp() {
  const lock = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
  return `${lock} node-abi-${process.versions.modules}\n`;
}

export function ensureBuilt() {
  const stamp = installStamp();
  if (!existsSync(MARKER) || readFileSync(MARKER, 'utf8') !== stamp) {
    const started = Date.now();
    run('npm ci --no-audit --no-fund', 'installing the locked dependencies; about 2 minutes on a fresh 2-core machine, most of it compiling re2 from source');
    writeFileSync(MARKER, stamp);
    process.stderr.write(`  dependencies installed in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  run('npm run --silent build');
}
