// Signals an operator can alert on, from a real gateway: Direct Send refused (5.7.68), a
// connector's restriction (5.7.51), mail through a connector and through none, a quarantining
// rule, a release from `postern shell`, deliveries, a historical search, and refusals for too
// many recipients and too many connections; then /metrics shows
// each of them with labels from the configuration, the JSON log has the accepted line and the
// delivery line of one queue id, and the Grafana dashboard asks only for metrics that exist.
// Run once as one process and once with SMTP worker processes (their lines and counts must reach
// the same log and the same /metrics).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../src/config/model.js';
import { buildRule } from '../src/rules/index.js';
import { RawSmtp } from './support/rawSmtp.js';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

const DASHBOARD = resolve(import.meta.dirname, '../ops/grafana/postern-dashboard.json');
const CONNECTOR = 'Fabrikam by IP';
const RULE = 'Quarantine invoices';

function organization(): Organization {
  return contoso({
    Config: { RejectDirectSend: true },
    InboundConnectors: [{ Name: CONNECTOR, ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['127.0.0.2/32'], RestrictDomainsToIPAddresses: true, RequireTls: false }] as any,
    TransportRules: [buildRule({ Name: RULE, Quarantine: true, SubjectContainsWords: ['invoice'], Priority: 0 })],
  });
}

/** The exposition text, parsed: sample name{labels} → value. */
async function scrape(port: number): Promise<{ text: string; value(name: string, labels?: Record<string, string>): number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  return {
    text,
    value(name, labels = {}) {
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const line = samples.find((l) => {
        const series = l.slice(0, l.lastIndexOf(' '));
        const [n, rest = ''] = series.split('{');
        return n === name && want.every((w) => rest.replace(/}$/, '').split(',').includes(w));
      });
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
    },
  };
}

/** waitFor for an asynchronous condition (a scrape). */
async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const jsonLines = (log: string[]) =>
  log.flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });

describe.each([1, 2])('logs and metrics (smtpProcesses %i)', (smtpProcesses) => {
  let pg: Running;
  let dir: string;
  const send = (from: string, to: string, ip: string, subject: string) =>
    swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', ip, '--from', from, '--to', to, '--header', `Subject: ${subject}`]).out;
  const shell = (command: string) => runCli(['shell', '-d', dir, '--organization', 'Contoso', '-c', command]);

  beforeAll(async () => {
    dir = tempDir();
    importOrgs(dir, [organization()]);
    pg = await startPostern(dir, { smtpProcesses, limits: { maxRecipients: 2, maxConnectionsPerIp: 2 } });

    expect(send('ceo@contoso.com', 'cfo@contoso.com', '127.0.0.1', 'direct send')).toContain('550 5.7.68');
    expect(send('orders@fabrikam.com', 'buyer@contoso.com', '127.0.0.3', 'not from the partner')).toContain('550 5.7.51');
    expect(send('orders@fabrikam.com', 'buyer@contoso.com', '127.0.0.2', 'order 1')).toMatch(/250 2\.0\.0 OK/);
    expect(send('someone@tailspin.com', 'sales@contoso.com', '127.0.0.1', 'hello')).toMatch(/250 2\.0\.0 OK/);
    expect(send('someone@tailspin.com', 'ap@contoso.com', '127.0.0.1', 'your invoice')).toMatch(/250 2\.0\.0 OK/);
    await waitFor(() => maildirMessages(dir, 'buyer@contoso.com').length && maildirMessages(dir, 'sales@contoso.com').length, 10_000, 'deliveries');
    const [held] = await waitFor(() => query(dir, 'SELECT identity FROM quarantine').length && query(dir, 'SELECT identity FROM quarantine'), 10_000, 'quarantine');
    const released = shell(`Release-QuarantineMessage -Identity '${held.identity}'`);
    expect(released.status, released.stderr).toBe(0);
    await waitFor(() => maildirMessages(dir, 'ap@contoso.com').length, 10_000, 'delivery of the released message');

    // Limits: a third recipient (452 4.5.3), and a third connection from one address (421 4.7.0).
    const first = await RawSmtp.open(pg.smtpPort);
    expect(await first.reply()).toMatch(/^220 /);
    await first.command('EHLO client.example');
    await first.command('MAIL FROM:<someone@tailspin.com>');
    for (const to of ['a', 'b']) expect(await first.command(`RCPT TO:<${to}@contoso.com>`)).toMatch(/^250 /);
    expect(await first.command('RCPT TO:<c@contoso.com>')).toMatch(/^452 4\.5\.3 /);
    const second = await RawSmtp.open(pg.smtpPort);
    expect(await second.reply()).toMatch(/^220 /);
    const third = await RawSmtp.open(pg.smtpPort);
    expect(await third.reply()).toMatch(/^421 4\.7\.0 Too many connections/);
    [first, second, third].forEach((c) => c.close());
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('/metrics counts refusals by enhanced code, mail by connector and no connector, quarantine, release, rule hits and deliveries, with configured names as labels', async () => {
    const metrics = await until(async () => {
      const s = await scrape(pg.httpPort);
      return s.value('postern_delivery_attempts_total', { status: 'delivered' }) === 3 && s;
    }, 'three deliveries counted');
    expect(metrics.value('postern_smtp_rejects_total', { stage: 'RCPT', code: '550', enhanced_code: '5.7.68' })).toBe(1);
    expect(metrics.value('postern_smtp_rejects_total', { stage: 'RCPT', code: '550', enhanced_code: '5.7.51' })).toBe(1);
    expect(metrics.value('postern_smtp_rejects_total', { stage: 'RCPT', code: '452', enhanced_code: '4.5.3' })).toBe(1);
    expect(metrics.value('postern_smtp_rejects_total', { stage: 'CONNECT', code: '421', enhanced_code: '4.7.0' })).toBe(1);
    expect(metrics.value('postern_messages_accepted_total')).toBe(3);
    expect(metrics.value('postern_inbound_messages_total', { organization: 'Contoso', connector: CONNECTOR })).toBe(1);
    expect(metrics.value('postern_inbound_messages_total', { organization: 'Contoso', connector: 'NoConnector' })).toBe(2);
    expect(metrics.value('postern_quarantined_total', { organization: 'Contoso' })).toBe(1);
    expect(metrics.value('postern_quarantine_released_total', { organization: 'Contoso' })).toBe(1);
    expect(metrics.value('postern_transport_rule_hits_total', { organization: 'Contoso', rule: RULE, mode: 'Enforce' })).toBe(1);
    expect(metrics.value('postern_delivery_latency_seconds_count')).toBe(3);
    expect(metrics.value('postern_delivery_recipient_attempts_bucket', { status: 'delivered', le: '1' })).toBe(3);
    // The released entry stays held (preview, export, -Force) until it expires; nothing waits for delivery.
    expect(metrics.value('postern_queue_recipients', { state: 'quarantined' })).toBe(1);
    expect(metrics.value('postern_queue_recipients', { state: 'queued' })).toBe(0);
    expect(metrics.value('postern_queue_recipients', { state: 'deferred' })).toBe(0);
    // No label value comes from the messages themselves.
    expect(metrics.text).not.toMatch(/tailspin|fabrikam\.com|your invoice|127\.0\.0\./);
  });

  it('counts historical searches by state', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const r = shell(`Start-HistoricalSearch -ReportTitle audit -StartDate ${day(-2)} -EndDate ${day(1)} -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received`);
    expect(r.status, r.stderr).toBe(0);
    await until(async () => (await scrape(pg.httpPort)).value('postern_historical_searches', { state: 'Done' }) === 1, 'a Done search');
    expect((await scrape(pg.httpPort)).value('postern_historical_searches', { state: 'Failed' })).toBe(0);
  });

  it('logs the accepted message and its delivery as JSON lines sharing the queue id, and each refusal with its enhanced code', () => {
    const lines = jsonLines(pg.log);
    const accepted = lines.find((l) => l.msg === 'accepted' && l.connector === CONNECTOR);
    expect(accepted).toMatchObject({
      level: 30,
      clientIp: '127.0.0.2',
      organization: 'Contoso',
      recipients: ['buyer@contoso.com'],
      disposition: 'deliver',
    });
    expect(accepted.queueId).toMatch(/^[0-9A-Z]{19}$/);
    expect(accepted.networkMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(accepted.size).toBeGreaterThan(100);
    const delivery = lines.find((l) => l.msg === 'delivery' && l.queueId === accepted.queueId);
    expect(delivery).toMatchObject({
      networkMessageId: accepted.networkMessageId,
      recipient: 'buyer@contoso.com',
      nextHop: 'maildir:maildir',
      status: 'delivered',
      enhancedCode: '2.0.0',
      attempt: 1,
    });
    expect(delivery.delay).toBeGreaterThanOrEqual(0);
    expect(delivery.delay).toBeLessThan(10);

    const none = lines.find((l) => l.msg === 'accepted' && l.recipients?.[0] === 'sales@contoso.com');
    expect(none).toMatchObject({ clientIp: '127.0.0.1', connector: 'NoConnector', disposition: 'deliver' });
    const held = lines.find((l) => l.msg === 'accepted' && l.recipients?.[0] === 'ap@contoso.com');
    expect(held).toMatchObject({ connector: 'NoConnector', disposition: 'quarantine', rule: RULE });

    const refused = lines.filter((l) => l.msg === 'refused');
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 30, ip: '127.0.0.1', enhancedCode: '5.7.68', reason: 'RejectDirectSend', rcpt: 'cfo@contoso.com' }),
        expect.objectContaining({ level: 30, ip: '127.0.0.3', enhancedCode: '5.7.51', reason: 'ConnectorRestriction' }),
        expect.objectContaining({ level: 30, ip: '127.0.0.1', stage: 'RCPT', enhancedCode: '4.5.3', reason: 'TooManyRecipients', rcpt: 'c@contoso.com' }),
        expect.objectContaining({ level: 30, ip: '127.0.0.1', stage: 'CONNECT', code: 421, enhancedCode: '4.7.0', reason: 'TooManyConnectionsPerIp' }),
      ]),
    );
    if (smtpProcesses > 1) {
      // Sessions ran in the workers: their lines carry the worker's id and reached the same output.
      // The worker that accepted the message delivered it (its first attempt is leased to it).
      expect(accepted.worker).toBeGreaterThan(0);
      expect(delivery.worker).toBe(accepted.worker);
    }
  });

  it('ships a Grafana dashboard whose every query names metrics that /metrics exposes', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const exprs: string[] = [
      ...dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)),
      ...dashboard.templating.list.map((v: any) => v.definition),
    ];
    expect(exprs.length).toBeGreaterThan(10);
    const { text } = await scrape(pg.httpPort);
    const exposed = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    const used = new Set(exprs.flatMap((e) => e.match(/\bpostern_[a-z0-9_]+/g) ?? []));
    for (const name of [
      'postern_inbound_messages_total', 'postern_smtp_rejects_total', 'postern_queue_recipients', 'postern_delivery_latency_seconds_bucket',
      'postern_quarantined_total', 'postern_quarantine_released_total', 'postern_transport_rule_hits_total',
    ]) expect(used).toContain(name);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });
});
