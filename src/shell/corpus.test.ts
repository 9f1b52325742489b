// The cmdlet corpus: every invocation in corpus/valid.ps1 parses and binds; every one in
// corpus/invalid.ps1 fails with an error naming the expected parameter.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createShellSession } from './index.js';
import { adminTestbed } from '../testing/adminTestbed.js';

const NOW = new Date('2026-11-22T12:00:00Z');

function entries(file: string): string[] {
  const text = readFileSync(new URL(`./corpus/${file}`, import.meta.url), 'utf8');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.split(/\r?\n/).every((l) => l.trim().startsWith('#') && !/^# expect:/.test(l.trim())));
}

function session() {
  return createShellSession({ services: adminTestbed({ now: () => NOW }).admin, now: () => NOW });
}

describe('valid corpus', () => {
  const valid = entries('valid.ps1');

  it('has at least 80 invocations', () => {
    expect(valid.length).toBeGreaterThanOrEqual(80);
  });

  it.each(valid.map((e) => [e.split('\n')[0].slice(0, 90), e]))('binds: %s', async (_label, text) => {
    const errors = await session().check(text);
    expect(errors.map((e) => e.format())).toEqual([]);
  });
});

describe('invalid corpus', () => {
  const invalid = entries('invalid.ps1').map((e) => {
    const lines = e.split(/\r?\n/);
    const m = /^# expect: (\S+) (\S+)/.exec(lines[0]);
    if (!m) throw new Error(`corpus entry without "# expect:": ${e}`);
    return { parameter: m[1], errorId: m[2], text: lines.slice(1).join('\n') };
  });

  it('has a wrong invocation of each kind', () => {
    const ids = new Set(invalid.map((i) => i.errorId));
    for (const id of ['NamedParameterNotFound', 'AmbiguousParameter', 'CannotConvertArgumentNoMessage', 'ParameterArgumentValidationError', 'MissingMandatoryParameter', 'AmbiguousParameterSet']) {
      expect(ids).toContain(id);
    }
  });

  it.each(invalid.map((i) => [i.text.slice(0, 90), i]))('fails: %s', async (_label, entry) => {
    const errors = await session().check(entry.text);
    expect(errors).toHaveLength(1);
    const err = errors[0];
    expect(err.errorId).toBe(entry.errorId);
    expect(err.parameter?.toLowerCase()).toBe(entry.parameter.toLowerCase());
    expect(err.message.toLowerCase()).toContain(entry.parameter.toLowerCase());
    expect(err.position?.line).toBeGreaterThan(0);
  });
});

describe('valid corpus, run end to end', () => {
  it('runs every entry in order on the real admin operations; the only errors are what Postern says it does not offer', async () => {
    // The organization starts without accepted domains: the corpus adds contoso.com.
    const bed = adminTestbed({ domains: [], now: () => NOW });
    const held = (n: number) => `4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${n}`;
    bed.hold({
      networkMessageId: '8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3',
      receivedAt: new Date('2026-11-21T10:00:00Z'),
      expiresAt: new Date('2026-12-21T10:00:00Z'),
      sender: 'attacker@contoso.com',
      recipients: { 'ann@contoso.com': held(1), 'bob@contoso.com': held(2), 'carol@contoso.com': held(3) },
      subject: 'Invoice 42',
      internetMessageId: '<1@fabrikam.com>',
    });
    bed.recordTrace([{ networkMessageId: 'ae5c1219-4c90-41bf-fef5-08d837917e7c', recipient: 'robert@contoso.com', receivedAt: Date.parse('2026-11-21T08:00:00Z'), sender: 'john@contoso.com', subject: 'Invoice 42', status: 'Delivered', fromIp: '203.0.113.9', size: 3000, internetMessageId: '<abc@contoso.com>', connector: '' }]);
    const files = new Map<string, string>();
    const shell = createShellSession({ services: bed.admin, now: () => NOW, writeFile: async (p, c) => void files.set(p, String(c)) });
    const refusals: string[] = [];
    for (const entry of entries('valid.ps1')) {
      const r = await shell.run(entry);
      for (const e of r.errors) refusals.push(`${e.command}: ${e.errorId} ${e.parameter ?? ''}`.trim());
    }
    // What the corpus asks that Postern refuses, saying so (the parameter and why): settings its
    // model can't keep, directory/DLP conditions, password-protected exports, allow-listing,
    // compressed reports; then what follows from them (a rule never created isn't found) and
    // Exchange's refusal to release a message again without -Force.
    expect(refusals).toEqual([
      'Set-InboundConnector: UnsupportedConnectorSetting EFSkipIPs',
      'New-TransportRule: InvalidTransportRule BetweenMemberOf1',
      'New-TransportRule: InvalidTransportRule ADComparisonAttribute',
      'New-TransportRule: InvalidTransportRule MessageContainsDataClassifications',
      'New-TransportRule: InvalidTransportRule RecipientAddressType',
      'New-TransportRule: InvalidTransportRule ExceptIfFromMemberOf',
      'Get-TransportRule: ManagementObjectNotFoundException',
      'Set-TransportRule: ManagementObjectNotFoundException',
      'Export-QuarantineMessage: Unsupported PasswordV2',
      'Export-QuarantineMessage: Unsupported CompressOutput',
      'Release-QuarantineMessage: AlreadyReleased Force',
      'Release-QuarantineMessage: Unsupported AllowSender',
      'Release-QuarantineMessage: AlreadyReleased Force',
      'Release-QuarantineMessage: AlreadyReleased Force',
      'Start-HistoricalSearch: InvalidParameterValue CompressFile',
    ]);
    expect(files.get('rules.csv')).toMatch(/^"Priority","Comments",/);
    expect(bed.organization().Config.RejectDirectSend).toBe(false);
    expect(bed.rules().map((r) => r.Name)).toContain('Redirect to quarantine if not coming from known IPs');
  });
});
