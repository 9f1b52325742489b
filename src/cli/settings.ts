// Reading a node's server settings (config/server.ts) for the commands that need them: serve,
// and migrate (the settings' store). Problems become one CliError listing each at file:line:column.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseServerSettings, type ServerSettings } from '../config/server.js';
import { ConfigFileError } from '../config/yamlFile.js';
import { CliError } from './common.js';

/** The node's settings: the file (if any) under the command-line listen addresses, validated. */
export function readSettings(file: string | undefined, overrides: { smtp?: string; http?: string }): ServerSettings {
  let text = '';
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read the settings file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path given with --config`);
    }
    let raw: unknown;
    try {
      raw = parse(text) ?? {};
    } catch (err) {
      throw new CliError(`the settings file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0].replace(/:$/, '')}. Fix it, or remove it to use the defaults.`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`the settings file ${file} must be a YAML mapping of setting: value (e.g. smtp: 127.0.0.1:2525)`);
  }
  try {
    return parseServerSettings(text, file ?? 'settings', overrides);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    throw new CliError(`invalid server settings${file ? ` in ${file}` : ''}:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The settings file: --config, else <data-dir>/postern.yaml when there is one. */
export function settingsFile(dataDir: string, config: string | undefined): string | undefined {
  return config ?? (existsSync(join(dataDir, 'postern.yaml')) ? join(dataDir, 'postern.yaml') : undefined);
}
