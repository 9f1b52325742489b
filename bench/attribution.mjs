// Connector attribution against 1,000 connectors in one organization (mixed IP, certificate,
// sender-domain and OnPremises), hits and misses. Run after `npm run build`:
//   node bench/attribution.mjs
// Prints JSON: ns/µs per attribution (mean, p50, p99; median of 5 rounds) per case, against a
// peer in the same run — a straightforward linear scan over the same connectors — and the
// compile time.
// Target: < 20 µs per message.
import ipaddr from 'ipaddr.js';
import { InboundConnector } from '../dist/config/inboundConnector.js';
import { attribute, compileFrontDoor, certificateNameMatches, senderDomainMatches } from '../dist/mailflow/attribution.js';
import { domainOf } from '../dist/message/facts.js';
import { random } from './random.mjs';

const CONNECTORS = 1000;
const ITERATIONS = Number(process.env.ITERATIONS ?? 100_000);
const TARGET_US = 20;

const rnd = random(42);

// --- 1,000 connectors -------------------------------------------------------------------
const inputs = [];
for (let i = 0; i < 400; i++) {
  inputs.push({
    Name: `IP partner ${i}`,
    SenderDomains: [`ippartner${i}.example`, `*.ippartner${i}.example`],
    SenderIPAddresses: [`10.${i >> 8}.${i & 255}.0/24`, `100.64.${i >> 8}.${i & 255}`],
    RestrictDomainsToIPAddresses: true,
    RequireTls: false,
  });
}
for (let i = 0; i < 300; i++) {
  inputs.push({
    Name: `Certificate partner ${i}`,
    SenderDomains: [`certpartner${i}.example`],
    TlsSenderCertificateName: i % 3 === 0 ? `*.certpartner${i}.example` : `mail.certpartner${i}.example`,
    RestrictDomainsToCertificate: true,
  });
}
for (let i = 0; i < 250; i++) {
  inputs.push({ Name: `Domain partner ${i}`, SenderDomains: [`domainpartner${i}.example`, `*.sub${i}.example`], RequireTls: false });
}
for (let i = 0; i < 50; i++) {
  inputs.push({
    Name: `On-premises ${i}`,
    ConnectorType: 'OnPremises',
    SenderDomains: ['*'],
    SenderIPAddresses: [`172.16.${i}.0/24`, `2001:db8:${i.toString(16)}::/48`],
    TlsSenderCertificateName: i % 2 ? `relay${i}.tenant.example` : undefined,
  });
}
const connectors = inputs.map((c) => InboundConnector.parse(c));
if (connectors.length !== CONNECTORS) throw new Error('expected 1,000 connectors');
const org = { AcceptedDomains: [{ DomainName: 'tenant.example' }], InboundConnectors: connectors };

// --- messages -----------------------------------------------------------------------------
const cert = (name, trusted = true) => ({ subjectCN: name, dnsNames: [name], fingerprint256: 'AA', trusted });
const cases = {
  'hit: IP partner': () => {
    const i = rnd(400);
    return { client: { ip: `10.${i >> 8}.${i & 255}.${1 + rnd(250)}`, helo: 'h' }, mailFrom: `a@ippartner${i}.example`, expect: `IP partner ${i}` };
  },
  'hit: certificate partner': () => {
    const i = rnd(300);
    return {
      client: { ip: `198.51.100.${rnd(255)}`, helo: 'h', tlsVersion: 'TLSv1.3', peerCertificate: cert(`mail.certpartner${i}.example`) },
      mailFrom: `a@certpartner${i}.example`,
      expect: `Certificate partner ${i}`,
    };
  },
  'hit: sender-domain partner': () => {
    const i = rnd(250);
    return { client: { ip: `203.0.113.${rnd(255)}`, helo: 'h' }, mailFrom: `a@x.sub${i}.example`, expect: `Domain partner ${i}` };
  },
  'hit: OnPremises (IPv6)': () => {
    const i = rnd(50);
    return { client: { ip: `2001:db8:${i.toString(16)}::${1 + rnd(9000)}`, helo: 'h' }, mailFrom: 'user@tenant.example', expect: `On-premises ${i}` };
  },
  'miss: Direct Send': () => ({ client: { ip: `${1 + rnd(200)}.${rnd(255)}.${rnd(255)}.${rnd(255)}`, helo: 'h' }, mailFrom: `ceo@tenant.example`, expect: undefined }),
  'miss: untrusted certificate (5.7.51)': () => {
    const i = rnd(300);
    return {
      client: { ip: `198.51.100.${rnd(255)}`, helo: 'h', tlsVersion: 'TLSv1.3', peerCertificate: cert(`mail.certpartner${i}.example`, false) },
      mailFrom: `a@certpartner${i}.example`,
      expect: undefined,
    };
  },
  'miss: unknown sender domain': () => ({ client: { ip: `192.0.2.${rnd(255)}`, helo: 'h' }, mailFrom: `x@other${rnd(100000)}.example`, expect: undefined }),
};

// --- the peer: a linear scan over the same connectors, same precedence ---------------------
const parsedIps = connectors.map((c) =>
  c.ConnectorType === 'OnPremises' || c.RestrictDomainsToIPAddresses ? c.SenderIPAddresses.map((s) => ipaddr.parseCIDR(s.includes('/') ? s : `${s}/${s.includes(':') ? 128 : 32}`)) : [],
);
function linearAttribute(client, mailFrom) {
  const domain = domainOf(mailFrom);
  const ip = ipaddr.process(client.ip);
  const names = client.tlsVersion && client.peerCertificate?.trusted ? [client.peerCertificate.subjectCN, ...client.peerCertificate.dnsNames] : [];
  let best;
  let bestRank = Infinity;
  let restricted = false;
  let byDomain;
  for (let i = 0; i < connectors.length; i++) {
    const c = connectors[i];
    if (!c.SenderDomains.some((p) => senderDomainMatches(p, domain))) continue;
    const onPrem = c.ConnectorType === 'OnPremises';
    if (c.TlsSenderCertificateName && names.some((n) => certificateNameMatches(c.TlsSenderCertificateName, n))) {
      const r = (onPrem ? 0 : 1) * 1e6 + i;
      if (r < bestRank) [best, bestRank] = [c, r];
    }
    if (parsedIps[i].some(([net, len]) => net.kind() === ip.kind() && ip.match(net, len))) {
      const r = (onPrem ? 2 : 3) * 1e6 + i;
      if (r < bestRank) [best, bestRank] = [c, r];
    }
    if (!onPrem && (c.RestrictDomainsToIPAddresses || c.RestrictDomainsToCertificate)) restricted = true;
    else if (!onPrem && !byDomain) byDomain = c;
  }
  return best ?? (restricted ? undefined : byDomain);
}

// --- measure -----------------------------------------------------------------------------
function stats(samples) {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  return { meanNs: Math.round(mean), p50Ns: at(0.5), p99Ns: at(0.99), meanUs: +(mean / 1000).toFixed(3), p99Us: +(at(0.99) / 1000).toFixed(3) };
}

// Each case runs in ROUNDS rounds; a round's figures come from timing every call. The reported
// figures are the median round's (by p99), so one round slowed by a noisy neighbour doesn't
// decide the result; the best and worst round's p99 are printed too.
const ROUNDS = 5;
function measure(fn, make, n) {
  const msgs = Array.from({ length: 1000 }, make);
  for (let i = 0; i < 20_000; i++) fn(msgs[i % msgs.length]); // warm-up
  const rounds = [];
  const per = Math.ceil(n / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const perCall = new Array(per);
    for (let i = 0; i < per; i++) {
      const m = msgs[i % msgs.length];
      const t0 = process.hrtime.bigint();
      fn(m);
      perCall[i] = Number(process.hrtime.bigint() - t0);
    }
    // Throughput without the per-call timer's own cost.
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < per; i++) fn(msgs[i % msgs.length]);
    rounds.push({ ...stats(perCall), loopMeanNs: Math.round(Number(process.hrtime.bigint() - t0) / per) });
  }
  rounds.sort((a, b) => a.p99Ns - b.p99Ns);
  const median = rounds[Math.floor(ROUNDS / 2)];
  return { ...median, bestRoundP99Us: rounds[0].p99Us, worstRoundP99Us: rounds[ROUNDS - 1].p99Us };
}

const c0 = process.hrtime.bigint();
const door = compileFrontDoor(org);
const compileMs = Number(process.hrtime.bigint() - c0) / 1e6;

// Sanity: indexed and linear agree with the expected connector on every case.
for (const [name, make] of Object.entries(cases)) {
  for (let k = 0; k < 200; k++) {
    const m = make();
    const got = attribute(door, { client: m.client, mailFrom: m.mailFrom, recipientDomain: 'tenant.example' }).connector?.Name;
    const peer = linearAttribute(m.client, m.mailFrom)?.Name;
    if (got !== m.expect || peer !== m.expect) throw new Error(`${name}: indexed ${got}, linear ${peer}, expected ${m.expect}`);
  }
}

const indexed = (m) => attribute(door, { client: m.client, mailFrom: m.mailFrom, recipientDomain: 'tenant.example' });
const linear = (m) => linearAttribute(m.client, m.mailFrom);
const results = {};
const peer = {};
const all = { hit: [], miss: [] };
for (const [name, make] of Object.entries(cases)) {
  results[name] = measure(indexed, make, ITERATIONS);
  peer[name] = measure(linear, make, Math.max(2000, ITERATIONS / 50));
  all[name.startsWith('hit') ? 'hit' : 'miss'].push(results[name]);
}
const summary = (list) => ({
  meanUs: +(list.reduce((s, r) => s + r.meanNs, 0) / list.length / 1000).toFixed(3),
  worstP99Us: Math.max(...list.map((r) => r.p99Us)),
});
const hits = summary(all.hit);
const misses = summary(all.miss);
const worst = Math.max(hits.worstP99Us, misses.worstP99Us);

console.log(
  JSON.stringify(
    {
      bench: 'attribution',
      node: process.version,
      connectors: CONNECTORS,
      iterationsPerCase: ITERATIONS,
      rounds: ROUNDS,
      compileMs: +compileMs.toFixed(2),
      targetUs: TARGET_US,
      hits,
      misses,
      pass: worst < TARGET_US,
      indexed: results,
      peer: { name: 'linear scan over 1,000 connectors (same precedence)', cases: peer },
    },
    null,
    2,
  ),
);
