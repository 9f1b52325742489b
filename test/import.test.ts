// `postern import` end to end: the fixture exports (test/fixtures/exports) through the built CLI
// into a real data directory, then the article's KQL query, the Direct Send preview and the
// Inbound messages report over them, as an admin would run them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InboundConnector } from '../src/config/inboundConnector.js';
import { shiftedFixtures } from './support/exports.js';
import { contoso, importOrgs, runCli, tempDir } from './support/postern.js';

const ARTICLE_QUERY = `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`;

interface Summary { File: string; Source: string; Imported: number; AlreadyImported: number; Skipped: number; SkippedLines: { line: number; reason: string }[]; Notes: string[] }

describe('postern import', () => {
  const dataDir = tempDir('postern-import-');
  let files: string[];
  const json = <T>(args: string[]): T => {
    const r = runCli(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(() => {
    const fabrikam = InboundConnector.parse({ Name: 'Fabrikam partner', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['198.18.7.0/24'], RestrictDomainsToIPAddresses: true });
    importOrgs(dataDir, [
      contoso({ InboundConnectors: [fabrikam] }),
      { ...contoso(), Name: 'Tailspin', AcceptedDomains: [{ DomainName: 'tailspintoys.example', DomainType: 'Authoritative', Default: true }] },
    ]);
    files = shiftedFixtures(tempDir('postern-exports-'));
  });

  it('--dry-run reads every file and writes nothing', () => {
    const dry = json<Summary[]>(['import', ...files, '-o', 'Contoso', '-d', dataDir, '--dry-run', '-f', 'json']);
    expect(dry.map((s) => s.Imported).reduce((a, b) => a + b)).toBe(16);
    const hunt = json<{ rows: unknown[] }>(['hunt', 'EmailEvents | count', '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    expect(hunt.rows).toEqual([{ Count: 0 }]);
  });

  it('imports the exports, lists the skipped lines with their reasons, and adds nothing the second time', () => {
    const first = json<Summary[]>(['import', ...files, '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    const by = Object.fromEntries(first.map((s) => [s.File, s]));
    expect(by['historical-search-connector-report-utf16.csv']).toMatchObject({ Source: 'HistoricalSearch', Imported: 6, Skipped: 2 });
    expect(by['get-messagetracev2.csv'].SkippedLines).toEqual([
      { line: 7, reason: "'not-an-ip' in FromIP is not an IP address" },
      { line: 8, reason: 'truncated last line: 3 field(s) where the header has 10' },
    ]);
    expect(by['get-messagetracev2.csv'].Notes.join(' ')).toMatch(/Connectors was derived/);
    expect(by['get-messagetrace-windows-powershell.csv']).toMatchObject({ Imported: 3, Skipped: 0 });
    expect(by['advanced-hunting-emailevents.csv']).toMatchObject({ Imported: 3, Skipped: 1 });

    const again = json<Summary[]>(['import', ...files, '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    expect(again.map((s) => [s.Imported, s.AlreadyImported])).toEqual(first.map((s) => [0, s.Imported]));
  });

  it("the article's query finds the printers, the SaaS sender and the forged mail, in Contoso only", () => {
    const { rows } = json<{ rows: { SenderFromAddress: string; SenderIPv4: string; Subject: string }[] }>(['hunt', ARTICLE_QUERY, '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    const senders = new Set(rows.map((r) => `${r.SenderFromAddress} ${r.SenderIPv4}`));
    expect([...senders].sort()).toEqual([
      'billing@contoso.com 203.0.113.25', 'billing@contoso.com 203.0.113.26',
      'ceo@contoso.com 192.0.2.66', 'it-support@contoso.com 192.0.2.67',
      'news@litware.example 198.18.9.44',
      'scanner@contoso.com 198.51.100.10', 'scanner@contoso.com 198.51.100.11', 'scanner@contoso.com 198.51.100.12',
    ]);
    expect(rows.some((r) => r.Subject === 'Urgent wire transfer\r\nplease handle today, confidential')).toBe(true);
    const imported = json<{ rows: { n: number }[] }>(['hunt', "EmailEvents | where tostring(parse_json(AdditionalFields).Imported) != '' | summarize n = count()", '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    expect(imported.rows).toEqual([{ n: 16 }]);
    const other = json<{ rows: unknown[] }>(['hunt', 'EmailEvents | count', '-o', 'Tailspin', '-d', dataDir, '-f', 'json']);
    expect(other.rows).toEqual([{ Count: 0 }]);
  });

  it('the Direct Send preview names the own-domain senders Reject Direct Send would refuse, and not the partner', () => {
    const preview = json<{ groups: { EnhancedStatusCode: string; Status: string; SenderIP: string; SenderMailFromDomain: string; Messages: number }[] }>(['directsend', 'preview', '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    expect(preview.groups.every((g) => g.EnhancedStatusCode === '5.7.68' && g.Status === 'WouldRefuse' && g.SenderMailFromDomain === 'contoso.com')).toBe(true);
    expect(preview.groups.map((g) => g.SenderIP).sort()).toEqual(['192.0.2.66', '192.0.2.67', '198.51.100.10', '198.51.100.11', '198.51.100.12', '203.0.113.25', '203.0.113.26']);
  });

  it('the plan groups the Direct Send senders by range and MAIL FROM domain and classifies them', () => {
    const groups = json<{ IpRange: string; SenderMailFromDomain: string; Classification: string; Messages: number; Recipients: number }[]>(['directsend', 'plan', '-o', 'Contoso', '-d', dataDir, '-f', 'json']);
    expect(groups.map((g) => `${g.IpRange} ${g.SenderMailFromDomain} ${g.Classification} ${g.Messages}/${g.Recipients}`).sort()).toEqual([
      '192.0.2.0/24 contoso.com OwnDomain 3/3', // the forged mail
      '198.18.9.0/24 litware.example Unknown 1/1',
      '198.51.100.0/24 contoso.com OwnDomain 5/6', // the printers
      '203.0.113.0/24 contoso.com OwnDomain 3/3', // the SaaS billing service
    ]);
  });

  it('the Inbound messages report counts the imported mail by connector', () => {
    const { rows } = json<{ rows: { 'Connector direction and name': string; Volume: number }[] }>(['report', 'inbound', '-o', 'Contoso', '--days', '30', '-d', dataDir, '-f', 'json']);
    const total = (name: string) => rows.filter((r) => r['Connector direction and name'] === name).reduce((n, r) => n + r.Volume, 0);
    expect(total('Inbound - Fabrikam partner')).toBe(3);
    // Messages, not recipients: the printer's scan to bob and carol counts once.
    expect(total('Inbound - No connector (email from the internet)')).toBe(12);
  });

  it('refuses a file that is no export, naming the formats it reads', () => {
    const other = join(tempDir('postern-exports-'), 'people.csv');
    writeFileSync(other, 'Name,Phone\r\nAlice,1\r\n');
    const r = runCli(['import', other, '-o', 'Contoso', '-d', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/people\.csv: line 1: the header \(Name, Phone\) is not one Postern reads; expected a Start-HistoricalSearch report/);
    expect(runCli(['import', other, '-o', 'Nobody', '-d', dataDir]).stderr).toMatch(/No organization named 'Nobody'/);
    // A quote that never closes, in a file too large to end soon after it.
    const stray = join(tempDir('postern-exports-'), 'stray.csv');
    writeFileSync(stray, `Timestamp,NetworkMessageId,Url\r\n"2026-12-01T00:00:00Z,n1,${'x'.repeat(1_100_000)}`);
    const cut = runCli(['import', stray, '-o', 'Contoso', '-d', dataDir]);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/stray\.csv: the record that begins on line 2 is longer than 1048576 characters \(a quote that never closes\?\); 0 row\(s\) before it were imported/);
  });
});
