// `postern directsend plan --script`: from the sender groups (directSendPlan.ts), the ordered
// PowerShell that hardens the tenant, and the configuration it produces (for `--verify`). Pure.
//
// Order, as the article "What is Direct Send and How to Secure It in Exchange Online" gives it:
// 1. a restricting Partner connector per legitimate sender domain, listing all of its ranges in
//    one command (lockdownCommands.ts says why);
// 2. the article's quarantine rule, with the approved ranges (the new connectors' and the
//    existing connectors' SenderIPAddresses) in place of its placeholder;
// 3. Reject Direct Send, last, once every legitimate source comes through a connector.
// Legitimate: OwnDomain and KnownService groups, less those the admin excludes (a forgery of the
// organization's own domain is OwnDomain too: the admin names its range). Unknown groups are left
// out and listed: they are not trusted and will be refused or quarantined.
import type { InboundConnector } from '../config/inboundConnector.js';
import type { DirectSendSenderGroup } from './directSendPlan.js';
import { directSendConnectorName, newInboundConnectorCommand, REJECT_DIRECT_SEND_COMMAND } from './lockdownCommands.js';

/** The article's rule as printed (en dash, curly quote and all); only the placeholder is replaced. */
export const ARTICLE_QUARANTINE_RULE =
  "New-TransportRule -Name \"Redirect to quarantine if not coming from known IPs\" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' \u2013ExceptIfSenderIpRanges \u2018MX records + on-premises IPs + other authorized IPs ' -StopRuleProcessing $true -Priority 0";
export const ARTICLE_RULE_PLACEHOLDER = 'MX records + on-premises IPs + other authorized IPs';
export const ARTICLE_RULE_NAME = 'Redirect to quarantine if not coming from known IPs';

export interface PlannedConnector {
  Name: string;
  SenderDomain: string;
  SenderIPAddresses: string[];
}

export interface HardeningPlan {
  connectors: PlannedConnector[];
  /** The ranges the quarantine rule excepts: the planned connectors' and the existing connectors'. */
  approvedRanges: string[];
  /** Groups the plan does not trust: Unknown, excluded by the admin, or with no IP recorded. */
  notTrusted: { group: DirectSendSenderGroup; reason: string }[];
}

export interface PlanChoices {
  /** Ranges (a group's IpRange) or `range domain` pairs the admin does not trust. */
  exclude?: readonly string[];
}

/** Which groups the plan trusts, and the connectors that let them in. */
export function hardeningPlan(groups: readonly DirectSendSenderGroup[], existing: readonly InboundConnector[], choices: PlanChoices = {}): HardeningPlan {
  const excluded = new Set((choices.exclude ?? []).map((e) => e.trim().toLowerCase().replace(/\s+/g, ' ')));
  const byDomain = new Map<string, Set<string>>();
  const notTrusted: HardeningPlan['notTrusted'] = [];
  for (const g of groups) {
    const reason =
      g.Classification === 'Unknown' ? 'not trusted: will be refused'
      : excluded.has(g.IpRange.toLowerCase()) || excluded.has(`${g.IpRange} ${g.SenderMailFromDomain}`.toLowerCase()) ? 'excluded by the admin: will be refused'
      : !g.IpRange || !g.SenderMailFromDomain ? 'no sender IP or MAIL FROM domain recorded: a connector cannot name it'
      : '';
    if (reason) {
      notTrusted.push({ group: g, reason });
      continue;
    }
    byDomain.set(g.SenderMailFromDomain, (byDomain.get(g.SenderMailFromDomain) ?? new Set()).add(g.IpRange));
  }
  const connectors = [...byDomain].sort(([a], [b]) => a.localeCompare(b)).map(([domain, ranges]) => ({ Name: directSendConnectorName(domain), SenderDomain: domain, SenderIPAddresses: [...ranges].sort() }));
  const approved = new Set([...connectors.flatMap((c) => c.SenderIPAddresses), ...existing.filter((c) => c.Enabled).flatMap((c) => c.SenderIPAddresses)]);
  return { connectors, approvedRanges: [...approved].sort(), notTrusted };
}

/** The article's rule with `ranges` in place of its placeholder. */
export function quarantineRuleCommand(ranges: readonly string[]): string {
  return ARTICLE_QUARANTINE_RULE.replace(ARTICLE_RULE_PLACEHOLDER, ranges.join(','));
}

/** The script `postern shell -File` (and Exchange Online PowerShell) runs unchanged. */
export function hardeningScript(plan: HardeningPlan, about: { organization: string; generated: string }): string {
  const out = [
    `# Direct Send hardening for ${about.organization}, planned by postern directsend plan on ${about.generated}.`,
    '# Run it in order: each step relies on the one before.',
    '',
  ];
  out.push('# 1. A restricting Partner connector per sender domain you trust. All of a domain\'s ranges go into one', '#    command: a restricting connector refuses every other IP for its domains (5.7.51) the moment it exists.');
  if (!plan.connectors.length) out.push('#    No sender to trust: no connector.');
  for (const c of plan.connectors) out.push(newInboundConnectorCommand(c.SenderDomain, c.SenderIPAddresses));
  if (plan.notTrusted.length) {
    out.push('#    Left out:');
    for (const { group: g, reason } of plan.notTrusted)
      out.push(`#      ${g.IpRange || '(no IP)'} ${g.SenderMailFromDomain || '(no MAIL FROM domain)'} (${g.Classification}, ${g.Messages} message(s)): ${reason}`);
  }
  out.push(
    '',
    '# 2. The quarantine rule of the article, with the approved ranges (the connectors\' SenderIPAddresses) in place',
    '#    of its placeholder: mail from anywhere else goes to hosted quarantine instead of the inbox.',
    // With no approved range the rule would quarantine all mail from outside: left for the admin.
    plan.approvedRanges.length ? quarantineRuleCommand(plan.approvedRanges) : '#    No approved range: without one the rule would quarantine all inbound mail, so it is left out.',
    '',
    '# 3. Reject Direct Send, last: mail whose MAIL FROM domain is one of your accepted domains and that came',
    '#    through no connector is refused (5.7.68).',
    REJECT_DIRECT_SEND_COMMAND,
    '',
  );
  return out.join('\n');
}
