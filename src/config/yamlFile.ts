// A YAML file read through a zod schema, strictly: keys are matched case-insensitively and
// unknown ones refused (config/keys.ts), and every problem points at file:line:column. Used for
// the organization document (`config import`) and the server settings (`serve --config`).
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { normalizeKeys } from './keys.js';

/** Everything wrong with a configuration file, one located sentence per problem. */
export class ConfigFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Parse `text` with `schema`. `overrides` replace top-level keys after the file's keys are
 * normalised (command-line options win over the file). Throws ConfigFileError listing every problem.
 */
export function parseYamlFile<S extends z.ZodType>(schema: S, text: string, fileName: string, overrides: Record<string, unknown> = {}): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigFileError(doc.errors.map((e) => `${fileName}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const at = (path: readonly PropertyKey[], key: boolean): string => {
    const node = locate(doc, path, key);
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    return pos ? `${fileName}:${pos.line}:${pos.col}` : fileName;
  };
  const keys = normalizeKeys(schema, doc.toJS() ?? {});
  if (keys.problems.length) throw new ConfigFileError(keys.problems.map((p) => `${at(p.path, true)}: ${dotted(p.path.slice(0, -1))}${p.message}`));

  const input = { ...(keys.value as Record<string, unknown>), ...overrides };
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigFileError(result.error.issues.map((issue) => `${at(issue.path, false)}: ${issue.path.join('.') || '(root)'}: ${issue.message}`));
}

function dotted(path: readonly (string | number)[]): string {
  return path.length ? `${path.join('.')}: ` : '';
}

/**
 * The deepest node of `path` present in the file, keys compared case-insensitively (the path
 * is in the schema's casing, the file in the writer's). With `key`, the last step's key node.
 */
function locate(doc: Document, path: readonly PropertyKey[], key: boolean): Node | undefined {
  let node: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < path.length && node; i++) {
    const step = String(path[i]);
    let next: unknown;
    if (isMap(node)) {
      // The exact spelling first: a key repeated in another casing is reported where it is written.
      const keyOf = (p: { key: unknown }): string | undefined => (isScalar(p.key) ? String(p.key.value) : undefined);
      const pair = node.items.find((p) => keyOf(p) === step) ?? node.items.find((p) => keyOf(p)?.toLowerCase() === step.toLowerCase());
      if (pair && key && i === path.length - 1) return pair.key as Node;
      next = pair?.value;
    } else if (isSeq(node)) {
      next = node.items[Number(step)];
    }
    if (!isNode(next)) return node;
    node = next;
  }
  return node;
}
