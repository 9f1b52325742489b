// `npm run depcheck` (and part of `npm test`): the import rules of .dependency-cruiser.cjs. First
// the code against every rule (layers, I/O, folder and module cycles), then the code with its
// tests against the module-cycle rule. A violation prints the offending import and fails.
import { spawnSync } from 'node:child_process';

const runs = [
  { what: 'the code: layers, I/O in the core, folder and module cycles', paths: ['src'], env: {} },
  { what: 'the code with its tests: module cycles', paths: ['src', 'test'], env: { DEPCHECK_WITH_TESTS: '1' } },
];

let failed = false;
for (const run of runs) {
  process.stderr.write(`depcheck: ${run.what}\n`);
  const r = spawnSync('npx', ['depcruise', ...run.paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    stdio: 'inherit',
    env: { ...process.env, ...run.env },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
