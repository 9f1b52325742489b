// Who may reach the admin center: the first start on loopback makes one login and prints it once;
// anywhere else the listener needs TLS and users made beforehand; `postern user` manages users.
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ApiClient, firstLogin } from './support/api.js';
import { makeCert, read } from './support/certs.js';
import { CLI, contoso, importOrgs, runCli, startPostern, tempDir } from './support/postern.js';

function serveOnce(dataDir: string, settings: Record<string, unknown>): { status: number; stderr: string } {
  const file = join(dataDir, 'postern.yaml');
  writeFileSync(file, stringify({ smtp: '127.0.0.1:0', senderAuthentication: false, ...settings }));
  const r = spawnSync(process.execPath, [CLI, 'serve', '-d', dataDir, '-c', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status ?? -1, stderr: r.stderr };
}

describe('the admin listener', () => {
  it('refuses a non-loopback address without TLS, then without users, naming what to do', () => {
    const dir = tempDir('postern-access-');
    importOrgs(dir, [contoso()]);
    const plain = serveOnce(dir, { http: '0.0.0.0:0' });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/0\.0\.0\.0:0 is not a loopback address, so it needs TLS: set httpTlsCertFile and httpTlsKeyFile/);
    const cert = makeCert(dir, 'admin', 'postern.test');
    const noUsers = serveOnce(dir, { http: '0.0.0.0:0', httpTlsCertFile: cert.cert, httpTlsKeyFile: cert.key });
    expect(noUsers.status).toBe(1);
    expect(noUsers.stderr).toMatch(/no admin user exists: create one first with 'postern user add'/);
    expect(runCli(['user', 'list', '-d', dir, '--format', 'json']).stdout.trim()).toBe('[]');
  });

  it('prints the one-time login only at the first start', async () => {
    const dir = tempDir('postern-access-');
    importOrgs(dir, [contoso()]);
    const first = await startPostern(dir);
    const login = firstLogin(first);
    expect(login.password).toMatch(/^[A-Za-z0-9]{20}$/);
    await first.stop();
    const second = await startPostern(dir);
    expect(second.log.join('\n')).not.toContain('One-time login');
    expect((await ApiClient.for(second).login('admin', login.password)).status).toBe(200);
    await second.stop();
  });

  it('speaks HTTPS with the configured certificate, and users made with postern user sign in', async () => {
    const dir = tempDir('postern-access-');
    importOrgs(dir, [contoso()]);
    const add = runCli(['user', 'add', 'ops@contoso.com', '-d', dir, '-o', 'Contoso', '--role', 'Organization Management', '--password-stdin'], { input: 'a long enough password\n' });
    expect(add.status, add.stderr).toBe(0);
    const short = runCli(['user', 'add', 'short@contoso.com', '-d', dir, '-o', 'Contoso', '--role', 'Security Reader', '--password-stdin'], { input: 'short\n' });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/password: The password must be at least 12 characters long/);
    const listed = JSON.parse(runCli(['user', 'list', '-d', dir, '--format', 'json']).stdout);
    expect(listed).toEqual([expect.objectContaining({ userName: 'ops@contoso.com', roles: 'Organization Management' })]);
    const cert = makeCert(dir, 'admin', 'localhost');
    const pg = await startPostern(dir, { httpTlsCertFile: cert.cert, httpTlsKeyFile: cert.key });
    try {
      expect(pg.log.join('\n')).not.toContain('One-time login'); // users exist: none is made
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: pg.httpPort, path: '/api/login', method: 'POST', ca: read(cert.cert), servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ userName: 'ops@contoso.com', password: 'a long enough password' }));
      });
      expect(status).toBe(200);
    } finally {
      await pg.stop();
    }
    expect(runCli(['user', 'remove', 'ops@contoso.com', '-d', dir]).status).toBe(0);
    expect(runCli(['user', 'remove', 'ops@contoso.com', '-d', dir]).stderr).toMatch(/no user 'ops@contoso.com'/);
  });
});
