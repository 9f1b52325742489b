// Compile a tenant's rules once per configuration change: validate every rule, enforce Exchange
// Online's limits, order by priority, and turn conditions into tests over interned matchers
// (RE2 words and patterns with per-field prefilters, IP interval sets, address and domain sets).
import { compileConditions, type CompiledCondition } from './conditions.js';
import { GateBuilder, csr, senderSource, type GateIndex, type GateRef, type HotGates } from './gates.js';
import { MatcherRegistry, PatternError, type FieldSpec, type Prefilter } from './matchers.js';
import { RULE_LIMITS, TransportRule, regexSize, ruleActions, ruleSize, type ConditionName, type RuleMode } from './model.js';

/** How a rule is named in decisions, trace events and EmailEvents. */
export interface RuleRef {
  Name: string;
  Guid: string;
  Priority: number;
  Mode: RuleMode;
}

export interface CompiledRule {
  rule: TransportRule;
  ref: RuleRef;
  conditions: CompiledCondition[];
  exceptions: CompiledCondition[];
  // Flattened for the hot loop (every compiled rule has the same shape; rules don't).
  enabled: boolean;
  /** ActivationDate/ExpiryDate in ms since the epoch (±Infinity when unset). */
  activeFrom: number;
  activeUntil: number;
  enforce: boolean;
  /** AuditAndNotify: notifications are generated though the rule is audited. */
  notify: boolean;
  needsBody: boolean;
  needsAttachments: boolean;
  needsContent: boolean;
  /** The rule's actions by Exchange name (ruleActions). */
  actions: string[];
  /**
   * A field whose prefilter gates the rule (-1: none): one of the rule's conditions only matches
   * through that field's prefiltered matchers, so when the prefilter passes none of the field's
   * texts (or, for a field decided at once, none of those matchers matched) the rule can't match
   * and is skipped without running its conditions.
   */
  gateField: number;
  /**
   * An indexed gate (-1: none): a condition looked up for every rule at once (IP ranges, domains,
   * addresses; see gates.ts). When the message's lookup doesn't include `gateSlot`, the rule can't match.
   */
  gateKind: number;
  gateSlot: number;
  /**
   * The conditions the hot loop (explain off) still tests: a rule is only visited there when its
   * gates hold, and a gate that is its condition exactly (the indexed one; a field gate decided
   * at once through the condition's own matchers) has already proved that condition.
   */
  hotConditions: CompiledCondition[];
}

export interface CompiledRuleSet {
  /** In priority order. */
  rules: CompiledRule[];
  /** What content the caller must supply in RuleInput.content for every rule to be evaluable. */
  needs: { body: boolean; attachments: boolean };
  /** Some enabled rule has a recipient condition: decisions can differ per recipient (evaluatePerRecipient). */
  perRecipient: boolean;
  fields: readonly FieldSpec[];
  /** Second-level prefilters, shared by every evaluation. */
  buckets: readonly Prefilter[];
  matcherCount: number;
  /** Per-kind indexes of the rules' gate conditions. */
  gates: GateIndex;
  /** The rules' gates with their reverse maps, for the hot loop (explain off). */
  hot: HotGates;
  /** Characters of regex text in the organization (limit 20 KB). */
  regexCharacters: number;
}

export class RuleCompileError extends Error {
  constructor(
    message: string,
    /** The rule at fault (Name), when one is. */
    readonly rule?: string,
    /** The Exchange parameter at fault, when one is. */
    readonly parameter?: string,
    /** The Exchange Online limit that was exceeded, when that's the cause. */
    readonly limit?: keyof typeof RULE_LIMITS,
  ) {
    super(message);
    this.name = 'RuleCompileError';
  }
}

/** Validate a rule as stored or typed (zod), throwing a RuleCompileError that names the parameter. */
export function parseRule(input: unknown): TransportRule {
  const result = TransportRule.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const parameter = issue.path.length ? String(issue.path[0]) : undefined;
  const name = typeof (input as { Name?: unknown })?.Name === 'string' ? (input as { Name: string }).Name : undefined;
  const where = parameter ? `${parameter}: ` : '';
  throw new RuleCompileError(`${name ? `Rule '${name}': ` : ''}${where}${issue.message}`, name, parameter);
}

function checkPatterns(rule: TransportRule, registry: MatcherRegistry, except: boolean): CompiledCondition[] {
  try {
    return compileConditions(rule, except, registry);
  } catch (e) {
    if (e instanceof PatternError) {
      const r = rule as unknown as Record<string, unknown>;
      const parameter = Object.keys(r).find((k) => k.endsWith('Patterns') && Array.isArray(r[k]) && (r[k] as string[]).includes(e.pattern));
      throw new RuleCompileError(`Rule '${rule.Name}': ${parameter ?? 'Patterns'}: ${e.message}`, rule.Name, parameter);
    }
    throw e;
  }
}

/**
 * Compile an organization's transport rules. Throws RuleCompileError for an invalid rule, an
 * invalid pattern, duplicate names or priorities, or an exceeded Exchange Online limit.
 */
export function compileRules(input: readonly unknown[]): CompiledRuleSet {
  if (input.length > RULE_LIMITS.rulesPerOrganization) {
    throw new RuleCompileError(
      `An organization can have at most ${RULE_LIMITS.rulesPerOrganization} transport rules (found ${input.length}); remove or combine rules`,
      undefined,
      undefined,
      'rulesPerOrganization',
    );
  }
  const rules = input.map(parseRule);
  const names = new Map<string, TransportRule>();
  const priorities = new Map<number, TransportRule>();
  let regexCharacters = 0;
  for (const rule of rules) {
    const lower = rule.Name.toLowerCase();
    if (names.has(lower)) throw new RuleCompileError(`Two rules are named '${rule.Name}': rule names must be unique`, rule.Name, 'Name');
    names.set(lower, rule);
    const other = priorities.get(rule.Priority);
    if (other) {
      throw new RuleCompileError(`Rules '${other.Name}' and '${rule.Name}' both have Priority ${rule.Priority}: priorities must be unique`, rule.Name, 'Priority');
    }
    priorities.set(rule.Priority, rule);
    const size = ruleSize(rule);
    if (size > RULE_LIMITS.charactersPerRule) {
      throw new RuleCompileError(
        `Rule '${rule.Name}' is ${size} characters: a rule's conditions, exceptions and actions can total at most 8 KB (${RULE_LIMITS.charactersPerRule} characters)`,
        rule.Name,
        undefined,
        'charactersPerRule',
      );
    }
    regexCharacters += regexSize(rule);
  }
  if (regexCharacters > RULE_LIMITS.regexCharactersPerOrganization) {
    throw new RuleCompileError(
      `The rules' patterns total ${regexCharacters} characters: an organization can have at most 20 KB (${RULE_LIMITS.regexCharactersPerOrganization} characters) of regular expressions in all rules`,
      undefined,
      undefined,
      'regexCharactersPerOrganization',
    );
  }

  const registry = new MatcherRegistry();
  const compiled: CompiledRule[] = [...rules]
    .sort((a, b) => a.Priority - b.Priority)
    .map((rule) => {
      const conditions = checkPatterns(rule, registry, false);
      const exceptions = checkPatterns(rule, registry, true);
      const all = [...conditions, ...exceptions];
      const needsBody = all.some((c) => c.needsBody);
      const needsAttachments = all.some((c) => c.needsAttachments);
      return {
        rule,
        ref: { Name: rule.Name, Guid: rule.Guid, Priority: rule.Priority, Mode: rule.Mode },
        conditions,
        exceptions,
        enabled: rule.State === 'Enabled',
        activeFrom: rule.ActivationDate ? rule.ActivationDate.getTime() : -Infinity,
        activeUntil: rule.ExpiryDate ? rule.ExpiryDate.getTime() : Infinity,
        enforce: rule.Mode === 'Enforce',
        notify: rule.Mode === 'AuditAndNotify',
        needsBody,
        needsAttachments,
        needsContent: needsBody || needsAttachments,
        actions: ruleActions(rule),
        gateField: -1,
        gateKind: -1,
        gateSlot: -1,
        hotConditions: conditions,
      };
    });
  registry.seal();
  const gateBuilder = new GateBuilder();
  const gateRefs = compiled.map((cr) => pickGate(cr.rule, gateBuilder));
  const built = gateBuilder.build();
  // Per rule, the conditions its gates prove (see CompiledRule.hotConditions).
  const proven = compiled.map(() => new Set<CompiledCondition>());
  compiled.forEach((cr, i) => {
    const picked = gateRefs[i];
    if (!picked) return;
    const kind = built.resolve(picked.ref.slot);
    if (kind < 0) return;
    cr.gateKind = kind;
    cr.gateSlot = picked.ref.slot;
    const condition = cr.conditions.find((c) => c.parameter === picked.parameter);
    if (condition) proven[i].add(condition);
  });
  // The gating condition's matchers, by rule (none: no field gate).
  const gateMatchers = compiled.map((cr, i) => {
    for (const c of cr.conditions) {
      const ms = c.matchers;
      if (ms && ms.length && ms.every((m) => m.prefiltered && m.fieldIndex === ms[0].fieldIndex)) {
        cr.gateField = ms[0].fieldIndex;
        // Decided at once, the gate holds only when one of these matchers matched: the condition.
        if (registry.fieldList[cr.gateField].exact) proven[i].add(c);
        return ms.map((m) => m.id);
      }
    }
    return [];
  });
  compiled.forEach((cr, i) => {
    if (proven[i].size) cr.hotConditions = cr.conditions.filter((c) => !proven[i].has(c));
  });
  const active = compiled.filter((c) => c.enabled);
  return {
    rules: compiled,
    needs: { body: active.some((c) => c.needsBody), attachments: active.some((c) => c.needsAttachments) },
    perRecipient: active.some((c) => [...c.conditions, ...c.exceptions].some((x) => x.perRecipient)),
    fields: registry.fieldList,
    buckets: registry.buckets,
    matcherCount: registry.matchers.length,
    gates: built.index,
    hot: hotGates(compiled, gateMatchers, built.index.slotCount, registry.fieldList.length, registry.matchers.length),
    regexCharacters,
  };
}

/** The gates in the shape the hot loop reads them (gates.ts HotGates). */
function hotGates(compiled: CompiledRule[], gateMatchers: number[][], slotCount: number, fieldCount: number, matcherCount: number): HotGates {
  const slotRule = new Int32Array(slotCount).fill(-1);
  const fieldPairs: [number, number][] = [];
  const matcherPairs: [number, number][] = [];
  const open: number[] = [];
  const openNoContent: number[] = [];
  const needMask = new Uint8Array(compiled.length);
  compiled.forEach((cr, i) => {
    if (cr.gateKind >= 0) {
      slotRule[cr.gateSlot] = i;
      needMask[i] |= 1;
    }
    if (cr.gateField >= 0) {
      needMask[i] |= 2;
      fieldPairs.push([cr.gateField, i]);
      for (const id of gateMatchers[i]) matcherPairs.push([id, i]);
    }
    if (needMask[i] === 0) open.push(i);
    if (needMask[i] === 0 || cr.needsContent) openNoContent.push(i);
  });
  const byField = csr(fieldCount, fieldPairs);
  const byMatcher = csr(matcherCount, matcherPairs);
  return {
    needMask,
    open: Int32Array.from(open),
    openNoContent: Int32Array.from(openNoContent),
    slotRule,
    gateFields: Int32Array.from(new Set(fieldPairs.map(([f]) => f))),
    fieldRuleStart: byField.start,
    fieldRules: byField.values,
    matcherRuleStart: byMatcher.start,
    matcherRules: byMatcher.values,
  };
}

/**
 * The rule's most selective indexable condition (conditions only: an exception never gates), or
 * undefined. Envelope-based gates come first: header edits by earlier rules can't change them.
 */
function pickGate(rule: TransportRule, gates: GateBuilder): { parameter: ConditionName; ref: GateRef } | undefined {
  const gate = (parameter: ConditionName, ref: GateRef | undefined) => (ref ? { parameter, ref } : undefined);
  if (rule.SenderIpRanges) return gate('SenderIpRanges', gates.ipRanges(rule.SenderIpRanges));
  if (rule.RecipientDomainIs) return gate('RecipientDomainIs', gates.keyedGate('domain', 'recipients', rule.RecipientDomainIs));
  if (rule.SentTo) return gate('SentTo', gates.keyedGate('address', 'recipients', rule.SentTo));
  if (rule.SenderDomainIs) return gate('SenderDomainIs', gates.keyedGate('domain', senderSource(rule.SenderAddressLocation), rule.SenderDomainIs));
  if (rule.From) return gate('From', gates.keyedGate('address', senderSource(rule.SenderAddressLocation), rule.From));
  if (rule.AnyOfToHeader) return gate('AnyOfToHeader', gates.keyedGate('address', 'toHeader', rule.AnyOfToHeader));
  if (rule.AnyOfCcHeader) return gate('AnyOfCcHeader', gates.keyedGate('address', 'ccHeader', rule.AnyOfCcHeader));
  if (rule.AnyOfToCcHeader) return gate('AnyOfToCcHeader', gates.keyedGate('address', 'toCcHeader', rule.AnyOfToCcHeader));
  return undefined;
}
