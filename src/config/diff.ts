// What an import would change, per organization, before it writes anything: settings,
// inbound connectors and transport rules added, removed or changed (old → new), with the
// changes that weaken a defence marked, so that `config import` can show them and ask.
// Pure: two lists of organizations in, a description out.
import { parseIpPrefix, type IpPrefix } from '../message/ipAddress.js';
import { IpPrefixTrie } from '../message/ipPrefixTrie.js';
import type { InboundConnector } from './inboundConnector.js';
import type { Organization } from './model.js';
import type { TransportRule } from '../rules/model.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ConfigChange {
  kind: ChangeKind;
  /** What changed: `Config.RejectDirectSend`, `InboundConnector 'Fabrikam'`, `TransportRule 'Block'.State`. */
  subject: string;
  from?: string;
  to?: string;
  /** Why the change weakens a defence; absent when it does not. */
  weakens?: string;
}

export interface OrganizationChanges {
  organization: string;
  kind: ChangeKind;
  changes: ConfigChange[];
}

/** Organizations that differ between `before` (the store) and `after` (the file), matched by Guid, else by Name. */
export function diffConfiguration(before: readonly Organization[], after: readonly Organization[]): OrganizationChanges[] {
  const out: OrganizationChanges[] = [];
  const { pairs, added, removed } = match(before, after, (o) => o.Name);
  for (const o of removed) out.push({ organization: o.Name, kind: 'removed', changes: [] });
  for (const [old, now] of pairs) {
    const changes = [...settingChanges(old, now), ...connectorChanges(old.InboundConnectors, now.InboundConnectors), ...ruleChanges(old.TransportRules, now.TransportRules)];
    if (changes.length) out.push({ organization: now.Name, kind: 'changed', changes });
  }
  for (const o of added) out.push({ organization: o.Name, kind: 'added', changes: [] });
  return out;
}

/** Every change that weakens a defence. */
export function weakeningChanges(diff: readonly OrganizationChanges[]): ConfigChange[] {
  return diff.flatMap((o) => o.changes.filter((c) => c.weakens !== undefined));
}

/** The diff as an admin reads it: `+` added, `-` removed, `~` changed, weakening changes marked. */
export function formatConfigDiff(diff: readonly OrganizationChanges[]): string {
  if (diff.length === 0) return 'No changes.\n';
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  const lines: string[] = [];
  for (const o of diff) {
    lines.push(`${sign[o.kind]} Organization '${o.organization}'${o.kind === 'changed' ? '' : ` (${o.kind})`}`);
    for (const c of o.changes) {
      const values = c.kind === 'changed' ? `: ${c.from} → ${c.to}` : '';
      lines.push(`    ${sign[c.kind]} ${c.subject}${values}${c.weakens ? `   WEAKENS: ${c.weakens}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

interface Matched<T> {
  pairs: [T, T][];
  added: T[];
  removed: T[];
}

/** Pair items by Guid, then the rest by name (case-insensitive, as Exchange compares names). */
function match<T extends { Guid: string }>(before: readonly T[], after: readonly T[], name: (t: T) => string): Matched<T> {
  const pairs: [T, T][] = [];
  const left = [...before];
  const added: T[] = [];
  const take = (pred: (t: T) => boolean): T | undefined => {
    const i = left.findIndex(pred);
    return i < 0 ? undefined : left.splice(i, 1)[0];
  };
  const unmatched: T[] = [];
  for (const a of after) {
    const b = take((t) => t.Guid.toLowerCase() === a.Guid.toLowerCase());
    if (b) pairs.push([b, a]);
    else unmatched.push(a);
  }
  for (const a of unmatched) {
    const b = take((t) => name(t).toLowerCase() === name(a).toLowerCase());
    if (b) pairs.push([b, a]);
    else added.push(a);
  }
  return { pairs, added, removed: left };
}

function settingChanges(old: Organization, now: Organization): ConfigChange[] {
  const changes = [...fieldChanges('', old, now, ['Name', 'AcceptedDomains', 'Delivery', 'DomainDelivery']), ...fieldChanges('Config.', old.Config, now.Config)];
  return changes.map(({ field, change }) =>
    field === 'RejectDirectSend' && old.Config.RejectDirectSend && !now.Config.RejectDirectSend
      ? { ...change, weakens: "Reject Direct Send turned off: mail that forges the organization's domains without a connector is accepted again" }
      : change,
  );
}

const CONNECTOR_RESTRICTIONS: readonly string[] = ['RestrictDomainsToIPAddresses', 'RestrictDomainsToCertificate', 'RequireTls'];

function connectorChanges(before: readonly InboundConnector[], after: readonly InboundConnector[]): ConfigChange[] {
  return listChanges('InboundConnector', before, after, 'connector removed: the senders it restricted or identified are no longer checked against it', (field, old, now) => {
    const was = (old as unknown as Record<string, unknown>)[field];
    const is = (now as unknown as Record<string, unknown>)[field];
    if (CONNECTOR_RESTRICTIONS.includes(field) && was === true && is === false) return `${field} turned off`;
    if (field === 'Enabled' && was === true && is === false) return 'connector disabled: its restrictions no longer apply';
    const wider = field === 'SenderIPAddresses' ? widenedRanges(old.SenderIPAddresses, now.SenderIPAddresses) : [];
    return wider.length ? `trusted IP ranges widened: ${wider.join(', ')}` : undefined;
  });
}

/** Ranges of `after` not inside any range of `before`: a range added, or a prefix made shorter. */
export function widenedRanges(before: readonly string[], after: readonly string[]): string[] {
  const trie = new IpPrefixTrie();
  const old = before.map((text) => parseIpPrefix(text)).filter((p): p is IpPrefix => !('error' in p));
  old.forEach((p, i) => trie.insert(p, i));
  return after.filter((text) => {
    const p = parseIpPrefix(text);
    if ('error' in p) return true;
    return !trie.lookupBytes(p.family, p.bytes).some((i) => old[i].length <= p.length);
  });
}

function ruleChanges(before: readonly TransportRule[], after: readonly TransportRule[]): ConfigChange[] {
  return listChanges('TransportRule', before, after, 'rule removed: its actions no longer apply', (field, old, now, pairs) => {
    if (field === 'State' && old.State === 'Enabled' && now.State === 'Disabled') return 'rule disabled: its actions no longer apply';
    if (field === 'Mode' && old.Mode === 'Enforce' && now.Mode !== 'Enforce') return 'rule no longer enforced: its actions are only audited';
    const passed = field === 'Priority' ? overtaken(old, now, pairs) : [];
    return passed.length ? `rule now runs after ${passed.map((n) => `'${n}'`).join(', ')}, which it used to precede` : undefined;
  });
}

/**
 * Removed items (each weakening, `removedWeakens` says why), changed fields of the items on
 * both sides (`weakens` judges each), then added items.
 */
function listChanges<T extends { Guid: string; Name: string }>(
  type: string,
  before: readonly T[],
  after: readonly T[],
  removedWeakens: string,
  weakens: (field: string, old: T, now: T, pairs: readonly [T, T][]) => string | undefined,
): ConfigChange[] {
  const { pairs, added, removed } = match(before, after, (t) => t.Name);
  const out: ConfigChange[] = removed.map((t) => ({ kind: 'removed', subject: `${type} '${t.Name}'`, weakens: removedWeakens }));
  for (const [old, now] of pairs) {
    for (const { field, change } of fieldChanges(`${type} '${now.Name}'.`, old, now, undefined, ['Guid'])) {
      const why = weakens(field, old, now, pairs);
      out.push(why ? { ...change, weakens: why } : change);
    }
  }
  for (const t of added) out.push({ kind: 'added', subject: `${type} '${t.Name}'` });
  return out;
}

/** Names of the rules that `rule` preceded before and follows after. */
function overtaken(old: TransportRule, now: TransportRule, pairs: readonly [TransportRule, TransportRule][]): string[] {
  return pairs.filter(([o, n]) => o !== old && old.Priority < o.Priority && now.Priority > n.Priority).map(([, n]) => n.Name);
}

/**
 * One change per field whose value differs (`keys` limits the fields, `skip` leaves some out;
 * by default, every field either side has).
 */
function fieldChanges(prefix: string, old: object, now: object, keys?: readonly string[], skip: readonly string[] = []): { field: string; change: ConfigChange }[] {
  const a = old as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  const fields = keys ?? [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const out: { field: string; change: ConfigChange }[] = [];
  for (const field of fields) {
    if (skip.includes(field)) continue;
    const from = formatValue(a[field]);
    const to = formatValue(b[field]);
    if (from !== to) out.push({ field, change: { kind: 'changed', subject: `${prefix}${field}`, from, to } });
  }
  return out;
}

/** A value as Exchange's cmdlets show it: True/False, lists comma-separated. */
function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(not set)';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(', ') : '(none)';
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length ? `{${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join('; ')}}` : '(none)';
  }
  return String(v);
}
