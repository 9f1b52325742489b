// The hosted quarantine end to end: the article's rule holds Direct Send mail over real SMTP, and
// the admin lists, previews, exports, releases and deletes it with `postern shell`, across a
// restart, with every action audited and traced, and without seeing another organization's.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRule } from '../src/rules/index.js';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
let dir: string;

const quarantineRule = () =>
  buildRule({
    Name: 'Redirect to quarantine if not coming from known IPs',
    Quarantine: true,
    ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
    ExceptIfHeaderContainsWords: ['Internal'],
    ExceptIfSenderIpRanges: ['198.51.100.0/24'],
    StopRuleProcessing: true,
    Priority: 0,
  });

const send = (from: string, to: string, subject: string, body = 'Please pay the attached invoice today.') =>
  swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', from, '--to', to, '--header', `Subject: ${subject}`, '--header', 'X-Test-Marker: quarantine-e2e', '--body', body]);

const shell = (org: string, command: string) => runCli(['shell', '-d', dir, '--organization', org, '-c', command]);

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function held(subject: string): Promise<{ identity: string; network_message_id: string; recipient: string }> {
  return waitFor(() => query(dir, 'SELECT identity, network_message_id, recipient FROM quarantine WHERE subject = ?', subject)[0], 10_000, `quarantine of '${subject}'`);
}

function json(out: string): any[] {
  const v = JSON.parse(out || '[]');
  return Array.isArray(v) ? v : [v];
}

beforeAll(async () => {
  dir = tempDir();
  importOrgs(dir, [
    contoso({ TransportRules: [quarantineRule()] }),
    contoso({ Name: 'Fabrikam', Guid: randomUUID(), AcceptedDomains: [{ DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: true }], TransportRules: [quarantineRule()] }),
  ]);
  pg = await startPostern(dir);
});
afterAll(async () => {
  await pg?.stop();
});

describe('hosted quarantine, end to end over SMTP', () => {
  let q: { identity: string; network_message_id: string; recipient: string };

  it('holds a Direct Send message; Get-QuarantineMessage finds it by sender, subject and date range', async () => {
    expect(send('ceo@contoso.com', 'cfo@contoso.com', 'pay this invoice now').out).toMatch(/250 2\.0\.0 OK/);
    q = await held('pay this invoice now');
    const r = shell('Contoso', `Get-QuarantineMessage -SenderAddress ceo@contoso.com -Subject 'invoice now' -StartReceivedDate ${day(-1)} -EndReceivedDate ${day(1)} | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    const list = json(r.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ Identity: q.identity, SenderAddress: 'ceo@contoso.com', Subject: 'pay this invoice now', QuarantineTypes: 'TransportRule', ReleaseStatus: 'NotReleased', PolicyName: 'Redirect to quarantine if not coming from known IPs' });
    // Filters that exclude it: another sender, another subject, a window before it arrived.
    for (const filter of ['-SenderAddress someone@contoso.com', "-Subject 'no such subject'", `-StartReceivedDate ${day(-5)} -EndReceivedDate ${day(-3)}`, '-ReleaseStatus Released']) {
      const none = shell('Contoso', `Get-QuarantineMessage ${filter} | ConvertTo-Json`);
      expect(none.status, none.stderr).toBe(0);
      expect(json(none.stdout), filter).toHaveLength(0);
    }
    expect(maildirMessages(dir, 'cfo@contoso.com')).toHaveLength(0);
  });

  it('Preview-QuarantineMessage shows its headers and text', () => {
    const r = shell('Contoso', `Preview-QuarantineMessage -Identity '${q.identity}' | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    const [p] = json(r.stdout);
    expect(p.Subject).toBe('pay this invoice now');
    expect(p.Headers).toMatch(/^X-Test-Marker: quarantine-e2e$/m);
    expect(p.Headers).toMatch(/^Subject: pay this invoice now$/m);
    expect(p.Body).toContain('Please pay the attached invoice today.');
    expect(p.IsHtml).toBe(false);
  });

  it('Export-QuarantineMessage returns the original .eml in Base64', () => {
    const r = shell('Contoso', `Export-QuarantineMessage -Identity '${q.identity}' -ReasonForExport 'evidence' | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    const [e] = json(r.stdout);
    expect(e.BodyEncoding).toBe('Base64');
    expect(Buffer.from(e.Eml, 'base64').toString()).toMatch(/^Subject: pay this invoice now\r$/m);
  });

  it('Release-QuarantineMessage -ReleaseToAll delivers it exactly once; a second release without -Force is refused', async () => {
    const r = shell('Contoso', `Release-QuarantineMessage -Identity '${q.identity}' -ReleaseToAll`);
    expect(r.status, r.stderr).toBe(0);
    const [msg] = await waitFor(() => maildirMessages(dir, 'cfo@contoso.com').length && maildirMessages(dir, 'cfo@contoso.com'), 10_000, 'release delivery');
    expect(msg).toMatch(/^Subject: pay this invoice now\r$/m);

    const again = shell('Contoso', `Release-QuarantineMessage -Identity '${q.identity}' -ReleaseToAll`);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already released to cfo@contoso\.com.*Use -Force to release it again/);
    await new Promise((res) => setTimeout(res, 700));
    expect(maildirMessages(dir, 'cfo@contoso.com')).toHaveLength(1);

    const listed = json(shell('Contoso', `Get-QuarantineMessage -Identity '${q.identity}' | ConvertTo-Json`).stdout);
    expect(listed[0].ReleaseStatus).toBe('Released');
  });

  it('Get-MessageTraceDetail shows RECEIVE → TRANSPORT RULE → QUARANTINE → RELEASE → DELIVER', async () => {
    await waitFor(() => query(dir, "SELECT 1 FROM message_trace_events WHERE network_message_id = ? AND event = 'DELIVER'", q.network_message_id)[0], 10_000, 'DELIVER event');
    const r = shell('Contoso', `Get-MessageTraceDetail -MessageTraceId ${q.network_message_id} -RecipientAddress cfo@contoso.com | ConvertTo-Json`);
    expect(r.status, r.stderr).toBe(0);
    expect(json(r.stdout).map((e) => e.Event)).toEqual(['RECEIVE', 'TRANSPORT RULE', 'QUARANTINE', 'RELEASE', 'DELIVER']);
    const trace = json(shell('Contoso', `Get-MessageTrace -MessageTraceId ${q.network_message_id} | ConvertTo-Json`).stdout);
    expect(trace[0].Status).toBe('Delivered');
  });

  it('-Force releases again, and -User releases to another address of the organization only', async () => {
    expect(shell('Contoso', `Release-QuarantineMessage -Identity '${q.identity}' -ReleaseToAll -Force`).status).toBe(0);
    await waitFor(() => maildirMessages(dir, 'cfo@contoso.com').length === 2, 10_000, 'forced re-release');
    expect(shell('Contoso', `Release-QuarantineMessage -Identity '${q.identity}' -User auditor@contoso.com`).status).toBe(0);
    await waitFor(() => maildirMessages(dir, 'auditor@contoso.com').length === 1, 10_000, 'release to another user');
    const outside = shell('Contoso', `Release-QuarantineMessage -Identity '${q.identity}' -User someone@fabrikam.com`);
    expect(outside.status).toBe(1);
    expect(outside.stderr).toMatch(/not an address in this organization's accepted domains/);
  });

  it('audits every action: who, when, what', () => {
    const audit = query(dir, 'SELECT action, actor, identity, recipients, at FROM quarantine_audit WHERE identity = ? ORDER BY id', q.identity);
    expect(audit.map((a) => a.action)).toEqual(['Preview', 'Export', 'Release', 'Release', 'Release']);
    for (const a of audit) {
      expect(a.actor).toMatch(/\(postern shell, pid \d+\)$/);
      expect(Math.abs(a.at - Date.now())).toBeLessThan(120_000);
    }
    expect(audit[2].recipients).toBe('cfo@contoso.com');
  });

  it('Delete-QuarantineMessage hides it; -HardDelete frees the spool file and traces DELETE', async () => {
    expect(send('ceo@contoso.com', 'cfo@contoso.com', 'delete me').out).toMatch(/250 2\.0\.0 OK/);
    const d = await held('delete me');
    const file = query(dir, 'SELECT m.spool_file AS f FROM queue_copies c JOIN queue_messages m ON m.id = c.message_id WHERE c.network_message_id = ?', d.network_message_id)[0].f;
    expect(existsSync(file)).toBe(true);
    expect(shell('Contoso', `Delete-QuarantineMessage -Identity '${d.identity}' -Confirm:$false`).status).toBe(0);
    expect(json(shell('Contoso', "Get-QuarantineMessage -Subject 'delete me' | ConvertTo-Json").stdout)).toHaveLength(0);
    expect(existsSync(file)).toBe(true);
    const hard = shell('Contoso', `Delete-QuarantineMessage -Identity '${d.identity}' -HardDelete -Confirm:$false`);
    expect(hard.status, hard.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(query(dir, 'SELECT count(*) AS n FROM quarantine WHERE identity = ?', d.identity)[0].n).toBe(0);
    expect(query(dir, 'SELECT action FROM message_trace_events WHERE network_message_id = ? AND event = ? ORDER BY id', d.network_message_id, 'DELETE').map((e) => e.action)).toEqual(['Delete', 'HardDelete']);
    const release = shell('Contoso', `Release-QuarantineMessage -Identity '${d.identity}' -ReleaseToAll`);
    expect(release.status).toBe(1);
    expect(release.stderr).toMatch(/couldn't be found/);
  });
});

describe('restart safety and expiry', () => {
  it('a message quarantined before a restart is released after it', async () => {
    expect(send('ceo@contoso.com', 'payroll@contoso.com', 'held across restart').out).toMatch(/250 2\.0\.0 OK/);
    const h = await held('held across restart');
    await pg.stop();
    // Released while the server is down: the queue row waits for the next start.
    expect(shell('Contoso', `Release-QuarantineMessage -Identity '${h.identity}' -ReleaseToAll`).status).toBe(0);
    pg = await startPostern(dir);
    const [msg] = await waitFor(() => maildirMessages(dir, 'payroll@contoso.com').length && maildirMessages(dir, 'payroll@contoso.com'), 10_000, 'delivery after restart');
    expect(msg).toMatch(/^Subject: held across restart\r$/m);
  });

  it('purges expired entries at start-up: trace event EXPIRE, spool file freed', async () => {
    expect(send('ceo@contoso.com', 'legal@contoso.com', 'about to expire').out).toMatch(/250 2\.0\.0 OK/);
    const h = await held('about to expire');
    const file = query(dir, 'SELECT m.spool_file AS f FROM queue_copies c JOIN queue_messages m ON m.id = c.message_id WHERE c.network_message_id = ?', h.network_message_id)[0].f;
    await pg.stop();
    const db = new Database(join(dir, 'postern.db'));
    db.prepare('UPDATE quarantine SET expires_at = ? WHERE identity = ?').run(Date.now() - 1000, h.identity);
    db.close();
    pg = await startPostern(dir);
    await waitFor(() => query(dir, "SELECT 1 FROM message_trace_events WHERE network_message_id = ? AND event = 'EXPIRE'", h.network_message_id)[0], 10_000, 'EXPIRE event');
    expect(query(dir, 'SELECT count(*) AS n FROM quarantine WHERE identity = ?', h.identity)[0].n).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(maildirMessages(dir, 'legal@contoso.com')).toHaveLength(0);
    expect(query(dir, "SELECT actor FROM quarantine_audit WHERE identity = ? AND action = 'Expire'", h.identity)).toHaveLength(1);
  });
});

describe('cross-tenant isolation', () => {
  it("nothing of Contoso's quarantine or trace is visible from Fabrikam, by any identity", async () => {
    expect(send('boss@fabrikam.com', 'cfo@fabrikam.com', 'fabrikam held').out).toMatch(/250 2\.0\.0 OK/);
    const f = await held('fabrikam held');
    expect(send('ceo@contoso.com', 'cfo@contoso.com', 'contoso secret').out).toMatch(/250 2\.0\.0 OK/);
    const c = await held('contoso secret');

    const fabList = json(shell('Fabrikam', `Get-QuarantineMessage -StartReceivedDate ${day(-1)} -EndReceivedDate ${day(1)} | ConvertTo-Json`).stdout);
    expect(fabList.map((m) => m.Identity)).toEqual([f.identity]);
    expect(json(shell('Fabrikam', "Get-QuarantineMessage -SenderAddress ceo@contoso.com | ConvertTo-Json").stdout)).toHaveLength(0);
    for (const id of [c.identity, c.network_message_id]) {
      for (const cmd of [`Get-QuarantineMessage -Identity '${id}'`, `Preview-QuarantineMessage -Identity '${id}'`, `Export-QuarantineMessage -Identity '${id}'`, `Release-QuarantineMessage -Identity '${id}' -ReleaseToAll`, `Delete-QuarantineMessage -Identity '${id}' -HardDelete -Confirm:$false`]) {
        const r = shell('Fabrikam', cmd);
        expect(r.status, cmd).toBe(1);
        expect(r.stderr, cmd).toMatch(/couldn't be found/);
        expect(r.stdout, cmd).not.toContain('contoso secret');
      }
    }
    const detail = shell('Fabrikam', `Get-MessageTraceDetail -MessageTraceId ${c.network_message_id} -RecipientAddress cfo@contoso.com | ConvertTo-Json`);
    expect(detail.stdout).not.toContain('contoso');
    expect(json(shell('Fabrikam', `Get-MessageTrace -MessageTraceId ${c.network_message_id} | ConvertTo-Json`).stdout)).toHaveLength(0);
    // Contoso's entry is untouched.
    expect(query(dir, 'SELECT release_status FROM quarantine WHERE identity = ?', c.identity)[0].release_status).toBe('NotReleased');
    expect(query(dir, "SELECT count(*) AS n FROM quarantine_audit WHERE identity = ?", c.identity)[0].n).toBe(0);
  });
});
