// `postern directsend preview`: who the Direct Send lockdown refuses (5.7.68 and 5.7.51), from
// the trace, and the order of steps that breaks no sender you recognise.
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createOrganizationAdmin } from '../admin/index.js';
import { combinePreviews, type DirectSendPreview, type LockdownStep } from '../mailflow/directSendPreview.js';
import type { DirectSendSenderGroup } from '../mailflow/directSendPlan.js';
import { hardeningScript } from '../mailflow/directSendScript.js';
import type { GroupReplay } from '../mailflow/directSendVerify.js';
import { planReport } from './directsendReport.js';
import { adminOptionsFor } from './adminOptions.js';
import { CliError, printRows, withDataDir, withFormat, type Format } from './common.js';
import { openNodeStore } from './nodeStore.js';

const COLUMNS = ['EnhancedStatusCode', 'Status', 'Organization', 'SenderIP', 'SenderMailFromDomain', 'Connectors', 'Messages', 'Recipients', 'FirstSeen', 'LastSeen', 'SenderMailFromAddresses'];

export function register(program: Command): void {
  const ds = program.command('directsend').description('Direct Send: see who uses it before you lock it');
  registerPlan(ds);
  withFormat(withDataDir(ds.command('preview')))
    .description('list the senders the lockdown refuses — Reject Direct Send (5.7.68) and restricted connectors (5.7.51) — and the order of steps that breaks none you recognise')
    .option('--days <n>', 'look back this many days', '30')
    .option('-o, --organization <name>', 'only this organization')
    .addHelpText(
      'after',
      `
Every sender in the trace is judged again under the configuration in force now. Status:
  Refused      refused in the SMTP dialogue during the period, and still refused
  WillRefuse   accepted during the period; the configuration now in force refuses it
  WouldRefuse  accepted; refused once the step naming it is taken (5.7.68: Reject Direct
               Send on; 5.7.51: the named connector restricted)
Exit status: 0, also when senders are listed; 2 for a usage error.`,
    )
    .action(async (opts: { dataDir: string; format: Format; days: string; organization?: string }) => {
      const days = Number(opts.days);
      if (!Number.isFinite(days) || days <= 0 || days > 90) throw new CliError('--days must be a number from 1 to 90', 2);
      const dataDir = resolve(opts.dataDir);
      const { db, config, close } = await openNodeStore(dataDir, undefined, 'directsend');
      try {
        const orgs = opts.organization ? [config.organization(opts.organization)].filter((o) => o !== undefined) : config.organizations();
        if (opts.organization && !orgs.length) throw new CliError(`No organization named '${opts.organization}'.`, 2);
        // One preview per organization, in name order, read as one.
        const previews: DirectSendPreview[] = [];
        for (const org of [...orgs].sort((a, b) => a.Name.localeCompare(b.Name))) {
          previews.push(await createOrganizationAdmin(adminOptionsFor({ db, config }, dataDir, org.Guid)).directSendPreview({ days }));
        }
        const preview = combinePreviews(previews);
        if (opts.format === 'json') {
          console.log(JSON.stringify(preview, null, 2));
          return;
        }
        if (opts.format === 'csv' || preview.groups.length)
          printRows(
          preview.groups.map((g) => ({ ...g, SenderMailFromAddresses: g.SenderMailFromAddresses.join(' '), Connectors: g.Connectors.filter(Boolean).join(' ') })),
          opts.format,
          COLUMNS,
        );
        if (opts.format === 'table') console.log(`\n${renderSummary(preview, days)}\n\n${renderSteps(preview.steps)}`);
      } finally {
        await close();
      }
    });
}

const PLAN_COLUMNS = ['Classification', 'Service', 'IpRange', 'SenderMailFromDomain', 'RefusedByRejectDirectSend', 'Messages', 'Recipients', 'FirstSeen', 'LastSeen', 'SenderIPs', 'SenderMailFromAddresses'];

/** `postern directsend plan`: its first part, the senders that use Direct Send today, grouped and classified. */
function registerPlan(ds: Command): void {
  withFormat(withDataDir(ds.command('plan')))
    .description('who uses Direct Send today (own and imported trace), grouped by sender IP range and MAIL FROM domain, classified: OwnDomain, KnownService, Unknown')
    .requiredOption('-o, --organization <name>', 'the organization')
    .option('--days <n>', 'look back this many days', '30')
    .option('--script <file>', 'write the PowerShell that hardens the tenant (connectors, quarantine rule, Reject Direct Send) to this file')
    .option('--verify', 'replay the period\'s mail through the configuration the plan produces (in memory) and print, per sender group, what is accepted, quarantined and refused')
    .option('--report <file.md>', 'write the plan as a Markdown page: the groups, the steps and, with --verify, the replay')
    .option('--exclude <range...>', "a sender group not to trust: its IpRange, or 'IpRange domain' (a forgery of your own domain, say)")
    .addHelpText(
      'after',
      `
A group is one sender IP range (/24, or /48 for IPv6: what a connector's SenderIPAddresses
takes) and one MAIL FROM domain, for inbound mail that came through no connector and that no
inbound connector identifies by IP now. OwnDomain groups are what Reject Direct Send refuses
(5.7.68): your printers and applications as well as forgeries of your domain.
The script (--script) trusts every OwnDomain and KnownService group except those --exclude
names; it runs unchanged in \`postern shell -File\` and in Exchange Online PowerShell.
--verify replays every inbound row of the period through the configuration the script produces
(in memory; nothing is stored) with the gateway's decisions, and prints per group what would be
accepted, quarantined (the article's rule) and refused, with the code: 5.7.51 when a planned
connector restricts the sender's domain to other IPs, 5.7.68 when Reject Direct Send refuses it.
Exit status: 0; 2 for a usage error.`,
    )
    .action(async (opts: PlanOptions) => {
      const days = Number(opts.days);
      if (!Number.isFinite(days) || days <= 0 || days > 90) throw new CliError('--days must be a number from 1 to 90', 2);
      const dataDir = resolve(opts.dataDir);
      const { db, config, close } = await openNodeStore(dataDir, undefined, 'directsend');
      try {
        const org = config.organization(opts.organization);
        if (!org) throw new CliError(`No organization named '${opts.organization}'.`, 2);
        const { groups, plan, replay } = await createOrganizationAdmin(adminOptionsFor({ db, config }, dataDir, org.Guid)).directSendPlan({ days, exclude: opts.exclude, verify: opts.verify });
        const generated = new Date().toISOString();
        if (opts.script) writeFileSync(resolve(opts.script), hardeningScript(plan, { organization: org.Name, generated }));
        if (opts.report) writeFileSync(resolve(opts.report), planReport({ groups, plan, replay }, { organization: org.Name, days, generated }));
        if (replay) printReplay(replay, opts.format);
        else printGroups(groups, opts.format, days);
      } finally {
        await close();
      }
    });
}

function printGroups(groups: DirectSendSenderGroup[], format: Format, days: number): void {
  if (format === 'json') {
    console.log(JSON.stringify(groups, null, 2));
    return;
  }
  printRows(groups.map((g) => ({ ...g, SenderIPs: g.SenderIPs.join(' '), SenderMailFromAddresses: g.SenderMailFromAddresses.join(' ') })), format, PLAN_COLUMNS);
  if (format === 'table') {
    const own = groups.filter((g) => g.RefusedByRejectDirectSend);
    console.log(`\n${groups.length} sender group(s) used Direct Send in the last ${days} day(s); Reject Direct Send would refuse ${own.length} of them (${own.reduce((n, g) => n + g.Messages, 0)} message(s)).`);
  }
}

const REPLAY_COLUMNS = ['Classification', 'Trusted', 'IpRange', 'SenderMailFromDomain', 'Recipients', 'Accepted', 'AssumedTls', 'Quarantined', 'Refused', 'RefusedWith', 'Other'];

function printReplay(replay: GroupReplay[], format: Format): void {
  if (format === 'json') {
    console.log(JSON.stringify(replay, null, 2));
    return;
  }
  printRows(replay.map((r) => ({ ...r, RefusedWith: Object.entries(r.RefusedWith).map(([code, n]) => `${code}×${n}`).join(' ') })), format, REPLAY_COLUMNS);
  if (format === 'table') {
    const broken = replay.filter((r) => r.Trusted && (r.Refused || r.Quarantined));
    console.log(
      broken.length
        ? `\n${broken.length} trusted sender group(s) would lose mail under the plan: ${broken.map((r) => `${r.IpRange} ${r.SenderMailFromDomain}`).join(', ')}.`
        : '\nUnder the plan, every trusted sender group is accepted.',
    );
    const tls = replay.reduce((n, r) => n + r.AssumedTls, 0);
    console.log(
      'Replayed from trace rows: connectors, Reject Direct Send and transport rules; not the body, attachments or sender authentication.' +
        (tls ? ` ${tls} recipient(s) came through a connector that requires TLS (AssumedTls): the rows do not say whether the sender used it; a sender that cannot will be refused (4.7.0) — add -RequireTls $false to its connector.` : ''),
    );
  }
}

interface PlanOptions {
  dataDir: string;
  format: Format;
  days: string;
  organization: string;
  script?: string;
  exclude?: string[];
  verify?: boolean;
  report?: string;
}

function renderSummary(p: DirectSendPreview, days: number): string {
  const lines = p.summary.map((s) => `  ${s.EnhancedStatusCode} ${s.Status.padEnd(11)} ${s.Messages} message(s), ${s.Recipients} recipient(s)`);
  const out = [lines.length ? `In the last ${days} day(s):` : `In the last ${days} day(s) no sender was or would be refused by the lockdown.`, ...lines];
  if (p.unknownConnectors.length) out.push(`Connectors not in the configuration, assumed to identify by IP or certificate: ${p.unknownConnectors.join(', ')}`);
  return out.join('\n');
}

function renderSteps(steps: LockdownStep[]): string {
  const out = ['Lock down in this order (run the cmdlets in `postern shell --organization <name>`):'];
  for (const s of steps) {
    out.push('', `${s.Order}. ${s.Organization}: ${s.Action}${s.Connector ? ` '${s.Connector}'` : ''}${s.Done ? ' — done' : ''}`);
    out.push(...wrap(s.Explanation, 96).map((l) => `   ${l}`));
    out.push(...s.Commands.map((c) => `     ${c}`));
  }
  return out.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
