// Test scaffolding: a real PostgreSQL database of its own for each test file, created before its
// tests and dropped after them (whether they passed or not). The server is POSTERN_TEST_PG's
// (a role that may create databases), by default the local one with trust authentication.
// PostgreSQL is a requirement of the suite, as CI installs it: when it cannot be reached the tests
// fail saying so, rather than skip and pass unnoticed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { redactUrl } from '../store/postgres/pool.js';

export const TEST_PG_URL = process.env.POSTERN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The connection string of `database` on the server `serverUrl` names. */
export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Run `sql` on the server's maintenance database (what cannot run inside the database it changes). */
export async function serverQuery(sql: string, serverUrl = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000, application_name: 'postern tests' });
  client.on('error', () => {}); // a failure surfaces through connect() or query()
  try {
    await client.connect();
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `PostgreSQL is not reachable at ${redactUrl(serverUrl)} (${why}). These tests need a PostgreSQL server: start one ` +
        `(Debian: apt-get install postgresql) or set POSTERN_TEST_PG to the URL of a role that may create databases.`,
      { cause: err },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Create a new, empty database with a name no other run uses; returns its name. */
export async function createTestDatabase(serverUrl = TEST_PG_URL): Promise<string> {
  const name = `postern_test_${Date.now().toString(36)}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await serverQuery(`CREATE DATABASE ${name}`, serverUrl);
  return name;
}

/** Drop it, ending any session still connected to it (a test that failed half-way). */
export async function dropTestDatabase(name: string, serverUrl = TEST_PG_URL): Promise<void> {
  await serverQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, serverUrl);
}

/**
 * A database for this test file: `url()` is its connection string (valid from beforeAll on).
 * Call at the top level of the file.
 */
export function useTestDatabase(): { url(): string; name(): string } {
  let name: string | undefined;
  beforeAll(async () => {
    name = await createTestDatabase();
  });
  afterAll(async () => {
    if (name) await dropTestDatabase(name);
  });
  const created = () => {
    if (!name) throw new Error('the test database is made in beforeAll: use it inside a test or hook');
    return name;
  };
  return { url: () => databaseUrl(TEST_PG_URL, created()), name: created };
}
