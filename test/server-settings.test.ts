// `postern serve --config FILE`: settings keys are Postern's camelCase names, taken in any
// casing; a misspelled key stops the server with file:line:column and the valid name, instead
// of the limit silently keeping its default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, contoso, importOrgs, initDataDir, startPostern, swaks, tempDir, type Running } from './support/postern.js';

describe('server settings keys in any casing take effect', () => {
  let pg: Running;
  beforeAll(async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    pg = await startPostern(dir, { Limits: { MaxMessageSize: 20_000 } });
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('Limits.MaxMessageSize: 20000 refuses a 60 kB message with 552 5.3.4', () => {
    const body = join(pg.dataDir, 'body.txt');
    writeFileSync(body, ('x'.repeat(998) + '\r\n').repeat(60));
    const r = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'x@fabrikam.com', '--to', 'alice@contoso.com', '--body', `@${body}`]);
    expect(r.out, r.out.slice(-600)).toMatch(/552 5\.3\.4/);
  });
});

describe('a misspelled server settings key', () => {
  it('stops serve before it listens, naming file:line:column and the valid key', () => {
    const dir = tempDir();
    initDataDir(dir);
    const file = join(dir, 'postern.yaml');
    writeFileSync(file, 'smtp: 127.0.0.1:0\nhttp: 127.0.0.1:0\nlimits:\n  maxMesageSize: 20000\n');
    // A server that wrongly starts is killed after a few seconds rather than left listening.
    const r = spawnSync(process.execPath, [CLI, 'serve', '-d', dir, '-c', file], { encoding: 'utf8', timeout: 8_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:4:3: limits: unknown key 'maxMesageSize'; did you mean maxMessageSize?`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
