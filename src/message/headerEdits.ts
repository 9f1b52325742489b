// The header changes a message copy gets on its way out: the stamps and Received line to put on
// top, the fields to remove (the header firewall, rule RemoveHeader), fields to set, and a subject
// prefix. Decisions produce them; delivery applies them to the spooled bytes, so the spool keeps
// the message exactly as received.
import type { HeaderField } from './facts.js';
import { rawFields, rawValue } from './header.js';

export interface HeaderEdits {
  /** Fields written above the received header block, in order. */
  prepend: HeaderField[];
  /** Field names to drop (case-insensitive); a name ending in '*' is a prefix. */
  remove: string[];
  /** Fields to set: replaces every existing field of that name, or adds one. */
  set: HeaderField[];
  subjectPrefix?: string;
  /** Authentication-Results fields that claim this authserv-id are dropped (forged verdicts for our host). */
  removeAuthResultsOf?: string;
}

export const NO_EDITS: HeaderEdits = { prepend: [], remove: [], set: [] };

/** True when the field `name` is removed by `patterns`. */
export function isRemoved(name: string, patterns: string[]): boolean {
  const lower = name.toLowerCase();
  return patterns.some((p) => {
    const lp = p.toLowerCase();
    return lp.endsWith('*') ? lower.startsWith(lp.slice(0, -1)) : lower === lp;
  });
}

/** The authserv-id of an Authentication-Results value (its first token, before any version and ';'). */
export function authservIdOf(value: string): string {
  const m = value.replace(/\r\n[ \t]/g, ' ').match(/^\s*(?:\([^)]*\)\s*)*([^\s;(]+)/);
  return m ? m[1].replace(/^"|"$/g, '').toLowerCase() : '';
}

/** True for an Authentication-Results field that speaks for `hostname` (RFC 8601 §5). */
export function isOwnAuthResults(field: HeaderField, hostname: string): boolean {
  return field.name.toLowerCase() === 'authentication-results' && authservIdOf(field.value) === hostname.toLowerCase();
}

const fieldBytes = (f: HeaderField) => Buffer.from(`${f.name}: ${f.value}\r\n`, 'utf8');

/** The header block a copy is delivered with: `edits` applied to the received bytes, every other field byte for byte. */
export function applyEdits(header: Buffer, edits: HeaderEdits): Buffer {
  const setNames = new Set(edits.set.map((f) => f.name.toLowerCase()));
  const out: Buffer[] = edits.prepend.map(fieldBytes);
  for (const f of rawFields(header)) {
    if (isRemoved(f.name, edits.remove) || setNames.has(f.name.toLowerCase())) continue;
    if (edits.removeAuthResultsOf && isOwnAuthResults({ name: f.name, value: rawValue(f) }, edits.removeAuthResultsOf)) continue;
    if (edits.subjectPrefix && f.name.toLowerCase() === 'subject') {
      out.push(Buffer.from(`${f.name}: ${edits.subjectPrefix}${rawValue(f)}`, 'utf8'));
      continue;
    }
    out.push(f.raw);
  }
  out.push(...edits.set.map(fieldBytes));
  return Buffer.concat(out);
}
