// TLS material for the listener: the configured certificate (or a self-signed one generated on
// first start of the embedded default), the CA bundle that client certificates must chain to,
// and the peer-certificate facts that attribution uses.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { PeerCertificate } from '../message/facts.js';

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
  /** Client certificates chaining to these count as trusted; absent = none are trusted. */
  ca?: Buffer;
}

/** Load the certificate in `<dataDir>/tls`, generating a self-signed one if there is none. */
export function loadOrCreateTls(dataDir: string, hostname: string, caFile?: string): TlsFiles {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.crt');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
      '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${hostname}`,
      '-addext', `subjectAltName=DNS:${hostname},DNS:localhost,IP:127.0.0.1`,
    ], { stdio: 'ignore' });
  }
  const ca = caFile ?? (existsSync(join(dir, 'client-ca.pem')) ? join(dir, 'client-ca.pem') : undefined);
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), ca: ca ? readFileSync(ca) : undefined };
}

/** What a client certificate says, and whether it chains to the trust store. */
export function peerCertificateOf(socket: TLSSocket): PeerCertificate | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const dnsNames = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  const cn = cert.subject?.CN;
  return {
    subjectCN: Array.isArray(cn) ? cn[0] : cn,
    dnsNames,
    fingerprint256: cert.fingerprint256,
    // requestCert without rejectUnauthorized: Node verifies the chain and tells us the verdict.
    trusted: socket.authorized === true,
  };
}
