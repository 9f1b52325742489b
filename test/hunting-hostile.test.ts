// `postern hunt` with generated queries: a 1,000-term IOC list answers like its `in (…)` form;
// 900 parentheses are a KQL error with its position. Never a RangeError or a stack trace.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contoso, importOrgs, runCli, tempDir } from './support/postern.js';

let dir: string;
const IPS = Array.from({ length: 1000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);

beforeAll(() => {
  dir = tempDir();
  const org = contoso();
  importOrgs(dir, [org]);
  // Three messages from listed addresses, one from an address the list does not hold.
  const db = new Database(join(dir, 'postern.db'));
  const insert = db.prepare('INSERT INTO EmailEvents (OrgId, Timestamp, SenderIPv4, NetworkMessageId) VALUES (?, ?, ?, ?)');
  for (const [ip, id] of [[IPS[0], 'm1'], [IPS[499], 'm2'], [IPS[999], 'm3'], ['203.0.113.9', 'm4']]) insert.run(org.Guid, Date.now() - 60_000, ip, id);
  db.close();
});

const hunt = (kql: string) => runCli(['hunt', kql, '--format', 'json', '-d', dir]);
function ids(stdout: string): string[] {
  const out = JSON.parse(stdout) as { rows: { NetworkMessageId: string }[] };
  return out.rows.map((r) => r.NetworkMessageId).sort();
}

function expectNoJavaScriptError(stderr: string): void {
  expect(stderr).not.toMatch(/RangeError|SqliteError|Maximum call stack|Expression tree is too large/);
  expect(stderr).not.toMatch(/^\s+at /m); // no stack frame
}

describe('postern hunt with hostile queries', () => {
  it('a 1,000-term or-chain of IOCs returns the rows its in (…) form returns', () => {
    const chain = hunt(`EmailEvents | where ${IPS.map((ip) => `SenderIPv4 == '${ip}'`).join(' or ')} | project NetworkMessageId`);
    expectNoJavaScriptError(chain.stderr);
    expect(chain.status, chain.stderr).toBe(0);
    const inForm = hunt(`EmailEvents | where SenderIPv4 in (${IPS.map((ip) => `'${ip}'`).join(', ')}) | project NetworkMessageId`);
    expect(ids(chain.stdout)).toEqual(['m1', 'm2', 'm3']);
    expect(ids(chain.stdout)).toEqual(ids(inForm.stdout));
  });

  it('900 nested parentheses are a KQL error with line and column, exit code 1', () => {
    const r = hunt(`EmailEvents | where ${'('.repeat(900)}SenderIPv4 == '${IPS[0]}'${')'.repeat(900)}`);
    expectNoJavaScriptError(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hunt: line 1, column 221: The expression is nested more than 200 levels deep/);
    expect(r.stdout).toBe('');
  });
});
