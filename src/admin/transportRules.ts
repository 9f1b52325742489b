// Get-/New-/Set-/Enable-/Disable-/Remove-TransportRule over the organization's TransportRules.
// Rules are built and validated by rules/ (buildRule/updateRule: errors name the parameter),
// renumbered as Exchange does, and held to the organization-wide limits.
import type { Organization } from '../config/model.js';
import { buildRule, updateRule } from '../rules/build.js';
import { RuleCompileError } from '../rules/compile.js';
import { RULE_LIMITS, insertRule, moveRule, normalizePriorities, regexSize, removeRule, type TransportRule } from '../rules/model.js';
import { invalid, objectExists, objectNotFound, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { TransportRuleAdmin, TransportRuleObject } from './types.js';

function ruleObject(r: TransportRule): TransportRuleObject {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return { ...out, Identity: r.Name, Name: r.Name, Priority: r.Priority, State: r.State, Mode: r.Mode, Comments: r.Comments ?? null, Guid: r.Guid };
}

/**
 * Get-TransportRule shows some Exchange properties Postern's rules don't have at their neutral
 * value (RuleSubType None, UseLegacyRegex $false); a rule piped back into New-TransportRule
 * carries them. Those neutral values are dropped; any other value still reaches buildRule and
 * is refused there, naming the parameter.
 */
const NEUTRAL_RULE_VALUES: Record<string, unknown[]> = {
  RuleSubType: ['None'],
  UseLegacyRegex: [false],
  RecipientAddressType: [null, ''],
  DlpPolicy: [null, ''],
};

function withoutNeutral(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([k, v]) => !(k in NEUTRAL_RULE_VALUES && NEUTRAL_RULE_VALUES[k].includes(v))));
}

const ruleList = (org: Organization): TransportRule[] => normalizePriorities(org.TransportRules ?? []);

function findRule(rules: TransportRule[], identity: string): TransportRule {
  const id = identity.trim();
  const r = rules.find((x) => same(x.Name, id) || same(x.Guid, id));
  if (!r) throw objectNotFound(identity, 'transport rule');
  return r;
}

/** The organization with a new rule list, after the organization-wide limits. */
function withRules(org: Organization, rules: TransportRule[]): Organization {
  if (rules.length > RULE_LIMITS.rulesPerOrganization) {
    throw invalid('Name', `An organization can have at most ${RULE_LIMITS.rulesPerOrganization} transport rules; remove one first.`, 'RuleLimitExceeded');
  }
  const regex = rules.reduce((n, r) => n + regexSize(r), 0);
  if (regex > RULE_LIMITS.regexCharactersPerOrganization) {
    throw invalid('Identity', `The organization's transport rules would hold ${regex} characters of patterns; the limit is 20 KB (${RULE_LIMITS.regexCharactersPerOrganization}) per organization.`, 'RuleLimitExceeded');
  }
  return { ...org, TransportRules: rules };
}

/** rules/ refusals as AdminErrors naming the parameter. */
function withRuleErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RuleCompileError) throw invalid(e.parameter ?? 'Identity', e.message, e.limit ? 'RuleLimitExceeded' : 'InvalidTransportRule');
    if (e instanceof RangeError) throw invalid('Priority', `Cannot validate argument on parameter 'Priority'. ${e.message}.`, 'ParameterArgumentValidationError');
    throw e;
  }
}

export function transportRuleAdmin(scope: OrganizationScope): TransportRuleAdmin {
  const admin: TransportRuleAdmin = {
    async getTransportRules(identity) {
      const rules = ruleList(scope.current());
      if (identity) return [ruleObject(findRule(rules, identity))];
      return rules.map(ruleObject);
    },

    async newTransportRule(request) {
      const { Priority, ...params } = request;
      let created: TransportRule | undefined;
      await scope.update((org) =>
        withRuleErrors(() => {
          const rules = ruleList(org);
          if (rules.some((r) => same(r.Name, request.Name))) throw objectExists(request.Name, 'transport rule');
          const rule = buildRule(withoutNeutral(params), { defaultPriority: rules.length });
          const list = insertRule(rules, rule, Priority);
          created = list.find((r) => r.Guid === rule.Guid);
          return withRules(org, list);
        }),
      );
      return ruleObject(created!);
    },

    async setTransportRule(identity, changes) {
      const { Priority, ...params } = changes;
      await scope.update((org) =>
        withRuleErrors(() => {
          const rules = ruleList(org);
          const rule = findRule(rules, identity);
          if (typeof params.Name === 'string' && rules.some((r) => r !== rule && same(r.Name, params.Name as string))) {
            throw objectExists(params.Name, 'transport rule');
          }
          const changed = withoutNeutral(params);
          const updated = Object.keys(changed).length ? updateRule(rule, changed) : rule;
          let list = rules.map((r) => (r === rule ? updated : r));
          if (typeof Priority === 'number') list = moveRule(list, rule.Guid, Priority);
          return withRules(org, list);
        }),
      );
    },

    async setTransportRuleState(identity, state) {
      await admin.setTransportRule(identity, { State: state });
    },

    async removeTransportRule(identity) {
      await scope.update((org) => {
        const rules = ruleList(org);
        const rule = findRule(rules, identity);
        return { ...org, TransportRules: removeRule(rules, rule.Guid) };
      });
    },
  };
  return admin;
}
