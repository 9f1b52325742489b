// A private Postfix instance used as a real sending MTA: it accepts mail on a loopback port and
// relays everything to Postern, optionally over mandatory STARTTLS with a client certificate.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Plain JS so that bench/ can use it too.

/**
 * @param {string} dir
 * @param {{ listenPort: number, relayPort?: number, relayHost?: string, bindAddress?: string,
 *           clientCert?: { cert: string, key: string }, discard?: boolean, extra?: string[] }} opts
 */
export function startPostfix(dir, opts) {
  const etc = join(dir, 'etc');
  mkdirSync(etc, { recursive: true });
  mkdirSync(join(dir, 'queue'));
  mkdirSync(join(dir, 'data'));
  chmodSync(dir, 0o755); // Postfix daemons run as the postfix user and must reach the queue
  const uid = Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }));
  chownSync(join(dir, 'data'), uid, -1);
  const master = readFileSync('/etc/postfix/master.cf', 'utf8').replace(/^smtp\s+inet\s.*$/m, `127.0.0.1:${opts.listenPort} inet n - n - - smtpd`);
  writeFileSync(join(etc, 'master.cf'), master);
  const main = [
    'compatibility_level = 3.6',
    `queue_directory = ${join(dir, 'queue')}`,
    `data_directory = ${join(dir, 'data')}`,
    `maillog_file = ${join(dir, 'maillog')}`,
    'maillog_file_prefixes = /tmp, /var',
    'mail_owner = postfix',
    'setgid_group = postdrop',
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    `myhostname = relay.fabrikam.test`,
    'mydestination =',
    'local_transport = error:local delivery disabled',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = permit_mynetworks, reject',
    ...(opts.discard ? ['default_transport = discard', 'relay_transport = discard'] : [`relayhost = [${opts.relayHost ?? '127.0.0.1'}]:${opts.relayPort}`]),
    ...(opts.bindAddress ? [`smtp_bind_address = ${opts.bindAddress}`] : []),
    'smtp_tls_security_level = ' + (opts.clientCert ? 'encrypt' : 'may'),
    ...(opts.clientCert ? [`smtp_tls_cert_file = ${opts.clientCert.cert}`, `smtp_tls_key_file = ${opts.clientCert.key}`] : []),
    'smtp_tls_loglevel = 1',
    'smtpd_tls_security_level = none',
    'biff = no',
    'shlib_directory = /usr/lib/postfix',
    'daemon_directory = /usr/lib/postfix/sbin',
    'meta_directory = /etc/postfix',
    'maximal_backoff_time = 2s',
    'minimal_backoff_time = 1s',
    'queue_run_delay = 1s',
    'smtp_connect_timeout = 5s',
    ...(opts.extra ?? []),
  ];
  writeFileSync(join(etc, 'main.cf'), main.join('\n') + '\n');
  execFileSync('postfix', ['-c', etc, 'check'], { stdio: 'pipe' });
  execFileSync('postfix', ['-c', etc, 'start'], { stdio: 'pipe' });
  return {
    port: opts.listenPort,
    dir,
    stop: () => {
      try {
        execFileSync('postfix', ['-c', etc, 'stop'], { stdio: 'pipe' });
      } catch {
        /* already stopped */
      }
    },
    log: () => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : ''),
  };
}
