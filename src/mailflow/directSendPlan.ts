// `postern directsend plan`, first part: who uses Direct Send today, from the evidence (Postern's
// own trace or imported exports), grouped as a connector would name them and classified.
//
// A Direct Send row is inbound mail (EmailDirection Inbound) recorded with no connector
// (Connectors empty) that no inbound connector of the configuration in force now identifies by
// IP address either (a connector added since the mail came already covers it). Groups are one
// sender IP range — the smallest a connector's SenderIPAddresses takes (MIN_PREFIX: /24, /48), so
// a group's range can go into a connector as it stands — and one MAIL FROM domain.
//
// Classes:
// - KnownService: the MAIL FROM domain (or a parent of it) is a mail or SaaS service's own domain
//   (knownServices.ts), or the IP address is in a range it publishes;
// - OwnDomain: the MAIL FROM domain is an accepted domain: Reject Direct Send refuses this mail
//   (5.7.68) unless a connector identifies the sender first — printers, scanners, applications,
//   and forgeries of the organization's own domain alike;
// - Unknown: anything else (ordinary mail from the internet, which Reject Direct Send leaves alone).
import { MIN_PREFIX } from '../config/inboundConnector.js';
import { domainOf } from '../message/facts.js';
import { formatIp, parseIp, parseIpRange, type IpAddress } from '../message/ipAddress.js';
import { isAcceptedDomain } from './admission.js';
import { attribute, compileFrontDoor, type FrontDoorOrganization } from './attribution.js';
import type { PreviewRow } from './directSendPreview.js';
import { KNOWN_SERVICES, type KnownService } from './knownServices.js';

export type SenderClass = 'OwnDomain' | 'KnownService' | 'Unknown';

export interface DirectSendSenderGroup {
  Organization: string;
  /** The sender IP range (/24 for IPv4, /48 for IPv6); '' when the rows recorded no IP. */
  IpRange: string;
  SenderMailFromDomain: string;
  Classification: SenderClass;
  /** The known service (KnownService) or ''. */
  Service: string;
  /** Would Reject Direct Send refuse this group's mail (5.7.68)? */
  RefusedByRejectDirectSend: boolean;
  /** Distinct messages (NetworkMessageId). */
  Messages: number;
  /** Rows: message × recipient. */
  Recipients: number;
  FirstSeen: string;
  LastSeen: string;
  /** Distinct sender IP addresses, at most 20. */
  SenderIPs: string[];
  /** Distinct MAIL FROM addresses, at most 10. */
  SenderMailFromAddresses: string[];
}

export interface PlanOrganization extends FrontDoorOrganization {
  Guid: string;
  Name?: string;
}

interface Acc {
  group: DirectSendSenderGroup;
  messages: Set<string>;
  anonymous: number;
  ips: Set<string>;
  addresses: Set<string>;
  first: number;
  last: number;
}

interface CompiledService {
  service: KnownService;
  ranges: { family: number; first: Uint8Array; last: Uint8Array }[];
}

/** The Direct Send senders in `rows` (one organization's), largest groups first. */
export function directSendSenders(rows: Iterable<PreviewRow>, org: PlanOrganization, options: { since?: number; services?: readonly KnownService[] } = {}): DirectSendSenderGroup[] {
  const door = compileFrontDoor(org);
  const services = compileServices(options.services ?? KNOWN_SERVICES);
  const groups = new Map<string, Acc>();
  for (const row of rows) {
    const time = typeof row.Timestamp === 'number' ? row.Timestamp : new Date(row.Timestamp).getTime();
    if (options.since !== undefined && time < options.since) continue;
    if ((row.EmailDirection ?? '').toLowerCase() !== 'inbound' || row.Connectors) continue;
    const ipText = row.SenderIPv4 || row.SenderIPv6 || '';
    const mailFrom = row.SenderMailFromAddress ?? '';
    const domain = (row.SenderMailFromDomain || domainOf(mailFrom)).toLowerCase();
    const now = attribute(door, { client: { ip: ipText, helo: '' }, mailFrom, recipientDomain: domainOf(row.RecipientEmailAddress ?? '') });
    if (now.connector && now.matchedOn === 'ip') continue;
    const ip = parseIp(ipText);
    const range = ip ? rangeOf(ip) : '';
    const key = `${range}\u0000${domain}`;
    let acc = groups.get(key);
    if (!acc) {
      const service = serviceOf(services, ip, domain);
      const own = isAcceptedDomain(org, domain);
      const classification: SenderClass = service ? 'KnownService' : own ? 'OwnDomain' : 'Unknown';
      acc = {
        group: { Organization: org.Name ?? org.Guid, IpRange: range, SenderMailFromDomain: domain, Classification: classification, Service: service?.Name ?? '', RefusedByRejectDirectSend: own, Messages: 0, Recipients: 0, FirstSeen: '', LastSeen: '', SenderIPs: [], SenderMailFromAddresses: [] },
        messages: new Set(), anonymous: 0, ips: new Set(), addresses: new Set(), first: Infinity, last: -Infinity,
      };
      groups.set(key, acc);
    }
    acc.group.Recipients++;
    if (row.NetworkMessageId) acc.messages.add(row.NetworkMessageId);
    else acc.anonymous++;
    if (ip) acc.ips.add(formatIp(ip));
    if (mailFrom) acc.addresses.add(mailFrom.toLowerCase());
    if (Number.isFinite(time)) {
      acc.first = Math.min(acc.first, time);
      acc.last = Math.max(acc.last, time);
    }
  }
  return [...groups.values()].map(finish).sort((a, b) => b.Messages - a.Messages || b.LastSeen.localeCompare(a.LastSeen) || a.IpRange.localeCompare(b.IpRange) || a.SenderMailFromDomain.localeCompare(b.SenderMailFromDomain));
}

function finish(acc: Acc): DirectSendSenderGroup {
  const g = acc.group;
  g.Messages = acc.messages.size + acc.anonymous;
  g.FirstSeen = Number.isFinite(acc.first) ? new Date(acc.first).toISOString() : '';
  g.LastSeen = Number.isFinite(acc.last) ? new Date(acc.last).toISOString() : '';
  g.SenderIPs = [...acc.ips].sort(compareIps).slice(0, 20);
  g.SenderMailFromAddresses = [...acc.addresses].sort().slice(0, 10);
  return g;
}

/** The smallest range a connector takes around an address: a.b.c.0/24, or the /48 of an IPv6 address. */
export function rangeOf(ip: IpAddress): string {
  const prefix = MIN_PREFIX[ip.family];
  const bytes = ip.bytes.slice();
  bytes.fill(0, prefix / 8);
  return `${formatIp({ family: ip.family, bytes })}/${prefix}`;
}

function compareIps(a: string, b: string): number {
  const x = parseIp(a)!;
  const y = parseIp(b)!;
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return x.bytes[i] - y.bytes[i];
  return 0;
}

function compileServices(services: readonly KnownService[]): CompiledService[] {
  return services.map((service) => ({
    service,
    ranges: service.IpRanges.flatMap((r) => {
      const range = parseIpRange(r);
      return 'error' in range ? [] : [range];
    }),
  }));
}

function serviceOf(services: CompiledService[], ip: IpAddress | undefined, domain: string): KnownService | undefined {
  for (const { service, ranges } of services) {
    if (service.Domains.some((d) => domain === d || domain.endsWith(`.${d}`))) return service;
    if (ip && ranges.some((r) => r.family === ip.family && within(ip.bytes, r.first, r.last))) return service;
  }
  return undefined;
}

function within(b: Uint8Array, first: Uint8Array, last: Uint8Array): boolean {
  return compareBytes(b, first) >= 0 && compareBytes(b, last) <= 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
