// The Exchange Team's Direct Send article (reference/direct-send-article.md): its commands must
// parse and bind exactly as printed — en dash before ExceptIfSenderIpRanges, curly quotes
// around the ranges — and do what the article says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createShellSession, parseScript } from './index.js';
import { adminTestbed } from '../testing/adminTestbed.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const article = readFileSync(new URL('../../../shared/reference/direct-send-article.md', import.meta.url), 'utf8');

/** The PowerShell lines of the article, verbatim. */
function articleCommands(): string[] {
  return [...article.matchAll(/```powershell\r?\n([\s\S]*?)```/g)].map((m) => m[1].trim());
}

function setup() {
  const bed = adminTestbed({ now: () => NOW });
  const session = createShellSession({ services: bed.admin, now: () => NOW });
  return { bed, session };
}

const RULE_AS_PRINTED = articleCommands()[0];

describe('the Direct Send article', () => {
  it('has the two PowerShell examples, with the en dash and curly quote as printed', () => {
    expect(articleCommands()).toHaveLength(2);
    expect(RULE_AS_PRINTED).toContain('\u2013ExceptIfSenderIpRanges \u2018MX records');
  });

  it('parses the New-TransportRule line exactly as printed', () => {
    const script = parseScript(RULE_AS_PRINTED);
    const stmt = script.statements[0];
    expect(stmt.kind).toBe('pipeline');
    if (stmt.kind !== 'pipeline' || stmt.elements[0].kind !== 'command') throw new Error('not a command');
    const cmd = stmt.elements[0];
    expect(cmd.name).toBe('New-TransportRule');
    const names = cmd.elements.filter((e) => e.kind === 'parameter').map((e) => (e.kind === 'parameter' ? e.name : ''));
    expect(names).toEqual(['Name', 'Quarantine', 'ExceptIfHeaderContainsMessageHeader', 'ExceptIfHeaderContainsWords', 'ExceptIfSenderIpRanges', 'StopRuleProcessing', 'Priority']);
    // the curly-quoted placeholder is one string, closed by the ASCII quote (same quote class)
    const ranges = cmd.elements[cmd.elements.findIndex((e) => e.kind === 'parameter' && e.name === 'ExceptIfSenderIpRanges') + 1];
    expect(ranges.kind === 'argument' && ranges.value.kind === 'string' && ranges.value.value).toBe('MX records + on-premises IPs + other authorized IPs ');
  });

  it('binds the printed line up to the placeholder, which is rejected naming ExceptIfSenderIpRanges', async () => {
    const { session } = setup();
    const errors = await session.check(RULE_AS_PRINTED);
    expect(errors).toHaveLength(1);
    expect(errors[0].parameter).toBe('ExceptIfSenderIpRanges');
    expect(errors[0].message).toContain("Cannot bind parameter 'ExceptIfSenderIpRanges'");
    expect(errors[0].message).toContain("'MX' isn't a valid IP address");
    expect(errors[0].position).toMatchObject({ line: 1 });
  });

  it('creates the quarantine rule when the placeholder holds real ranges (one quoted string, comma-separated)', async () => {
    const { bed, session } = setup();
    const text = RULE_AS_PRINTED.replace('MX records + on-premises IPs + other authorized IPs ', '203.0.113.0/24,198.51.100.7 ');
    expect(text).toContain('\u2013ExceptIfSenderIpRanges \u2018203.0.113.0/24,198.51.100.7 \'');
    const r = await session.run(text);
    expect(r.errors.map((e) => e.format())).toEqual([]);
    expect(bed.rules()).toHaveLength(1);
    const rule = bed.rules()[0];
    expect(rule).toMatchObject({
      Name: 'Redirect to quarantine if not coming from known IPs',
      Priority: 0,
      State: 'Enabled',
      Quarantine: true,
      StopRuleProcessing: true,
      ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
      ExceptIfHeaderContainsWords: ['Internal'],
      ExceptIfSenderIpRanges: ['203.0.113.0/24', '198.51.100.7'],
    });
    expect(r.output).toContain('Redirect to quarantine if not coming from known IPs Enabled Enforce');
  });

  it('runs Start-HistoricalSearch with real dates (11/01/2026 is November 1st)', async () => {
    const { bed, session } = setup();
    const text = articleCommands()[1].replace('<start>', '11/01/2026').replace('<end>', '11/22/2026');
    expect(text).toBe('Start-HistoricalSearch -ReportTitle DirectSendMessages -StartDate 11/01/2026 -EndDate 11/22/2026 -ReportType ConnectorReport -ConnectorType NoConnector -Direction Received -NotifyAddress admin@contoso.com');
    const r = await session.run(text);
    expect(r.errors).toEqual([]);
    const [job] = await bed.admin.getHistoricalSearches();
    expect(job).toMatchObject({ ReportTitle: 'DirectSendMessages', StartDate: new Date('2026-11-01T00:00:00Z'), EndDate: new Date('2026-11-22T00:00:00Z'), ReportType: 'ConnectorReport', Status: 'NotStarted' });
    const stored = bed.searchStore.get(job.JobId)!;
    expect(stored.request).toEqual({ ReportTitle: 'DirectSendMessages', ReportType: 'ConnectorReport', ConnectorType: 'NoConnector', Direction: 'Received', NotifyAddress: ['admin@contoso.com'] });
    expect(r.output).toMatch(/JobId\s+SubmitDate\s+ReportTitle\s+Status/);
  });

  it('rejects the article\'s literal <start> placeholder as PowerShell does', async () => {
    const { session } = setup();
    const errors = await session.check(articleCommands()[1]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain("The '<' operator is reserved for future use.");
  });

  it('turns on Reject Direct Send', async () => {
    const { bed, session } = setup();
    const r = await session.run('Set-OrganizationConfig -RejectDirectSend $true\n(Get-OrganizationConfig).RejectDirectSend');
    expect(r.errors).toEqual([]);
    expect(bed.organization().Config.RejectDirectSend).toBe(true);
    expect(r.output.trim()).toBe('True');
  });
});
