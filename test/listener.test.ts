// Listener features: PROXY protocol from trusted proxies, implicit TLS, graceful shutdown.
import { describe, expect, it } from 'vitest';
import { contoso, importOrgs, maildirMessages, query, startPostern, swaks, tempDir, waitFor } from './support/postern.js';
import { RawSmtp } from './support/rawSmtp.js';

describe('listener', () => {
  it('takes the client address from a PROXY header sent by a trusted proxy, and refuses one from anyone else', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const pg = await startPostern(dir, { trustedProxies: ['127.0.0.1'] });
    try {
      const c = await RawSmtp.open(pg.smtpPort);
      c.send('PROXY TCP4 203.0.113.9 127.0.0.1 40000 25\r\n');
      expect(await c.reply()).toMatch(/^220 /);
      await c.command('EHLO proxied.example');
      await c.command('MAIL FROM:<a@fabrikam.com>');
      expect(await c.command('RCPT TO:<p@contoso.com>')).toMatch(/^250/);
      expect(await c.command('DATA')).toMatch(/^354/);
      c.send('Subject: proxied\r\n\r\nhi\r\n.\r\n');
      expect(await c.reply()).toMatch(/^250 2\.0\.0 OK/);
      c.close();
      expect(query(dir, "SELECT SenderIPv4 FROM EmailEvents WHERE Subject = 'proxied'")[0].SenderIPv4).toBe('203.0.113.9');

      // From an address that is not a trusted proxy the header is just a bad command: the real
      // peer address is what gets recorded.
      const untrusted = await RawSmtp.open(pg.smtpPort, '127.0.0.1', '127.0.0.7');
      try {
        expect(await untrusted.reply()).toMatch(/^220 /);
        expect(await untrusted.command('PROXY TCP4 198.51.100.1 127.0.0.1 40000 25')).toMatch(/^5\d\d /);
        await untrusted.command('EHLO sneaky.example');
        await untrusted.command('MAIL FROM:<b@fabrikam.com>');
        await untrusted.command('RCPT TO:<p@contoso.com>');
        await untrusted.command('DATA');
        untrusted.send('Subject: not proxied\r\n\r\nhi\r\n.\r\n');
        expect(await untrusted.reply()).toMatch(/^250 /);
      } finally {
        untrusted.close();
      }
      expect(query(dir, "SELECT SenderIPv4 FROM EmailEvents WHERE Subject = 'not proxied'")[0].SenderIPv4).toBe('127.0.0.7');
    } finally {
      await pg.stop();
    }
  });

  it('serves implicit TLS (SMTPS) on its own port', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const pg = await startPostern(dir, { smtps: '127.0.0.1:0' });
    try {
      const line = pg.log.find((l) => l.includes('postern ready'))!;
      const port = JSON.parse(line).smtps;
      const r = swaks(['--server', `127.0.0.1:${port}`, '--tlsc', '--from', 'a@fabrikam.com', '--to', 's@contoso.com', '--header', 'Subject: smtps']);
      expect(r.out).toMatch(/250 2\.0\.0 OK/);
      const [msg] = await waitFor(() => maildirMessages(dir, 's@contoso.com').length && maildirMessages(dir, 's@contoso.com'), 10_000, 'delivery');
      expect(msg).toMatch(/with ESMTPS \(version=TLSv1\.3/);
    } finally {
      await pg.stop();
    }
  });

  it('on SIGTERM stops accepting, lets the session in flight finish its message, and exits cleanly', async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    const pg = await startPostern(dir);
    const c = await RawSmtp.open(pg.smtpPort);
    await c.reply();
    await c.command('EHLO busy.example');
    await c.command('MAIL FROM:<a@fabrikam.com>');
    await c.command('RCPT TO:<g@contoso.com>');
    expect(await c.command('DATA')).toMatch(/^354/);
    c.send('Subject: in flight\r\n\r\nfirst half\r\n');
    pg.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect(RawSmtp.open(pg.smtpPort)).rejects.toThrow(/ECONNREFUSED/); // no new connections
    c.send('second half\r\n.\r\n');
    expect(await c.reply()).toMatch(/^250 2\.0\.0 OK/);
    expect(await c.command('QUIT')).toMatch(/^(221|421 4\.4\.2)/); // the session ends after its transaction
    expect(await pg.stop()).toBe(0);
    // Delivered before exit, or still queued and delivered by the next start: never lost.
    const pg2 = await startPostern(dir);
    try {
      await waitFor(() => maildirMessages(dir, 'g@contoso.com').some((m) => m.includes('second half')), 10_000, 'delivery');
    } finally {
      await pg2.stop();
    }
  });
});
