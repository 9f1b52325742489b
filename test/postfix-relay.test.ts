// A real Postfix relays to Postern over STARTTLS presenting a client certificate; Postern records
// the certificate's names on the message and in the trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { contoso, importOrgs, maildirMessages, query, startPostern, swaks, tempDir, unusedPort, waitFor, type Running } from './support/postern.js';
import { makeCa, makeCert } from './support/certs.js';
import { startPostfix } from './support/postfix.mjs';

let pg: Running;
let pf: ReturnType<typeof startPostfix>;

beforeAll(async () => {
  const dir = tempDir();
  const pki = tempDir('pki-');
  const ca = makeCa(pki, 'Fabrikam Test CA');
  const cert = makeCert(pki, 'relay', 'mail.fabrikam.com', ['mail.fabrikam.com', 'relay.fabrikam.com'], ca);
  importOrgs(dir, [contoso()]);
  copyFileSync(ca.cert, join(dir, 'client-ca.pem'));
  pg = await startPostern(dir, { clientCaFile: 'client-ca.pem' });
  pf = startPostfix(tempDir('postfix-'), { listenPort: await unusedPort(), relayPort: pg.smtpPort, clientCert: cert });
});
afterAll(async () => {
  pf?.stop();
  await pg?.stop();
});

describe('Postfix as the sending MTA', () => {
  it('relays over STARTTLS with a client certificate whose names Postern records', async () => {
    const r = swaks(['--server', `127.0.0.1:${pf.port}`, '--from', 'billing@fabrikam.com', '--to', 'erin@contoso.com', '--header', 'Subject: via postfix']);
    expect(r.out, r.out).toMatch(/250 2\.0\.0 Ok: queued/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'erin@contoso.com').length && maildirMessages(pg.dataDir, 'erin@contoso.com'), 30_000, `delivery via Postfix\n${pf.log()}`);
    expect(msg).toMatch(/^X-Postern-Peer-Certificate: CN=mail\.fabrikam\.com; DNS=mail\.fabrikam\.com,relay\.fabrikam\.com; trusted=yes; sha256=[0-9A-F:]+$/m);
    expect(msg).toMatch(/Received: from relay\.fabrikam\.test \(\[127\.0\.0\.1\]\)\r\n\tby postern\.localhost \(Postern\) with ESMTPS \(version=TLSv1\.[23]/);
    expect(msg).toContain('Subject: via postfix');
    const ev = query(pg.dataDir, "SELECT data FROM message_trace_events WHERE event = 'RECEIVE' AND recipient = 'erin@contoso.com'");
    expect(ev[0].data).toMatch(/cert-cn=mail\.fabrikam\.com; cert-dns=mail\.fabrikam\.com,relay\.fabrikam\.com; cert-trusted=yes/);
  });
});
