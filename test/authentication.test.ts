// Sender authentication end to end: a real authoritative DNS server (Debian's NSD) on loopback
// serving zone data this test writes, signatures and ARC seals made by another implementation
// (Debian's python3-dkim: dkimsign, arcsign) with keys this test generates, real SMTP into a
// running `postern serve`. Each message ends in the disposition, Authentication-Results header
// and EmailEvents.AuthenticationDetails that Exchange Online would give it.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, contoso, importOrgs, maildirMessages, query, startPostern, tempDir, waitFor, type Running } from './support/postern.js';
import { startNsd, txt, type Nsd } from './support/nsd.js';
import { RawSmtp } from './support/rawSmtp.js';

const HOST = 'postern.localhost';
const port = () => 30000 + Math.floor(Math.random() * 900);
let dir: string;
let keys: string;
let nsd: Nsd;
let pg: Running;

const run = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: keys, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
};
const shell = (commands: string, dataDir = pg.dataDir) => spawnSync(process.execPath, [CLI, 'shell', '-d', dataDir, '-c', commands], { encoding: 'utf8', timeout: 60_000 });
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/** A message as its author wrote it. */
function message(from: string, subject: string, opts: { headers?: string[]; body?: string } = {}): string {
  return crlf(
    [`From: ${from}`, 'To: cfo@contoso.com', `Subject: ${subject}`, `Message-ID: <${subject.replace(/\W+/g, '.')}@test>`, 'Date: Sat, 05 Dec 2026 12:00:00 +0000', ...(opts.headers ?? []), '', opts.body ?? 'Please pay the attached invoice today.', ''].join('\n'),
  );
}
/** DKIM-signed by python3-dkim. */
const dkimSign = (msg: string, selector: string, domain: string, alg: 'rsa-sha256' | 'ed25519-sha256' = 'rsa-sha256') =>
  crlf(run('dkimsign', ['--signalg', alg, selector, domain, join(keys, `${selector}.key`)], msg));
/** ARC-sealed by python3-dkim's arcsign, from the Authentication-Results that sealer.example wrote. */
const arcSeal = (msg: string) => crlf(run('arcsign', ['rsa', 'sealer.example', join(keys, 'rsa.key'), 'sealer.example'], msg));

/** One SMTP transaction from `ip`; the reply to the end of DATA. */
async function send(data: string, mailFrom: string, opts: { ip?: string; rcpt?: string; helo?: string; smtpPort?: number } = {}): Promise<string> {
  const c = await RawSmtp.open(opts.smtpPort ?? pg.smtpPort, '127.0.0.1', opts.ip ?? '127.0.0.1');
  try {
    await c.reply();
    await c.command(`EHLO ${opts.helo ?? 'mail.sender.example'}`);
    expect(await c.command(`MAIL FROM:<${mailFrom}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${opts.rcpt ?? 'cfo@contoso.com'}>`)).toMatch(/^250/);
    expect(await c.command('DATA')).toMatch(/^354/);
    c.send(data.replace(/^\./gm, '..') + '.\r\n');
    return await c.reply(15_000);
  } finally {
    c.close();
  }
}

const event = (subject: string) => query(pg.dataDir, 'SELECT * FROM EmailEvents WHERE Subject = ?', subject)[0];
const details = (subject: string) => JSON.parse(event(subject).AuthenticationDetails);
const delivered = (subject: string, rcpt = 'cfo@contoso.com') => waitFor(() => maildirMessages(pg.dataDir, rcpt).find((m) => m.includes(`Subject: ${subject}`)), 10_000, `delivery of '${subject}'`);
/** Our Authentication-Results field of a delivered message, unfolded. */
const ourResults = (msg: string) => [...msg.matchAll(/^Authentication-Results: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)/gim)].map((m) => m[1].replace(/\r\n[ \t]+/g, ' ')).filter((v) => v.startsWith(HOST));

beforeAll(async () => {
  dir = tempDir('postern-auth-');
  keys = join(dir, 'keys');
  mkdirSync(keys);
  run('dknewkey', ['rsa']);
  run('dknewkey', ['--ktype', 'ed25519', 'ed']);
  const rsa = readFileSync(join(keys, 'rsa.dns'), 'utf8').trim();
  const ed = readFileSync(join(keys, 'ed.dns'), 'utf8').trim();
  nsd = await startNsd(join(dir, 'dns'), port(), [
    `spfpass.example. IN TXT ${txt('v=spf1 ip4:127.0.0.1 -all')}`,
    `spffail.example. IN TXT ${txt('v=spf1 ip4:192.0.2.1 -all')}`,
    `spfsoft.example. IN TXT ${txt('v=spf1 ip4:192.0.2.1 ~all')}`,
    // The tenant's own domain: its servers only, DMARC monitoring (p=none) as many tenants have it.
    `contoso.com. IN TXT ${txt('v=spf1 ip4:192.0.2.25 -all')}`,
    `_dmarc.contoso.com. IN TXT ${txt('v=DMARC1; p=none')}`,
    ...['signed.example', 'edsigned.example', 'rejecting.example', 'quarantining.example', 'monitoring.example', 'protected.example'].map((d) => `${d}. IN TXT ${txt('v=spf1 -all')}`),
    `rsa._domainkey.signed.example. IN TXT ${txt(rsa)}`,
    `_dmarc.signed.example. IN TXT ${txt('v=DMARC1; p=reject')}`,
    `ed._domainkey.edsigned.example. IN TXT ${txt(ed)}`,
    `_dmarc.edsigned.example. IN TXT ${txt('v=DMARC1; p=reject')}`,
    `_dmarc.rejecting.example. IN TXT ${txt('v=DMARC1; p=reject')}`,
    `_dmarc.quarantining.example. IN TXT ${txt('v=DMARC1; p=quarantine')}`,
    `_dmarc.monitoring.example. IN TXT ${txt('v=DMARC1; p=none')}`,
    // Alignment: signed by the parent domain, From a subdomain.
    `rsa._domainkey.strict.example. IN TXT ${txt(rsa)}`,
    `_dmarc.strict.example. IN TXT ${txt('v=DMARC1; p=reject; adkim=s')}`,
    'mail.strict.example. IN A 192.0.2.1',
    `rsa._domainkey.relaxed.example. IN TXT ${txt(rsa)}`,
    `_dmarc.relaxed.example. IN TXT ${txt('v=DMARC1; p=reject; adkim=r')}`,
    'mail.relaxed.example. IN A 192.0.2.1',
    // Tree Walk: the policy of a subdomain two levels down comes from the organizational domain (sp).
    `_dmarc.treewalk.example. IN TXT ${txt('v=DMARC1; p=none; sp=reject; np=quarantine')}`,
    'deep.mail.treewalk.example. IN A 192.0.2.1',
    // ARC: the original author and the forwarder that seals.
    `rsa._domainkey.protected.example. IN TXT ${txt(rsa)}`,
    `_dmarc.protected.example. IN TXT ${txt('v=DMARC1; p=reject')}`,
    `rsa._domainkey.sealer.example. IN TXT ${txt(rsa)}`,
    `sealer.example. IN TXT ${txt('v=spf1 ip4:127.0.0.1 -all')}`,
  ]);
  const dataDir = join(dir, 'data');
  importOrgs(dataDir, [contoso()]);
  // A transport rule reads our Authentication-Results: it runs after the header is added.
  const rule = shell(
    `New-TransportRule -Name 'Tag compauth failures' -HeaderContainsMessageHeader 'Authentication-Results' -HeaderContainsWords 'compauth=fail' -SetHeaderName 'X-Compauth-Tag' -SetHeaderValue 'failed'; Set-ArcConfig -Identity Default -ArcTrustedSealers sealer.example`,
    dataDir,
  );
  expect(rule.status, rule.stderr).toBe(0);
  pg = await startPostern(dataDir, { hostname: HOST, senderAuthentication: true, dnsServers: [nsd.server], dnsTimeoutMs: 1000 });
});
afterAll(async () => {
  await pg?.stop();
  await nsd?.stop();
});

describe('SPF', () => {
  it('passes for an authorized client and fails, soft-fails for others; the verdict is in the header and AuthenticationDetails', async () => {
    expect(await send(message('a@spfpass.example', 'spf pass'), 'a@spfpass.example')).toMatch(/^250 /);
    expect(await send(message('a@spffail.example', 'spf fail'), 'a@spffail.example')).toMatch(/^250 /);
    expect(await send(message('a@spfsoft.example', 'spf softfail'), 'a@spfsoft.example')).toMatch(/^250 /);
    expect(details('spf pass')).toEqual({ SPF: 'pass', DKIM: 'none', DMARC: 'none', CompAuth: 'softpass' });
    expect(details('spf fail')).toEqual({ SPF: 'fail', DKIM: 'none', DMARC: 'none', CompAuth: 'fail' });
    expect(details('spf softfail')).toEqual({ SPF: 'softfail', DKIM: 'none', DMARC: 'none', CompAuth: 'fail' });
    const pass = await delivered('spf pass');
    expect(ourResults(pass)).toHaveLength(1);
    expect(ourResults(pass)[0]).toMatch(/spf=pass .*smtp\.mailfrom=a@spfpass\.example/);
    expect(ourResults(pass)[0]).toMatch(/compauth=softpass reason=2\d\d/);
    // Not an accepted domain and no DMARC policy: recorded, delivered; the rule saw compauth=fail.
    const fail = await delivered('spf fail');
    expect(ourResults(fail)[0]).toMatch(/spf=fail .*compauth=fail reason=001/);
    expect(fail).toMatch(/^X-Compauth-Tag: failed/m);
    expect(pass).not.toMatch(/X-Compauth-Tag/);
    expect(event('spf fail').DeliveryAction).toBe('Delivered');
  });

  it('removes a forged Authentication-Results for our host, keeps another host\'s', async () => {
    const msg = message('a@spffail.example', 'forged results', { headers: [`Authentication-Results: ${HOST}; spf=pass smtp.mailfrom=spffail.example; dmarc=pass; compauth=pass reason=100`, 'Authentication-Results: mx.other.example; spf=pass'] });
    expect(await send(msg, 'a@spffail.example')).toMatch(/^250 /);
    const got = await delivered('forged results');
    expect(ourResults(got)).toHaveLength(1);
    expect(ourResults(got)[0]).toMatch(/spf=fail/);
    expect(got).toContain('Authentication-Results: mx.other.example; spf=pass');
  });
});

describe('DKIM and DMARC', () => {
  it('passes RSA and Ed25519 signatures made by python3-dkim, and DMARC with them', async () => {
    expect(await send(dkimSign(message('billing@signed.example', 'dkim rsa'), 'rsa', 'signed.example'), 'bounce@spffail.example')).toMatch(/^250 /);
    expect(await send(dkimSign(message('billing@edsigned.example', 'dkim ed25519'), 'ed', 'edsigned.example', 'ed25519-sha256'), 'bounce@spffail.example')).toMatch(/^250 /);
    expect(details('dkim rsa')).toEqual({ SPF: 'fail', DKIM: 'pass', DMARC: 'pass', CompAuth: 'pass' });
    expect(details('dkim ed25519')).toEqual({ SPF: 'fail', DKIM: 'pass', DMARC: 'pass', CompAuth: 'pass' });
    const rsa = ourResults(await delivered('dkim rsa'))[0];
    expect(rsa).toMatch(/dkim=pass header\.i=@signed\.example header\.s=rsa header\.a=rsa-sha256/);
    expect(rsa).toMatch(/dmarc=pass .*header\.from=signed\.example/);
    expect(rsa).toMatch(/compauth=pass reason=100/);
    expect(ourResults(await delivered('dkim ed25519'))[0]).toMatch(/dkim=pass header\.i=@edsigned\.example header\.s=ed header\.a=ed25519-sha256/);
  });

  it('fails a body- or header-tampered signature; DMARC p=reject then refuses the message at the end of DATA (5.7.509)', async () => {
    const body = dkimSign(message('billing@signed.example', 'tampered body'), 'rsa', 'signed.example').replace('pay the attached invoice', 'pay the NEW account');
    const head = dkimSign(message('billing@signed.example', 'tampered header'), 'rsa', 'signed.example').replace('Subject: tampered header', 'Subject: tampered header!');
    const reply = '550 5.7.509 Access denied, sending domain does not pass DMARC verification and has a DMARC policy of reject.';
    expect(await send(body, 'bounce@spffail.example')).toBe(reply);
    expect(await send(head, 'bounce@spffail.example')).toBe(reply);
    const rejects = query(pg.dataDir, "SELECT Reason FROM SmtpRejectEvents WHERE EnhancedStatusCode = '5.7.509'");
    expect(rejects.length).toBeGreaterThanOrEqual(2);
    expect(rejects[0].Reason).toMatch(/DMARC fail for signed\.example with p=reject/);
    expect(event('tampered body')).toBeUndefined(); // refused in the dialogue: nothing delivered or held
  });

  it('quarantines DMARC p=quarantine, delivers p=none, as Spoof DMARC', async () => {
    expect(await send(message('a@quarantining.example', 'dmarc quarantine'), 'a@quarantining.example')).toMatch(/^250 /);
    expect(await send(message('a@monitoring.example', 'dmarc none'), 'a@monitoring.example')).toMatch(/^250 /);
    const q = event('dmarc quarantine');
    expect(JSON.parse(q.AuthenticationDetails)).toEqual({ SPF: 'fail', DKIM: 'none', DMARC: 'fail', CompAuth: 'fail' });
    expect(q).toMatchObject({ DeliveryAction: 'Blocked', DeliveryLocation: 'Quarantine', ThreatTypes: 'Phish', EmailAction: 'Send to quarantine' });
    expect(JSON.parse(q.DetectionMethods)).toEqual({ Phish: ['Spoof DMARC'] });
    expect(query(pg.dataDir, "SELECT quarantine_types FROM quarantine WHERE subject = 'dmarc quarantine'")[0].quarantine_types).toBe('Phish');
    expect(details('dmarc none')).toEqual({ SPF: 'fail', DKIM: 'none', DMARC: 'fail', CompAuth: 'fail' });
    expect(event('dmarc none').DeliveryAction).toBe('Delivered');
    expect(ourResults(await delivered('dmarc none'))[0]).toMatch(/dmarc=fail .*header\.from=monitoring\.example/);
  });

  it('aligns a parent-domain signature with a subdomain author under adkim=r, not under adkim=s', async () => {
    expect(await send(dkimSign(message('news@mail.relaxed.example', 'relaxed alignment'), 'rsa', 'relaxed.example'), 'bounce@spffail.example')).toMatch(/^250 /);
    expect(await send(dkimSign(message('news@mail.strict.example', 'strict alignment'), 'rsa', 'strict.example'), 'bounce@spffail.example')).toMatch(/^550 5\.7\.509 /);
    expect(details('relaxed alignment')).toEqual({ SPF: 'fail', DKIM: 'pass', DMARC: 'pass', CompAuth: 'pass' });
  });

  it('finds the policy of a deep subdomain by the DNS Tree Walk (sp=reject of the organizational domain)', async () => {
    expect(await send(message('x@deep.mail.treewalk.example', 'tree walk'), 'x@deep.mail.treewalk.example')).toMatch(/^550 5\.7\.509 /);
  });
});

describe('ARC', () => {
  // The author signs; a mailing list (sealer.example) changes the subject, which breaks the
  // signature, records what it saw and seals it.
  const forwarded = (subject: string) => {
    const original = dkimSign(message('news@protected.example', subject), 'rsa', 'protected.example');
    const changed = original.replace(`Subject: ${subject}`, `Subject: [list] ${subject}`);
    return arcSeal(`Authentication-Results: sealer.example; dkim=pass header.d=protected.example; spf=pass smtp.mailfrom=protected.example; dmarc=pass header.from=protected.example\r\n${changed}`);
  };

  it('a trusted sealer\'s verdict carries a forwarded message whose own DMARC now fails', async () => {
    expect(await send(forwarded('arc pass'), 'list@sealer.example')).toMatch(/^250 /);
    const got = ourResults(await delivered('[list] arc pass'))[0];
    expect(got).toMatch(/arc=pass/);
    expect(got).toMatch(/dmarc=fail/);
    expect(got).toMatch(/compauth=pass reason=130/);
    expect(details('[list] arc pass')).toEqual({ SPF: 'pass', DKIM: 'fail', DMARC: 'fail', CompAuth: 'pass' });
  });

  it('a chain broken after sealing does not: DMARC p=reject refuses it', async () => {
    const broken = forwarded('arc broken').replace('pay the attached invoice', 'pay another invoice');
    expect(await send(broken, 'list@sealer.example')).toMatch(/^550 5\.7\.509 /);
  });
});

describe('composite authentication for the organization\'s own domain (the article\'s scenario)', () => {
  it('quarantines Direct Send forging ceo@contoso.com as spoof, and the article\'s hunting query finds it', async () => {
    expect(await send(message('CEO <ceo@contoso.com>', 'urgent wire transfer'), 'ceo@contoso.com')).toMatch(/^250 /);
    const e = event('urgent wire transfer');
    expect(JSON.parse(e.AuthenticationDetails)).toEqual({ SPF: 'fail', DKIM: 'none', DMARC: 'fail', CompAuth: 'fail' });
    expect(e).toMatchObject({ Connectors: '', DeliveryAction: 'Blocked', DeliveryLocation: 'Quarantine', ThreatTypes: 'Phish', EmailActionPolicy: 'Anti-phishing spoof' });
    expect(JSON.parse(e.DetectionMethods)).toEqual({ Phish: ['Spoof intra-org'] });
    const trace = query(pg.dataDir, "SELECT detail FROM message_trace_events WHERE event = 'QUARANTINE' AND network_message_id = ?", e.NetworkMessageId);
    expect(trace[0].detail).toMatch(/anti-phishing policy: contoso\.com is an accepted domain .* \(QuarantineTypes Phish\)/);
    const kql = `EmailEvents | where AuthenticationDetails has '"DMARC":"fail"' and Connectors == '' | project Subject, SenderFromAddress, DeliveryLocation`;
    const r = spawnSync(process.execPath, [CLI, 'hunt', '-d', pg.dataDir, '-f', 'json', kql], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toContainEqual({ Subject: 'urgent wire transfer', SenderFromAddress: 'ceo@contoso.com', DeliveryLocation: 'Quarantine' });
    // The admin finds it among the anti-phishing policy's holds, not the transport rules', and releases it.
    const held = shell("Get-QuarantineMessage -PolicyTypes AntiPhishPolicy -QuarantineTypes Phish | Where-Object { $_.Subject -eq 'urgent wire transfer' } | Format-List Subject, QuarantineTypes, PolicyType");
    expect(held.status, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/^QuarantineTypes\s+: Phish$/m);
    expect(held.stdout).toMatch(/^PolicyType\s+: AntiPhishPolicy$/m);
    expect(shell("Get-QuarantineMessage -PolicyTypes ExchangeTransportRule | Where-Object { $_.Subject -eq 'urgent wire transfer' } | Format-List Subject").stdout.trim()).toBe('');
    const release = shell("Get-QuarantineMessage -Subject 'urgent wire transfer' | Release-QuarantineMessage -ReleaseToAll");
    expect(release.status, release.stderr).toBe(0);
    expect(await delivered('urgent wire transfer')).toMatch(/compauth=fail reason=601/);
  });

  it('postern simulate --eml reports the verdicts live mail got', async () => {
    const cases: [string, string, string][] = [
      ['urgent wire transfer (simulated)', message('CEO <ceo@contoso.com>', 'urgent wire transfer'), 'ceo@contoso.com'],
      ['dkim rsa (simulated)', dkimSign(message('billing@signed.example', 'dkim rsa'), 'rsa', 'signed.example'), 'bounce@spffail.example'],
    ];
    for (const [label, msg, mailFrom] of cases) {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.eml`);
      writeFileSync(file, msg);
      const r = spawnSync(process.execPath, [CLI, 'simulate', '-d', pg.dataDir, '--eml', file, '--client-ip', '127.0.0.1', '--helo', 'mail.sender.example', '--mail-from', mailFrom, '--rcpt', 'cfo@contoso.com', '--dns-server', nsd.server, '-f', 'json'], { encoding: 'utf8', timeout: 60_000 });
      const out = JSON.parse(r.stdout);
      const subject = msg.match(/^Subject: (.*)$/m)![1].trim();
      expect(out.copies[0].authentication.AuthenticationDetails, label).toBe(event(subject).AuthenticationDetails);
    }
  });
});

describe('policy per organization', () => {
  it('Set-AntiPhishPolicy -DmarcRejectAction Quarantine holds p=reject failures instead of refusing them', async () => {
    const r = shell("Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -DmarcRejectAction Quarantine; Get-AntiPhishPolicy | Format-List");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^DmarcRejectAction\s+: Quarantine$/m);
    // The running server picks the change up by itself (configuration poll); until then it refuses.
    let n = 0;
    for (const end = Date.now() + 10_000; ; ) {
      const reply = await send(message('a@rejecting.example', `dmarc reject as quarantine ${++n}`), 'a@rejecting.example');
      if (reply.startsWith('250')) break;
      expect(reply).toMatch(/^550 5\.7\.509 /);
      expect(Date.now()).toBeLessThan(end);
      await new Promise((r) => setTimeout(r, 100));
    }
    const e = event(`dmarc reject as quarantine ${n}`);
    expect(e).toMatchObject({ DeliveryLocation: 'Quarantine', ThreatTypes: 'Phish' });
  });

  it('keeps SPF temperror apart from fail when the DNS server is gone', async () => {
    await nsd.stop();
    expect(await send(message('a@uncached.example', 'dns down'), 'a@uncached.example')).toMatch(/^250 /);
    expect(details('dns down')).toMatchObject({ SPF: 'temperror', DMARC: 'temperror', CompAuth: 'none' });
    expect(ourResults(await delivered('dns down'))[0]).toMatch(/spf=temperror/);
  });
});

describe('a DNS server that never answers', () => {
  let hole: Socket;
  let slow: Running;
  beforeAll(async () => {
    hole = createSocket('udp4');
    const holePort = port();
    await new Promise<void>((r) => hole.bind(holePort, '127.0.0.1', () => r()));
    const dataDir = join(dir, 'slow');
    importOrgs(dataDir, [contoso()]);
    slow = await startPostern(dataDir, { hostname: HOST, senderAuthentication: true, dnsServers: [`127.0.0.1:${holePort}`], dnsTimeoutMs: 30_000, authenticationTimeoutMs: 60_000, limits: { sessionTimeoutMs: 2000 } });
  });
  afterAll(async () => {
    await slow?.stop();
    hole?.close();
  });

  it('never holds a session past its limit: the message is answered with what is known (temperror)', async () => {
    const t0 = Date.now();
    const reply = await send(message('a@spfpass.example', 'black hole'), 'a@spfpass.example', { smtpPort: slow.smtpPort });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(reply).toMatch(/^250 /);
    const e = query(slow.dataDir, "SELECT AuthenticationDetails FROM EmailEvents WHERE Subject = 'black hole'")[0];
    expect(JSON.parse(e.AuthenticationDetails)).toMatchObject({ SPF: 'temperror', CompAuth: 'none' });
  });
});
