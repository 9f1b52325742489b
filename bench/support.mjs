// Shared by the SMTP benchmarks: process-tree CPU and memory from /proc, and smtp-source load.
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const POSTERN = join(resolve(import.meta.dirname, '..'), 'bin/postern.js');

// --- process-tree accounting from /proc -------------------------------------------------------
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function children() {
  const kids = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
    } catch { /* exited */ }
  }
  return kids;
}
export function tree(root) {
  const kids = children();
  const out = [];
  const walk = (p) => { out.push(p); for (const k of kids.get(p) ?? []) walk(k); };
  walk(root);
  return out;
}
/**
 * CPU seconds and RSS of these processes. CPU includes the children each has reaped (cutime and
 * cstime): Postfix's smtpd and cleanup processes exit after serving their clients (max_use) and
 * a count of the live ones alone would leave their work out. A live child's own time is counted
 * once, by itself; once reaped it moves into its parent's figures, so nothing counts twice.
 */
export function usage(pids) {
  let cpu = 0, rss = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK; // utime + stime + cutime + cstime
      rss += Number(f[21]) * 4096;
    } catch { /* exited */ }
  }
  return { cpu, rss };
}
/** Measure the process trees under these roots (a server, and the sink it delivers to) from now until the returned function is called. */
export function monitor(...roots) {
  const pids = () => roots.flat().flatMap((r) => tree(r));
  const start = usage(pids());
  let peak = start.rss;
  let last = start;
  const t = setInterval(() => { last = usage(pids()); peak = Math.max(peak, last.rss); }, 100);
  return () => { clearInterval(t); const end = usage(pids()); return { cpuSeconds: +(Math.max(end.cpu, last.cpu) - start.cpu).toFixed(2), peakRssMB: +(Math.max(peak, end.rss) / 1048576).toFixed(1) }; };
}

/**
 * Postfix's smtp-source against 127.0.0.1:port; resolves with the seconds it took. `file`: send
 * that pre-formatted message (header and body, LF line ends) instead of `size` bytes of filler.
 */
export function load(p, { size, sessions, reuse, file }, count, opts = {}) {
  return new Promise((res, rej) => {
    const f = file ?? opts.file;
    const a = ['-s', String(sessions), '-m', String(count), ...(f ? ['-F', f] : ['-l', String(size)]), '-f', opts.from ?? 'load@fabrikam.example', '-t', opts.to ?? 'user@bench.test', ...(reuse ? ['-d'] : []), `127.0.0.1:${p}`];
    const t0 = process.hrtime.bigint();
    const proc = spawn('smtp-source', a, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e9) : rej(new Error(`smtp-source exited ${code}: ${err}`))));
  });
}

/** `postern init` in dir, then the organizations imported (as an admin would: init, then config import). */
export function prepareDataDir(dir, organizations) {
  const run = (...a) => execFileSync(process.execPath, [POSTERN, ...a, '-d', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  run('init');
  writeFileSync(join(dir, 'orgs.json'), JSON.stringify({ organizations }));
  run('config', 'import', join(dir, 'orgs.json'), '--yes');
}

/**
 * A `postern serve` on 127.0.0.1:port with one organization (bench.test) delivering to `delivery`
 * (default: discard), in a fresh data directory. `drained()` resolves once the queue is empty.
 */
export async function startPostern({ port, processes = 'auto', delivery = { kind: 'discard' }, settings = 'senderAuthentication: false\n' }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-postern-'));
  const org = { Name: 'Bench', Guid: randomUUID(), AcceptedDomains: [{ DomainName: 'bench.test' }], Delivery: delivery };
  prepareDataDir(dir, [org]);
  writeFileSync(join(dir, 'postern.yaml'), `smtp: 127.0.0.1:${port}\nhttp: 127.0.0.1:0\nsmtpProcesses: ${processes}\nlimits: { maxConnectionsPerIp: 1000 }\n${settings}`);
  const proc = spawn(process.execPath, [POSTERN, 'serve', '-d', dir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, POSTERN_LOG_LEVEL: 'info' } });
  await new Promise((res, rej) => {
    proc.stdout.on('data', (d) => String(d).includes('postern ready') && res());
    proc.once('exit', (code) => rej(new Error(`postern exited ${code}`)));
  });
  proc.stdout.resume();
  const queue = new Database(join(dir, 'postern.db'), { readonly: true, fileMustExist: true });
  const pending = queue.prepare('SELECT count(*) AS n FROM queue_recipients');
  const drained = async (timeoutMs = 300_000) => {
    const t0 = Date.now();
    while (pending.get().n > 0) {
      if (Date.now() - t0 > timeoutMs) throw new Error('the queue did not drain');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    dir,
    port,
    pid: proc.pid,
    drained,
    stop: async () => { queue.close(); proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); rmSync(dir, { recursive: true, force: true }); },
  };
}
