// Protocol hardening over real sockets: SMTP smuggling, early talkers, limits, idle floods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contoso, importOrgs, maildirMessages, query, startPostern, tempDir, waitFor, type Running } from './support/postern.js';
import { RawSmtp } from './support/rawSmtp.js';

let pg: Running;
beforeAll(async () => {
  const dir = tempDir();
  importOrgs(dir, [contoso({ InboundConnectors: [{ Name: 'Scanner', ConnectorType: 'Partner', SenderDomains: ['scan.example'], SenderIPAddresses: ['127.0.0.6'], RestrictDomainsToIPAddresses: true, RequireTls: false }] as any })]);
  pg = await startPostern(dir, { earlyTalkerDelayMs: 300, trustedNetworks: ['127.0.0.1/32'], limits: { maxConnectionsPerIp: 200, sessionTimeoutMs: 2500 } });
});
afterAll(async () => {
  if (process.env.DEBUG_POSTERN) console.log(pg.log.join('\n'));
  await pg?.stop();
});

async function openTransaction(from = 'a@fabrikam.com', to = 'victim@contoso.com', port = pg.smtpPort): Promise<RawSmtp> {
  const c = await RawSmtp.open(port);
  expect(await c.reply()).toMatch(/^220 /);
  expect(await c.command('EHLO client.example')).toMatch(/^250/);
  expect(await c.command(`MAIL FROM:<${from}>`)).toMatch(/^250/);
  expect(await c.command(`RCPT TO:<${to}>`)).toMatch(/^250/);
  expect(await c.command('DATA')).toMatch(/^354/);
  return c;
}

describe('SMTP smuggling', () => {
  const payloads: [string, string][] = [
    ['<LF>.<LF>', '\n.\n'],
    ['<LF>.<CR><LF>', '\n.\r\n'],
    ['<CR>.<CR><LF>', '\r.\r\n'],
    ['<CR><LF>.<LF>', '\r\n.\n'],
  ];
  for (const [name, terminator] of payloads) {
    it(`${name} never ends DATA, never yields a second message, and the message is refused`, async () => {
      const tag = `smuggled-${name.replace(/\W/g, '')}`;
      const c = await openTransaction('a@fabrikam.com', 'victim@contoso.com');
      c.send(
        `Subject: first\r\n\r\nhello${terminator}MAIL FROM:<ceo@contoso.com>\r\nRCPT TO:<victim@contoso.com>\r\nDATA\r\nSubject: ${tag}\r\n\r\nsmuggled${terminator.replace(/.*/, '')}\r\n.\r\n`,
      );
      const reply = await c.reply();
      expect(reply).toMatch(/^550 5\.5\.2 .*bare/);
      // The session is still in command state and nothing else was answered.
      expect(await c.command('QUIT')).toMatch(/^221/);
      c.close();
      await new Promise((r) => setTimeout(r, 300));
      expect(query(pg.dataDir, 'SELECT count(*) AS n FROM message_trace WHERE subject = ?', tag)[0].n).toBe(0);
      expect(maildirMessages(pg.dataDir, 'victim@contoso.com').filter((m) => m.includes('smuggled'))).toHaveLength(0);
    });
  }
});

describe('early talkers', () => {
  it('refuses a client that talks before the greeting (untrusted address)', async () => {
    const c = await RawSmtp.open(pg.smtpPort, '127.0.0.1', '127.0.0.2');
    c.send('EHLO eager.example\r\n');
    const reply = await c.reply();
    expect(reply).toMatch(/^421 .*talk too soon/i);
    c.close();
  });

  it('greets a connector IP at once, without the early-talker pause', async () => {
    const t0 = Date.now();
    const c = await RawSmtp.open(pg.smtpPort, '127.0.0.1', '127.0.0.6');
    expect(await c.reply()).toMatch(/^220 /);
    expect(Date.now() - t0).toBeLessThan(200);
    c.close();
  });

  it('greets a trusted address at once, without the early-talker pause', async () => {
    const t0 = Date.now();
    const c = await RawSmtp.open(pg.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    expect(Date.now() - t0).toBeLessThan(200);
    c.close();
  });
});

describe('limits', () => {
  it('refuses an over-long line and a header flood with 552 5.3.4', async () => {
    let c = await openTransaction();
    c.send(`Subject: long\r\n\r\n${'y'.repeat(40_000)}\r\n.\r\n`);
    expect(await c.reply()).toMatch(/^552 5\.3\.4 .*line is longer/);
    c.close();
    c = await openTransaction();
    c.send(`${'X-Flood: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(6000)}\r\nbody\r\n.\r\n`);
    expect(await c.reply()).toMatch(/^552 5\.3\.4 .*header exceeds/);
    c.close();
  });

  it('ends a session that outlives the session time limit with 421 4.4.2, even while the client keeps talking', async () => {
    const c = await RawSmtp.open(pg.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    const t0 = Date.now();
    let last = '';
    // A slow client: a harmless command every 400 ms, never idle long enough for the idle timeout.
    while (Date.now() - t0 < 5000 && !c.closed) {
      last = await c.command('NOOP').catch(() => last);
      if (/^421/.test(last)) break;
      await new Promise((r) => setTimeout(r, 400));
    }
    if (!/^421/.test(last)) last = await c.reply(500).catch(() => last); // it came between two NOOPs
    expect(last).toMatch(/^421 4\.4\.2 Session time limit exceeded/);
    expect(c.closed || (await new Promise((r) => setTimeout(r, 300)), c.closed)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4000);
    c.close();
  });

  it('lets a message in flight finish when the session time limit passes, then ends the session', async () => {
    const c = await openTransaction();
    c.send('Subject: slow but whole\r\n\r\nfirst part\r\n');
    await new Promise((r) => setTimeout(r, 2800));
    c.send('last part\r\n.\r\n');
    expect(await c.reply()).toMatch(/^250 2\.0\.0 OK/);
    expect(await c.reply()).toMatch(/^421 4\.4\.2 Session time limit exceeded/);
    c.close();
  });

  it('serves a new client within a second while 1,000 idle connections are open', async () => {
    const idle: RawSmtp[] = [];
    // Spread over several source addresses: the per-IP limit (200 here) would refuse more from one.
    for (let i = 0; i < 1000; i++) idle.push(await RawSmtp.open(pg.smtpPort, '127.0.0.1', `127.0.1.${(i % 5) + 1}`));
    try {
      const t0 = Date.now();
      const c = await RawSmtp.open(pg.smtpPort);
      expect(await c.reply(1000)).toMatch(/^220 /);
      expect(await c.command('EHLO fresh.example')).toMatch(/^250/);
      expect(Date.now() - t0).toBeLessThan(1000);
      c.close();
    } finally {
      idle.forEach((s) => s.close());
    }
  });
});

describe('MAIL FROM and RCPT TO parameters', () => {
  async function session(): Promise<RawSmtp> {
    const c = await RawSmtp.open(pg.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.command('EHLO client.example')).toMatch(/^250/);
    return c;
  }

  it('refuses a parameter Postern does not support with 555 5.5.4, naming it', async () => {
    const c = await session();
    expect(await c.command('MAIL FROM:<a@fabrikam.com> FOO=bar')).toBe('555 5.5.4 Unsupported parameter FOO');
    expect(await c.command('MAIL FROM:<a@fabrikam.com>')).toMatch(/^250/);
    expect(await c.command('RCPT TO:<victim@contoso.com> XPRIORITY=HIGH')).toBe('555 5.5.4 Unsupported parameter XPRIORITY');
    expect(await c.command('RCPT TO:<victim@contoso.com>')).toMatch(/^250/);
    c.close();
  });

  it('accepts the parameters of the extensions it announces (SIZE, BODY, SMTPUTF8, DSN) and AUTH=<>', async () => {
    const c = await session();
    expect(await c.command('MAIL FROM:<a@fabrikam.com> SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=abc AUTH=<>')).toMatch(/^250/);
    expect(await c.command('RCPT TO:<victim@contoso.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;victim@contoso.com')).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    expect(await c.command('Subject: params ok\r\n\r\nhello\r\n.')).toMatch(/^250 2\.0\.0 OK/);
    c.close();
  });
});

describe('NUL characters', () => {
  it('refuses a message with a NUL byte at the end of DATA (554 5.6.0), queues nothing and records the refusal', async () => {
    const c = await openTransaction('nul@fabrikam.com');
    // A next hop that drops the NUL would see <CRLF>.<CRLF> here and a second message after it.
    c.send('Subject: nul-smuggle\r\n\r\nbefore\r\n\x00.\r\nMAIL FROM:<ceo@contoso.com>\r\n.\r\n');
    expect(await c.reply()).toMatch(/^554 5\.6\.0 Message refused: it contains NUL characters/);
    expect(await c.command('QUIT')).toMatch(/^221/);
    c.close();
    await waitFor(() => query(pg.dataDir, "SELECT count(*) AS n FROM SmtpRejectEvents WHERE Reason = 'nul' AND SenderMailFromAddress = 'nul@fabrikam.com'")[0].n === 1, 5000, 'the reject event');
    const [row] = query(pg.dataDir, "SELECT SmtpStage, SmtpCode, EnhancedStatusCode FROM SmtpRejectEvents WHERE Reason = 'nul'");
    expect(row).toEqual({ SmtpStage: 'DATA', SmtpCode: 554, EnhancedStatusCode: '5.6.0' });
    expect(query(pg.dataDir, "SELECT count(*) AS n FROM message_trace WHERE subject = 'nul-smuggle'")[0].n).toBe(0);
  });
});

describe('abandoned sessions', () => {
  const linesAfter = (from: number) => pg.log.slice(from).join('\n');

  it('a client that resets the connection in the middle of DATA is logged at info, without a stack trace, and nothing is queued', async () => {
    const from = pg.log.length;
    const c = await openTransaction('gone@fabrikam.com');
    c.send('Subject: abandoned mid-data\r\n\r\nfirst part\r\n');
    await new Promise((r) => setTimeout(r, 200));
    c.socket.resetAndDestroy();
    const line = await waitFor(() => pg.log.slice(from).find((l) => l.includes('client left during DATA')), 5000, 'the log line');
    expect(JSON.parse(line)).toMatchObject({ level: 30 });
    expect(linesAfter(from)).not.toMatch(/DATA failed|"stack"|\n\s+at /);
    expect(query(pg.dataDir, "SELECT count(*) AS n FROM message_trace WHERE subject = 'abandoned mid-data'")[0].n).toBe(0);
  });

  it('a reset after MAIL FROM is logged at info, not as a gateway error', async () => {
    const from = pg.log.length;
    const c = await RawSmtp.open(pg.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.command('EHLO client.example')).toMatch(/^250/);
    expect(await c.command('MAIL FROM:<gone@fabrikam.com>')).toMatch(/^250/);
    c.socket.resetAndDestroy();
    const line = await waitFor(() => pg.log.slice(from).find((l) => l.includes('client left mid-session')), 5000, 'the log line');
    expect(JSON.parse(line)).toMatchObject({ level: 30, code: 'ECONNRESET' });
    expect(linesAfter(from)).not.toMatch(/smtp error|"stack"/);
  });
});

describe('minimum data rate', () => {
  let slow: Running;
  beforeAll(async () => {
    const dir = tempDir();
    importOrgs(dir, [contoso()]);
    slow = await startPostern(dir, { trustedNetworks: ['127.0.0.1/32'], limits: { minDataRate: 20_000, minDataRateGraceMs: 600 } });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('disconnects a client that falls below the rate during DATA with 421 4.4.2, queues nothing and records it', async () => {
    const c = await openTransaction('slow@fabrikam.com', 'victim@contoso.com', slow.smtpPort);
    const t0 = Date.now();
    c.send('Subject: trickle\r\n\r\n');
    // A trickle: a few bytes every 100 ms, never idle, far below 20,000 bytes/s.
    const trickle = setInterval(() => !c.closed && c.send('x'), 100);
    try {
      expect(await c.reply(5000)).toBe('421 4.4.2 Data rate too slow, closing connection');
    } finally {
      clearInterval(trickle);
    }
    expect(Date.now() - t0).toBeLessThan(3000);
    await waitFor(() => c.closed, 3000, 'the disconnection');
    await waitFor(() => query(slow.dataDir, "SELECT count(*) AS n FROM SmtpRejectEvents WHERE Reason = 'min-data-rate'")[0].n === 1, 5000, 'the reject event');
    expect(query(slow.dataDir, "SELECT count(*) AS n FROM message_trace WHERE subject = 'trickle'")[0].n).toBe(0);
  });

  it('a short pause within the grace period is fine', async () => {
    const c = await openTransaction('pause@fabrikam.com', 'victim@contoso.com', slow.smtpPort);
    c.send('Subject: short pause\r\n\r\nfirst part\r\n');
    await new Promise((r) => setTimeout(r, 300));
    c.send('last part\r\n.\r\n');
    expect(await c.reply()).toMatch(/^250 2\.0\.0 OK/);
    c.close();
  });
});
