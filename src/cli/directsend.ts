// `postern directsend preview`: what Reject Direct Send would have refused, from the trace.
import { Command } from 'commander';
import { previewRejectDirectSend } from '../mailflow/directSendPreview.js';
import { openStore, printRows, withDataDir, withFormat, type Format } from './common.js';

const DAY = 86_400_000;

export function register(program: Command): void {
  const ds = program.command('directsend').description('Direct Send: see who uses it before you lock it');
  withFormat(withDataDir(ds.command('preview')))
    .description('list the senders that Reject Direct Send (5.7.68) would have refused, grouped by sender IP and MAIL FROM domain')
    .option('--days <n>', 'look back this many days', '30')
    .option('-o, --organization <name>', 'only this organization')
    .action((opts: { dataDir: string; format: Format; days: string; organization?: string }) => {
      const days = Number(opts.days);
      if (!Number.isFinite(days) || days <= 0 || days > 90) {
        console.error('--days must be a number from 1 to 90');
        process.exit(2);
      }
      const { db, config } = openStore(opts.dataDir);
      try {
        const orgs = opts.organization ? [config.organization(opts.organization)].filter((o) => o !== undefined) : config.organizations();
        if (opts.organization && !orgs.length) {
          console.error(`No organization named '${opts.organization}'.`);
          process.exit(2);
        }
        const since = Date.now() - days * DAY;
        const rows = db
          .prepare(
            `SELECT OrgId, Timestamp, NetworkMessageId, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderMailFromDomain,
                    RecipientEmailAddress, Connectors, EmailDirection, AdditionalFields
               FROM EmailEvents WHERE Timestamp >= ? AND OrgId IN (SELECT value FROM json_each(?))`,
          )
          .all(since, JSON.stringify(orgs.map((o) => o.Guid))) as any[];
        const preview = previewRejectDirectSend(rows, orgs, { since });
        if (opts.format === 'json') {
          console.log(JSON.stringify(preview, null, 2));
          return;
        }
        printRows(
          preview.groups.map((g) => ({ ...g, SenderMailFromAddresses: g.SenderMailFromAddresses.join(' '), Connectors: g.Connectors.filter(Boolean).join(' ') })),
          opts.format,
          ['Organization', 'SenderIP', 'SenderMailFromDomain', 'Messages', 'Recipients', 'FirstSeen', 'LastSeen', 'SenderMailFromAddresses'],
        );
        if (opts.format === 'table') {
          console.error(`\n${preview.totalMessages} message(s) in the last ${days} day(s) would have been refused with 550 5.7.68.`);
        }
      } finally {
        db.close();
      }
    });
}
