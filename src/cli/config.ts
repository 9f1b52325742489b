// `postern config export|import`: the whole organization configuration as YAML. Import shows
// what it will change before it writes, and a change that weakens a defence needs confirming.
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseConfig, serializeConfig, type ConfigDocument } from '../config/document.js';
import { diffConfiguration, formatConfigDiff, weakeningChanges } from '../config/diff.js';
import { ConfigFileError } from '../config/yamlFile.js';
import { openStore, withDataDir } from './common.js';

interface ImportOptions {
  dataDir: string;
  dryRun?: boolean;
  yes?: boolean;
}

export function register(program: Command): void {
  const config = program.command('config').description('export or import the organization configuration as YAML');

  withDataDir(config.command('export'))
    .description('print (or write) the whole configuration as YAML')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action((opts: { dataDir: string; output?: string }) => {
      const { db, config: store } = openStore(opts.dataDir);
      const text = serializeConfig({ organizations: store.organizations() });
      db.close();
      if (opts.output) writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });

  withDataDir(config.command('import'))
    .description('replace the configuration with the one in FILE: shows the changes first, asks before one that weakens a defence (nothing changes on error)')
    .argument('<file>', 'YAML file, as written by config export')
    .option('--dry-run', 'only show what would change; write nothing')
    .option('-y, --yes', 'import even when a change weakens a defence (needed when standard input is not a terminal)')
    .action(async (file: string, opts: ImportOptions) => {
      const doc = readDocument(file);
      const { db, config: store } = openStore(opts.dataDir);
      try {
        const diff = diffConfiguration(store.organizations(), doc.organizations);
        process.stdout.write(formatConfigDiff(diff));
        if (opts.dryRun) return;
        const weakening = weakeningChanges(diff).length;
        if (weakening && !opts.yes && !(await confirmWeakening(weakening))) refuse(weakening);
        db.transaction(() => {
          const keep = new Set(doc.organizations.map((o) => o.Guid));
          for (const o of store.organizations()) if (!keep.has(o.Guid)) store.removeOrganization(o.Guid);
          for (const o of doc.organizations) store.saveOrganization(o);
        })();
      } catch (err) {
        console.error(`Configuration not imported: ${(err as Error).message}`);
        process.exit(1);
      } finally {
        db.close();
      }
      if (!opts.dryRun) console.log(`Imported ${doc.organizations.length} organization(s) from ${file}`);
    });
}

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
