// The whole configuration as one YAML document (`postern config export` / `import`): validated
// with the same zod schemas as everything else, with errors that point at file lines.
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { Organization } from './model.js';

export const ConfigDocument = z.object({
  organizations: z.array(Organization).default([]),
});
export type ConfigDocument = z.infer<typeof ConfigDocument>;

export class ConfigDocumentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function serializeConfig(doc: ConfigDocument): string {
  return `# Postern configuration (postern config export). Edit and apply with: postern config import FILE\n${stringify(doc)}`;
}

export function parseConfig(text: string, fileName = 'config'): ConfigDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigDocumentError(doc.errors.map((e) => `${fileName}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const result = ConfigDocument.safeParse(doc.toJS());
  if (result.success) {
    const names = new Set<string>();
    for (const o of result.data.organizations) {
      if (names.has(o.Name.toLowerCase())) throw new ConfigDocumentError([`${fileName}: organization '${o.Name}' appears twice`]);
      names.add(o.Name.toLowerCase());
    }
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    // Point at the deepest node of the path that exists in the file.
    let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let node: any;
    while (path.length && !(node = doc.getIn(path, true))) path = path.slice(0, -1);
    const at = node?.range ? lines.linePos(node.range[0]) : undefined;
    const where = at ? `${fileName}:${at.line}:${at.col}` : fileName;
    return `${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  });
  throw new ConfigDocumentError(problems);
}
