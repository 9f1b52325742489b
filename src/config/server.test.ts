import { describe, expect, it } from 'vitest';
import { parseServerSettings } from './server.js';
import { problemsOf as configProblems } from './testing.js';

const problemsOf = (text: string): string[] => configProblems(() => parseServerSettings(text, 'postern.yaml'));

describe('server settings', () => {
  it('takes keys in any casing, in Postern\'s camelCase', () => {
    const s = parseServerSettings('HostName: mx.example\nLimits:\n  MAXMESSAGESIZE: 1000\nRetry: { InitialMs: 5 }\n', 'postern.yaml');
    expect(s).toMatchObject({ hostname: 'mx.example', limits: { maxMessageSize: 1000 }, retry: { initialMs: 5 } });
  });

  it('refuses unknown keys at their line and column, with the closest name', () => {
    expect(problemsOf('hostname: mx.example\ntrustedNetwork: [10.0.0.0/8]\nlimits:\n  maxRecipient: 5\n')).toEqual([
      "postern.yaml:2:1: unknown key 'trustedNetwork'; did you mean trustedNetworks?",
      "postern.yaml:4:3: limits: unknown key 'maxRecipient'; did you mean maxRecipients?",
    ]);
  });

  it('lets command-line overrides win over the file and still checks their values', () => {
    expect(parseServerSettings('SMTP: 127.0.0.1:25\n', 'postern.yaml', { smtp: '127.0.0.1:2600' }).smtp).toBe('127.0.0.1:2600');
    expect(problemsOf('http: nowhere\n')).toEqual(['postern.yaml:1:7: http: expected host:port']);
  });
});
