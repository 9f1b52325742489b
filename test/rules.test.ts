// The article's mail flow rule on live SMTP: quarantine everything except mail from approved IPs
// or internal mail, in front of the real gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRule } from '../src/rules/index.js';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
const send = (from: string, to: string, extra: string[] = []) => swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', from, '--to', to, ...extra]);

beforeAll(async () => {
  const dir = tempDir();
  // Exactly the article's New-TransportRule, with the placeholder replaced by an approved range.
  const rule = buildRule({
    Name: 'Redirect to quarantine if not coming from known IPs',
    Quarantine: true,
    ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
    ExceptIfHeaderContainsWords: ['Internal'],
    ExceptIfSenderIpRanges: ['127.0.0.2/32', '198.51.100.0/24'],
    StopRuleProcessing: true,
    Priority: 0,
  });
  const tagger = buildRule({ Name: 'Tag everything', PrependSubject: '[tagged] ', Priority: 1 });
  importOrgs(dir, [
    contoso({
      InboundConnectors: [{ Name: 'On-premises Exchange', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true, RequireTls: false }] as any,
      TransportRules: [rule, tagger],
    }),
  ]);
  pg = await startPostern(dir);
});
afterAll(async () => {
  await pg?.stop();
});

describe("the article's quarantine rule", () => {
  it('quarantines Direct Send from an unknown IP, even with a forged AuthAs: Internal, and traces RECEIVE → TRANSPORT RULE → QUARANTINE', async () => {
    const r = send('ceo@contoso.com', 'cfo@contoso.com', ['--header', 'Subject: pay this invoice', '--add-header', 'X-MS-Exchange-Organization-AuthAs: Internal']);
    expect(r.out).toMatch(/250 2\.0\.0 OK/);
    const t = await waitFor(() => query(pg.dataDir, "SELECT * FROM message_trace WHERE subject = 'pay this invoice'")[0], 5000, 'trace');
    expect(t.status).toBe('Quarantined');
    const events = query(pg.dataDir, 'SELECT event, detail, data FROM message_trace_events WHERE network_message_id = ? ORDER BY at, id', t.network_message_id);
    expect(events.map((e) => e.event)).toEqual(['RECEIVE', 'TRANSPORT RULE', 'QUARANTINE']);
    expect(events[1].detail).toContain("Transport rule: 'Redirect to quarantine if not coming from known IPs'");
    expect(events[1].data).toMatch(/^S:TRA=ETR\|ruleId=[0-9a-f-]+\|st=.*\|action=Quarantine\|sev=\d\|mode=Enforce$/);
    const q = query(pg.dataDir, 'SELECT * FROM quarantine WHERE network_message_id = ?', t.network_message_id);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ recipient: 'cfo@contoso.com', quarantine_types: 'TransportRule', release_status: 'NotReleased', policy_name: 'Redirect to quarantine if not coming from known IPs' });
    expect(q[0].identity).toMatch(/^[0-9a-f-]{36}\\[0-9a-f-]{36}$/);
    expect(q[0].expires_at - q[0].received_at).toBe(30 * 86_400_000);
    const ee = query(pg.dataDir, 'SELECT * FROM EmailEvents WHERE NetworkMessageId = ?', t.network_message_id)[0];
    expect(ee).toMatchObject({ DeliveryAction: 'Blocked', DeliveryLocation: 'Quarantine', ExchangeTransportRule: 'Redirect to quarantine if not coming from known IPs', OrgLevelAction: 'Quarantine', EmailAction: 'Send to quarantine', EmailActionPolicy: 'Enterprise Transport Rules (ETR)' });
    await new Promise((res) => setTimeout(res, 500));
    expect(maildirMessages(pg.dataDir, 'cfo@contoso.com')).toHaveLength(0);
    // The spool keeps the held message for release.
    expect(query(pg.dataDir, "SELECT count(*) AS n FROM queue_recipients WHERE status = 'quarantined'")[0].n).toBe(1);
  });

  it('delivers mail from an approved IP, and the next rule still runs (no StopRuleProcessing: exception vetoed the rule)', async () => {
    expect(send('scanner@contoso.com', 'ops@contoso.com', ['--local-interface', '127.0.0.2', '--header', 'Subject: scan 42']).out).toMatch(/250 2\.0\.0 OK/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'ops@contoso.com').length && maildirMessages(pg.dataDir, 'ops@contoso.com'), 10_000, 'delivery');
    expect(msg).toMatch(/^Subject: \[tagged\] scan 42\r$/m);
  });

  it('delivers internal mail (AuthAs Internal through the OnPremises connector)', async () => {
    expect(send('hr@contoso.com', 'all@contoso.com', ['--local-interface', '127.0.0.4', '--header', 'Subject: internal memo']).out).toMatch(/250 2\.0\.0 OK/);
    const [msg] = await waitFor(() => maildirMessages(pg.dataDir, 'all@contoso.com').length && maildirMessages(pg.dataDir, 'all@contoso.com'), 10_000, 'delivery');
    expect(msg).toMatch(/^X-MS-Exchange-Organization-AuthAs: Internal\r$/m);
    // The Maildir file is written before the delivery result is committed to the trace.
    await waitFor(() => query(pg.dataDir, "SELECT status FROM message_trace WHERE subject = 'internal memo'")[0]?.status === 'Delivered', 10_000, 'Delivered in the trace');
  });
});

describe('postern simulate', () => {
  // Each case: client address, MAIL FROM, RCPT, and a subject that finds the live message.
  const cases: [string, string, string, string][] = [
    ['127.0.0.1', 'ceo@contoso.com', 'payroll@contoso.com', 'sim direct send'],
    ['127.0.0.2', 'scanner@contoso.com', 'scans@contoso.com', 'sim approved ip'],
    ['127.0.0.4', 'hr@contoso.com', 'team@contoso.com', 'sim internal'],
    ['127.0.0.1', 'ceo@contoso.com', 'someone@elsewhere.example', 'sim relay'],
  ];
  for (const [ip, from, to, subject] of cases) {
    it(`gives the live gateway's disposition: ${subject}`, async () => {
      const sim = runCli(['simulate', '-d', pg.dataDir, '--format', 'json', '--client-ip', ip, '--mail-from', from, '--rcpt', to, '--header', `Subject: ${subject}`, '--header', 'X-MS-Exchange-Organization-AuthAs: Internal']);
      const predicted = JSON.parse(sim.stdout).disposition[to];
      // The exit status tells scripts the outcome: 0 accepted, 2 refused in the dialogue, 3 held or dropped.
      expect(sim.status, sim.stderr).toBe(String(predicted).startsWith('refused') ? 2 : ['quarantine', 'delete'].includes(predicted) ? 3 : 0);

      const r = send(from, to, ['--local-interface', ip, '--header', `Subject: ${subject}`, '--add-header', 'X-MS-Exchange-Organization-AuthAs: Internal']);
      const refused = r.out.match(/<\*\* +(5\d\d [245]\.\d+\.\d+ [^\n]*)/);
      let live: string;
      if (refused) live = `refused ${refused[1]}`;
      else {
        const status = await waitFor(() => {
          const s = query(pg.dataDir, 'SELECT status FROM message_trace WHERE subject = ?', subject)[0]?.status;
          return s && s !== 'Pending' && s;
        }, 10_000, 'final status');
        live = ({ Delivered: 'deliver', Quarantined: 'quarantine', Failed: 'delete', Expanded: 'redirect' } as Record<string, string>)[status];
      }
      expect(predicted).toBe(live);
    });
  }
});
