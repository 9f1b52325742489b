// Test PKI made with openssl: a CA, certificates it signs, and self-signed look-alikes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  key: string;
  cert: string;
}

function ossl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

export function makeCa(dir: string, name = 'Test CA'): CertFiles {
  const key = join(dir, 'ca.key');
  const cert = join(dir, 'ca.crt');
  ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`]);
  return { key, cert };
}

/** A certificate for `cn` (with SAN DNS names), signed by `ca`, or self-signed when ca is undefined. */
export function makeCert(dir: string, base: string, cn: string, sans: string[] = [cn], ca?: CertFiles): CertFiles {
  const key = join(dir, `${base}.key`);
  const cert = join(dir, `${base}.crt`);
  const ext = join(dir, `${base}.ext`);
  writeFileSync(ext, `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  if (!ca) {
    ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-keyout', key, '-out', cert, '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`]);
    return { key, cert };
  }
  const csr = join(dir, `${base}.csr`);
  ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  ossl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '30', '-sha256', '-extfile', ext]);
  return { key, cert };
}

export const read = (f: string) => readFileSync(f);
