// Delivery to an SMTP next hop: STARTTLS with a client certificate, retries while the hop is
// down, and a non-delivery report when it refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { contoso, importOrgs, maildirMessages, query, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';
import { makeCa, makeCert, read } from './support/certs.js';

interface Received {
  from: string;
  to: string[];
  data: string;
  tls?: string;
  clientCertCN?: string;
}

/** The next hop: a real SMTP server that requires STARTTLS and records the client certificate. */
function nextHop(pki: string, ca: { cert: string }, opts: { refuse?: boolean } = {}) {
  const received: Received[] = [];
  const server = makeCert(pki, 'nexthop', 'nexthop.test', ['nexthop.test', 'localhost'], makeCa(pki, 'Hop CA'));
  const smtp = new SMTPServer({
    key: read(server.key),
    cert: read(server.cert),
    ca: read(ca.cert),
    requestCert: true,
    rejectUnauthorized: false,
    authOptional: true,
    closeTimeout: 200, // our pooled connection stays open; don't wait 30 s for it
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_addr: SMTPServerAddress, _s: SMTPServerSession, cb: (err?: Error | null) => void) {
      if (opts.refuse) return cb(Object.assign(new Error('5.1.1 User unknown at the next hop'), { responseCode: 550 }));
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address),
          data: Buffer.concat(chunks).toString(),
          tls: (session as any).tlsOptions?.version,
          clientCertCN: (session as any).postern?.cn,
        });
        cb();
      });
    },
    onSecure(socket: any, session: any, cb: (err?: Error | null) => void) {
      session.postern = { cn: socket.getPeerCertificate()?.subject?.CN };
      cb();
    },
  } as any);
  return { smtp, received };
}

let pg: Running;
let pki: string;
let client: { key: string; cert: string };
let hopCa: { cert: string; key: string };

beforeAll(async () => {
  const dir = tempDir();
  pki = tempDir('pki-');
  hopCa = makeCa(pki, 'Client CA');
  client = makeCert(pki, 'postern-client', 'gateway.contoso.test', ['gateway.contoso.test'], hopCa);
  copyFileSync(client.cert, join(dir, 'client.crt'));
  copyFileSync(client.key, join(dir, 'client.key'));
  importOrgs(dir, [
    contoso({
      AcceptedDomains: [
        { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
        { DomainName: 'hop.contoso.com', DomainType: 'Authoritative', Default: false },
        { DomainName: 'refuse.contoso.com', DomainType: 'Authoritative', Default: false },
      ],
      DomainDelivery: {
        'hop.contoso.com': { kind: 'smtp', host: '127.0.0.1', port: 39251, starttls: 'required', verifyCertificate: false, clientCertFile: 'client.crt', clientKeyFile: 'client.key' },
        'refuse.contoso.com': { kind: 'smtp', host: '127.0.0.1', port: 39252, starttls: 'required', verifyCertificate: false },
      },
    }),
  ]);
  pg = await startPostern(dir, { retry: { initialMs: 300, maxMs: 600 } });
});
afterAll(async () => {
  await pg?.stop();
});

describe('SMTP next hop', () => {
  it('defers while the hop is down, then delivers over STARTTLS presenting the client certificate', async () => {
    const r = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'partner@fabrikam.com', '--to', 'dana@hop.contoso.com', '--header', 'Subject: via next hop']);
    expect(r.out).toMatch(/250 2\.0\.0 OK/);
    const nmid = await waitFor(() => query(pg.dataDir, "SELECT network_message_id FROM message_trace_events WHERE event = 'DEFER' AND recipient = 'dana@hop.contoso.com'")[0]?.network_message_id, 10_000, 'DEFER');
    const { smtp, received } = nextHop(pki, hopCa);
    await new Promise<void>((res) => smtp.listen(39251, '127.0.0.1', () => res()));
    try {
      await waitFor(() => received.length === 1, 15_000, 'delivery to the next hop');
      expect(received[0].to).toEqual(['dana@hop.contoso.com']);
      expect(received[0].from).toBe('partner@fabrikam.com');
      expect(received[0].tls).toMatch(/TLSv1\.[23]/);
      expect(received[0].clientCertCN).toBe('gateway.contoso.test');
      expect(received[0].data).toContain('Subject: via next hop');
      const events = await waitFor(() => {
        const e = query(pg.dataDir, 'SELECT event, detail FROM message_trace_events WHERE network_message_id = ? ORDER BY id', nmid);
        return e.some((x) => x.event === 'SEND') && e;
      }, 5000, 'SEND event');
      expect(events[0].event).toBe('RECEIVE');
      expect(events.filter((e) => e.event === 'DEFER').length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)).toMatchObject({ event: 'SEND' });
      expect(events.at(-1).detail).toMatch(/^250/);
      expect(query(pg.dataDir, 'SELECT status FROM message_trace WHERE network_message_id = ?', nmid)[0].status).toBe('Delivered');
    } finally {
      await new Promise<void>((res) => smtp.close(() => res()));
    }
  });

  it('a 5xx from the hop fails the recipient and sends an RFC 3464 report to the sender', async () => {
    const { smtp } = nextHop(pki, hopCa, { refuse: true });
    await new Promise<void>((res) => smtp.listen(39252, '127.0.0.1', () => res()));
    try {
      const r = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'writer@contoso.com', '--to', 'ghost@refuse.contoso.com', '--header', 'Subject: will bounce']);
      expect(r.out).toMatch(/250 2\.0\.0 OK/);
      const [ndr] = await waitFor(() => maildirMessages(pg.dataDir, 'writer@contoso.com').length && maildirMessages(pg.dataDir, 'writer@contoso.com'), 15_000, 'NDR');
      expect(ndr).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
      expect(ndr).toContain('Final-Recipient: rfc822; ghost@refuse.contoso.com');
      expect(ndr).toContain('Action: failed');
      expect(ndr).toContain('Status: 5.1.1');
      expect(ndr).toContain('Subject: will bounce'); // original headers attached
      const fail = query(pg.dataDir, "SELECT * FROM message_trace_events WHERE event = 'FAIL' AND recipient = 'ghost@refuse.contoso.com'");
      expect(fail).toHaveLength(1);
      expect(fail[0].detail).toMatch(/550.*User unknown/);
    } finally {
      await new Promise<void>((res) => smtp.close(() => res()));
    }
  });
});
