// The tenant front door over real SMTP: connector attribution by IP and by certificate, Reject
// Direct Send, RequireTls, OnPremises internal mail, the header firewall, live configuration
// changes, and the Direct Send lockdown preview (5.7.68 and 5.7.51, with its steps).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Organization } from '../src/config/model.js';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, unusedPort, waitFor, type Running } from './support/postern.js';
import { makeCa, makeCert } from './support/certs.js';
import { startPostfix } from './support/postfix.mjs';

let pg: Running;
let pki: string;
let ca: { cert: string; key: string };
let orgs: Organization[];
const server = () => `127.0.0.1:${pg.smtpPort}`;

function org(name: string, domain: string, connectors: Record<string, unknown>[], extra: Partial<Organization> = {}): Organization {
  return contoso({ Name: name, Guid: randomUUID(), AcceptedDomains: [{ DomainName: domain, DomainType: 'Authoritative', Default: true }], InboundConnectors: connectors as any, ...extra });
}

const send = (from: string, to: string, extra: string[] = []) => swaks(['--server', server(), '--from', from, '--to', to, ...extra]);

beforeAll(async () => {
  const dir = tempDir();
  pki = tempDir('pki-');
  ca = makeCa(pki, 'Public-ish CA');
  copyFileSync(ca.cert, join(dir, 'client-ca.pem'));
  orgs = [
    contoso({
      InboundConnectors: [{ Name: 'On-premises Exchange', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true, RequireTls: false }] as any,
    }),
    org('Woodgrove', 'woodgrove.com', [
      { Name: 'Fabrikam by IP', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['127.0.0.2/32'], RestrictDomainsToIPAddresses: true, RequireTls: false },
      { Name: 'Tailspin TLS only', ConnectorType: 'Partner', SenderDomains: ['tailspin.com'], SenderIPAddresses: ['127.0.0.5'], RestrictDomainsToIPAddresses: true, RequireTls: true },
    ]),
    org('Litware', 'litware.com', [
      { Name: 'Fabrikam by certificate', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], RestrictDomainsToCertificate: true, TlsSenderCertificateName: 'mail.fabrikam.com', RequireTls: true },
    ]),
  ];
  importOrgs(dir, orgs);
  pg = await startPostern(dir, { clientCaFile: 'client-ca.pem' });
});
afterAll(async () => {
  await pg?.stop();
});

function setRejectDirectSend(on: boolean): void {
  orgs[0] = { ...orgs[0], Config: { ...orgs[0].Config, RejectDirectSend: on } };
  importOrgs(pg.dataDir, orgs);
}

describe('Direct Send and Reject Direct Send', () => {
  it('accepts Direct Send forging the own domain while RejectDirectSend is off, as Anonymous through no connector; a forged AuthAs: Internal is replaced', async () => {
    const r = send('ceo@contoso.com', 'finance@contoso.com', ['--header', 'Subject: urgent wire', '--add-header', 'X-MS-Exchange-Organization-AuthAs: Internal', '--add-header', 'X-Postern-Connector: On-premises Exchange']);
    expect(r.out).toMatch(/250 2\.0\.0 OK/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'finance@contoso.com').length && maildirMessages(pg.dataDir, 'finance@contoso.com'), 10_000, 'delivery');
    expect(msg).toMatch(/^X-MS-Exchange-Organization-AuthAs: Anonymous\r$/m);
    expect(msg).not.toMatch(/AuthAs: Internal/);
    expect(msg).not.toMatch(/^X-Postern-Connector:/m);
    const ee = query(pg.dataDir, "SELECT * FROM EmailEvents WHERE Subject = 'urgent wire'")[0];
    expect(ee).toMatchObject({ Connectors: '', EmailDirection: 'Inbound', SenderMailFromDomain: 'contoso.com', SenderIPv4: '127.0.0.1' });
    const rcv = query(pg.dataDir, "SELECT detail, data FROM message_trace_events WHERE event = 'RECEIVE' AND network_message_id = ?", ee.NetworkMessageId)[0];
    expect(rcv.data).toContain('authas=Anonymous');
    expect(rcv.detail).toContain('no connector (Direct Send)');
  });

  it('refuses at RCPT with the exact 5.7.68 line once RejectDirectSend is on (live, within 2 s), spooling nothing; other senders still pass', async () => {
    setRejectDirectSend(true); // committed to the store when this returns
    const t0 = Date.now();
    // Attempts before the server reloads are still accepted (and show up in the preview below).
    let r = send('ceo@contoso.com', 'finance@contoso.com');
    while (!r.out.includes('5.7.68') && Date.now() - t0 < 5000) r = send('ceo@contoso.com', 'finance@contoso.com');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.out).toContain('<** 550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources\n');
    expect(r.out).toMatch(/-> RCPT TO:<finance@contoso\.com>\n<\*\* +550 5\.7\.68/);
    // From now on nothing is spooled or traced for such an attempt.
    const before = query(pg.dataDir, 'SELECT count(*) AS n FROM message_trace')[0].n;
    expect(send('ceo@contoso.com', 'finance@contoso.com').out).toContain('550 5.7.68');
    expect(query(pg.dataDir, 'SELECT count(*) AS n FROM message_trace')[0].n).toBe(before);
    const rej = query(pg.dataDir, "SELECT * FROM SmtpRejectEvents WHERE EnhancedStatusCode = '5.7.68'");
    expect(rej.length).toBeGreaterThan(0);
    expect(rej[0]).toMatchObject({ SmtpStage: 'RCPT', SenderMailFromAddress: 'ceo@contoso.com', OrgId: orgs[0].Guid });
    // The envelope sender is what counts: a foreign MAIL FROM passes even with a forged From: header.
    expect(send('someone@fabrikam.com', 'finance@contoso.com', ['--header', 'From: ceo@contoso.com']).out).toMatch(/250 2\.0\.0 OK/);
  });

  it('exempts an OnPremises connector with TreatMessagesAsInternal: AuthAs Internal, Intra-org', async () => {
    const r = send('hr@contoso.com', 'staff@contoso.com', ['--local-interface', '127.0.0.4', '--header', 'Subject: from on-prem']);
    expect(r.out).toMatch(/250 2\.0\.0 OK/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'staff@contoso.com').length && maildirMessages(pg.dataDir, 'staff@contoso.com'), 10_000, 'delivery');
    expect(msg).toMatch(/^X-MS-Exchange-Organization-AuthAs: Internal\r$/m);
    expect(msg).toMatch(/^X-Postern-Connector: On-premises Exchange\r$/m);
    expect(query(pg.dataDir, "SELECT EmailDirection, Connectors FROM EmailEvents WHERE Subject = 'from on-prem'")[0]).toEqual({ EmailDirection: 'Intra-org', Connectors: 'On-premises Exchange' });
  });
});

describe('Partner connectors', () => {
  it('attributes by IP: 127.0.0.2 goes through the connector, 127.0.0.3 with a fabrikam.com sender gets 5.7.51', () => {
    expect(send('orders@fabrikam.com', 'buyer@woodgrove.com', ['--local-interface', '127.0.0.2', '--header', 'Subject: by ip']).out).toMatch(/250 2\.0\.0 OK/);
    expect(query(pg.dataDir, "SELECT Connectors FROM EmailEvents WHERE Subject = 'by ip'")[0].Connectors).toBe('Fabrikam by IP');
    const r = send('orders@fabrikam.com', 'buyer@woodgrove.com', ['--local-interface', '127.0.0.3']);
    expect(r.out).toContain(
      "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set",
    );
  });

  it('RequireTls refuses a plain-text session and accepts the same sender over STARTTLS', () => {
    expect(send('ship@tailspin.com', 'dock@woodgrove.com', ['--local-interface', '127.0.0.5']).out).toMatch(/451 4\.7\.0/);
    expect(send('ship@tailspin.com', 'dock@woodgrove.com', ['--local-interface', '127.0.0.5', '--tls']).out).toMatch(/250 2\.0\.0 OK/);
  });

  it('attributes by certificate only for a CA-signed certificate: Postfix with one passes, a self-signed look-alike and no certificate get 5.7.51', async () => {
    const signed = makeCert(pki, 'fabrikam-signed', 'mail.fabrikam.com', ['mail.fabrikam.com'], ca);
    const selfSigned = makeCert(pki, 'fabrikam-self', 'mail.fabrikam.com', ['mail.fabrikam.com']);
    const pf = startPostfix(tempDir('postfix-'), { listenPort: await unusedPort(), relayPort: pg.smtpPort, clientCert: signed });
    try {
      expect(swaks(['--server', `127.0.0.1:${pf.port}`, '--from', 'ap@fabrikam.com', '--to', 'ar@litware.com', '--header', 'Subject: signed cert']).out).toMatch(/250 2\.0\.0 Ok/);
      const ee = await waitFor(() => query(pg.dataDir, "SELECT * FROM EmailEvents WHERE Subject = 'signed cert'")[0], 30_000, `relay via Postfix\n${pf.log()}`);
      expect(ee.Connectors).toBe('Fabrikam by certificate');
      expect(JSON.parse(ee.AdditionalFields).ConnectorMatch).toBe('certificate');
    } finally {
      pf.stop();
    }
    const refusal = /550 5\.7\.51 TenantInboundAttribution/;
    expect(send('ap@fabrikam.com', 'ar@litware.com', ['--tls', '--tls-cert', selfSigned.cert, '--tls-key', selfSigned.key]).out).toMatch(refusal);
    expect(send('ap@fabrikam.com', 'ar@litware.com', ['--tls']).out).toMatch(refusal);
  });
});

describe('postern directsend preview', () => {
  const preview = () => {
    const r = runCli(['directsend', 'preview', '--format', 'json', '-d', pg.dataDir]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const groups = (p: any) => p.groups.map((g: any) => [g.Organization, g.EnhancedStatusCode, g.Status, g.SenderIP, g.SenderMailFromDomain, g.Connectors.join(','), g.Messages]);

  it('lists the senders 5.7.68 and the restricted connectors (5.7.51) refuse, and a plan that fixes the broken partner first', async () => {
    const p = preview();
    // Counted independently: Contoso's accepted Direct Send with a contoso.com MAIL FROM (before the switch was on).
    const accepted = query(pg.dataDir, "SELECT count(DISTINCT NetworkMessageId) AS n FROM EmailEvents WHERE OrgId = ? AND Connectors = '' AND SenderMailFromDomain = 'contoso.com'", orgs[0].Guid)[0].n;
    const refused = query(pg.dataDir, "SELECT count(DISTINCT SessionId) AS n FROM SmtpRejectEvents WHERE OrgId = ? AND EnhancedStatusCode = '5.7.68'", orgs[0].Guid)[0].n;
    expect(accepted).toBeGreaterThan(0);
    expect(groups(p)).toEqual([
      ['Contoso', '5.7.68', 'Refused', '127.0.0.1', 'contoso.com', '', refused],
      ['Contoso', '5.7.68', 'WillRefuse', '127.0.0.1', 'contoso.com', '', accepted],
      // The self-signed look-alike and the session without a certificate.
      ['Litware', '5.7.51', 'Refused', '127.0.0.1', 'fabrikam.com', 'Fabrikam by certificate', 2],
      ['Woodgrove', '5.7.51', 'Refused', '127.0.0.3', 'fabrikam.com', 'Fabrikam by IP', 1],
    ]);
    const woodgrove = p.steps.filter((s: any) => s.Organization === 'Woodgrove');
    expect(woodgrove.map((s: any) => [s.Action, s.Connector, s.Done])).toEqual([['FixRefusedSenders', 'Fabrikam by IP', false], ['RejectDirectSend', '', false]]);
    expect(woodgrove[0].Commands).toEqual([`Set-InboundConnector -Identity 'Fabrikam by IP' -SenderIPAddresses @{Add="127.0.0.3"}`]);

    // Follow the plan in the shell: Fabrikam's other server gets through, and drops off the list.
    const shell = runCli(['shell', '-d', pg.dataDir, '--organization', 'Woodgrove', '-c', woodgrove[0].Commands[0]]);
    expect(shell.status, shell.stderr + shell.stdout).toBe(0);
    await waitFor(() => /250 2\.0\.0 OK/.test(send('orders@fabrikam.com', 'buyer@woodgrove.com', ['--local-interface', '127.0.0.3']).out), 5_000, 'the added IP in force');
    expect(groups(preview()).filter((g: any[]) => g[0] === 'Woodgrove')).toEqual([]);
  });

  it('--organization keeps to that organization: its senders and its steps only', () => {
    const r = runCli(['directsend', 'preview', '--format', 'json', '-d', pg.dataDir, '--organization', 'Litware']);
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(new Set([...p.groups, ...p.steps].map((x: any) => x.Organization))).toEqual(new Set(['Litware']));
    expect(p.groups.length).toBeGreaterThan(0);
  });

  it('prints the lists, a summary and the numbered steps on the terminal', () => {
    const r = runCli(['directsend', 'preview', '-d', pg.dataDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^EnhancedStatusCode\s+Status\s+Organization\s+SenderIP/);
    expect(r.stdout).toMatch(/5\.7\.51 Refused\s+2 message\(s\), 2 recipient\(s\)/);
    expect(r.stdout).toMatch(/Lock down in this order/);
    expect(r.stdout).toMatch(/\d\. Contoso: RejectDirectSend — done/);
  });
});
