// SMTP worker processes (smtpProcesses > 1): sessions spread over several processes, one count of
// connections per client IP for all of them, one /metrics, graceful stop, no orphans after a
// crash of the primary, and a dead worker replaced.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { RawSmtp } from './support/rawSmtp.js';
import { contoso, importOrgs, maildirMessages, startPostern, tempDir, unusedPort, waitFor, type Running } from './support/postern.js';

let pg: Running | undefined;
afterEach(async () => {
  await pg?.stop();
  pg = undefined;
});

/** Live (not zombie) child processes of a pid, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(ppid) === pid && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

/** swaks without blocking the test's event loop, so that many run at once. */
async function swaksAsync(args: string[]): Promise<string> {
  const r = await promisify(execFile)('swaks', ['--timeout', '15', '--suppress-data', ...args], { encoding: 'utf8' }).catch((e) => e);
  return String(r.stdout ?? '') + String(r.stderr ?? '');
}

/** A connection that got the 220 greeting, retried until one does. */
async function greeted(port: number, timeoutMs = 5000): Promise<RawSmtp> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // Refused while no worker listens (between a crash and its replacement), 421 while at the limit.
    const c = await RawSmtp.open(port).catch((err: Error) => err);
    const greeting = c instanceof RawSmtp ? await c.reply() : c.message;
    if (c instanceof RawSmtp && greeting.startsWith('220 ')) return c;
    if (c instanceof RawSmtp) c.close();
    if (Date.now() > end) throw new Error(`no free connection slot: ${greeting}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

async function start(settings: Record<string, unknown> = {}): Promise<Running> {
  const dir = tempDir();
  importOrgs(dir, [contoso()]);
  return startPostern(dir, { smtpProcesses: 2, ...settings });
}

describe('SMTP worker processes', () => {
  it('runs a primary and two workers that share the port, deliver everything, and sum their metrics', async () => {
    pg = await start();
    const workers = childrenOf(pg.proc.pid!);
    expect(workers).toHaveLength(2);
    const cpuOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number).reduce((a, b) => a + b);
    const before = workers.map(cpuOf);
    // 40 messages on 40 connections, all at once.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => swaksAsync(['--server', `127.0.0.1:${pg!.smtpPort}`, '--from', 'a@fabrikam.com', '--to', 'alice@contoso.com', '--header', `Subject: n${i}`])),
    );
    expect(results.filter((out) => /250 2\.0\.0 OK/.test(out))).toHaveLength(40);
    await waitFor(() => maildirMessages(pg!.dataDir, 'alice@contoso.com').length === 40, 15_000, '40 deliveries');
    const subjects = maildirMessages(pg.dataDir, 'alice@contoso.com').map((m) => m.match(/^Subject: (n\d+)/m)![1]);
    expect(new Set(subjects).size).toBe(40);
    // Every worker took sessions (the kernel spreads accept()s), and /metrics counts them all.
    expect(workers.map(cpuOf).every((cpu, i) => cpu > before[i])).toBe(true);
    expect(await metric(pg.httpPort, 'postern_messages_accepted_total')).toBe(40);
  });

  it('counts connections per client IP across all workers (421 4.7.0 over the limit) and releases them on close', async () => {
    pg = await start({ limits: { maxConnectionsPerIp: 3 } });
    const open: RawSmtp[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawSmtp.open(pg.smtpPort);
      expect(await c.reply()).toMatch(/^220 /);
      open.push(c);
    }
    // Whichever worker the 4th connection lands on, it is refused: the count is the node's.
    for (let i = 0; i < 4; i++) {
      const extra = await RawSmtp.open(pg.smtpPort);
      expect(await extra.reply()).toMatch(/^421 4\.7\.0 Too many connections from 127\.0\.0\.1/);
      extra.close();
    }
    open.pop()!.close();
    const again = await greeted(pg.smtpPort);
    expect(await again.command('EHLO client.example')).toMatch(/^250/);
    again.close();
    open.forEach((c) => c.close());
  });

  it('gives back the count of a client that disconnects before it is greeted', async () => {
    pg = await start({ limits: { maxConnectionsPerIp: 3 } });
    for (let i = 0; i < 30; i++) (await RawSmtp.open(pg.smtpPort)).close();
    await new Promise((r) => setTimeout(r, 500));
    const held = [await greeted(pg.smtpPort, 2000), await greeted(pg.smtpPort, 2000), await greeted(pg.smtpPort, 2000)];
    held.forEach((c) => c.close());
  });

  it('replaces workers that die, and releases the connections they held', async () => {
    pg = await start({ limits: { maxConnectionsPerIp: 2 } });
    const held = [await greeted(pg.smtpPort), await greeted(pg.smtpPort)];
    const victims = childrenOf(pg.proc.pid!);
    for (const v of victims) process.kill(v, 'SIGKILL');
    await waitFor(() => victims.every((v) => !alive(v)) && childrenOf(pg!.proc.pid!).length === 2, 10_000, 'replacement workers');
    expect(pg.log.join('\n')).toContain('SMTP worker died; starting a new one');
    held.forEach((c) => c.close());
    // Both slots are free again: one connection held open, and a message on a second one.
    const first = await greeted(pg.smtpPort);
    const out = await swaksAsync(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'a@fabrikam.com', '--to', 'bob@contoso.com']);
    expect(out).toMatch(/250 2\.0\.0 OK/);
    first.close();
    await waitFor(() => maildirMessages(pg!.dataDir, 'bob@contoso.com').length === 1, 10_000, 'delivery');
  });

  it('a worker killed in the middle of delivering leaves the message to the primary, which delivers it at once', async () => {
    // The worker that accepts a message delivers its first attempt itself. The next hop hangs the
    // first connection (the worker's) without a greeting and serves the rest as a minimal SMTP server.
    const hop = await unusedPort();
    const received: string[] = [];
    const sockets: Socket[] = [];
    let connections = 0;
    const server = createServer((socket) => {
      sockets.push(socket);
      if (++connections === 1) return; // silent: the worker waits for a greeting
      socket.write('220 hop.example ESMTP\r\n');
      let data = false;
      let buf = '';
      socket.on('data', (chunk) => {
        buf += chunk;
        for (let i; (i = buf.indexOf('\r\n')) >= 0; ) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (data) {
            if (line === '.') {
              data = false;
              socket.write('250 2.0.0 queued at the hop\r\n');
            } else received.push(line);
          } else if (/^DATA/i.test(line)) {
            data = true;
            socket.write('354 go ahead\r\n');
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write(/^EHLO/i.test(line) ? '250 hop.example\r\n' : '250 OK\r\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(hop, '127.0.0.1', r));
    try {
      const dir = tempDir();
      importOrgs(dir, [contoso({ Delivery: { kind: 'smtp', host: '127.0.0.1', port: hop, starttls: 'none', verifyCertificate: false } } as any)]);
      pg = await startPostern(dir, { smtpProcesses: 2 });
      const out = await swaksAsync(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'a@fabrikam.com', '--to', 'alice@contoso.com', '--header', 'Subject: held by a worker']);
      expect(out).toMatch(/250 2\.0\.0 OK/);
      await waitFor(() => connections === 1, 5000, "the worker's delivery attempt");
      const killedAt = Date.now();
      for (const w of childrenOf(pg.proc.pid!)) process.kill(w, 'SIGKILL');
      await waitFor(() => received.includes('Subject: held by a worker'), 10_000, 'delivery by the primary');
      // Released when the worker died, not when its 10-minute lease ran out (nor by the 30 s greeting timeout).
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect(pg.log.join('\n')).toContain('delivery leases of a dead SMTP worker released');
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });

  it('stops gracefully on SIGTERM: every process exits, the primary with 0', async () => {
    pg = await start();
    const workers = childrenOf(pg.proc.pid!);
    expect(await pg.stop('SIGTERM')).toBe(0);
    await waitFor(() => workers.every((w) => !alive(w)), 5000, 'workers to exit');
    pg = undefined;
  });

  it('leaves no worker behind when the primary is killed with SIGKILL', async () => {
    pg = await start();
    const workers = childrenOf(pg.proc.pid!);
    await pg.stop('SIGKILL');
    await waitFor(() => workers.every((w) => !alive(w)), 5000, 'orphaned workers to exit');
    pg = undefined;
  });
});
