// Header firewall and the organization stamps (Exchange's "Header firewall" documentation). Runs before
// anything reads the header block, so a header a stranger wrote can never pass for one Postern
// or Exchange wrote. Pure over HeaderField[].
//
// Trust, by source:
// - No connector (Direct Send) or a Partner connector: untrusted. Removed, case-insensitively:
//   X-MS-Exchange-Organization-*, X-MS-Exchange-Forest-*, X-MS-Exchange-CrossPremises-*, X-Postern-*.
// - OnPremises connector (your own servers, matched by IP or certificate): organization and forest
//   headers are kept. With CloudServicesMailEnabled $true, X-MS-Exchange-CrossPremises-* are
//   promoted to X-MS-Exchange-Organization-*, replacing existing ones (Exchange's documented
//   hybrid behaviour); with $false they are removed. Postern honours CloudServicesMailEnabled
//   only on OnPremises connectors: on a Partner connector promotion would let a third party
//   write organization headers (Exchange is silent). CrossPremises headers from untrusted
//   sources are removed like the others (Exchange is silent for internet mail).
// - X-Postern-* are removed from every source, trusted or not: only this gateway writes them
//   (Postern's own namespace).
//
// Stamps (each replaces any header of the same name left in the block):
// - X-MS-Exchange-Organization-AuthAs: `Internal` for an OnPremises connector with
//   TreatMessagesAsInternal and an accepted-domain MAIL FROM; `Partner` for a Partner connector
//   that identified the sender by IP or certificate (Exchange is silent on when it stamps
//   Partner); otherwise `Anonymous` — also for an
//   OnPremises connector without TreatMessagesAsInternal (as observed in Exchange Online for
//   hybrid on-premises mail). With an OnPremises connector and CloudServicesMailEnabled, a
//   promoted AuthAs (the on-premises Exchange organization's own verdict) is kept — `External`
//   counted as `Partner`, unknown values ignored.
// - X-MS-Exchange-Organization-AuthSource: this gateway's host name.
// - X-MS-Exchange-Organization-Network-Message-Id.
// - X-Postern-Connector (Postern's): the connector's name; absent for Direct Send (there is no
//   connector to name, and since X-Postern-* never survive from outside, absence is reliable
//   for rules).
import type { HeaderEdits } from '../message/headerEdits.js';
import type { HeaderField } from '../message/facts.js';
import { domainOf } from '../message/facts.js';
import type { Attribution } from './attribution.js';
import { isAcceptedDomain } from './admission.js';

/** Exchange's values, less `External` (Domain Secure), which Postern folds into `Partner`. Same as rules' AuthAs. */
export type AuthAs = 'Anonymous' | 'Partner' | 'Internal';
export type EmailDirection = 'Inbound' | 'Intra-org';

export const HEADER = {
  authAs: 'X-MS-Exchange-Organization-AuthAs',
  authSource: 'X-MS-Exchange-Organization-AuthSource',
  networkMessageId: 'X-MS-Exchange-Organization-Network-Message-Id',
  connector: 'X-Postern-Connector',
} as const;

const ORGANIZATION = 'x-ms-exchange-organization-';
const FOREST = 'x-ms-exchange-forest-';
const CROSS_PREMISES = 'x-ms-exchange-crosspremises-';
const POSTERN = 'x-postern-';

export interface HeaderFirewallInput {
  headers: readonly HeaderField[];
  attribution: Attribution;
  /** RFC 5321 MAIL FROM ('' for <>). */
  mailFrom: string;
  org: { AcceptedDomains: readonly { DomainName: string }[] };
  /** This gateway's host name, stamped as AuthSource. */
  gatewayHost: string;
  networkMessageId: string;
}

export interface HeaderFirewallResult {
  /** The header block to pass on: stamps first, then the received fields that survived. */
  headers: HeaderField[];
  /** Fields removed as untrusted (or replaced by a stamp). */
  removed: HeaderField[];
  /** CrossPremises fields promoted, under their new names. */
  promoted: HeaderField[];
  stamps: HeaderField[];
  authAs: AuthAs;
  /** EmailEvents.EmailDirection. */
  emailDirection: EmailDirection;
  /** EmailEvents.Connectors: the connector name, '' for Direct Send. */
  connectors: string;
  /** True when the source was trusted with organization headers (an OnPremises connector). */
  trustedSource: boolean;
  /**
   * The same outcome as edits for the delivery path, which applies them to the spooled bytes:
   * stamps prepended, untrusted prefixes and stamp names removed, promoted fields set.
   */
  edits: HeaderEdits;
}

export function headerFirewall(input: HeaderFirewallInput): HeaderFirewallResult {
  const { attribution: a } = input;
  const onPremises = a.connector?.ConnectorType === 'OnPremises' && a.viaIpOrCertificate;
  const promote = onPremises && a.connector?.CloudServicesMailEnabled === true;
  const removed: HeaderField[] = [];
  const promoted: HeaderField[] = [];

  // 1. Drop what the source may not write.
  let kept: HeaderField[] = [];
  for (const h of input.headers) {
    const n = h.name.toLowerCase();
    const untrusted =
      n.startsWith(POSTERN) ||
      (n.startsWith(CROSS_PREMISES) && !promote) ||
      (!onPremises && (n.startsWith(ORGANIZATION) || n.startsWith(FOREST)));
    if (untrusted) removed.push(h);
    else kept.push(h);
  }

  // 2. Hybrid: promote CrossPremises-X to Organization-X, replacing any Organization-X.
  if (promote) {
    const promotedNames = new Set<string>();
    for (const h of kept) {
      if (h.name.toLowerCase().startsWith(CROSS_PREMISES)) promotedNames.add(ORGANIZATION + h.name.slice(CROSS_PREMISES.length).toLowerCase());
    }
    kept = kept.flatMap((h) => {
      const n = h.name.toLowerCase();
      if (n.startsWith(CROSS_PREMISES)) {
        const p = { name: `X-MS-Exchange-Organization-${h.name.slice(CROSS_PREMISES.length)}`, value: h.value };
        promoted.push(p);
        return [p];
      }
      if (promotedNames.has(n)) {
        removed.push(h);
        return [];
      }
      return [h];
    });
  }

  // 3. Stamps.
  const senderAccepted = isAcceptedDomain(input.org, domainOf(input.mailFrom));
  let authAs: AuthAs = 'Anonymous';
  if (onPremises && a.connector?.TreatMessagesAsInternal && senderAccepted) authAs = 'Internal';
  else if (a.viaIpOrCertificate && a.connector?.ConnectorType === 'Partner') authAs = 'Partner';
  const promotedAuthAs = promote ? promoted.filter((h) => h.name.toLowerCase() === HEADER.authAs.toLowerCase()).at(-1) : undefined;
  const promotedValue = promotedAuthAs ? fromHeaderValue(promotedAuthAs.value) : undefined;
  if (promotedValue) authAs = promotedValue;

  const stamps: HeaderField[] = [
    { name: HEADER.authAs, value: authAs },
    { name: HEADER.authSource, value: input.gatewayHost },
    { name: HEADER.networkMessageId, value: input.networkMessageId },
  ];
  if (a.connector) stamps.push({ name: HEADER.connector, value: a.connector.Name });
  const stamped = new Set(stamps.map((s) => s.name.toLowerCase()));
  kept = kept.filter((h) => {
    if (!stamped.has(h.name.toLowerCase())) return true;
    removed.push(h);
    return false;
  });

  const stampNames = stamps.map((h) => h.name);
  const edits: HeaderEdits = {
    prepend: stamps,
    remove: [
      ...(onPremises ? [] : ['X-MS-Exchange-Organization-*', 'X-MS-Exchange-Forest-*']),
      'X-MS-Exchange-CrossPremises-*',
      'X-Postern-*',
      ...stampNames,
    ],
    set: promoted.filter((h) => !stamped.has(h.name.toLowerCase())),
  };

  return {
    headers: [...stamps, ...kept],
    removed,
    promoted,
    stamps,
    authAs,
    emailDirection: authAs === 'Internal' && onPremises ? 'Intra-org' : 'Inbound',
    connectors: a.connector?.Name ?? '',
    trustedSource: onPremises,
    edits,
  };
}

/** An AuthAs header value (case-insensitive); `External` counts as `Partner`; anything else is ignored. */
function fromHeaderValue(v: string): AuthAs | undefined {
  switch (v.trim().toLowerCase()) {
    case 'anonymous':
      return 'Anonymous';
    case 'partner':
    case 'external':
      return 'Partner';
    case 'internal':
      return 'Internal';
    default:
      return undefined;
  }
}
