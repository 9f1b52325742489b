// The indexed attribution must agree with the plain reading of its rules: a linear scan over
// the connectors, written here as directly as possible. Random organizations and messages from
// small pools (so that overlaps, wildcards, scopes and ties happen often), fixed seed.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { InboundConnector, type InboundConnectorInput } from '../config/inboundConnector.js';
import { attribute, certificateNameMatches, compileFrontDoor, senderDomainMatches, type Attribution } from './attribution.js';
import { domainOf, type ClientFacts } from '../message/facts.js';

// mulberry32: a small PRNG whose low bits are as random as its high ones.
let seed = 7;
const rnd = (n: number): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
};
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + rnd(max) }, () => pick(xs)))];

const DOMAINS = ['contoso.com', 'fabrikam.com', 'mail.fabrikam.com', 'a.mail.fabrikam.com', 'tailspin.com', 'example.org'];
const PATTERNS = ['*', '*.fabrikam.com', '*.mail.fabrikam.com', 'fabrikam.com', 'mail.fabrikam.com', 'contoso.com', '*.contoso.com', 'tailspin.com', 'example.org'];
const PREFIXES = ['127.0.0.2', '127.0.0.0/24', '127.0.0.0/30', '127.0.1.0/24', '2001:db8::/48', '2001:db8::25', '2001:db8:1::/64'];
const IPS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.1.9', '10.0.0.1', '2001:db8::25', '2001:db8::26', '2001:db8:1::1', '2001:db9::1'];
const CERT_NAMES = ['mail.fabrikam.com', '*.fabrikam.com', 'relay.contoso.com', '*.contoso.com', 'tailspin.com'];
const PRESENTED = ['mail.fabrikam.com', 'x.mail.fabrikam.com', 'fabrikam.com', 'relay.contoso.com', 'contoso.com', 'tailspin.com', 'evil.example'];
const RCPT = ['contoso.com', 'contoso.net'];

function randomConnector(i: number): InboundConnectorInput {
  const onPrem = rnd(5) === 0;
  const kind = rnd(4); // 0 IP, 1 cert, 2 domain only, 3 IP + cert name
  const c: InboundConnectorInput = { Name: `c${i}`, SenderDomains: some(PATTERNS, 3), Enabled: rnd(10) !== 0, RequireTls: false };
  if (rnd(6) === 0) c.AssociatedAcceptedDomains = [pick(RCPT)];
  if (onPrem) {
    c.ConnectorType = 'OnPremises';
    if (kind !== 1) c.SenderIPAddresses = some(PREFIXES, 2);
    if (kind === 1 || kind === 3 || !c.SenderIPAddresses) c.TlsSenderCertificateName = pick(CERT_NAMES);
    return c;
  }
  if (kind === 0 || kind === 3) {
    c.SenderIPAddresses = some(PREFIXES, 2);
    c.RestrictDomainsToIPAddresses = rnd(3) !== 0;
  }
  if (kind === 1 || kind === 3) {
    c.TlsSenderCertificateName = pick(CERT_NAMES);
    if (kind === 1) c.RestrictDomainsToCertificate = rnd(3) !== 0;
  }
  return c;
}

function inPrefix(ip: string, prefix: string): boolean {
  const addr = ipaddr.process(ip);
  const [net, len] = prefix.includes('/') ? ipaddr.parseCIDR(prefix) : [ipaddr.parse(prefix), prefix.includes(':') ? 128 : 32];
  return addr.kind() === net.kind() && addr.match(net, len);
}

/** The rules of attribution.ts, read literally. */
function reference(connectors: InboundConnector[], client: ClientFacts, mailFrom: string, rcpt: string) {
  const domain = domainOf(mailFrom);
  const enabled = connectors.filter((c) => c.Enabled);
  const inScope = (c: InboundConnector) => c.AssociatedAcceptedDomains.length === 0 || c.AssociatedAcceptedDomains.includes(rcpt);
  const covers = (c: InboundConnector) => c.SenderDomains.some((p) => senderDomainMatches(p, domain));
  const cert = client.tlsVersion && client.peerCertificate?.trusted ? client.peerCertificate : undefined;
  const names = cert ? [cert.subjectCN ?? '', ...cert.dnsNames].filter(Boolean) : [];
  let best: { c: InboundConnector; on: string; rank: number } | undefined;
  enabled.forEach((c, order) => {
    if (!inScope(c) || !covers(c)) return;
    const onPrem = c.ConnectorType === 'OnPremises';
    const consider = (on: string, rank: number) => {
      if (!best || rank < best.rank) best = { c, on, rank };
    };
    if (c.TlsSenderCertificateName && names.some((n) => certificateNameMatches(c.TlsSenderCertificateName!, n))) consider('certificate', (onPrem ? 0 : 1) * 1e6 + order);
    if ((onPrem || c.RestrictDomainsToIPAddresses) && c.SenderIPAddresses.some((p) => inPrefix(client.ip, p))) consider('ip', (onPrem ? 2 : 3) * 1e6 + order);
  });
  if (best) return { connector: best.c.Name, on: best.on, failed: [] as string[] };
  const partner = (c: InboundConnector) => c.ConnectorType === 'Partner';
  const restricting = enabled.filter((c) => partner(c) && (c.RestrictDomainsToIPAddresses || c.RestrictDomainsToCertificate) && inScope(c) && covers(c));
  if (restricting.length) return { connector: undefined, on: undefined, failed: restricting.map((c) => c.Name) };
  const specificity = (c: InboundConnector) =>
    Math.max(...c.SenderDomains.filter((p) => senderDomainMatches(p, domain)).map((p) => (p === '*' ? -1 : p.startsWith('*.') ? p.length - 2 : 1e6)));
  let byDomain: { c: InboundConnector; s: number } | undefined;
  for (const c of enabled) {
    if (!partner(c) || c.RestrictDomainsToIPAddresses || c.RestrictDomainsToCertificate || !inScope(c) || !covers(c)) continue;
    const s = specificity(c);
    if (!byDomain || s > byDomain.s) byDomain = { c, s };
  }
  return { connector: byDomain?.c.Name, on: byDomain ? 'senderDomain' : undefined, failed: [] as string[] };
}

const observed = (a: Attribution) => ({ connector: a.connector?.Name, on: a.matchedOn, failed: (a.restrictionFailed ?? []).map((c) => c.Name) });

describe('indexed attribution agrees with a literal linear reading of the rules', () => {
  it('on 300 random organizations × 60 random messages', () => {
    const seen = { certificate: 0, ip: 0, senderDomain: 0, failed: 0, none: 0 };
    for (let o = 0; o < 300; o++) {
      const connectors: InboundConnector[] = [];
      for (let i = 0; i < 1 + rnd(8); i++) {
        const r = InboundConnector.safeParse(randomConnector(i));
        if (r.success) connectors.push(r.data);
      }
      const door = compileFrontDoor({ AcceptedDomains: [{ DomainName: 'contoso.com' }], InboundConnectors: connectors });
      for (let m = 0; m < 60; m++) {
        const presented = rnd(3) ? some(PRESENTED, 2) : [];
        const client: ClientFacts = {
          ip: pick(IPS),
          helo: 'h',
          tlsVersion: rnd(4) ? 'TLSv1.3' : undefined,
          peerCertificate: presented.length ? { subjectCN: presented[0], dnsNames: presented.slice(1), fingerprint256: 'AA', trusted: rnd(4) !== 0 } : undefined,
        };
        const mailFrom = rnd(10) ? `u@${pick(DOMAINS)}` : '';
        const rcpt = pick(RCPT);
        const got = observed(attribute(door, { client, mailFrom, recipientDomain: rcpt }));
        const want = reference(connectors, client, mailFrom, rcpt);
        expect(got, JSON.stringify({ connectors, client, mailFrom, rcpt })).toEqual(want);
        seen[got.failed.length ? 'failed' : ((got.on ?? 'none') as keyof typeof seen)]++;
      }
    }
    // The pools must actually exercise every outcome.
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(100);
  });
});
