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

  it('takes dnsServers as IP addresses with optional ports, and names an entry the resolver could not ask', () => {
    expect(problemsOf('dnsServers: [192.0.2.53, 127.0.0.1:5353, "2001:db8::53", "[::1]:53"]\n')).toEqual([]);
    expect(problemsOf('dnsServers: [127.0.0.1:99999, dns.google]\n')).toEqual([
      "postern.yaml:1:14: dnsServers.0: '127.0.0.1:99999' is not a DNS server address: give an IP address with an optional port (192.0.2.53, 127.0.0.1:5353, [2001:db8::53]:5353), or 'system'",
      "postern.yaml:1:31: dnsServers.1: 'dns.google' is not a DNS server address: give an IP address with an optional port (192.0.2.53, 127.0.0.1:5353, [2001:db8::53]:5353), or 'system'",
    ]);
  });

  it('lets command-line overrides win over the file and still checks their values', () => {
    expect(parseServerSettings('SMTP: 127.0.0.1:25\n', 'postern.yaml', { smtp: '127.0.0.1:2600' }).smtp).toBe('127.0.0.1:2600');
    expect(problemsOf('http: nowhere\n')).toEqual(['postern.yaml:1:7: http: expected host:port']);
  });

  it('keeps the store in the embedded SQLite unless store names a PostgreSQL server', () => {
    expect(parseServerSettings('', 'postern.yaml').store).toBe('sqlite');
    expect(parseServerSettings('store: postgres://postern@db.example:5432/postern\n', 'postern.yaml').store).toBe('postgres://postern@db.example:5432/postern');
    expect(problemsOf('store: postgresql:///postern?host=/run/postgresql\n')).toEqual([]);
    const what = "give 'sqlite' (the default: the embedded database in the data directory) or a PostgreSQL URL such as postgres://postern@db.example:5432/postern";
    expect(problemsOf('store: mysql://postern:s3cret@db.example/postern\n')).toEqual([`postern.yaml:1:8: store: 'mysql://postern:***@db.example/postern' is not a store Postern knows: ${what}`]);
    expect(problemsOf('store: postgres:///postern\n')).toEqual([`postern.yaml:1:8: store: 'postgres:///postern' names no server: ${what}`]);
    expect(problemsOf('store: db.example:5432 s3cret\n')).toEqual([`postern.yaml:1:8: store: not a URL: ${what}`]);
  });
});
