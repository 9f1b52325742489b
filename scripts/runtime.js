// The Node.js that Postern runs under. Plain JavaScript that parses on old Node.js releases, so
// it can run before anything is installed and under whatever `node` is on PATH.
//
// Postern needs Node.js >= 22.19 (mailauth 7, better-sqlite3 13, fastify's dependencies).
// Where the system's Node.js is older, set-up brings Node.js 24 LTS from the npm registry
// (the `node-<platform>-<arch>` package carries `bin/node` and the `include/node` headers that
// native module builds need) into a per-user cache folder, and runs everything under it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const MINIMUM_NODE = '22.19.0';
export const BUNDLED_NODE = '24.22.3';

export function isSupported(version) {
  const [a, b] = version.split('.').map(Number);
  const [x, y] = MINIMUM_NODE.split('.').map(Number);
  return a > x || (a === x && b >= y);
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'postern', 'runtime');
}

/** The folder of the brought Node.js (holds bin/node and include/node). */
export function bundledRuntimeDir() {
  const pkg = `node-${process.platform}-${process.arch}`;
  return join(cacheRoot(), `${pkg}-${BUNDLED_NODE}`, 'node_modules', pkg);
}

function bundledNode() {
  const node = join(bundledRuntimeDir(), 'bin', 'node');
  return existsSync(node) ? node : null;
}

/** Installs the brought Node.js into the cache folder; returns its `node` or throws. */
function installBundledNode() {
  const pkg = `node-${process.platform}-${process.arch}`;
  const target = join(cacheRoot(), `${pkg}-${BUNDLED_NODE}`);
  const staging = `${target}.partial-${process.pid}`;
  process.stderr.write(
    `postern: Node.js ${process.versions.node} is older than ${MINIMUM_NODE}, which Postern needs; ` +
      `bringing Node.js ${BUNDLED_NODE} from the npm registry (${pkg}, about 50 MB) into ${target}\n`,
  );
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const r = spawnSync(
    'npm',
    ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${BUNDLED_NODE}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.status !== 0 || !existsSync(join(staging, 'node_modules', pkg, 'bin', 'node'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install ${pkg}@${BUNDLED_NODE} from the npm registry`);
  }
  // Renamed into place whole, so an interrupted download never looks like a runtime.
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return join(target, 'node_modules', pkg, 'bin', 'node');
}

/** Environment that makes `node`, `npm` and native module builds use the brought runtime. */
function runtimeEnv(node) {
  const root = join(node, '..', '..');
  return {
    ...process.env,
    PATH: `${join(root, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: root,
    POSTERN_RUNTIME: node,
  };
}

function tooOld() {
  return (
    `Postern needs Node.js ${MINIMUM_NODE} or newer (24 LTS recommended), and this is Node.js ${process.versions.node}. ` +
    `Install Node.js 24, or run \`npm start\` once in the Postern folder to bring it from the npm registry.`
  );
}

/**
 * Re-runs this process under a supported Node.js when the current one is older. Returns false
 * when the current Node.js is fine (the caller goes on); otherwise it never returns to the
 * caller's work: the child's exit status becomes this process's. With `install`, a missing
 * runtime is brought first; without it, the user is told in one sentence what to install.
 */
export function runUnderSupportedNode({ install }) {
  if (isSupported(process.versions.node)) return false;
  let node = bundledNode();
  if (!node) {
    if (!install) {
      process.stderr.write(`postern: ${tooOld()}\n`);
      process.exit(1);
    }
    try {
      node = installBundledNode();
    } catch (err) {
      process.stderr.write(`postern: ${err.message}. ${tooOld()}\n`);
      process.exit(1);
    }
  }
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: runtimeEnv(node) });
  // A terminal's Ctrl-C reaches the child through the process group; other signals are passed on.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) {
    process.on(sig, () => {
      if (sig !== 'SIGINT' || !process.stdin.isTTY) child.kill(sig);
    });
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
  return true;
}
