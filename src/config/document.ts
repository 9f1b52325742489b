// The whole configuration as one YAML document (`postern config export` / `import`): validated
// with the same zod schemas as everything else, keys matched as PowerShell matches parameter
// names, with errors that point at file lines.
import { stringify } from 'yaml';
import { z } from 'zod';
import { Organization } from './model.js';
import { ConfigFileError, parseYamlFile } from './yamlFile.js';

export const ConfigDocument = z.object({
  organizations: z.array(Organization).default([]),
});
export type ConfigDocument = z.infer<typeof ConfigDocument>;

export function serializeConfig(doc: ConfigDocument): string {
  return `# Postern configuration (postern config export). Edit and apply with: postern config import FILE\n${stringify(doc)}`;
}

/** Parse and validate a configuration document; throws ConfigFileError listing every problem. */
export function parseConfig(text: string, fileName = 'config'): ConfigDocument {
  const doc = parseYamlFile(ConfigDocument, text, fileName);
  const names = new Set<string>();
  for (const o of doc.organizations) {
    if (names.has(o.Name.toLowerCase())) throw new ConfigFileError([`${fileName}: organization '${o.Name}' appears twice`]);
    names.add(o.Name.toLowerCase());
  }
  return doc;
}
