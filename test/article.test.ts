// The Exchange Team article's commands, pasted as printed (only the placeholders replaced), into
// `postern shell` against a running gateway — each must change what happens to live SMTP traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, contoso, importOrgs, maildirMessages, query, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
const shell = (commands: string) => spawnSync(process.execPath, [CLI, 'shell', '-d', pg.dataDir, '-c', commands], { encoding: 'utf8', timeout: 60_000 });
const send = (ip: string, from: string, to: string, subject: string) =>
  swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', ip, '--from', from, '--to', to, '--header', `Subject: ${subject}`]);
const usDate = (offsetDays: number) => {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
};

beforeAll(async () => {
  const dir = tempDir();
  importOrgs(dir, [contoso()]);
  pg = await startPostern(dir);
});
afterAll(async () => {
  await pg?.stop();
});

describe('the Direct Send article, as printed', () => {
  it('New-TransportRule (en dash, curly quotes) quarantines Direct Send from unknown IPs and lets approved IPs through', async () => {
    // The article's line; its placeholder 'MX records + on-premises IPs + other authorized IPs ' became real ranges.
    const line =
      'New-TransportRule -Name "Redirect to quarantine if not coming from known IPs" -Quarantine $true -ExceptIfHeaderContainsMessageHeader \'X-MS-Exchange-Organization-AuthAs\' -ExceptIfHeaderContainsWords \'Internal\' \u2013ExceptIfSenderIpRanges \u2018127.0.0.2/32,198.51.100.0/24 \' -StopRuleProcessing $true -Priority 0';
    expect(line).toContain('–ExceptIfSenderIpRanges ‘');
    const r = shell(line);
    expect(r.status, r.stderr).toBe(0);
    // Stored as Exchange shows it.
    const list = shell('Get-TransportRule | Format-List').stdout;
    for (const property of [/^Name\s+: Redirect to quarantine if not coming from known IPs$/m, /^Priority\s+: 0$/m, /^Mode\s+: Enforce$/m, /^State\s+: Enabled$/m, /^Quarantine\s+: True$/m, /^StopRuleProcessing\s+: True$/m, /^ExceptIfHeaderContainsMessageHeader\s+: X-MS-Exchange-Organization-AuthAs$/m, /^ExceptIfSenderIpRanges\s+: \{127\.0\.0\.2\/32, 198\.51\.100\.0\/24\}$/m]) {
      expect(list).toMatch(property);
    }
    // The running server picks the rule up by itself; wait until it does.
    let n = 0;
    await waitFor(() => {
      send('127.0.0.1', 'ceo@contoso.com', 'probe@contoso.com', `probe ${++n}`);
      return query(pg.dataDir, "SELECT 1 FROM message_trace WHERE status = 'Quarantined'")[0];
    }, 5000, 'the rule to take effect');
    // Now that it is live: Direct Send is held, the approved range is delivered.
    expect(send('127.0.0.1', 'ceo@contoso.com', 'cfo@contoso.com', 'pay this').out).toMatch(/250 2\.0\.0 OK/);
    expect(send('127.0.0.2', 'scanner@contoso.com', 'ops@contoso.com', 'from the approved range').out).toMatch(/250 2\.0\.0 OK/);
    await waitFor(() => maildirMessages(pg.dataDir, 'ops@contoso.com').length === 1, 10_000, 'approved delivery');
    expect(query(pg.dataDir, "SELECT status FROM message_trace WHERE subject = 'pay this'")[0].status).toBe('Quarantined');
    expect(maildirMessages(pg.dataDir, 'cfo@contoso.com')).toHaveLength(0);
  });

  it('Start-HistoricalSearch reports the mail received without a connector and mails the report to NotifyAddress', async () => {
    const r = shell(`Start-HistoricalSearch -ReportTitle DirectSendMessages -StartDate ${usDate(-1)} -EndDate ${usDate(1)} -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received -NotifyAddress admin@contoso.com`);
    expect(r.status, r.stderr).toBe(0);
    const [report] = await waitFor(() => maildirMessages(pg.dataDir, 'admin@contoso.com').length && maildirMessages(pg.dataDir, 'admin@contoso.com'), 30_000, 'the report mail');
    expect(report).toMatch(/DirectSendMessages/);
    const csv = Buffer.from(report.match(/Content-Disposition: attachment[^]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+)/)![1].replace(/\s/g, ''), 'base64').toString();
    expect(csv).toContain('ceo@contoso.com'); // the Direct Send probes
    expect(csv).toContain('scanner@contoso.com'); // also no connector: the rule's exception is not a connector
  });

  it('Set-OrganizationConfig -RejectDirectSend $true makes the next Direct Send attempt fail with 5.7.68', async () => {
    expect(shell('Set-OrganizationConfig -RejectDirectSend $true').status).toBe(0);
    const out = await waitFor(() => {
      const o = send('127.0.0.1', 'ceo@contoso.com', 'cfo@contoso.com', 'after the lock').out;
      return o.includes('5.7.68') && o;
    }, 2000, '5.7.68');
    expect(out).toContain('550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources');
  });
});
