// Direct Send lockdown preview (`postern directsend preview`): from the trace of the last days —
// accepted messages (EmailEvents-like rows, Postern's own or a Defender export) and messages
// refused in the SMTP dialogue (SmtpRejectEvents) — which senders the lockdown refuses, and in
// which order to take its steps so that no sender you recognise breaks on the way. Pure over
// rows; the store selects them.
//
// Every row is judged again under the organization's *current* connectors, with the same
// attribution and admission the gateway runs (attribution.ts, admission.ts), so the preview
// answers for the configuration in force now, not the one in force when the mail arrived:
// - 5.7.51 (ConnectorRestriction): the sender domain is covered by a restricting Partner
//   connector and the source IP does not satisfy it. `Refused` — the gateway refused it in the
//   period; `WillRefuse` — it was accepted (before the restriction) and would be refused now;
//   `WouldRefuse` — it would be refused once the named connector, today unrestricted, is
//   restricted (a lockdown step).
// - 5.7.68 (RejectDirectSend): no connector identified the sender by IP or certificate and the
//   MAIL FROM domain is an accepted domain. `WouldRefuse` while Reject Direct Send is off,
//   `WillRefuse`/`Refused` when it is on.
//
// What a row cannot tell: the certificate a sender presented. A row recorded as matched by
// certificate (AdditionalFields `{"ConnectorMatch":"certificate"}`) stays exempt while its
// connector still names a certificate. Imported rows carry no ConnectorMatch: a connector named
// there that names a certificate is assumed to have matched by it; a name the configuration does
// not know is assumed IP/certificate-based (nearly all Exchange inbound connectors are) and is
// listed in `unknownConnectors` for the admin to check.
import { isRestricting, type InboundConnector } from '../config/inboundConnector.js';
import { isAcceptedDomain, PARTNER_RESTRICTION, REJECT_DIRECT_SEND } from './admission.js';
import { attribute, compileFrontDoor, type Attribution, type CompiledFrontDoor } from './attribution.js';
import { domainOf } from '../message/facts.js';
import { newInboundConnectorCommand, quote, REJECT_DIRECT_SEND_COMMAND } from './lockdownCommands.js';

/** An accepted message × recipient (EmailEvents columns). */
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

/** A recipient refused in the SMTP dialogue (SmtpRejectEvents columns). */
export interface RefusalRow {
  Timestamp: number | string | Date;
  OrgId?: string;
  SessionId?: string;
  SenderIPv4?: string;
  SenderIPv6?: string;
  SenderMailFromAddress?: string;
  SenderMailFromDomain?: string;
  RecipientEmailAddress?: string;
  EnhancedStatusCode?: string;
}

export interface PreviewOrganization {
  /** The organization's Guid (the rows' OrgId). */
  Guid: string;
  Name?: string;
  AcceptedDomains: readonly { DomainName: string }[];
  InboundConnectors?: readonly InboundConnector[];
  Config?: { RejectDirectSend: boolean };
}

export type RefusalCode = typeof REJECT_DIRECT_SEND.enhancedCode | typeof PARTNER_RESTRICTION.enhancedCode;
export type RefusalStatus = 'Refused' | 'WillRefuse' | 'WouldRefuse';

export interface SenderGroup {
  EnhancedStatusCode: RefusalCode;
  Status: RefusalStatus;
  OrgId: string;
  Organization: string;
  /** SenderIPv4, else SenderIPv6 ('' when neither was recorded). */
  SenderIP: string;
  SenderMailFromDomain: string;
  /** 5.7.51: the restricting connector(s); 5.7.68: the sender-domain connector the mail came through ('' = none). */
  Connectors: string[];
  /** Distinct messages (NetworkMessageId, or session and MAIL FROM for refusals). */
  Messages: number;
  /** Rows, i.e. message × recipient. */
  Recipients: number;
  FirstSeen: string;
  LastSeen: string;
  /** Distinct MAIL FROM addresses seen, at most 10. */
  SenderMailFromAddresses: string[];
}

export type StepAction = 'FixRefusedSenders' | 'RestrictConnector' | 'NewInboundConnector' | 'RejectDirectSend';

export interface LockdownStep {
  /** 1-based, across organizations. */
  Order: number;
  OrgId: string;
  Organization: string;
  Action: StepAction;
  /** The connector the step changes ('' for organization-wide steps). */
  Connector: string;
  /** Messages in the period that this step is about (see Explanation). */
  Messages: number;
  /** Already in force: nothing to do. */
  Done: boolean;
  Explanation: string;
  /** Cmdlets for `postern shell --organization <name>`, in order. */
  Commands: string[];
}

export interface DirectSendPreview {
  groups: SenderGroup[];
  /** Per code and status: distinct messages and recipients. */
  summary: { EnhancedStatusCode: RefusalCode; Status: RefusalStatus; Messages: number; Recipients: number }[];
  /** Connector names found in rows but not in the organization's configuration (assumed IP/certificate-based). */
  unknownConnectors: string[];
  steps: LockdownStep[];
}

export interface PreviewOptions {
  /** Only rows at or after this time (ms since the epoch). */
  since?: number;
  /** Only rows before this time (ms since the epoch). */
  until?: number;
}

/** A connector that could be restricted: an enabled Partner connector naming IPs or a certificate. */
interface Restrictable {
  connector: InboundConnector;
  /** The organization's connectors with this one restricted. */
  door: CompiledFrontDoor;
  byIp: boolean;
}

interface CompiledOrg {
  guid: string;
  name: string;
  source: PreviewOrganization;
  rejectDirectSend: boolean;
  connectors: Map<string, InboundConnector>;
  door: CompiledFrontDoor;
  restrictable: Restrictable[];
  /** Verdicts by source IP, MAIL FROM domain and recipient domain. */
  cache: Map<string, Verdict>;
}

/** How the current configuration, and each possible restriction, treat one sender. */
interface Verdict {
  now?: { code: RefusalCode; connectors: string[] };
  /** Restrictable connector name → 'refused' (5.7.51 once restricted) or 'identified' (it then matches the sender by IP/certificate). */
  ifRestricted: Map<string, 'refused' | 'identified'>;
}

interface Acc {
  group: SenderGroup;
  first: number;
  last: number;
  messages: Set<string>;
  anonymousMessages: number;
  addresses: Set<string>;
}

export function previewDirectSendLockdown(
  accepted: Iterable<PreviewRow>,
  refused: Iterable<RefusalRow>,
  organizations: readonly PreviewOrganization[],
  options: PreviewOptions = {},
): DirectSendPreview {
  const orgs = new Map(organizations.map((o) => [o.Guid.toLowerCase(), compileOrg(o)]));
  const only = organizations.length === 1 ? orgs.values().next().value : undefined;
  const orgOf = (id: string | undefined): CompiledOrg | undefined => (id ? orgs.get(id.toLowerCase()) : only);
  const inWindow = (time: number): boolean =>
    (options.since === undefined || time >= options.since) && (options.until === undefined || time < options.until);
  const groups = new Map<string, Acc>();
  const unknown = new Set<string>();
  /** Per organization and restrictable connector: messages Reject Direct Send would refuse that the restriction identifies. */
  const identifiedByRestriction = new Map<string, Set<string>>();

  const add = (org: CompiledOrg, code: RefusalCode, status: RefusalStatus, connectors: string[], row: PreviewRow | RefusalRow, messageKey: string | undefined, time: number): void => {
    const ip = row.SenderIPv4 || row.SenderIPv6 || '';
    const domain = mailFromDomain(row);
    const key = [org.guid, code, status, connectors.join(','), ip, domain].join('\u0000');
    let acc = groups.get(key);
    if (!acc) {
      acc = {
        group: { EnhancedStatusCode: code, Status: status, OrgId: org.guid, Organization: org.name, SenderIP: ip, SenderMailFromDomain: domain, Connectors: connectors, Messages: 0, Recipients: 0, FirstSeen: '', LastSeen: '', SenderMailFromAddresses: [] },
        first: Infinity,
        last: -Infinity,
        messages: new Set(),
        anonymousMessages: 0,
        addresses: new Set(),
      };
      groups.set(key, acc);
    }
    acc.group.Recipients++;
    if (messageKey) acc.messages.add(messageKey);
    else acc.anonymousMessages++;
    if (Number.isFinite(time)) {
      acc.first = Math.min(acc.first, time);
      acc.last = Math.max(acc.last, time);
    }
    if (row.SenderMailFromAddress) acc.addresses.add(row.SenderMailFromAddress.toLowerCase());
  };

  for (const row of accepted) {
    const org = orgOf(row.OrgId);
    if (!org) continue;
    const time = toMillis(row.Timestamp);
    if (!inWindow(time)) continue;
    const direction = (row.EmailDirection ?? '').toLowerCase();
    if (direction === 'intra-org' || direction === 'outbound') continue;
    if (carriedByCertificate(row, org, unknown)) continue;
    const v = verdictFor(org, row);
    const messageKey = row.NetworkMessageId || undefined;
    if (v.now) add(org, v.now.code, v.now.code === REJECT_DIRECT_SEND.enhancedCode && !org.rejectDirectSend ? 'WouldRefuse' : 'WillRefuse', v.now.connectors, row, messageKey, time);
    if (v.now?.code === PARTNER_RESTRICTION.enhancedCode) continue;
    for (const [name, effect] of v.ifRestricted) {
      if (effect === 'refused') add(org, PARTNER_RESTRICTION.enhancedCode, 'WouldRefuse', [name], row, messageKey, time);
      else if (v.now) {
        const k = `${org.guid}\u0000${name}`;
        const set = identifiedByRestriction.get(k) ?? new Set<string>();
        set.add(messageKey ?? `row:${set.size}`);
        identifiedByRestriction.set(k, set);
      }
    }
  }

  for (const row of refused) {
    const code = row.EnhancedStatusCode;
    if (code !== PARTNER_RESTRICTION.enhancedCode && code !== REJECT_DIRECT_SEND.enhancedCode) continue;
    const org = orgOf(row.OrgId);
    if (!org) continue;
    const time = toMillis(row.Timestamp);
    if (!inWindow(time)) continue;
    // Still refused by the current configuration? A sender the admin has since let in is not listed.
    const v = verdictFor(org, row);
    if (v.now?.code !== code || (code === REJECT_DIRECT_SEND.enhancedCode && !org.rejectDirectSend)) continue;
    const messageKey = row.SessionId ? `${row.SessionId}\u0000${row.SenderMailFromAddress ?? ''}` : undefined;
    add(org, code, 'Refused', v.now.connectors, row, messageKey, time);
  }

  const out = [...groups.values()].map(finish);
  out.sort(
    (a, b) =>
      a.Organization.localeCompare(b.Organization) ||
      b.EnhancedStatusCode.localeCompare(a.EnhancedStatusCode) ||
      STATUS_ORDER[a.Status] - STATUS_ORDER[b.Status] ||
      b.Messages - a.Messages ||
      b.LastSeen.localeCompare(a.LastSeen) ||
      a.SenderIP.localeCompare(b.SenderIP) ||
      a.SenderMailFromDomain.localeCompare(b.SenderMailFromDomain),
  );
  const countsOf = (name: string, org: CompiledOrg): number => identifiedByRestriction.get(`${org.guid}\u0000${name}`)?.size ?? 0;
  return {
    groups: out,
    summary: summarize(out),
    unknownConnectors: [...unknown].sort(),
    steps: planSteps([...orgs.values()].sort((a, b) => a.name.localeCompare(b.name)), out, countsOf),
  };
}

const STATUS_ORDER: Record<RefusalStatus, number> = { Refused: 0, WillRefuse: 1, WouldRefuse: 2 };

function compileOrg(o: PreviewOrganization): CompiledOrg {
  const enabled = (o.InboundConnectors ?? []).filter((c) => c.Enabled);
  const restrictable: Restrictable[] = [];
  for (const c of enabled) {
    if (c.ConnectorType !== 'Partner' || isRestricting(c) || c.SenderDomains.length === 0) continue;
    const byIp = c.SenderIPAddresses.length > 0;
    if (!byIp && !c.TlsSenderCertificateName) continue;
    const restricted: InboundConnector = { ...c, RestrictDomainsToIPAddresses: byIp, RestrictDomainsToCertificate: !byIp };
    const door = compileFrontDoor({ AcceptedDomains: o.AcceptedDomains, InboundConnectors: (o.InboundConnectors ?? []).map((x) => (x === c ? restricted : x)) });
    restrictable.push({ connector: c, door, byIp });
  }
  return {
    guid: o.Guid,
    name: o.Name ?? o.Guid,
    source: o,
    rejectDirectSend: o.Config?.RejectDirectSend ?? false,
    connectors: new Map((o.InboundConnectors ?? []).map((c) => [c.Name.toLowerCase(), c])),
    door: compileFrontDoor(o),
    restrictable,
    cache: new Map(),
  };
}

function verdictFor(org: CompiledOrg, row: PreviewRow | RefusalRow): Verdict {
  const ip = row.SenderIPv4 || row.SenderIPv6 || '';
  const domain = mailFromDomain(row);
  const rcptDomain = domainOf(row.RecipientEmailAddress ?? '');
  const key = `${ip}\u0000${domain}\u0000${rcptDomain}`;
  const cached = org.cache.get(key);
  if (cached) return cached;
  const input = { client: { ip, helo: '' }, mailFrom: domain ? `postmaster@${domain}` : '', recipientDomain: rcptDomain };
  const refusal = (a: Attribution): Verdict['now'] => {
    if (a.restrictionFailed?.length) return { code: PARTNER_RESTRICTION.enhancedCode, connectors: a.restrictionFailed.map((c) => c.Name) };
    if (!a.viaIpOrCertificate && isAcceptedDomain(org.source, domain)) return { code: REJECT_DIRECT_SEND.enhancedCode, connectors: [a.connector?.Name ?? ''] };
    return undefined;
  };
  const verdict: Verdict = { now: refusal(attribute(org.door, input)), ifRestricted: new Map() };
  for (const r of org.restrictable) {
    const a = attribute(r.door, input);
    if (a.restrictionFailed?.some((c) => c.Guid === r.connector.Guid)) verdict.ifRestricted.set(r.connector.Name, 'refused');
    else if (a.viaIpOrCertificate && a.connector?.Guid === r.connector.Guid) verdict.ifRestricted.set(r.connector.Name, 'identified');
  }
  org.cache.set(key, verdict);
  return verdict;
}

/** True when the row came with a certificate that a connector of the current configuration still names. */
function carriedByCertificate(row: PreviewRow, org: CompiledOrg, unknown: Set<string>): boolean {
  const names = (row.Connectors ?? '').trim();
  if (names === '') return false;
  const recorded = recordedMatch(row.AdditionalFields);
  const namesCertificate = (c: InboundConnector | undefined): boolean => c !== undefined && c.Enabled && c.TlsSenderCertificateName !== undefined;
  if (recorded !== undefined) return recorded === 'certificate' && namesCertificate(org.connectors.get(names.toLowerCase()));
  // Imported rows: judged from the connector's configuration, by name.
  const list = org.connectors.has(names.toLowerCase()) ? [names] : names.split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of list) {
    const c = org.connectors.get(n.toLowerCase());
    if (!c) {
      unknown.add(n);
      return true;
    }
    if (namesCertificate(c)) return true;
  }
  return false;
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

function mailFromDomain(row: { SenderMailFromDomain?: string; SenderMailFromAddress?: string }): string {
  return (row.SenderMailFromDomain || domainOf(row.SenderMailFromAddress ?? '')).toLowerCase();
}

function finish(acc: Acc): SenderGroup {
  const g = acc.group;
  g.Messages = acc.messages.size + acc.anonymousMessages;
  g.FirstSeen = Number.isFinite(acc.first) ? new Date(acc.first).toISOString() : '';
  g.LastSeen = Number.isFinite(acc.last) ? new Date(acc.last).toISOString() : '';
  g.SenderMailFromAddresses = [...acc.addresses].sort().slice(0, 10);
  return g;
}

/**
 * Previews of several organizations as one, as if previewed together: each preview's groups and
 * steps are already in organization order, so `previews` come sorted by organization name.
 */
export function combinePreviews(previews: DirectSendPreview[]): DirectSendPreview {
  const groups = previews.flatMap((p) => p.groups);
  return {
    groups,
    summary: summarize(groups),
    unknownConnectors: [...new Set(previews.flatMap((p) => p.unknownConnectors))].sort(),
    steps: previews.flatMap((p) => p.steps).map((s, i) => ({ ...s, Order: i + 1 })),
  };
}

function summarize(groups: SenderGroup[]): DirectSendPreview['summary'] {
  const by = new Map<string, DirectSendPreview['summary'][number]>();
  for (const g of groups) {
    const k = `${g.EnhancedStatusCode}\u0000${g.Status}`;
    const s = by.get(k) ?? { EnhancedStatusCode: g.EnhancedStatusCode, Status: g.Status, Messages: 0, Recipients: 0 };
    s.Messages += g.Messages;
    s.Recipients += g.Recipients;
    by.set(k, s);
  }
  return [...by.values()];
}

// The order, per organization, and why:
// 1. Senders a restricted connector refuses today (5.7.51): already broken; fix first.
// 2. Restrict each restrictable connector, after adding the IPs of its senders that the
//    restriction would refuse. A Partner connector identifies senders by IP only once restricted
//    (Exchange), so restricting it also exempts its senders from Reject Direct Send: before 4.
// 3. New connectors for the Direct Send sources left. One connector per sender domain listing
//    every recognised IP in one command: a restricting connector refuses every other IP for its
//    domains the moment it exists, so adding sources one at a time breaks the ones not yet added.
// 4. Reject Direct Send, last.
function planSteps(orgs: CompiledOrg[], groups: SenderGroup[], identifiedBy: (connector: string, org: CompiledOrg) => number): LockdownStep[] {
  const steps: LockdownStep[] = [];
  const push = (s: Omit<LockdownStep, 'Order'>): void => void steps.push({ Order: steps.length + 1, ...s });
  for (const org of orgs) {
    const mine = groups.filter((g) => g.OrgId === org.guid);
    const base = { OrgId: org.guid, Organization: org.name };

    const broken = new Map<string, SenderGroup[]>();
    for (const g of mine) {
      if (g.EnhancedStatusCode !== PARTNER_RESTRICTION.enhancedCode || g.Status === 'WouldRefuse') continue;
      for (const name of g.Connectors) broken.set(name, [...(broken.get(name) ?? []), g]);
    }
    for (const [name, list] of broken) {
      const c = org.connectors.get(name.toLowerCase());
      push({
        ...base,
        Action: 'FixRefusedSenders',
        Connector: name,
        Messages: sum(list),
        Done: false,
        Explanation:
          `Connector '${name}' restricts ${domainsOf(c)} to ${c?.RestrictDomainsToCertificate ? `the certificate ${c.TlsSenderCertificateName}` : 'its SenderIPAddresses'} and refuses (5.7.51) ${sum(list)} message(s) from ${list.length} sender(s) listed under it. ` +
          (c?.RestrictDomainsToCertificate
            ? 'A sender you recognise must present that certificate; the others are what the restriction is for.'
            : 'Add the IPs you recognise; the others are what the restriction is for.'),
        Commands: c?.RestrictDomainsToCertificate ? [] : [addIpsCommand(name, list)],
      });
    }

    for (const r of org.restrictable) {
      const name = r.connector.Name;
      const wouldRefuse = mine.filter((g) => g.EnhancedStatusCode === PARTNER_RESTRICTION.enhancedCode && g.Status === 'WouldRefuse' && g.Connectors.includes(name));
      const identified = identifiedBy(name, org);
      const parameter = r.byIp ? 'RestrictDomainsToIPAddresses' : 'RestrictDomainsToCertificate';
      push({
        ...base,
        Action: 'RestrictConnector',
        Connector: name,
        Messages: sum(wouldRefuse),
        Done: false,
        Explanation:
          `Restricted, connector '${name}' refuses (5.7.51) mail for ${domainsOf(r.connector)} that does not come from ${r.byIp ? 'its SenderIPAddresses' : `a certificate named ${r.connector.TlsSenderCertificateName}`}: ` +
          `${sum(wouldRefuse)} message(s) from ${wouldRefuse.length} sender(s) in this period${wouldRefuse.length && r.byIp ? ' — add the IPs you recognise first' : ''}. ` +
          `It then identifies its senders by ${r.byIp ? 'IP' : 'certificate'}, so ${identified} message(s) that Reject Direct Send would refuse pass through it: restrict it before turning Reject Direct Send on.`,
        Commands: [...(wouldRefuse.length && r.byIp ? [addIpsCommand(name, wouldRefuse)] : []), `Set-InboundConnector -Identity ${quote(name)} -${parameter} $true`],
      });
    }

    const restrictableNames = new Set(org.restrictable.map((r) => r.connector.Name));
    const directSend = mine.filter((g) => g.EnhancedStatusCode === REJECT_DIRECT_SEND.enhancedCode && g.Status !== 'Refused');
    const bySender = new Map<string, SenderGroup[]>();
    for (const g of directSend) {
      // Senders a restriction step above already identifies are not repeated here.
      if (g.Connectors.some((n) => restrictableNames.has(n))) continue;
      bySender.set(g.SenderMailFromDomain, [...(bySender.get(g.SenderMailFromDomain) ?? []), g]);
    }
    if (bySender.size) {
      const list = [...bySender.values()].flat();
      push({
        ...base,
        Action: 'NewInboundConnector',
        Connector: '',
        Messages: sum(list),
        Done: false,
        Explanation:
          `${sum(list)} message(s) from ${list.length} sender(s) came through no connector that identifies them. For the sources you recognise, create one connector per sender domain listing all of its IPs in one command ` +
          '(remove the IPs you do not recognise): a restricting connector refuses every other IP for its domains (5.7.51) the moment it exists, so adding sources one at a time breaks the ones not yet added.',
        Commands: [...bySender].map(
          ([domain, gs]) =>
            newInboundConnectorCommand(domain, unique(gs.map((g) => g.SenderIP).filter(Boolean))),
        ),
      });
    }

    const refusedNow = mine.filter((g) => g.EnhancedStatusCode === REJECT_DIRECT_SEND.enhancedCode);
    push({
      ...base,
      Action: 'RejectDirectSend',
      Connector: '',
      Messages: sum(refusedNow),
      Done: org.rejectDirectSend,
      Explanation: org.rejectDirectSend
        ? `Reject Direct Send is on: ${sum(refusedNow)} message(s) in this period were or will be refused with 5.7.68.`
        : `Last, once the 5.7.68 list holds only senders you do not recognise: Reject Direct Send refuses ${sum(refusedNow)} message(s) from this period.`,
      Commands: org.rejectDirectSend ? [] : [REJECT_DIRECT_SEND_COMMAND],
    });
  }
  return steps;
}

function addIpsCommand(connector: string, groups: SenderGroup[]): string {
  const ips = unique(groups.map((g) => g.SenderIP).filter(Boolean));
  return `Set-InboundConnector -Identity ${quote(connector)} -SenderIPAddresses @{Add=${ips.map((ip) => `"${ip}"`).join(',')}}`;
}

function domainsOf(c: InboundConnector | undefined): string {
  if (!c) return 'its sender domains';
  return c.SenderDomains.includes('*') ? 'every sender domain' : c.SenderDomains.join(', ');
}

function sum(groups: SenderGroup[]): number {
  return groups.reduce((n, g) => n + g.Messages, 0);
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function toMillis(t: number | string | Date): number {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  if (/^\d+$/.test(t.trim())) return Number(t);
  return Date.parse(t);
}
