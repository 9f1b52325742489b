// A real authoritative DNS server on loopback for the tests: Debian's NSD serving one root zone
// (".") the test writes, so every name a check asks for has an authoritative answer (NXDOMAIN
// for the names the zone lacks) and no query leaves the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Nsd {
  /** host:port, for dnsServers. */
  server: string;
  stop(): Promise<void>;
}

/** A TXT record's data as zone-file strings (each at most 255 bytes, RFC 1035). */
export function txt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 250) parts.push(`"${value.slice(i, i + 250).replace(/"/g, '\\"')}"`);
  return `( ${parts.join(' ')} )`;
}

/** Start NSD on 127.0.0.1:`port` serving `records` (zone-file lines with absolute names). */
export async function startNsd(dir: string, port: number, records: string[]): Promise<Nsd> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'root.zone'),
    ['$ORIGIN .', '$TTL 300', '. IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60', '. IN NS ns.test.', 'ns.test. IN A 127.0.0.1', ...records, ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'nsd.conf'),
    `server:
  ip-address: 127.0.0.1@${port}
  port: ${port}
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  xfrdfile: "${dir}/xfrd.state"
  zonelistfile: "${dir}/zone.list"
  database: ""
  logfile: "${dir}/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.zone"
`,
  );
  const proc: ChildProcess = spawn('/usr/sbin/nsd', ['-d', '-c', join(dir, 'nsd.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const end = Date.now() + 10_000;
  while (!readLog(dir).includes('nsd started')) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`nsd did not start: ${readLog(dir)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    server: `127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'nsd.log'), 'utf8');
  } catch {
    return '';
  }
}
