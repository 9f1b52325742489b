// `postern config export|import`: the whole organization configuration as YAML.
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseConfig, serializeConfig } from '../config/document.js';
import { ConfigFileError } from '../config/yamlFile.js';
import { openStore, withDataDir } from './common.js';

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
    .description('replace the configuration with the one in FILE (validated first; nothing changes on error)')
    .argument('<file>', 'YAML file, as written by config export')
    .action((file: string, opts: { dataDir: string }) => {
      let doc;
      try {
        doc = parseConfig(readFileSync(file, 'utf8'), file);
      } catch (err) {
        if (err instanceof ConfigFileError) {
          console.error(`Configuration not imported:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
          process.exit(1);
        }
        throw err;
      }
      const { db, config: store } = openStore(opts.dataDir);
      try {
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
      console.log(`Imported ${doc.organizations.length} organization(s) from ${file}`);
    });
}
