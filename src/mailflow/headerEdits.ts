// The header changes a message copy gets on its way out: the stamps and Received line to put on
// top, the fields to remove (the header firewall, rule RemoveHeader), fields to set, and a subject
// prefix. Decisions produce them; delivery applies them to the spooled bytes, so the spool keeps
// the message exactly as received.
import type { HeaderField } from './message.js';

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
