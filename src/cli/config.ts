// `postern config export|import`: the whole organization configuration as YAML, in the store the
// node's settings name (the data directory's SQLite, or PostgreSQL's shared by several nodes).
// Import shows what it will change before it writes, and a change that weakens a defence needs
// confirming; it replaces the configuration in one transaction.
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseConfig, serializeConfig, type ConfigDocument } from '../config/document.js';
import { diffConfiguration, formatConfigDiff, weakeningChanges } from '../config/diff.js';
import { ConfigFileError } from '../config/yamlFile.js';
import { withDataDir } from './common.js';
import { openNodeStore } from './nodeStore.js';

interface ImportOptions {
  dataDir: string;
  config?: string;
  dryRun?: boolean;
  yes?: boolean;
}

export function register(program: Command): void {
  const config = program.command('config').description('export or import the organization configuration as YAML');

  withSettings(withDataDir(config.command('export')))
    .description('print (or write) the whole configuration as YAML')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (opts: { dataDir: string; config?: string; output?: string }) => {
      const { config: store, close } = await openNodeStore(opts.dataDir, opts.config, 'config export');
      const text = serializeConfig({ organizations: store.organizations() });
      await close();
      if (opts.output) writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });

  withSettings(withDataDir(config.command('import')))
    .description('replace the configuration with the one in FILE: shows the changes first, asks before one that weakens a defence (nothing changes on error)')
    .argument('<file>', 'YAML file, as written by config export')
    .option('--dry-run', 'only show what would change; write nothing')
    .option('-y, --yes', 'import even when a change weakens a defence (needed when standard input is not a terminal)')
    .action(async (file: string, opts: ImportOptions) => {
      const doc = readDocument(file);
      const { config: store, close } = await openNodeStore(opts.dataDir, opts.config, 'config import');
      let failure: Error | undefined;
      try {
        const diff = diffConfiguration(store.organizations(), doc.organizations);
        process.stdout.write(formatConfigDiff(diff));
        if (opts.dryRun) return;
        const weakening = weakeningChanges(diff).length;
        if (weakening && !opts.yes && !(await confirmWeakening(weakening))) refuse(weakening);
        await store.replaceOrganizationsAsync(doc.organizations);
      } catch (err) {
        failure = err as Error;
      } finally {
        await close();
      }
      if (failure) {
        console.error(`Configuration not imported: ${failure.message}`);
        process.exit(1);
      }
      if (!opts.dryRun) console.log(`Imported ${doc.organizations.length} organization(s) from ${file}`);
    });
}

const withSettings = (cmd: Command) => cmd.option('-c, --config <file>', 'server settings YAML whose store to use (default <data-dir>/postern.yaml when present)');

function readDocument(file: string): ConfigDocument {
  try {
    return parseConfig(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    console.error(`Configuration not imported:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
}

/** On a terminal, ask; anywhere else there is nobody to ask, so the answer is no. */
async function confirmWeakening(count: number): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${count} change(s) above weaken a defence (marked WEAKENS). Import anyway? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function refuse(count: number): never {
  const how = process.stdin.isTTY ? 'Nothing was changed.' : 'Standard input is not a terminal, so nobody could confirm: review the changes and run again with --yes to import anyway.';
  throw new Error(`${count} change(s) above weaken a defence (marked WEAKENS). ${how}`);
}
