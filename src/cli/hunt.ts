// `postern hunt 'KQL'`: advanced hunting from the terminal, inside one organization.
import { Command, Option } from 'commander';
import { join, resolve } from 'node:path';
import { DEFAULT_LOOKBACK_DAYS, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_MS, formatHuntResult, HuntInternalError, HuntTimeoutError, KqlError, type HuntFormat } from '../hunting/index.js';
import { runHunt } from '../store/sqlite/hunting/executor.js';
import { withDataDir } from './common.js';
import { openNodeStore } from './nodeStore.js';

interface Options {
  dataDir: string;
  organization?: string;
  format: HuntFormat;
  maxRows: string;
  timeout: string;
  lookbackDays: string;
}

export function register(program: Command): void {
  withDataDir(program.command('hunt'))
    .description("run a KQL query over EmailEvents, EmailAttachmentInfo, EmailUrlInfo, EmailPostDeliveryEvents, SmtpRejectEvents and AdminAuditEvents")
    .argument('<kql>', "the query, e.g. \"EmailEvents | where Timestamp > ago(30d) | where Connectors == ''\"")
    .option('-o, --organization <name>', 'the organization to query (default: the only one)')
    .option('--tenant <name>', 'alias of --organization')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--max-rows <n>', 'row cap', String(DEFAULT_MAX_ROWS))
    .option('--timeout <ms>', 'time limit; the query is cancelled after it', String(DEFAULT_TIMEOUT_MS))
    .option('--lookback-days <n>', 'days of data visible to the query', String(DEFAULT_LOOKBACK_DAYS))
    .action(async (kql: string, opts: Options & { tenant?: string }) => {
      const dataDir = resolve(opts.dataDir);
      // The organizations from the store the settings name (PostgreSQL's on a node of several).
      const { config, close } = await openNodeStore(dataDir, undefined, 'hunt');
      const wanted = opts.organization ?? opts.tenant;
      const orgs = config.organizations();
      await close();
      const org = wanted ? orgs.find((o) => o.Name.toLowerCase() === wanted.toLowerCase() || o.Guid === wanted) : orgs.length === 1 ? orgs[0] : undefined;
      if (!org) {
        console.error(wanted ? `hunt: no organization named '${wanted}'` : `hunt: ${orgs.length} organizations here; choose one with --organization (${orgs.map((o) => o.Name).join(', ')})`);
        process.exit(2);
      }
      try {
        const result = await runHunt(join(dataDir, 'postern.db'), {
          orgId: org.Guid,
          query: kql,
          maxRows: Number(opts.maxRows),
          timeoutMs: Number(opts.timeout),
          lookbackDays: Number(opts.lookbackDays),
        });
        console.log(formatHuntResult(result, opts.format));
        if (opts.format === 'table') console.error(`${result.rows.length} row(s)${result.truncated ? ' (truncated)' : ''} in ${result.elapsedMs.toFixed(1)} ms`);
      } catch (err) {
        if (err instanceof KqlError || err instanceof HuntTimeoutError || err instanceof HuntInternalError) {
          console.error(`hunt: ${(err as Error).message}`);
          process.exit(1);
        }
        throw err;
      }
    });
}
