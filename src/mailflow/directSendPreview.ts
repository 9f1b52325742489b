// Reject Direct Send impact preview: from EmailEvents-like rows (Postern's own, or a Defender
// export), which accepted messages would `Set-OrganizationConfig -RejectDirectSend $true` have
// refused with 5.7.68 — grouped by sender IP and MAIL FROM domain. Pure over rows; the store
// selects the rows (`postern directsend preview --days N`).
//
// A row would have been refused when, as recorded at the time:
// - it is inbound (`Intra-org` rows came through an OnPremises connector as internal; `Outbound`
//   rows aren't received mail);
// - its MAIL FROM domain (SenderMailFromDomain, else the domain of SenderMailFromAddress) is an
//   accepted domain of the row's organization — the null sender never is;
// - it came through no connector (`Connectors` empty), or through a connector that did not
//   identify the sender by IP or certificate. Postern records how the connector matched in
//   AdditionalFields `{"ConnectorMatch":"ip"|"certificate"|"senderDomain"}`; without that
//   (imported Defender rows) the connector is looked up by name in the organization's current
//   connectors. A name that isn't found is assumed IP/certificate-based — that is what nearly
//   all Exchange inbound connectors are — and is listed in `unknownConnectors` so the admin can
//   check it.
import { isIpOrCertificateBased, type InboundConnector } from '../config/inboundConnector.js';
import { domainOf } from './message.js';

export interface PreviewRow {
  /** Milliseconds since the epoch (the store's datetime), an ISO string, or a Date. */
  Timestamp: number | string | Date;
  NetworkMessageId?: string;
  SenderIPv4?: string;
  SenderIPv6?: string;
  SenderMailFromAddress?: string;
  SenderMailFromDomain?: string;
  RecipientEmailAddress?: string;
  Connectors?: string;
  EmailDirection?: string;
  /** Hidden tenant key; may be absent when a single organization is previewed. */
  OrgId?: string;
  /** JSON object text; Postern's rows carry `ConnectorMatch`. */
  AdditionalFields?: string;
}

export interface PreviewOrganization {
  /** The organization's Guid (the rows' OrgId). */
  Guid: string;
  Name?: string;
  AcceptedDomains: readonly { DomainName: string }[];
  InboundConnectors?: readonly InboundConnector[];
}

export interface DirectSendPreviewGroup {
  OrgId: string;
  Organization: string;
  /** SenderIPv4, else SenderIPv6 ('' when neither was recorded). */
  SenderIP: string;
  SenderMailFromDomain: string;
  /** Distinct messages (NetworkMessageId; rows without one count once each). */
  Messages: number;
  /** Rows, i.e. message × recipient. */
  Recipients: number;
  FirstSeen: string;
  LastSeen: string;
  /** Distinct MAIL FROM addresses seen, at most 10. */
  SenderMailFromAddresses: string[];
  /** Connectors the messages came through without IP/certificate identification ('' = none). */
  Connectors: string[];
}

export interface DirectSendPreview {
  groups: DirectSendPreviewGroup[];
  totalMessages: number;
  totalRecipients: number;
  /** Connector names found in rows but not in the organization's configuration (assumed IP/certificate-based). */
  unknownConnectors: string[];
}

export interface PreviewOptions {
  /** Only rows at or after this time (ms since the epoch). */
  since?: number;
  /** Only rows before this time (ms since the epoch). */
  until?: number;
}

interface Acc {
  group: DirectSendPreviewGroup;
  first: number;
  last: number;
  messageIds: Set<string>;
  anonymousMessages: number;
  addresses: Set<string>;
  connectors: Set<string>;
}

export function previewRejectDirectSend(
  rows: Iterable<PreviewRow>,
  organizations: readonly PreviewOrganization[],
  options: PreviewOptions = {},
): DirectSendPreview {
  const orgs = new Map(organizations.map((o) => [o.Guid.toLowerCase(), compileOrg(o)]));
  const only = organizations.length === 1 ? orgs.values().next().value : undefined;
  const groups = new Map<string, Acc>();
  const unknown = new Set<string>();
  let totalRecipients = 0;

  for (const row of rows) {
    const org = row.OrgId ? orgs.get(row.OrgId.toLowerCase()) : only;
    if (!org) continue;
    const time = toMillis(row.Timestamp);
    if (options.since !== undefined && !(time >= options.since)) continue;
    if (options.until !== undefined && !(time < options.until)) continue;
    const direction = (row.EmailDirection ?? '').toLowerCase();
    if (direction === 'intra-org' || direction === 'outbound') continue;
    const domain = (row.SenderMailFromDomain || domainOf(row.SenderMailFromAddress ?? '')).toLowerCase();
    if (!domain || !org.accepted.has(domain)) continue;
    const via = connectorVerdict(row, org, unknown);
    if (via === 'exempt') continue;

    const ip = row.SenderIPv4 || row.SenderIPv6 || '';
    const key = `${org.guid}\u0000${ip}\u0000${domain}`;
    let acc = groups.get(key);
    if (!acc) {
      acc = {
        group: { OrgId: org.guid, Organization: org.name, SenderIP: ip, SenderMailFromDomain: domain, Messages: 0, Recipients: 0, FirstSeen: '', LastSeen: '', SenderMailFromAddresses: [], Connectors: [] },
        first: Infinity,
        last: -Infinity,
        messageIds: new Set(),
        anonymousMessages: 0,
        addresses: new Set(),
        connectors: new Set(),
      };
      groups.set(key, acc);
    }
    acc.group.Recipients++;
    totalRecipients++;
    if (row.NetworkMessageId) acc.messageIds.add(row.NetworkMessageId);
    else acc.anonymousMessages++;
    if (Number.isFinite(time)) {
      acc.first = Math.min(acc.first, time);
      acc.last = Math.max(acc.last, time);
    }
    if (row.SenderMailFromAddress) acc.addresses.add(row.SenderMailFromAddress.toLowerCase());
    acc.connectors.add(via);
  }

  const out: DirectSendPreviewGroup[] = [];
  let totalMessages = 0;
  for (const acc of groups.values()) {
    const g = acc.group;
    g.Messages = acc.messageIds.size + acc.anonymousMessages;
    totalMessages += g.Messages;
    g.FirstSeen = Number.isFinite(acc.first) ? new Date(acc.first).toISOString() : '';
    g.LastSeen = Number.isFinite(acc.last) ? new Date(acc.last).toISOString() : '';
    g.SenderMailFromAddresses = [...acc.addresses].sort().slice(0, 10);
    g.Connectors = [...acc.connectors].sort();
    out.push(g);
  }
  out.sort((a, b) => b.Messages - a.Messages || b.LastSeen.localeCompare(a.LastSeen) || a.SenderIP.localeCompare(b.SenderIP) || a.SenderMailFromDomain.localeCompare(b.SenderMailFromDomain));
  return { groups: out, totalMessages, totalRecipients, unknownConnectors: [...unknown].sort() };
}

interface CompiledOrg {
  guid: string;
  name: string;
  accepted: Set<string>;
  connectors: Map<string, InboundConnector>;
}

function compileOrg(o: PreviewOrganization): CompiledOrg {
  return {
    guid: o.Guid,
    name: o.Name ?? '',
    accepted: new Set(o.AcceptedDomains.map((d) => d.DomainName.toLowerCase())),
    connectors: new Map((o.InboundConnectors ?? []).map((c) => [c.Name.toLowerCase(), c])),
  };
}

/** 'exempt' when an IP/certificate connector carried the row; otherwise the connector name ('' = none). */
function connectorVerdict(row: PreviewRow, org: CompiledOrg, unknown: Set<string>): string {
  const names = (row.Connectors ?? '').trim();
  if (names === '') return '';
  const recorded = recordedMatch(row.AdditionalFields);
  if (recorded === 'ip' || recorded === 'certificate') return 'exempt';
  if (recorded === 'senderDomain') return names;
  const list = org.connectors.has(names.toLowerCase()) ? [names] : names.split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of list) {
    const c = org.connectors.get(n.toLowerCase());
    if (!c) {
      unknown.add(n);
      return 'exempt';
    }
    if (isIpOrCertificateBased(c)) return 'exempt';
  }
  return names;
}

function recordedMatch(additional: string | undefined): string | undefined {
  if (!additional || !additional.includes('ConnectorMatch')) return undefined;
  try {
    const v = (JSON.parse(additional) as Record<string, unknown>).ConnectorMatch;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function toMillis(t: number | string | Date): number {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  if (/^\d+$/.test(t.trim())) return Number(t);
  return Date.parse(t);
}

/** The preview as a plain-text table for the terminal (`--format json` prints the object instead). */
export function renderPreview(p: DirectSendPreview): string {
  if (p.groups.length === 0) {
    return 'Reject Direct Send would not have refused any message in this period.\n';
  }
  const header = ['Organization', 'SenderIP', 'MailFromDomain', 'Messages', 'Recipients', 'FirstSeen', 'LastSeen', 'Connector'];
  const rows = p.groups.map((g) => [
    g.Organization || g.OrgId,
    g.SenderIP || '(unknown)',
    g.SenderMailFromDomain,
    String(g.Messages),
    String(g.Recipients),
    g.FirstSeen,
    g.LastSeen,
    g.Connectors.map((c) => c || '(none)').join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [
    `Reject Direct Send would have refused ${p.totalMessages} message(s) (${p.totalRecipients} recipient(s)) with 550 5.7.68:`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'A source you recognise needs an inbound connector that identifies it by IP or certificate before',
    'Set-OrganizationConfig -RejectDirectSend $true, for example:',
    '  New-InboundConnector -Name "<name>" -SenderDomains <domain> -SenderIPAddresses <ip> -RestrictDomainsToIPAddresses $true',
    'Sources you do not recognise are what Reject Direct Send is for.',
  ];
  if (p.unknownConnectors.length) {
    out.push('', `Connectors not in the configuration, assumed to identify by IP or certificate: ${p.unknownConnectors.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
