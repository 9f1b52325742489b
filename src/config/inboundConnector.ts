// Inbound connectors (the New-InboundConnector / Set-InboundConnector cmdlet reference on
// Microsoft Learn): who may send to the tenant, identified by sender domain, source IP or TLS certificate.
// The zod schema parses and normalises one connector; `inboundConnectorProblems` refuses what
// Exchange refuses, each message naming the parameter; `InboundConnectorList` adds the checks
// that need the whole list (duplicate names). The organization model joins the list in as
// `InboundConnectors`.
//
// Postern differences from Exchange Online, on purpose:
// - SenderIPAddresses also accepts IPv6 (an address or a CIDR prefix /48../128). Exchange Online
//   accepts IPv4 only. IPv4 keeps Exchange's limit: a single address or /24../32.
// - An OnPremises connector must name SenderIPAddresses or TlsSenderCertificateName: without
//   either nothing could ever be attributed to it (the cmdlet docs are silent; Exchange's admin
//   center insists on one).
// - RestrictDomainsToIPAddresses and RestrictDomainsToCertificate together on one Partner
//   connector are refused: the product group's guidance ("use separate connectors for IP and
//   for certificate") enforced; the cmdlet docs are silent. SenderIPAddresses with a
//   TlsSenderCertificateName stays valid (the cmdlet's own example 2).
// - Connector names compare case-insensitively and are at most 64 characters (Exchange is
//   silent on the limit).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseIpRange } from '../message/ipAddress.js';

export const ConnectorType = z.enum(['Partner', 'OnPremises']);
export type ConnectorType = z.infer<typeof ConnectorType>;

/** Smallest CIDR prefix lengths accepted in SenderIPAddresses (Exchange: /24 for IPv4; IPv6 is Postern's). */
export const MIN_PREFIX = { 4: 24, 6: 48 } as const;

/**
 * Lower-case, trim, drop a trailing dot and the `smtp:` / `;1` decoration Exchange shows in
 * Get-InboundConnector output (`{smtp:*;1}`), so values copied back from that output parse.
 */
export function normalizeDomainPattern(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (s.startsWith('smtp:')) s = s.slice(5);
  s = s.replace(/;\d+$/, '').replace(/\.$/, '');
  return s;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** True for a plain SMTP domain (labels of letters, digits, hyphens; no wildcard). */
export function isDomainName(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((l) => LABEL.test(l));
}

/** `*`, `*.domain` or `domain`; anything else with a `*` is an embedded wildcard. */
function domainPatternError(value: string, allowStar: boolean): string | undefined {
  if (value === '*') return allowStar ? undefined : `'*' alone is not allowed here; give a domain or *.domain`;
  const bare = value.startsWith('*.') ? value.slice(2) : value;
  if (bare.includes('*')) return `'${value}' has an embedded wildcard; only a leading *. is allowed (for example *.contoso.com)`;
  if (!isDomainName(bare)) return `'${value}' is not a valid SMTP domain`;
  return undefined;
}

/** A multi-valued parameter: an array, or one comma-separated string as typed in PowerShell. */
const multiValued = z.preprocess(
  (v) => (v === null || v === undefined ? [] : typeof v === 'string' ? v.split(',') : v),
  z.array(z.string()),
);
const domainList = multiValued.transform((list) => [...new Set(list.map(normalizeDomainPattern).filter((d) => d !== ''))]);
const ipList = multiValued.transform((list) => [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))]);

export interface ConnectorProblem {
  /** The parameter at fault, as the cmdlet spells it. */
  parameter: string;
  /** Starts with the parameter name; says what to do. */
  message: string;
}

/** Each parameter's syntax, without defaults. */
const parameters = {
  Name: z.string().trim().min(1, 'Name: give the connector a name').max(64, 'Name: at most 64 characters'),
  Guid: z.guid(),
  Enabled: z.boolean(),
  ConnectorType,
  /** `domain`, `*.domain` (the domain and all subdomains) or `*` (every sender, also the null sender). */
  SenderDomains: domainList,
  /** IPv4 address or CIDR /24../32; Postern also accepts IPv6 (address or /48../128). */
  SenderIPAddresses: ipList,
  RestrictDomainsToIPAddresses: z.boolean(),
  RestrictDomainsToCertificate: z.boolean(),
  /** SMTP domain matched against the peer certificate's subject CN and SAN DNS names; `*.domain` allowed. `$null` clears. */
  TlsSenderCertificateName: z
    .string()
    .nullish()
    .transform((v) => (v ? normalizeDomainPattern(v) || undefined : undefined)),
  /** Partner connectors only. */
  RequireTls: z.boolean(),
  TreatMessagesAsInternal: z.boolean(),
  CloudServicesMailEnabled: z.boolean(),
  /** Recipient (accepted) domains the connector is limited to; empty = all of the organization's. */
  AssociatedAcceptedDomains: domainList,
  Comment: z.string().nullish().transform((v) => v ?? ''),
};

/**
 * The parameters as Set-InboundConnector takes them: each optional, no defaults, no
 * cross-parameter checks. Merge the parsed changes over the current connector and validate the
 * result with `InboundConnector`. (zod applies defaults inside `.partial()` and refuses
 * `.partial()` on a refined schema, so `InboundConnector` itself can't serve for this.)
 */
export const InboundConnectorParameters = z.object(parameters).partial();
export type InboundConnectorParameters = z.output<typeof InboundConnectorParameters>;

/** Every parameter with Exchange's defaults (New-InboundConnector), before the cross-parameter checks. */
export const InboundConnectorFields = z.object({
  ...parameters,
  /** Identity; generated when absent (New-InboundConnector). */
  Guid: parameters.Guid.default(() => randomUUID()),
  Enabled: parameters.Enabled.default(true),
  ConnectorType: ConnectorType.default('Partner'),
  SenderDomains: parameters.SenderDomains.default([]),
  SenderIPAddresses: parameters.SenderIPAddresses.default([]),
  RestrictDomainsToIPAddresses: parameters.RestrictDomainsToIPAddresses.default(false),
  RestrictDomainsToCertificate: parameters.RestrictDomainsToCertificate.default(false),
  /** Exchange documents $true as the default; it applies to Partner connectors only. */
  RequireTls: parameters.RequireTls.default(true),
  TreatMessagesAsInternal: parameters.TreatMessagesAsInternal.default(false),
  CloudServicesMailEnabled: parameters.CloudServicesMailEnabled.default(false),
  AssociatedAcceptedDomains: parameters.AssociatedAcceptedDomains.default([]),
});
type InboundConnectorShape = z.output<typeof InboundConnectorFields>;

/** Every refusal Exchange makes for one connector's parameters (plus Postern's IPv6 and OnPremises rules above). */
export function inboundConnectorProblems(c: InboundConnectorShape): ConnectorProblem[] {
  const out: ConnectorProblem[] = [];
  const add = (parameter: string, text: string): void => {
    out.push({ parameter, message: `${parameter}: ${text}` });
  };
  const partner = c.ConnectorType === 'Partner';

  if (c.SenderDomains.length === 0) add('SenderDomains', 'required; give at least one sender domain, *.domain, or * for all senders');
  for (const d of c.SenderDomains) {
    const err = domainPatternError(d, true);
    if (err) add('SenderDomains', err);
  }
  for (const ip of c.SenderIPAddresses) {
    const p = parseIpRange(ip, { ranges: false, minPrefix: MIN_PREFIX });
    if ('error' in p) add('SenderIPAddresses', p.error);
  }
  if (c.TlsSenderCertificateName !== undefined) {
    const err = domainPatternError(c.TlsSenderCertificateName, false);
    if (err) add('TlsSenderCertificateName', err);
  }
  for (const d of c.AssociatedAcceptedDomains) {
    if (!isDomainName(d)) add('AssociatedAcceptedDomains', `'${d}' is not an SMTP domain; give accepted domains of the organization`);
  }

  if (partner && c.RestrictDomainsToIPAddresses && c.RestrictDomainsToCertificate) {
    add('RestrictDomainsToCertificate', "can't be $true together with RestrictDomainsToIPAddresses on one Partner connector; create one connector for the IP addresses and another for the certificate");
  }
  if (!partner && c.RestrictDomainsToIPAddresses) add('RestrictDomainsToIPAddresses', 'applies only to Partner connectors; set it to $false or use -ConnectorType Partner');
  if (!partner && c.RestrictDomainsToCertificate) add('RestrictDomainsToCertificate', 'applies only to Partner connectors; set it to $false or use -ConnectorType Partner');
  if (c.RestrictDomainsToIPAddresses && c.SenderIPAddresses.length === 0) {
    add('RestrictDomainsToIPAddresses', '$true needs the addresses to restrict to; give -SenderIPAddresses');
  }
  if (c.RestrictDomainsToCertificate && c.TlsSenderCertificateName === undefined) {
    add('RestrictDomainsToCertificate', '$true needs the certificate name to restrict to; give -TlsSenderCertificateName');
  }
  if (c.TreatMessagesAsInternal && partner) add('TreatMessagesAsInternal', "can't be $true on a Partner connector; only with -ConnectorType OnPremises");
  if (c.TreatMessagesAsInternal && c.CloudServicesMailEnabled) add('TreatMessagesAsInternal', "can't be $true while CloudServicesMailEnabled is $true");
  if (!partner && c.SenderIPAddresses.length === 0 && c.TlsSenderCertificateName === undefined) {
    add('SenderIPAddresses', 'an OnPremises connector needs SenderIPAddresses or TlsSenderCertificateName to recognise your servers');
  }
  return out;
}

export const InboundConnector = InboundConnectorFields.superRefine((c, ctx) => {
  for (const p of inboundConnectorProblems(c)) ctx.addIssue({ code: 'custom', path: [p.parameter], message: p.message });
});
export type InboundConnector = z.output<typeof InboundConnector>;
export type InboundConnectorInput = z.input<typeof InboundConnector>;

/** A list-level problem, with the index of the connector at fault. */
export interface ListProblem extends ConnectorProblem {
  index: number;
}

/**
 * Checks that need the whole list: names (case-insensitive, as Exchange compares them) and Guids
 * are unique; with `acceptedDomains`, AssociatedAcceptedDomains must be accepted domains.
 */
export function inboundConnectorListProblems(list: readonly InboundConnector[], acceptedDomains?: readonly string[]): ListProblem[] {
  const out: ListProblem[] = [];
  const names = new Set<string>();
  const guids = new Set<string>();
  const accepted = acceptedDomains ? new Set(acceptedDomains.map((d) => d.toLowerCase())) : undefined;
  list.forEach((c, index) => {
    const key = c.Name.toLowerCase();
    if (names.has(key)) out.push({ index, parameter: 'Name', message: `Name: a connector named '${c.Name}' already exists in this organization; choose another name` });
    names.add(key);
    if (guids.has(c.Guid.toLowerCase())) out.push({ index, parameter: 'Guid', message: `Guid: ${c.Guid} is already the identity of another connector` });
    guids.add(c.Guid.toLowerCase());
    for (const d of accepted ? c.AssociatedAcceptedDomains : []) {
      if (!accepted?.has(d)) out.push({ index, parameter: 'AssociatedAcceptedDomains', message: `AssociatedAcceptedDomains: '${d}' (connector '${c.Name}') is not an accepted domain of the organization` });
    }
  });
  return out;
}

/** The organization's connectors; the Organization schema uses this as `InboundConnectors`. */
export const InboundConnectorList = z.array(InboundConnector).superRefine((list, ctx) => {
  for (const p of inboundConnectorListProblems(list)) ctx.addIssue({ code: 'custom', path: [p.index, p.parameter], message: p.message });
});

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ConnectorProblem[] };

function toProblems(error: z.ZodError): ConnectorProblem[] {
  return error.issues.map((issue) => {
    const param = String(issue.path.find((p) => typeof p === 'string') ?? 'InboundConnector');
    const message = issue.message.startsWith(`${param}:`) ? issue.message : `${param}: ${issue.message}`;
    return { parameter: param, message };
  });
}

/** Parse and validate one connector (New-/Set-InboundConnector, YAML import). */
export function validateInboundConnector(input: unknown): ValidationResult<InboundConnector> {
  const r = InboundConnector.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: toProblems(r.error) };
}

/**
 * Parse and validate an organization's whole connector list. With `acceptedDomains`, also
 * refuses AssociatedAcceptedDomains that aren't accepted domains of the organization.
 */
export function validateInboundConnectors(input: unknown, acceptedDomains?: readonly string[]): ValidationResult<InboundConnector[]> {
  const r = InboundConnectorList.safeParse(input);
  if (!r.success) return { ok: false, errors: toProblems(r.error) };
  const extra = acceptedDomains ? inboundConnectorListProblems(r.data, acceptedDomains).filter((p) => p.parameter === 'AssociatedAcceptedDomains') : [];
  return extra.length ? { ok: false, errors: extra.map(({ parameter, message }) => ({ parameter, message })) } : { ok: true, value: r.data };
}

/** Partner connector that rejects its sender domains from anywhere but its IPs / certificate. */
export function isRestricting(c: InboundConnector): boolean {
  return c.ConnectorType === 'Partner' && (c.RestrictDomainsToIPAddresses || c.RestrictDomainsToCertificate);
}

/**
 * Connector "configured to match the sender IP or certificate" (the only kind that exempts a
 * message from Reject Direct Send). Partner connectors use SenderIPAddresses only when
 * RestrictDomainsToIPAddresses is $true (Exchange); a TlsSenderCertificateName always identifies.
 */
export function isIpOrCertificateBased(c: InboundConnector): boolean {
  if (c.TlsSenderCertificateName !== undefined) return true;
  if (c.SenderIPAddresses.length === 0) return false;
  return c.ConnectorType === 'OnPremises' || c.RestrictDomainsToIPAddresses;
}
