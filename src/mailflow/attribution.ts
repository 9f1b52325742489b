// Connector attribution: which of the recipient organization's inbound connectors did this
// message come through, if any (the Exchange Team's "Office 365 Message Attribution"). "None" is Direct Send,
// the hidden default connector every tenant has.
//
// An organization's connectors are compiled once per configuration change into lookup
// structures — a prefix trie for SenderIPAddresses, maps for TlsSenderCertificateName and for
// SenderDomains — so attributing one message costs a handful of map probes and at most
// 32/128 trie steps, whatever the number of connectors.
//
// Order. Exchange documents only part of it; every point marked "Exchange is silent" is
// Postern's choice.
// 1. Connectors that identify the sender by certificate, then by IP. Exchange: partner
//    connectors "are pulled up by IP or certificate lookup". Exchange is silent on certificate
//    before IP (implied, not stated). Only names of a *trusted* certificate count.
//    A connector matches only when its SenderDomains cover the MAIL FROM domain (Exchange: they
//    "limit the scope" of a Partner connector; Exchange is silent for OnPremises — Postern
//    applies the same rule) and its AssociatedAcceptedDomains, if any, include the recipient
//    domain. Ties — Exchange is silent: OnPremises before Partner, then configuration order.
// 2. Otherwise, when a restricting Partner connector (RestrictDomainsToIPAddresses /
//    RestrictDomainsToCertificate) covers the MAIL FROM domain, the message failed it (5.7.51):
//    "the restrict connector takes precedence" over sender-domain-only connectors. A message
//    matched in step 1 — also by an OnPremises connector — never fails a restriction
//    (Exchange is silent).
// 3. Otherwise the most specific sender-domain-only Partner connector: exact domain, then the
//    longest `*.domain`, then `*`; ties by configuration order (Exchange is silent).
// 4. Otherwise no connector.
// OnPremises connectors record how the tenant was attributed (MC1226222): certificate domain,
// then MAIL FROM domain, then RCPT TO domain. (Postern already knows the tenant from RCPT TO,
// so this is the reason recorded, not a choice between tenants.)
import { isRestricting, type InboundConnector } from '../config/inboundConnector.js';
import { parseIp, parseIpPrefix } from '../message/ipAddress.js';
import { IpPrefixTrie } from '../message/ipPrefixTrie.js';
import { domainOf, type ClientFacts, type PeerCertificate } from '../message/facts.js';

/** Mail that came through no inbound connector (Exchange's ConnectorType word for it: Direct Send or the internet). */
export const NO_CONNECTOR = 'NoConnector';

export type MatchedOn = 'certificate' | 'ip' | 'senderDomain';
export type TenantAttributedBy = 'certificate' | 'mailFrom' | 'rcptTo';

/** What attribution reads from an organization; `Organization` (with InboundConnectors) fits. */
export interface FrontDoorOrganization {
  InboundConnectors?: readonly InboundConnector[];
  AcceptedDomains: readonly { DomainName: string }[];
}

export interface AttributionInput {
  client: ClientFacts;
  /** RFC 5321 MAIL FROM; '' for the null sender. */
  mailFrom: string;
  /** Domain of the RCPT TO address whose organization is being evaluated. */
  recipientDomain: string;
}

export interface Attribution {
  /** The connector the message came through; undefined = no connector (Direct Send). */
  connector?: InboundConnector;
  matchedOn?: MatchedOn;
  /** What matched: the certificate name presented, the SenderIPAddresses entry, or the SenderDomains entry. */
  matchedValue?: string;
  /** OnPremises connectors: how the message was attributed to this tenant. */
  tenantAttributedBy?: TenantAttributedBy;
  /**
   * True when a connector identified the sender by IP or certificate. Only these exempt a
   * message from Reject Direct Send and earn `AuthAs: Partner` / `Internal`.
   */
  viaIpOrCertificate: boolean;
  /** Restricting Partner connectors covering the sender domain whose IP/certificate test failed (→ 5.7.51). */
  restrictionFailed?: InboundConnector[];
  /** Lower-case MAIL FROM domain ('' for the null sender). */
  senderDomain: string;
  /** Human-readable steps, for trace and `postern simulate`. */
  reasons: string[];
}

interface Entry {
  connector: InboundConnector;
  order: number;
  onPremises: boolean;
  exactDomains: Set<string>;
  /** `*.x` patterns as their suffix `x`. */
  wildDomains: string[];
  star: boolean;
  associated?: Set<string>;
}

/** A sender-domain index: exact names, `*.suffix` by suffix, and `*`. */
class SenderDomainIndex {
  readonly exact = new Map<string, Entry[]>();
  readonly wild = new Map<string, Entry[]>();
  readonly star: Entry[] = [];

  add(e: Entry): void {
    for (const d of e.exactDomains) push(this.exact, d, e);
    for (const d of e.wildDomains) push(this.wild, d, e);
    if (e.star) this.star.push(e);
  }

  /** The most specific entry covering `domain` within scope, with the pattern that matched. */
  best(domain: string, rcpt: string): { entry: Entry; pattern: string } | undefined {
    if (domain !== '') {
      const e = firstInScope(this.exact.get(domain), rcpt);
      if (e) return { entry: e, pattern: domain };
      for (let s: string | undefined = domain; s !== undefined; s = parentOf(s)) {
        const w = firstInScope(this.wild.get(s), rcpt);
        if (w) return { entry: w, pattern: `*.${s}` };
      }
    }
    const st = firstInScope(this.star, rcpt);
    return st ? { entry: st, pattern: '*' } : undefined;
  }

  /** Every entry covering `domain` within scope, in configuration order. */
  all(domain: string, rcpt: string): Entry[] {
    const found = new Set<Entry>();
    const take = (list: Entry[] | undefined): void => {
      if (list) for (const e of list) if (inScope(e, rcpt)) found.add(e);
    };
    if (domain !== '') {
      take(this.exact.get(domain));
      for (let s: string | undefined = domain; s !== undefined; s = parentOf(s)) take(this.wild.get(s));
    }
    take(this.star);
    return [...found].sort((a, b) => a.order - b.order);
  }
}

/** An organization's connectors, compiled for attribution. Build with `compileFrontDoor`. */
export interface CompiledFrontDoor {
  /** Enabled connectors, configuration order. */
  readonly connectors: readonly InboundConnector[];
  readonly acceptedDomains: ReadonlySet<string>;
  /** @internal */ readonly ipTrie: IpPrefixTrie;
  /** @internal */ readonly ipRefs: readonly { entry: Entry; text: string }[];
  /** @internal */ readonly certExact: ReadonlyMap<string, Entry[]>;
  /** @internal */ readonly certWild: ReadonlyMap<string, Entry[]>;
  /** @internal */ readonly restricting: SenderDomainIndex;
  /** @internal */ readonly senderDomainOnly: SenderDomainIndex;
}

/** Compile once per configuration change; reuse for every message. */
export function compileFrontDoor(org: FrontDoorOrganization): CompiledFrontDoor {
  const ipTrie = new IpPrefixTrie();
  const ipRefs: { entry: Entry; text: string }[] = [];
  const certExact = new Map<string, Entry[]>();
  const certWild = new Map<string, Entry[]>();
  const restricting = new SenderDomainIndex();
  const senderDomainOnly = new SenderDomainIndex();
  const enabled = (org.InboundConnectors ?? []).filter((c) => c.Enabled);

  enabled.forEach((connector, order) => {
    const e: Entry = {
      connector,
      order,
      onPremises: connector.ConnectorType === 'OnPremises',
      exactDomains: new Set(),
      wildDomains: [],
      star: false,
      associated: connector.AssociatedAcceptedDomains.length ? new Set(connector.AssociatedAcceptedDomains.map(lower)) : undefined,
    };
    for (const raw of connector.SenderDomains) {
      const d = lower(raw);
      if (d === '*') e.star = true;
      else if (d.startsWith('*.')) e.wildDomains.push(d.slice(2));
      else e.exactDomains.add(d);
    }
    // Partner connectors use SenderIPAddresses only with RestrictDomainsToIPAddresses (Exchange).
    if (e.onPremises || connector.RestrictDomainsToIPAddresses) {
      for (const text of connector.SenderIPAddresses) {
        const p = parseIpPrefix(text);
        if ('error' in p) continue; // refused by validation; never reached with a parsed config
        ipTrie.insert(p, ipRefs.length);
        ipRefs.push({ entry: e, text });
      }
    }
    const cert = connector.TlsSenderCertificateName;
    if (cert) {
      if (cert.startsWith('*.')) push(certWild, lower(cert.slice(2)), e);
      else push(certExact, lower(cert), e);
    }
    if (isRestricting(connector)) restricting.add(e);
    else if (!e.onPremises) senderDomainOnly.add(e);
  });

  const acceptedDomains = new Set(org.AcceptedDomains.map((d) => lower(d.DomainName)));
  return { connectors: enabled, acceptedDomains, ipTrie, ipRefs, certExact, certWild, restricting, senderDomainOnly };
}

/** Names a certificate asserts (subject CN and SAN DNS names), lower-case, without trailing dot. */
export function certificateNames(cert: PeerCertificate): string[] {
  const names = new Set<string>();
  for (const n of [cert.subjectCN, ...cert.dnsNames]) {
    if (n) names.add(lower(n).replace(/\.$/, ''));
  }
  return [...names];
}

/**
 * Does a presented certificate name satisfy TlsSenderCertificateName? `*.contoso.com` means
 * contoso.com and all its subdomains (Exchange's wording for this parameter); a wildcard
 * name on the certificate itself only matches the identical configured value, or a configured
 * wildcard above it.
 */
export function certificateNameMatches(configured: string, presented: string): boolean {
  const c = lower(configured);
  const p = lower(presented).replace(/\.$/, '');
  if (c === p) return true;
  if (!c.startsWith('*.')) return false;
  const suffix = c.slice(2);
  const name = p.startsWith('*.') ? p.slice(2) : p;
  return name === suffix || name.endsWith(`.${suffix}`);
}

/** Does a SenderDomains entry cover a MAIL FROM domain? `*` covers every sender, also `<>`. */
export function senderDomainMatches(pattern: string, domain: string): boolean {
  const p = lower(pattern);
  const d = lower(domain);
  if (p === '*') return true;
  if (d === '') return false;
  if (p.startsWith('*.')) return d === p.slice(2) || d.endsWith(p.slice(1));
  return p === d;
}

interface Candidate {
  entry: Entry;
  on: 'certificate' | 'ip';
  value: string;
}

/** Decide the connector (or none) for one message and one recipient domain. Pure. */
export function attribute(door: CompiledFrontDoor, input: AttributionInput): Attribution {
  const senderDomain = domainOf(input.mailFrom);
  const rcpt = lower(input.recipientDomain);
  const reasons: string[] = [];
  let best: Candidate | undefined;
  const consider = (c: Candidate): void => {
    if (!inScope(c.entry, rcpt) || !covers(c.entry, senderDomain)) return;
    if (!best || rank(c) < rank(best)) best = c;
  };

  // 1a. Certificate: only a certificate that chains to the trust store says who the sender is.
  const cert = input.client.tlsVersion ? input.client.peerCertificate : undefined;
  if (cert && !cert.trusted) {
    reasons.push(`client certificate (${certificateNames(cert).join(', ') || 'no names'}) is not trusted; its names are ignored`);
  } else if (cert && (door.certExact.size || door.certWild.size)) {
    for (const name of certificateNames(cert)) {
      for (const e of door.certExact.get(name) ?? []) consider({ entry: e, on: 'certificate', value: name });
      const base = name.startsWith('*.') ? name.slice(2) : name;
      for (let s: string | undefined = base; s !== undefined; s = parentOf(s)) {
        for (const e of door.certWild.get(s) ?? []) consider({ entry: e, on: 'certificate', value: name });
      }
    }
  }
  // 1b. Source IP.
  if (door.ipTrie.size) {
    const ip = parseIp(input.client.ip);
    if (ip) for (const ref of door.ipTrie.lookupBytes(ip.family, ip.bytes)) consider({ entry: door.ipRefs[ref].entry, on: 'ip', value: door.ipRefs[ref].text });
  }

  if (best) {
    const c = best.entry.connector;
    const covered = coveringPattern(best.entry, senderDomain);
    reasons.push(
      `connector '${c.Name}' (${c.ConnectorType}) matched on ${best.on === 'ip' ? `source IP ${input.client.ip} in SenderIPAddresses ${best.value}` : `trusted certificate name ${best.value} = TlsSenderCertificateName ${c.TlsSenderCertificateName}`}; sender domain '${senderDomain || '<>'}' in SenderDomains ${covered}`,
    );
    const result: Attribution = { connector: c, matchedOn: best.on, matchedValue: best.value, viaIpOrCertificate: true, senderDomain, reasons };
    if (best.entry.onPremises) {
      const by = tenantAttribution(door, best, senderDomain);
      result.tenantAttributedBy = by;
      reasons.push(`tenant attributed by ${by === 'certificate' ? `certificate domain ${best.value}` : by === 'mailFrom' ? `MAIL FROM domain ${senderDomain}` : `RCPT TO domain ${rcpt}`}`);
    }
    return result;
  }

  // 2. A restricting Partner connector covers this sender domain, and the message didn't satisfy it.
  const failed = door.restricting.all(senderDomain, rcpt);
  if (failed.length) {
    const names = failed.map((e) => `'${e.connector.Name}'`).join(', ');
    reasons.push(
      `sender domain '${senderDomain || '<>'}' is covered by restricting Partner connector ${names}, but source IP ${input.client.ip}${cert?.trusted ? ` and certificate ${certificateNames(cert).join(', ')}` : cert ? ' and an untrusted certificate' : ' without a trusted certificate'} did not match`,
    );
    return { viaIpOrCertificate: false, restrictionFailed: failed.map((e) => e.connector), senderDomain, reasons };
  }

  // 3. A Partner connector scoped by sender domain only.
  const byDomain = door.senderDomainOnly.best(senderDomain, rcpt);
  if (byDomain) {
    const c = byDomain.entry.connector;
    reasons.push(`connector '${c.Name}' (Partner) matched on sender domain '${senderDomain || '<>'}' in SenderDomains ${byDomain.pattern}; it identifies no IP or certificate, so the message still counts as Direct Send`);
    return { connector: c, matchedOn: 'senderDomain', matchedValue: byDomain.pattern, viaIpOrCertificate: false, senderDomain, reasons };
  }

  reasons.push(`no inbound connector matched source IP ${input.client.ip}${cert?.trusted ? `, certificate ${certificateNames(cert).join(', ')}` : ''} or sender domain '${senderDomain || '<>'}': Direct Send (default connector)`);
  return { viaIpOrCertificate: false, senderDomain, reasons };
}

/** Lower rank wins: certificate before IP, OnPremises before Partner, then configuration order. */
function rank(c: Candidate): number {
  return (c.on === 'certificate' ? 0 : 2) * 1e6 + (c.entry.onPremises ? 0 : 1) * 1e6 + c.entry.order;
}

/** MC1226222: certificate domain, then P1 MAIL FROM domain, then P1 RCPT TO domain. */
function tenantAttribution(door: CompiledFrontDoor, c: Candidate, senderDomain: string): TenantAttributedBy {
  if (c.on === 'certificate') {
    const name = c.value.startsWith('*.') ? c.value.slice(2) : c.value;
    for (let s: string | undefined = name; s !== undefined; s = parentOf(s)) if (door.acceptedDomains.has(s)) return 'certificate';
  }
  return door.acceptedDomains.has(senderDomain) ? 'mailFrom' : 'rcptTo';
}

function covers(e: Entry, domain: string): boolean {
  if (e.star) return true;
  if (domain === '') return false;
  if (e.exactDomains.has(domain)) return true;
  for (const w of e.wildDomains) if (domain === w || (domain.endsWith(w) && domain.charCodeAt(domain.length - w.length - 1) === 46)) return true;
  return false;
}

function coveringPattern(e: Entry, domain: string): string {
  if (domain !== '' && e.exactDomains.has(domain)) return domain;
  for (const w of e.wildDomains) if (senderDomainMatches(`*.${w}`, domain)) return `*.${w}`;
  return '*';
}

function inScope(e: Entry, rcpt: string): boolean {
  return !e.associated || e.associated.has(rcpt);
}

function firstInScope(list: Entry[] | undefined, rcpt: string): Entry | undefined {
  if (list) for (const e of list) if (inScope(e, rcpt)) return e;
  return undefined;
}

function parentOf(domain: string): string | undefined {
  const i = domain.indexOf('.');
  return i < 0 ? undefined : domain.slice(i + 1);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * What the trace records about attribution: `EmailEvents.Connectors` (the connector name, ''
 * for Direct Send) and `ConnectorMatch` for AdditionalFields, which the Reject Direct Send
 * preview reads to know whether the connector identified the sender by IP or certificate.
 */
export function attributionTraceFields(a: Attribution): { Connectors: string; ConnectorMatch: MatchedOn | '' } {
  return { Connectors: a.connector?.Name ?? '', ConnectorMatch: a.matchedOn ?? '' };
}

/**
 * What SmtpRejectEvents.Connectors records for a refused recipient: the restricting connectors
 * a 5.7.51 is about, else the connector the message came through ('' for none).
 */
export function refusalConnectors(a: Attribution): string {
  return a.restrictionFailed?.length ? a.restrictionFailed.map((c) => c.Name).join(', ') : (a.connector?.Name ?? '');
}
