// `postern directsend plan --verify`: the evidence of the period replayed through the
// configuration the hardening plan produces (directSendScript.ts), with the decisions the gateway
// and `postern simulate` run: recipient and connector attribution, admission (5.7.68 Reject Direct
// Send, 5.7.51 connector restriction), the header firewall's stamps and the transport rules
// (copyPlan.ts). In memory: the stored configuration is not changed. Pure.
//
// What a trace row cannot give the replay: the message's header (only a From: naming the MAIL FROM
// address is rebuilt), its body and attachments, sender authentication (not checked, as in
// `postern simulate` without --dns-server), and whether the session used TLS (EmailEvents has no
// such column): the replay assumes it did and counts, in AssumedTls, the recipients accepted only
// because of that — a connector created by New-InboundConnector requires TLS by default, and a
// printer that cannot do TLS would be refused with 4.7.0. The article's rule reads only the sender IP and the
// AuthAs stamp the header firewall sets from attribution, so its decisions are replayed whole.
import type { Organization } from '../config/model.js';
import { InboundConnector } from '../config/inboundConnector.js';
import { domainOf, type ClientFacts } from '../message/facts.js';
import { parseHeaderBlock } from '../message/header.js';
import { parseIp } from '../message/ipAddress.js';
import { buildRule } from '../rules/build.js';
import { insertRule } from '../rules/model.js';
import { admitRecipient } from './admitRecipient.js';
import { planMessage } from './copyPlan.js';
import { rangeOf, type DirectSendSenderGroup, type SenderClass } from './directSendPlan.js';
import type { PreviewRow } from './directSendPreview.js';
import { ARTICLE_RULE_NAME, type HardeningPlan } from './directSendScript.js';
import { compileSnapshot } from './snapshot.js';

export interface GroupReplay {
  IpRange: string;
  SenderMailFromDomain: string;
  /** The plan's class; `Connector` for mail that came through a connector, not Direct Send. */
  Classification: SenderClass | 'Connector';
  /** Did the plan give this group a connector (or was it already behind one)? */
  Trusted: boolean;
  /** Rows replayed: message × recipient. */
  Recipients: number;
  Accepted: number;
  Quarantined: number;
  /** Accepted through a connector that requires TLS: accepted only if the sender uses TLS (the rows do not say). */
  AssumedTls: number;
  /** Deleted by a rule, or deferred. */
  Other: number;
  Refused: number;
  /** Enhanced status code → recipients refused with it. */
  RefusedWith: Record<string, number>;
}

/** The TLS version the replay assumes a session used (trace rows do not record it). */
const ASSUMED_TLS = 'TLSv1.2';

/** The organization as the plan leaves it: its connectors, the article's rule at priority 0 (when a range is approved), Reject Direct Send on. */
export function plannedOrganization(org: Organization, plan: HardeningPlan): Organization {
  const connectors = plan.connectors.map((c) =>
    InboundConnector.parse({ Name: c.Name, ConnectorType: 'Partner', SenderDomains: [c.SenderDomain], SenderIPAddresses: c.SenderIPAddresses, RestrictDomainsToIPAddresses: true }),
  );
  const rule = buildRule({
    Name: ARTICLE_RULE_NAME,
    Quarantine: true,
    ExceptIfHeaderContainsMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
    ExceptIfHeaderContainsWords: ['Internal'],
    ExceptIfSenderIpRanges: plan.approvedRanges,
    StopRuleProcessing: true,
  });
  return {
    ...org,
    InboundConnectors: [...org.InboundConnectors, ...connectors],
    TransportRules: plan.approvedRanges.length ? insertRule(org.TransportRules, rule, 0) : org.TransportRules,
    Config: { ...org.Config, RejectDirectSend: true },
  };
}

/** Each row of the period through the planned configuration, counted per sender group. */
export function replayPlan(rows: Iterable<PreviewRow>, org: Organization, groups: readonly DirectSendSenderGroup[], plan: HardeningPlan, now: Date): GroupReplay[] {
  const planned = plannedOrganization(org, plan);
  const snapshot = compileSnapshot(0, [planned]);
  const classOf = new Map(groups.map((g) => [`${g.IpRange} ${g.SenderMailFromDomain}`, g.Classification]));
  const untrusted = new Set(plan.notTrusted.map(({ group: g }) => `${g.IpRange} ${g.SenderMailFromDomain}`));
  const out = new Map<string, GroupReplay>();
  let ids = 0;
  for (const row of rows) {
    if ((row.EmailDirection ?? '').toLowerCase() !== 'inbound') continue;
    const ipText = row.SenderIPv4 || row.SenderIPv6 || '';
    const ip = parseIp(ipText);
    const mailFrom = row.SenderMailFromAddress ?? '';
    const domain = (row.SenderMailFromDomain || domainOf(mailFrom)).toLowerCase();
    const range = ip ? rangeOf(ip) : '';
    const key = `${range} ${domain}`;
    let g = out.get(key);
    if (!g) {
      const classification = classOf.get(key) ?? 'Connector';
      g = { IpRange: range, SenderMailFromDomain: domain, Classification: classification, Trusted: !untrusted.has(key), Recipients: 0, Accepted: 0, AssumedTls: 0, Quarantined: 0, Other: 0, Refused: 0, RefusedWith: {} };
      out.set(key, g);
    }
    g.Recipients++;
    const refuse = (text: string): void => {
      const code = text.split(' ')[0];
      g.Refused++;
      g.RefusedWith[code] = (g.RefusedWith[code] ?? 0) + 1;
    };
    // The rows of the period all came in; a row with no sender IP cannot meet a connector.
    const client: ClientFacts = { ip: ip ? ipText : '0.0.0.0', helo: '', tlsVersion: ASSUMED_TLS, tlsCipher: 'assumed' };
    const verdict = admitRecipient(snapshot, client, mailFrom, row.RecipientEmailAddress ?? '');
    if (!verdict.admitted) {
      refuse(verdict.refusal.text);
      continue;
    }
    const head = Buffer.from(mailFrom ? `From: ${mailFrom}\r\n` : '');
    const facts = { client, envelope: { mailFrom, rcptTo: [verdict.recipient.address] }, headers: parseHeaderBlock(head), size: head.length };
    for (const { plan: copy } of planMessage([verdict.recipient], facts, { gatewayHost: 'postern.replay', now, newId: () => `replay-${++ids}` })) {
      if (copy.outcome === 'deliver' || copy.outcome === 'redirect') {
        g.Accepted += copy.recipients.length;
        const c = verdict.recipient.frontDoor.attribution.connector;
        if (c?.ConnectorType === 'Partner' && c.RequireTls) g.AssumedTls += copy.recipients.length;
      }
      else if (copy.outcome === 'quarantine') g.Quarantined += copy.recipients.length;
      else if (copy.outcome === 'reject') for (let i = 0; i < copy.recipients.length; i++) refuse(copy.reply?.text ?? '5.7.1');
      else g.Other += copy.recipients.length;
    }
  }
  return [...out.values()].sort((a, b) => a.IpRange.localeCompare(b.IpRange) || a.SenderMailFromDomain.localeCompare(b.SenderMailFromDomain));
}
