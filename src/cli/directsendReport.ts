// `postern directsend plan --report FILE.md`: the plan as a Markdown page an admin can hand on —
// the sender groups, the hardening steps (the script itself) and, with --verify, the replay.
import type { DirectSendPlan } from '../admin/types.js';
import { hardeningScript } from '../mailflow/directSendScript.js';

/** A Markdown table cell: pipes escaped, line breaks flattened. */
function cell(v: unknown): string {
  return String(v ?? '').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

function table(columns: string[], rows: Record<string, unknown>[]): string[] {
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`)];
}

export function planReport(p: DirectSendPlan, about: { organization: string; days: number; generated: string }): string {
  const out = [
    `# Direct Send plan for ${about.organization}`,
    '',
    `The last ${about.days} day(s) of inbound mail, as of ${about.generated}. A sender group is one sender IP range and one MAIL FROM domain that used Direct Send (no connector).`,
    '',
    '## Sender groups',
    '',
  ];
  if (!p.groups.length) out.push('No sender used Direct Send in the period.');
  else
    out.push(
      ...table(
        ['Classification', 'Service', 'IpRange', 'SenderMailFromDomain', 'Trusted', 'Messages', 'Recipients', 'FirstSeen', 'LastSeen', 'SenderMailFromAddresses'],
        p.groups.map((g) => {
          const left = p.plan.notTrusted.find((n) => n.group === g);
          return { ...g, Trusted: left ? `no: ${left.reason}` : 'yes', SenderMailFromAddresses: g.SenderMailFromAddresses.join(', ') };
        }),
      ),
    );
  out.push('', '## Steps', '', 'Run in this order, in Exchange Online PowerShell or `postern shell -File`:', '', '```powershell', hardeningScript(p.plan, about).trimEnd(), '```');
  if (p.replay) {
    out.push('', '## Replay of the period under the plan', '');
    out.push(
      ...table(
        ['Classification', 'Trusted', 'IpRange', 'SenderMailFromDomain', 'Recipients', 'Accepted', 'AssumedTls', 'Quarantined', 'Refused', 'RefusedWith'],
        p.replay.map((r) => ({ ...r, Trusted: r.Trusted ? 'yes' : 'no', RefusedWith: Object.entries(r.RefusedWith).map(([code, n]) => `${code} ×${n}`).join(', ') })),
      ),
      '',
      'Replayed from trace rows with the gateway\'s decisions (connectors, Reject Direct Send, transport rules); not the body, attachments or sender authentication. AssumedTls: accepted only if the sender used TLS, which the rows do not record.',
    );
  }
  return `${out.join('\n')}\n`;
}
