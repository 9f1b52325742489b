// Advanced hunting on the gateway's own data: the article's query after a mixed SMTP run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { contoso, importOrgs, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

const ARTICLE_QUERY = `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`;

let pg: Running;
const send = (ip: string, from: string, to: string, subject: string) =>
  expect(swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', ip, '--from', from, '--to', to, '--header', `Subject: ${subject}`, '--header', `From: ${from}`]).out).toMatch(/250 2\.0\.0 OK/);

beforeAll(async () => {
  const dir = tempDir();
  importOrgs(dir, [
    contoso({
      InboundConnectors: [
        { Name: 'On-premises Exchange', ConnectorType: 'OnPremises', SenderDomains: ['*'], SenderIPAddresses: ['127.0.0.4'], TreatMessagesAsInternal: true, RequireTls: false },
        { Name: 'Fabrikam by IP', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['127.0.0.2'], RestrictDomainsToIPAddresses: true, RequireTls: false },
      ] as any,
    }),
    contoso({ Name: 'Woodgrove', Guid: randomUUID(), AcceptedDomains: [{ DomainName: 'woodgrove.com', DomainType: 'Authoritative', Default: true }] }),
  ]);
  pg = await startPostern(dir);
  send('127.0.0.1', 'ceo@contoso.com', 'cfo@contoso.com', 'direct send 1'); // Direct Send, forged own domain
  send('127.0.0.3', 'printer@contoso.com', 'scans@contoso.com', 'direct send 2'); // Direct Send from a device
  send('127.0.0.4', 'hr@contoso.com', 'all@contoso.com', 'internal'); // OnPremises: Intra-org, connector
  send('127.0.0.2', 'orders@fabrikam.com', 'buyer@contoso.com', 'partner'); // through the partner connector
  send('127.0.0.1', 'x@fabrikam.com', 'ops@woodgrove.com', 'other tenant'); // Direct Send, another organization
  await waitFor(() => query(dir, 'SELECT count(*) AS n FROM EmailEvents')[0].n === 5, 5000, 'EmailEvents rows');
});
afterAll(async () => {
  await pg?.stop();
});

describe('postern hunt', () => {
  it("returns exactly the Direct Send messages for the article's query, with its columns", () => {
    const r = runCli(['hunt', ARTICLE_QUERY, '--organization', 'Contoso', '--format', 'json', '-d', pg.dataDir]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const rows: Record<string, unknown>[] = Array.isArray(out) ? out : out.rows;
    expect(rows.map((x) => x.Subject).sort()).toEqual(['direct send 1', 'direct send 2']);
    expect(Object.keys(rows[0])).toEqual(['Timestamp', 'RecipientEmailAddress', 'SenderFromAddress', 'Subject', 'NetworkMessageId', 'EmailDirection', 'Connectors', 'SenderIPv4', 'SenderIPv6']);
    expect(rows.find((x) => x.Subject === 'direct send 2')).toMatchObject({ SenderIPv4: '127.0.0.3', SenderFromAddress: 'printer@contoso.com', EmailDirection: 'Inbound', Connectors: '', SenderIPv6: '' });
  });

  it('stays inside the organization: Woodgrove sees only its own Direct Send', () => {
    const r = runCli(['hunt', ARTICLE_QUERY, '--organization', 'Woodgrove', '--format', 'json', '-d', pg.dataDir]);
    const out = JSON.parse(r.stdout);
    const rows: Record<string, unknown>[] = Array.isArray(out) ? out : out.rows;
    expect(rows.map((x) => x.Subject)).toEqual(['other tenant']);
  });

  it('reports an unsupported construct by name and position, with a non-zero exit', () => {
    const r = runCli(['hunt', 'EmailEvents | evaluate autocluster()', '--organization', 'Contoso', '-d', pg.dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/evaluate autocluster.*not supported.*bag_unpack and pivot/);
    expect(r.stderr).toMatch(/\d+:\d+|position|column/i);
  });

  it("pivots the organization's own rows (columns learned from its data), with Sentinel's TimeGenerated", () => {
    const hunt = (org: string, kql: string) => {
      const r = runCli(['hunt', kql, '--organization', org, '--format', 'json', '-d', pg.dataDir]);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      return (Array.isArray(out) ? out : out.rows) as Record<string, unknown>[];
    };
    const kql = 'EmailEvents | where TimeGenerated > ago(1h) | project Connectors = iff(Connectors == "", "(none)", Connectors) | evaluate pivot(Connectors)';
    expect(hunt('Contoso', kql)).toEqual([{ '(none)': 2, 'On-premises Exchange': 1, 'Fabrikam by IP': 1 }]);
    expect(hunt('Woodgrove', kql)).toEqual([{ '(none)': 1 }]);
  });
});
