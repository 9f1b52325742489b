// `npm test`: move to a supported Node.js, install, build, typecheck (src and test, and the admin center in web/) + lint + import rules (dependency-cruiser), then every test; ends with
// the plain summary line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { ensureBuilt } from './ensure-built.js';
import { runUnderSupportedNode } from './runtime.js';

if (!runUnderSupportedNode({ install: true })) runTests();

function runTests() {
  ensureBuilt();
  const checks = [
    ['npx', ['tsc', '-p', 'tsconfig.test.json']],
    ['npx', ['tsc', '-p', 'web/tsconfig.json']],
    ['npx', ['eslint', '.']],
    ['node', ['scripts/depcheck.js']],
  ];
  let checkFailures = 0;
  for (const [cmd, args] of checks) {
    process.stderr.write(`> ${cmd} ${args.join(' ')}\n`);
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) checkFailures++;
  }

  rmSync('test-results.json', { force: true });
  const vitest = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
  let passed = 0, failed = 0, skipped = 0;
  try {
    const r = JSON.parse(readFileSync('test-results.json', 'utf8'));
    passed = r.numPassedTests;
    // A test file that fails before its tests run (an import or a top-level error) has no failed
    // test to count: count the file, so the summary never reads "0 failed" on a red run.
    const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
    failed = r.numFailedTests + brokenFiles;
    skipped = r.numPendingTests + r.numTodoTests;
  } catch {
    failed += 1; // no report means the runner itself broke
  }
  failed += checkFailures;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
}
