// `postern report inbound`: the admin center's Inbound messages report (per day and connector,
// volume and TLS versions) for one organization, as a table, JSON or CSV.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { AdminError, createOrganizationAdmin } from '../admin/index.js';
import { adminOptionsFor } from './adminOptions.js';
import { printRows, withDataDir, withFormat, type Format } from './common.js';
import { openNodeStore } from './nodeStore.js';

export function register(program: Command): void {
  const report = program.command('report').description('mail flow reports');
  withFormat(withDataDir(report.command('inbound')))
    .description("the Inbound messages report: per day and connector (or no connector), message volume and TLS versions")
    .option('-o, --organization <name>', 'organization (name or GUID); default: the only one')
    .option('--days <n>', 'days to cover, 7 to 90', '7')
    .action(async (opts: { dataDir: string; organization?: string; days: string; format: Format }) => {
      const dataDir = resolve(opts.dataDir);
      const { db, config, close } = await openNodeStore(dataDir, undefined, 'report');
      try {
        const orgs = config.organizations();
        const org = opts.organization ? config.organization(opts.organization) : orgs.length === 1 ? orgs[0] : undefined;
        if (!org) {
          console.error(opts.organization ? `postern report: no organization '${opts.organization}'` : `postern report: choose an organization with --organization (${orgs.map((o) => o.Name).join(', ') || 'none'})`);
          process.exitCode = 2;
          return;
        }
        const admin = createOrganizationAdmin(adminOptionsFor({ db, config }, dataDir, org.Guid));
        const r = await admin.inboundMessagesReport({ days: Number(opts.days) });
        if (opts.format === 'json') console.log(JSON.stringify(r, null, 2));
        else printRows(r.rows as unknown as Record<string, unknown>[], opts.format, ['Date', 'Connector direction and name', 'Connector type', 'Forced TLS?', 'No TLS', 'TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3', 'Volume']);
      } catch (e) {
        if (!(e instanceof AdminError)) throw e;
        console.error(`postern report: ${e.message}`);
        process.exitCode = 2;
      } finally {
        await close();
      }
    });
}
