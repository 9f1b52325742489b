// What an interactive shell needs besides running commands: tab completion over cmdlet names,
// parameter names and enum values, and an "is this input incomplete?" check so the REPL can
// ask for a continuation line (open string, brace, trailing pipe or backtick).
import { isDash, isWhitespace, normalizeDashes } from './chars.js';
import { ShellParseError } from './errors.js';
import { parseScript } from './parser.js';
import { allParameters, resolveParameter, type CmdletRegistry } from './registry.js';

export interface Completion {
  /** Offset where the replaced text starts (the text from there to the cursor is replaced). */
  replaceFrom: number;
  /** Candidates in display order. */
  candidates: string[];
}

/** True when more input could complete the script (the REPL then reads another line). */
export function isIncompleteInput(text: string): boolean {
  try {
    parseScript(text);
    return false;
  } catch (e) {
    return e instanceof ShellParseError && e.incomplete;
  }
}

function isBoundary(c: string | undefined): boolean {
  return c === undefined || isWhitespace(c) || c === '\n' || c === '\r' || c === '|' || c === ';' || c === '(' || c === '{' || c === '}' || c === ')';
}

/** Completes the word before `cursor`. Variables come from `variables` when given. */
export function complete(text: string, cursor: number, registry: CmdletRegistry, variables: string[] = []): Completion {
  let start = cursor;
  while (start > 0 && !isBoundary(text[start - 1]) && text[start - 1] !== ',') start--;
  const word = text.slice(start, cursor);
  // the start of the pipeline element containing the word
  let elementStart = start;
  while (elementStart > 0 && !['|', ';', '\n', '(', '{'].includes(text[elementStart - 1])) elementStart--;
  const before = text.slice(elementStart, start);
  const words = before.trim().split(/\s+/).filter((w) => w !== '');
  const lower = normalizeDashes(word).toLowerCase();

  if (word.startsWith('$')) {
    const prefix = word.slice(1).toLowerCase();
    return { replaceFrom: start, candidates: ['true', 'false', 'null', ...variables].filter((v) => v.toLowerCase().startsWith(prefix)).map((v) => '$' + v) };
  }
  if (words.length === 0) {
    const names = registry.list().map((d) => d.name);
    return { replaceFrom: start, candidates: names.filter((n) => n.toLowerCase().startsWith(lower)).sort() };
  }
  const def = registry.get(normalizeDashes(words[0]));
  if (!def) return { replaceFrom: start, candidates: [] };
  if (isDash(word[0])) {
    const prefix = lower.slice(1);
    const candidates = allParameters(def).filter((p) => p.name.toLowerCase().startsWith(prefix)).map((p) => '-' + p.name).sort();
    return { replaceFrom: start, candidates };
  }
  // value of the previous parameter: enum values
  const prev = words[words.length - 1];
  if (prev && isDash(prev[0])) {
    const r = resolveParameter(def, normalizeDashes(prev).slice(1).replace(/:$/, ''));
    if (r && !('ambiguous' in r) && r.type.values) {
      return { replaceFrom: start, candidates: r.type.values.filter((v) => v.toLowerCase().startsWith(lower)).map((v) => (/\s/.test(v) ? `'${v}'` : v)) };
    }
  }
  return { replaceFrom: start, candidates: [] };
}

/**
 * Collects REPL lines until they form a complete script: push() returns the script when it can
 * run, or undefined when the REPL should show the continuation prompt (">> ") and read more.
 */
export class ReplBuffer {
  private lines: string[] = [];

  get pending(): boolean {
    return this.lines.length > 0;
  }

  push(line: string): string | undefined {
    this.lines.push(line);
    const text = this.lines.join('\n');
    // an empty line ends a continuation the parser still finds incomplete, as PowerShell's host does
    if (isIncompleteInput(text) && !(line.trim() === '' && this.lines.length > 1)) return undefined;
    this.lines = [];
    return text;
  }

  reset(): void {
    this.lines = [];
  }
}
