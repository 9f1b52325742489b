// The cmdlet corpus: every invocation in corpus/valid.ps1 parses and binds; every one in
// corpus/invalid.ps1 fails with an error naming the expected parameter.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createShellSession } from './index.js';
import { MemoryShellServices } from './memoryServices.js';

const NOW = new Date('2026-11-22T12:00:00Z');

function entries(file: string): string[] {
  const text = readFileSync(new URL(`./corpus/${file}`, import.meta.url), 'utf8');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.split(/\r?\n/).every((l) => l.trim().startsWith('#') && !/^# expect:/.test(l.trim())));
}

function session() {
  return createShellSession({ services: new MemoryShellServices('contoso', () => NOW), now: () => NOW });
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
  it('runs every entry in order against seeded in-memory services without an error', async () => {
    const services = new MemoryShellServices('contoso', () => NOW);
    const q = (n: number, type: string, status = 'NotReleased') => ({
      Identity: `8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${n}`,
      ReceivedTime: new Date('2026-11-21T10:00:00Z'),
      Type: type,
      Direction: 'Inbound' as const,
      SenderAddress: 'attacker@contoso.com',
      RecipientAddress: ['ann@contoso.com'],
      Subject: `message ${n}`,
      Size: 1024,
      Expires: new Date('2026-12-21T10:00:00Z'),
      MessageId: `<${n}@fabrikam.com>`,
      ReleaseStatus: status,
    });
    services.quarantine.push(q(1, 'TransportRule'), q(2, 'HighConfPhish'), q(3, 'Spam'));
    services.trace.push({ Received: new Date('2026-11-21T08:00:00Z'), SenderAddress: 'john@contoso.com', RecipientAddress: 'robert@contoso.com', Subject: 'Invoice 42', Status: 'Delivered', ToIP: null, FromIP: '203.0.113.9', Size: 3000, MessageId: '<abc@contoso.com>', MessageTraceId: 'ae5c1219-4c90-41bf-fef5-08d837917e7c' });
    const files = new Map<string, string>();
    const shell = createShellSession({ services, now: () => NOW, writeFile: async (p, c) => void files.set(p, String(c)) });
    const failures: string[] = [];
    for (const entry of entries('valid.ps1')) {
      const r = await shell.run(entry);
      for (const e of r.errors) failures.push(`${entry.split('\n')[0]}\n${e.format()}`);
    }
    expect(failures).toEqual([]);
    expect(files.get('rules.csv')).toMatch(/^"Priority","Comments",/);
    expect(services.config.RejectDirectSend).toBe(false);
    expect(services.rules.map((r) => r.Name)).toContain('Redirect to quarantine if not coming from known IPs');
  });
});
