// The runtime: the tests run under a supported Node.js, and `postern` started under an older one
// runs under the Node.js that set-up brought, or says what to install (never a crash).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module shared with the set-up scripts
import { MINIMUM_NODE, isSupported } from '../scripts/runtime.js';

const bin = join(import.meta.dirname, '..', 'bin', 'postern.js');

/** A `node` on PATH that is older than Postern needs (the system's, on this project's machines). */
function olderNode(): string | null {
  const ownBin = dirname(process.execPath);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir === ownBin) continue;
    const candidate = join(dir, 'node');
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (r.status === 0 && !isSupported(r.stdout.trim())) return candidate;
  }
  return null;
}

describe('runtime', () => {
  const oldNode = olderNode();
  const emptyHome = mkdtempSync(join(tmpdir(), 'postern-home-'));
  afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

  it(`runs the tests under Node.js ${MINIMUM_NODE} or newer`, () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 19), `Node.js ${process.versions.node}`).toBe(true);
  });

  it.skipIf(!oldNode)('postern under an older Node.js runs under the brought runtime', () => {
    // The brought runtime sits in the cache folder named by XDG_CACHE_HOME / HOME, as set-up left it.
    const out = execFileSync(oldNode!, [bin, '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe('0.1.0');
    const help = execFileSync(oldNode!, [bin, 'hunt', '--help'], { encoding: 'utf8' });
    expect(help).toContain('Usage: postern hunt');
  });

  it.skipIf(!oldNode)('postern under an older Node.js with no runtime brought says what to install, in one sentence', () => {
    const r = spawnSync(oldNode!, [bin, '--version'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: emptyHome, XDG_CACHE_HOME: join(emptyHome, '.cache') },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^postern: Postern needs Node\.js 22\.19\.0 or newer \(24 LTS recommended\), and this is Node\.js [0-9.]+\. Install Node\.js 24, or run `npm start` once in the Postern folder to bring it from the npm registry\.\n$/);
  });
});
