// Commands that never answer about the wrong place: the real `postern` CLI on real data
// directories (SQLite), real `serve` processes, real ports.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildRule } from '../src/rules/index.js';
import { contoso, importOrgs, initDataDir, runCli, startPostern, tempDir, type Running } from './support/postern.js';

const randomPort = () => 20000 + Math.floor(Math.random() * 40000);
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |Error:|node:internal/);

const running: Running[] = [];
const occupied: Server[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop('SIGKILL');
  for (const s of occupied.splice(0)) s.close();
});

/** A port on 127.0.0.1 held by someone else for the length of the test. */
async function portInUse(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = randomPort();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      occupied.push(server);
      return port;
    }
  }
}

describe('a command pointed at a directory with no Postern data', () => {
  const simulate = ['simulate', '--client-ip', '203.0.113.9', '--mail-from', 'ceo@contoso.com', '--rcpt', 'user@contoso.com'];
  const commands: [string, string[]][] = [
    ['directsend preview', ['directsend', 'preview']],
    ['directsend plan', ['directsend', 'plan', '-o', 'Contoso']],
    ['import', ['import', join(import.meta.dirname, 'fixtures/exports/get-messagetracev2.csv'), '-o', 'Contoso']],
    ['report inbound', ['report', 'inbound']],
    ['hunt', ['hunt', 'EmailEvents | take 1']],
    ['shell', ['shell', '-c', 'Get-OrganizationConfig']],
    ['simulate', simulate],
    ['config export', ['config', 'export']],
    ['migrate', ['migrate']],
    ['serve', ['serve', '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0']],
  ];
  const orgsFile = join(tempDir(), 'orgs.yaml');
  writeFileSync(orgsFile, stringify({ organizations: [contoso()] }));
  commands.push(['config import', ['config', 'import', orgsFile]]);
  it.each(commands)('%s refuses, says to run postern init, and creates nothing', (_name, args) => {
    const dir = join(tempDir(), 'typo');
    const r = runCli([...args, '-d', dir]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`no Postern data directory at ${dir} (run postern init)`);
    expect(r.stdout).not.toMatch(/would have been refused/);
    noStackTrace(r.stderr);
    expect(existsSync(dir)).toBe(false);
  });

  it('an existing but empty directory is refused too; after postern init the same command answers', () => {
    const dir = tempDir();
    const before = runCli(['directsend', 'preview', '-d', dir]);
    expect(before.status).toBe(1);
    expect(before.stderr).toContain(`no Postern data directory at ${dir} (run postern init)`);
    expect(existsSync(join(dir, 'postern.db'))).toBe(false);
    initDataDir(dir);
    const after = runCli(['directsend', 'preview', '-d', dir]);
    expect(after.status, after.stderr).toBe(0);
  });
});

describe('one postern serve per data directory', () => {
  it('refuses a second serve naming the first one\'s pid; after a kill -9 the next start is not blocked', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const first = await startPostern(dir);
    running.push(first);
    const second = runCli(['serve', '-d', dir, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`another postern serve (pid ${first.proc.pid}) is already running on ${dir}`);
    noStackTrace(second.stderr);
    // The first one is untouched by the attempt.
    expect(first.proc.exitCode).toBeNull();

    // A crash leaves the lock file behind; its pid is dead, so it does not block.
    await first.stop('SIGKILL');
    expect(existsSync(join(dir, 'serve.pid'))).toBe(true);
    const again = await startPostern(dir);
    running.push(again);
    expect(again.smtpPort).toBeGreaterThan(0);
  });

  it('two servers started at the same moment after a crash: exactly one runs, the other names it', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const crashed = await startPostern(dir);
    await crashed.stop('SIGKILL'); // leaves serve.pid naming a dead process
    const results = await Promise.allSettled([startPostern(dir), startPostern(dir)]);
    const up = results.filter((r): r is PromiseFulfilledResult<Running> => r.status === 'fulfilled').map((r) => r.value);
    running.push(...up);
    expect(up).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(String(refused.reason)).toContain(`another postern serve (pid ${up[0].proc.pid}) is already running on ${dir}`);
  });

  it('a lock naming a live process that is not a postern serve does not block', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'serve.pid'), `${sleeper.pid}\n`);
      const pg = await startPostern(dir);
      running.push(pg);
      expect(pg.smtpPort).toBeGreaterThan(0);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('a file the user names that is not there', () => {
  it('is one sentence naming the path, never a stack trace, in every command that reads one', () => {
    const dir = tempDir();
    initDataDir(dir);
    const missing = join(tempDir(), 'missing');
    for (const args of [
      ['config', 'import', `${missing}.yaml`, '-d', dir],
      ['simulate', '-d', dir, '--eml', `${missing}.eml`, '--client-ip', '192.0.2.1', '--mail-from', 'a@contoso.com', '--rcpt', 'b@contoso.com'],
    ]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^postern: cannot read ${missing}\\.(yaml|eml): no such file or directory$`));
      noStackTrace(r.stderr);
    }
  });
});

describe('startup errors are sentences', () => {
  it('a port in use given with --smtp names --smtp', async () => {
    const dir = tempDir();
    initDataDir(dir);
    const port = await portInUse();
    const r = runCli(['serve', '-d', dir, '--smtp', `127.0.0.1:${port}`, '--http', '127.0.0.1:0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot listen for SMTP on 127.0.0.1:${port}: the address is already in use. Choose another address with --smtp host:port`);
    noStackTrace(r.stderr);
  });

  it("a port in use from the settings file names the file's key", async () => {
    const dir = tempDir();
    initDataDir(dir);
    const port = await portInUse();
    const file = join(dir, 'postern.yaml');
    writeFileSync(file, `smtp: 127.0.0.1:0\nhttp: 127.0.0.1:${port}\n`);
    const r = runCli(['serve', '-d', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot listen for admin HTTP on 127.0.0.1:${port}: the address is already in use. Choose another address with the key 'http' in ${file}`);
    noStackTrace(r.stderr);
  });

  it('a settings file that is not YAML, or not a mapping, says so and where', () => {
    const dir = tempDir();
    initDataDir(dir);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'smtp: [127.0.0.1\n');
    const bad = runCli(['serve', '-d', dir, '-c', file]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`the settings file ${file} is not valid YAML`);
    noStackTrace(bad.stderr);
    const missing = runCli(['serve', '-d', dir, '-c', join(dir, 'absent.yaml')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cannot read the settings file ${join(dir, 'absent.yaml')} (ENOENT): check the path given with --config`);
  });

  it('a certificate that is not PEM says what to do with it', () => {
    const dir = tempDir();
    initDataDir(dir);
    writeFileSync(join(dir, 'tls', 'server.crt'), 'this is not a certificate\n');
    const r = runCli(['serve', '-d', dir, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the TLS certificate or key in .*tls \(server\.crt, server\.key\).* is not valid PEM .*remove server\.crt and server\.key to have a new self-signed certificate made/);
    noStackTrace(r.stderr);
  });
});

describe('postern simulate', () => {
  const dir = tempDir();
  importOrgs(dir, [
    contoso({
      TransportRules: [buildRule({ Name: 'Hold invoices', Quarantine: true, SubjectContainsWords: ['invoice'], Priority: 0 })],
    }),
  ]);
  const sim = (...args: string[]) => runCli(['simulate', '-d', dir, '--helo', 'mx.example', ...args]);

  it('refuses an invalid --client-ip or --mail-from, naming the option, instead of simulating', () => {
    const ip = sim('--client-ip', '203.0.113', '--mail-from', 'a@example.com', '--rcpt', 'user@contoso.com');
    expect(ip.status).toBe(1);
    expect(ip.stderr).toContain("--client-ip '203.0.113' is not an IP address");
    expect(ip.stdout).toBe('');
    const from = sim('--client-ip', '203.0.113.9', '--mail-from', 'not an address', '--rcpt', 'user@contoso.com');
    expect(from.status).toBe(1);
    expect(from.stderr).toContain("--mail-from 'not an address' is not an email address");
    expect(from.stdout).toBe('');
    // The null sender stays valid.
    expect(sim('--client-ip', '203.0.113.9', '--mail-from', '', '--rcpt', 'user@contoso.com').status).toBe(0);
  });

  it('refuses a --dns-server that is not an address, and one without a message to check; says when authentication was not checked', () => {
    const base = ['--client-ip', '203.0.113.9', '--mail-from', 'ceo@contoso.com', '--rcpt', 'user@contoso.com'];
    const port = sim(...base, '--dns-server', '127.0.0.1:99999');
    expect(port.status).toBe(1);
    expect(port.stderr).toContain("--dns-server '127.0.0.1:99999' is not a DNS server address");
    expect(sim(...base, '--dns-server', 'dns.google').stderr).toContain("'dns.google' is not a DNS server address");
    const noMessage = sim(...base, '--dns-server', '127.0.0.1:53');
    expect(noMessage.status).toBe(1);
    expect(noMessage.stderr).toContain('--dns-server checks a message: give it with --eml FILE');
    expect(sim(...base).stdout).toContain('authentication: not checked');
  });

  it('exits 0 when delivered, 2 when refused in the dialogue, 3 when quarantined, and --help says so', () => {
    const base = ['--client-ip', '203.0.113.9', '--mail-from', 'partner@example.com'];
    expect(sim(...base, '--rcpt', 'user@contoso.com', '--header', 'Subject: hello').status).toBe(0);
    const refused = sim(...base, '--rcpt', 'user@fabrikam.com');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toContain('550 5.7.64');
    const held = sim(...base, '--rcpt', 'user@contoso.com', '--header', 'Subject: your invoice');
    expect(held.status).toBe(3);
    expect(held.stdout).toContain('disposition: quarantine');
    const help = runCli(['simulate', '--help']);
    expect(help.stdout).toMatch(/Exit status:[\s\S]*0 {2}accepted[\s\S]*1 {2}usage error[\s\S]*2 {2}refused[\s\S]*3 {2}accepted, but a copy would be quarantined/);
  });
});
