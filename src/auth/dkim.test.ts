// Postern's DKIM verifier against signatures made by another implementation (python3-dkim's
// dkimsign) with keys generated here, keys served by a real DNS server (NSD) through the gateway's
// resolver: every canonicalization, RSA and Ed25519, whitespace the relaxed forms must fold,
// trailing empty lines, a body read from memory and from a spool file in chunks, and tampering.
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNsd, txt, type Nsd } from '../../test/support/nsd.js';
import { tempDir } from '../../test/support/postern.js';
import { BodyHasher, verifyDkim } from './dkim.js';
import { DnsResolver } from './dnsResolver.js';

let dir: string;
let nsd: Nsd;
let resolver: DnsResolver;

const run = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, { encoding: 'latin1', input, cwd: dir, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
};
const sign = (msg: string, canon: string, alg = 'rsa-sha256') => {
  const [hc, bc] = canon.split('/');
  const selector = alg === 'rsa-sha256' ? 'rsa' : 'ed';
  return run('dkimsign', ['--hcanon', hc, '--bcanon', bc, '--signalg', alg, selector, 'example.org', join(dir, `${selector}.key`)], msg).replace(/\r?\n/g, '\r\n');
};

const BODY = ['Dear  colleague,\t ', '', 'Figures:\t12  \t34   ', '  indented line', '', 'Regards', '', '', ''].join('\r\n');
const message = (body = BODY) =>
  ['From: Sender <a@example.org>', 'To: b@contoso.com', 'Subject: a folded', '  subject line', 'Message-ID: <m@example.org>', '', body].join('\r\n');

beforeAll(async () => {
  dir = tempDir('postern-dkim-');
  run('dknewkey', ['rsa']);
  run('dknewkey', ['--ktype', 'ed25519', 'ed']);
  nsd = await startNsd(join(dir, 'dns'), 30000 + Math.floor(Math.random() * 900), [
    `rsa._domainkey.example.org. IN TXT ${txt(readFileSync(join(dir, 'rsa.dns'), 'utf8').trim())}`,
    `ed._domainkey.example.org. IN TXT ${txt(readFileSync(join(dir, 'ed.dns'), 'utf8').trim())}`,
  ]);
  resolver = new DnsResolver({ servers: [nsd.server], timeoutMs: 2000 });
});
afterAll(async () => {
  resolver?.cancel();
  await nsd?.stop();
});

describe('verifyDkim', () => {
  for (const canon of ['simple/simple', 'simple/relaxed', 'relaxed/simple', 'relaxed/relaxed']) {
    for (const alg of ['rsa-sha256', 'ed25519-sha256']) {
      it(`passes a ${alg} ${canon} signature, from memory and from a file, and fails it once the body changes`, async () => {
        const signed = sign(message(), canon, alg);
        const file = join(dir, `${canon.replace('/', '-')}-${alg}.eml`);
        writeFileSync(file, signed, 'latin1');
        for (const source of [Buffer.from(signed, 'latin1'), file]) {
          const { checks } = await verifyDkim(source, resolver.lookup, createReadStream);
          expect(checks).toMatchObject([{ result: 'pass', domain: 'example.org', algorithm: alg }]);
        }
        const tampered = signed.replace('Regards', 'Regardz');
        expect((await verifyDkim(Buffer.from(tampered, 'latin1'), resolver.lookup, createReadStream)).checks[0]).toMatchObject({ result: 'fail', comment: 'body hash did not verify' });
        const header = signed.replace('Subject: a folded', 'Subject: b folded');
        expect((await verifyDkim(Buffer.from(header, 'latin1'), resolver.lookup, createReadStream)).checks[0]).toMatchObject({ result: 'fail', comment: 'signature did not verify' });
      });
    }
  }

  it('reads a large spool file in chunks: whitespace and line ends that straddle chunk borders hash the same', async () => {
    const line = 'word  word\tword   \r\n';
    const body = line.repeat(40_000) + '\r\n\r\n';
    for (const canon of ['relaxed/relaxed', 'simple/simple']) {
      const signed = sign(message(body), canon);
      const file = join(dir, `large-${canon.replace('/', '-')}.eml`);
      writeFileSync(file, signed, 'latin1');
      expect((await verifyDkim(file, resolver.lookup, createReadStream)).checks[0].result, canon).toBe('pass');
    }
  });

  it('reports a missing key as neutral and a bad signature tag as neutral, without failing the others', async () => {
    const signed = sign(message(), 'relaxed/relaxed');
    const noKey = signed.replace('s=rsa;', 's=missing;');
    expect((await verifyDkim(Buffer.from(noKey, 'latin1'), resolver.lookup, createReadStream)).checks[0]).toMatchObject({ result: 'neutral', comment: 'no key' });
    const badAlg = signed.replace('a=rsa-sha256', 'a=rsa-md5');
    expect((await verifyDkim(Buffer.from(badAlg, 'latin1'), resolver.lookup, createReadStream)).checks[0]).toMatchObject({ result: 'neutral', comment: 'unknown algorithm' });
  });
});

describe('BodyHasher', () => {
  it('gives the same hash however the body is cut into chunks', () => {
    const body = Buffer.from('a  b\t\r\n\r\n c \r\n\r\n\r\nlast line  \r\n\r\n\r\n', 'latin1');
    for (const canon of ['simple', 'relaxed'] as const) {
      const whole = new BodyHasher(canon, 'sha256');
      whole.update(body);
      const expected = whole.digest().bodyHash;
      for (const size of [1, 2, 3, 5, 7]) {
        const h = new BodyHasher(canon, 'sha256');
        for (let i = 0; i < body.length; i += size) h.update(body.subarray(i, i + size));
        expect(h.digest().bodyHash, `${canon} in ${size}-byte chunks`).toBe(expected);
      }
    }
  });

  it('canonicalizes an empty body as RFC 6376 says: CRLF for simple, nothing for relaxed', () => {
    const sha = (s: string) => Buffer.from(spawnSync('sh', ['-c', `printf '${s}' | openssl dgst -sha256 -binary | base64`]).stdout.toString().trim()).toString();
    const simple = new BodyHasher('simple', 'sha256');
    simple.update(Buffer.from('\r\n\r\n'));
    expect(simple.digest().bodyHash).toBe(sha('\\r\\n'));
    const relaxed = new BodyHasher('relaxed', 'sha256');
    relaxed.update(Buffer.from('\r\n\r\n'));
    expect(relaxed.digest().bodyHash).toBe(sha(''));
  });
});
