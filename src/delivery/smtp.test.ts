// Next-hop delivery against real SMTP and LMTP servers on loopback: per-recipient results,
// connections reused and bounded, and a hop that closes or drops connections.
import { afterEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { HOP_LIMITS, SmtpDelivery } from './smtp.js';

interface Hop {
  port: number;
  received: { to: string[]; data: string }[];
  /** Connections accepted, and the most open at once. */
  connections: number;
  maxOpen: number;
  server: SMTPServer;
}

const servers: SMTPServer[] = [];
const deliveries: SmtpDelivery[] = [];
afterEach(async () => {
  for (const d of deliveries.splice(0)) d.close();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((res) => s.close(() => res()))));
});

async function hop(options: Partial<SMTPServerOptions> & { onMessage?: (data: string, stream: { to: string[] }) => void } = {}): Promise<Hop> {
  let open = 0;
  const h = { received: [], connections: 0, maxOpen: 0 } as unknown as Hop;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onConnect(_s, cb) {
      h.connections++;
      h.maxOpen = Math.max(h.maxOpen, ++open);
      cb();
    },
    onClose() {
      open--;
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        h.received.push({ to, data: Buffer.concat(chunks).toString() });
        cb();
      });
    },
    ...options,
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  servers.push(server);
  h.server = server;
  h.port = (server.server.address() as AddressInfo).port;
  return h;
}

function delivery(): SmtpDelivery {
  const d = new SmtpDelivery('.', 'gateway.test');
  deliveries.push(d);
  return d;
}

const target = (port: number, kind: 'smtp' | 'lmtp' = 'smtp') => ({ kind, host: '127.0.0.1', port, starttls: 'none' as const, verifyCertificate: false });
const message = (subject = 'hello') => Readable.from([Buffer.from(`From: a@fabrikam.com\r\nTo: b@contoso.com\r\nSubject: ${subject}\r\n\r\nbody\r\n`)]);

describe('SMTP next hop delivery', () => {
  it('delivers every message, reusing at most the configured number of connections', async () => {
    const h = await hop();
    const d = delivery();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => d.deliver(target(h.port), 'a@fabrikam.com', [`u${i}@contoso.com`], message(`m${i}`))));
    expect(results.every((r) => [...r.values()].every((x) => x.ok))).toBe(true);
    expect(h.received).toHaveLength(30);
    expect(h.received.map((m) => m.data.match(/Subject: (m\d+)/)![1]).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort());
    expect(h.maxOpen).toBeLessThanOrEqual(HOP_LIMITS.connections);
    expect(h.connections).toBeLessThan(30); // reused, not one per message
  });

  it('reports each recipient: one refused at RCPT does not fail the others', async () => {
    const h = await hop({
      onRcptTo(addr, _s, cb) {
        if (addr.address.startsWith('ghost')) return cb(Object.assign(new Error('5.1.1 User unknown'), { responseCode: 550 }));
        cb();
      },
    });
    const r = await delivery().deliver(target(h.port), 'a@fabrikam.com', ['dana@contoso.com', 'ghost@contoso.com'], message());
    expect(r.get('dana@contoso.com')).toMatchObject({ ok: true, remote: `127.0.0.1:${h.port}` });
    expect(r.get('ghost@contoso.com')).toMatchObject({ ok: false, permanent: true });
    expect((r.get('ghost@contoso.com') as { response: string }).response).toMatch(/550.*User unknown/);
    expect(h.received[0].to).toEqual(['dana@contoso.com']);
  });

  it('all recipients refused: every one fails permanently, and the next message still goes through', async () => {
    const h = await hop({ onRcptTo: (addr, _s, cb) => (addr.address.startsWith('ghost') ? cb(Object.assign(new Error('5.1.1 User unknown'), { responseCode: 550 })) : cb()) });
    const d = delivery();
    const r = await d.deliver(target(h.port), 'a@fabrikam.com', ['ghost1@contoso.com', 'ghost2@contoso.com'], message());
    expect([...r.values()].map((x) => x.ok === false && x.permanent)).toEqual([true, true]);
    const next = await d.deliver(target(h.port), 'a@fabrikam.com', ['dana@contoso.com'], message());
    expect(next.get('dana@contoso.com')?.ok).toBe(true);
  });

  it('LMTP: a recipient refused after DATA fails alone', async () => {
    const h = await hop({
      lmtp: true,
      onData(stream, session, cb) {
        stream.on('data', () => {});
        stream.on('end', () => {
          // smtp-server's LMTP mode answers per recipient from an array of results.
          (cb as unknown as (err: null, results: (Error | string)[]) => void)(
            null,
            session.envelope.rcptTo.map((r) => (r.address.startsWith('full') ? Object.assign(new Error('4.2.2 Mailbox full'), { responseCode: 452 }) : 'OK')),
          );
        });
      },
    });
    const r = await delivery().deliver(target(h.port, 'lmtp'), 'a@fabrikam.com', ['dana@contoso.com', 'full@contoso.com'], message());
    expect(r.get('dana@contoso.com')?.ok).toBe(true);
    expect(r.get('full@contoso.com')).toMatchObject({ ok: false, permanent: false });
  });

  it('a hop that is down is a temporary failure for every recipient', async () => {
    const h = await hop();
    await new Promise<void>((res) => h.server.close(() => res()));
    servers.splice(servers.indexOf(h.server), 1);
    const r = await delivery().deliver(target(h.port), 'a@fabrikam.com', ['dana@contoso.com', 'lee@contoso.com'], message());
    expect([...r.values()].map((x) => x.ok === false && !x.permanent)).toEqual([true, true]);
  });

  it('a hop that closes idle connections or drops one mid-message: a temporary failure at worst, then delivery resumes', async () => {
    let drop = false;
    const h = await hop({
      socketTimeout: 150, // closes our idle pooled connections
      onData(stream, session, cb) {
        if (drop) {
          drop = false;
          stream.on('data', () => {});
          // Drop the connection in the middle of DATA.
          for (const c of (h.server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          h.received.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString() });
          cb();
        });
      },
    });
    const d = delivery();
    expect((await d.deliver(target(h.port), 'a@fabrikam.com', ['one@contoso.com'], message('one'))).get('one@contoso.com')?.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 400)); // the hop has closed the idle connection by now
    expect((await d.deliver(target(h.port), 'a@fabrikam.com', ['two@contoso.com'], message('two'))).get('two@contoso.com')?.ok).toBe(true);
    drop = true;
    const dropped = await d.deliver(target(h.port), 'a@fabrikam.com', ['three@contoso.com'], message('three'));
    expect(dropped.get('three@contoso.com')).toMatchObject({ ok: false, permanent: false });
    expect((await d.deliver(target(h.port), 'a@fabrikam.com', ['four@contoso.com'], message('four'))).get('four@contoso.com')?.ok).toBe(true);
    expect(h.received.map((m) => m.to[0])).toEqual(['one@contoso.com', 'two@contoso.com', 'four@contoso.com']);
  });
});
