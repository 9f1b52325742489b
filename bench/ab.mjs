#!/usr/bin/env node
// Old build against new, side by side in one run: any benchmark of this folder, run alternately
// from a checkout of a base revision (built in a temporary worktree) and from this one, so both
// see the same machine at the same time. Prints JSON: for every figure the benchmark prints, the
// median over the rounds for base and head, and head/base.
//
//   node bench/ab.mjs --base <rev> [--rounds 3] -- node bench/rules.mjs
//   node bench/ab.mjs --base main~5 -- node bench/smtp-ingest.mjs --quick --only 1024/20
//
// Each side runs its own copy of the benchmark against its own build (a benchmark's imports may
// move between revisions). The order alternates each round so that drift in the machine's load
// does not favour one side. Progress goes to stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep < 0 || !argv.includes('--base')) {
  process.stderr.write('usage: node bench/ab.mjs --base <rev> [--rounds N] -- <benchmark command...>\n');
  process.exit(2);
}
const opts = argv.slice(0, sep);
const command = argv.slice(sep + 1);
const base = opts[opts.indexOf('--base') + 1];
const rounds = opts.includes('--rounds') ? Number(opts[opts.indexOf('--rounds') + 1]) : 3;
const head = resolve(import.meta.dirname, '..');
const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const git = (...a) => execFileSync('git', ['-C', head, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const refuse = (why) => {
  process.stderr.write(`ab: ${why}\n`);
  process.exit(2);
};
if (!Number.isInteger(rounds) || rounds < 1) refuse(`--rounds takes a whole number of rounds (1 or more), not '${opts[opts.indexOf('--rounds') + 1]}'`);
if (!command.length) refuse('no benchmark command after --');

// --- the base checkout, built --------------------------------------------------------------------
let rev;
try {
  rev = git('rev-parse', '--verify', `${base}^{commit}`);
} catch {
  refuse(`'${base}' is not a revision of this repository (a commit, branch or tag, e.g. main~3)`);
}
const baseDir = join(tmpdir(), `postern-ab-${rev.slice(0, 12)}`);
if (!existsSync(join(baseDir, 'dist'))) {
  log(`preparing ${base} (${rev.slice(0, 12)}) in ${baseDir} ...`);
  rmSync(baseDir, { recursive: true, force: true });
  git('worktree', 'prune');
  git('worktree', 'add', '--detach', baseDir, rev);
  const sameLock = readFileSync(join(baseDir, 'package-lock.json'), 'utf8') === readFileSync(join(head, 'package-lock.json'), 'utf8');
  if (sameLock) symlinkSync(join(head, 'node_modules'), join(baseDir, 'node_modules'), 'dir');
  else run(baseDir, ['npm', 'ci', '--no-audit', '--no-fund'], 'inherit');
  run(baseDir, ['npm', 'run', '--silent', 'build'], 'inherit');
}
log('building head ...');
run(head, ['npm', 'run', '--silent', 'build'], 'inherit');

function run(cwd, cmd, stdio = 'pipe') {
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, stdio: stdio === 'inherit' ? ['ignore', 2, 2] : ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} in ${cwd} exited ${r.status}`);
  return r.stdout;
}

/** The last JSON document a benchmark printed. */
function lastJson(out) {
  for (let i = out.lastIndexOf('{'); i >= 0; i = out.lastIndexOf('{', i - 1)) {
    if (i > 0 && out[i - 1] !== '\n') continue;
    try {
      return JSON.parse(out.slice(i));
    } catch {
      // not where the document starts
    }
  }
  throw new Error('the benchmark printed no JSON');
}

/** Every numeric figure of a result, by a path that names array rows by their scalar fields. */
function figures(value, path = '', out = new Map()) {
  if (typeof value === 'number') out.set(path, value);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const label = v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).filter(([, x]) => typeof x === 'string').slice(0, 4).map(([, x]) => x).join('/') : '';
      figures(v, `${path}[${label || i}]`, out);
    });
  } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) figures(v, path ? `${path}.${k}` : k, out);
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// --- the rounds ----------------------------------------------------------------------------------
const samples = { base: [], head: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? ['head', 'base'] : ['base', 'head'];
  for (const side of order) {
    log(`[round ${r + 1}/${rounds}] ${side}: ${command.join(' ')}`);
    samples[side].push(figures(lastJson(run(side === 'base' ? baseDir : head, command))));
  }
}

const paths = [...samples.head[0].keys()].filter((p) => samples.base.every((m) => m.has(p)) && samples.head.every((m) => m.has(p)));
const result = {};
for (const p of paths) {
  const b = median(samples.base.map((m) => m.get(p)));
  const h = median(samples.head.map((m) => m.get(p)));
  result[p] = { base: b, head: h, headToBase: b ? +(h / b).toFixed(3) : null };
}
console.log(JSON.stringify({ benchmark: 'ab', command: command.join(' '), base: `${base} (${rev.slice(0, 12)})`, head: git('rev-parse', '--short=12', 'HEAD'), rounds, figures: result }, null, 2));
