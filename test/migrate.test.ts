// `postern migrate`: applies PostgreSQL's schema (--store) once, says so, and refuses a bad URL or
// an unreachable server in one sentence; `postern serve` on a database without the schema says to
// run it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase, TEST_PG_URL, useTestDatabase } from '../src/testing/postgres.js';
import { CLI, initDataDir, runCli, tempDir } from './support/postern.js';

const db = useTestDatabase();

describe('postern migrate', () => {
  it('applies the PostgreSQL migrations once, then finds the schema up to date', () => {
    const first = runCli(['migrate', '--store', db.url()]);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(`PostgreSQL at ${db.url()}: applied migrations 1, 2, 3; schema version 3`);
    const again = runCli(['migrate', '--store', db.url()]);
    expect(again.stdout.trim()).toBe(`PostgreSQL at ${db.url()}: up to date (schema version 3)`);
  });

  it('refuses a store that is not a PostgreSQL URL, and a server that does not answer, in one sentence', () => {
    const bad = runCli(['migrate', '--store', 'mysql://postern:s3cret@db.example/postern']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^postern: --store: 'mysql:\/\/postern:\*\*\*@db\.example\/postern' is not a store Postern knows: give 'sqlite' .* or a PostgreSQL URL such as postgres:\/\/\S+$/);
    const down = runCli(['migrate', '--store', 'postgres://postern:s3cret@127.0.0.1:1/postern']);
    expect(down.status).toBe(1);
    expect(down.stderr.trim()).toBe('postern: PostgreSQL at postgres://postern:***@127.0.0.1:1/postern is not reachable (ECONNREFUSED)');
  });

  it("without --store, migrates the store the settings file names", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'postern.yaml'), `store: ${db.url()}\n`);
    const r = runCli(['migrate', '-d', dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^PostgreSQL at \S+: (applied migrations 1, 2, 3|up to date)/);
    expect(r.stdout).toContain(db.url());
    writeFileSync(join(dir, 'postern.yaml'), 'store: postgres:///postern\n');
    expect(runCli(['migrate', '-d', dir]).stderr).toContain(`${join(dir, 'postern.yaml')}:1:8: store: 'postgres:///postern' names no server`);
  });

  it("without --store or a store setting, migrates the data directory's SQLite", () => {
    const dir = tempDir();
    initDataDir(dir);
    const r = runCli(['migrate', '-d', dir]);
    expect(r.stdout.trim()).toMatch(new RegExp(`^the SQLite database ${join(dir, 'postern.db')}: up to date \\(schema version \\d+\\)$`));
  });
});

describe('postern serve with store: postgres://…', () => {
  it('refuses to start on a database whose schema is not applied yet, saying to run postern migrate', async () => {
    const fresh = await createTestDatabase();
    try {
      const dir = tempDir();
      initDataDir(dir);
      writeFileSync(join(dir, 'postern.yaml'), `smtp: 127.0.0.1:0\nhttp: 127.0.0.1:0\nstore: ${databaseUrl(TEST_PG_URL, fresh)}\n`);
      // A server that wrongly starts is killed after a few seconds rather than left listening.
      const r = spawnSync(process.execPath, [CLI, 'serve', '-d', dir], { encoding: 'utf8', timeout: 8_000, killSignal: 'SIGKILL' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`postern serve: could not start: the PostgreSQL database at ${databaseUrl(TEST_PG_URL, fresh)} has no Postern schema: run postern migrate --store <its URL> first`);
    } finally {
      await dropTestDatabase(fresh);
    }
  });
});
