// Rules from cmdlet parameters: the shell binds `New-TransportRule -Name … -Quarantine $true
// -ExceptIfSenderIpRanges …` into a record keyed by Exchange parameter names and calls
// buildRule (or updateRule for Set-TransportRule). Errors name the parameter.
import { RuleCompileError, parseRule } from './compile.js';
import { compileConditions } from './conditions.js';
import { MatcherRegistry, PatternError } from './matchers.js';
import { ACTION_NAMES, CONDITION_NAMES, RULE_LIMITS, ruleSize, type TransportRule } from './model.js';

const PROPERTY_NAMES = [
  'Name', 'Guid', 'Priority', 'Mode', 'State', 'Enabled', 'ActivationDate', 'ExpiryDate', 'SenderAddressLocation',
  'RuleErrorAction', 'SetAuditSeverity', 'Comments',
];

const KNOWN = new Map<string, string>(
  [...PROPERTY_NAMES, ...CONDITION_NAMES, ...CONDITION_NAMES.map((c) => `ExceptIf${c}`), ...ACTION_NAMES].map((n) => [n.toLowerCase(), n]),
);

/** Exchange parameters Postern knows but doesn't implement (no directory, DLP, encryption or routing). */
const UNSUPPORTED = [
  'FromMemberOf', 'SentToMemberOf', 'AnyOfToHeaderMemberOf', 'AnyOfCcHeaderMemberOf', 'AnyOfToCcHeaderMemberOf', 'BetweenMemberOf1',
  'BetweenMemberOf2', 'ManagerForEvaluatedUser', 'ManagerAddresses', 'ADComparisonAttribute', 'ADComparisonOperator',
  'SenderADAttributeContainsWords', 'SenderADAttributeMatchesPatterns', 'RecipientADAttributeContainsWords',
  'RecipientADAttributeMatchesPatterns', 'SenderInRecipientList', 'RecipientInSenderList', 'HasSenderOverride',
  'SenderManagementRelationship', 'AttachmentPropertyContainsWords', 'ContentCharacterSetContainsWords',
  'MessageContainsDataClassifications', 'AddManagerAsRecipientType', 'ModerateMessageByUser', 'ModerateMessageByManager',
  'ApplyClassification', 'ApplyOME', 'RemoveOME', 'RemoveOMEv2', 'ApplyRightsProtectionTemplate',
  'ApplyRightsProtectionCustomizationTemplate', 'RemoveRMSAttachmentEncryption', 'RouteMessageOutboundConnector',
  'RouteMessageOutboundRequireTls', 'NotifySender', 'RecipientAddressType', 'DlpPolicy', 'RuleSubType', 'UseLegacyRegex',
].flatMap((n) => (n.startsWith('ExceptIf') ? [n] : [n, `ExceptIf${n}`]));
const UNSUPPORTED_LOWER = new Map(UNSUPPORTED.map((n) => [n.toLowerCase(), n]));
/** Cmdlet common parameters the shell may pass through; not part of a rule. */
const COMMON = new Set(['confirm', 'whatif', 'verbose', 'debug', 'erroraction', 'warningaction', 'identity', 'domaincontroller']);

const ARRAY_PARAMS = new Set(
  [
    'From', 'FromAddressContainsWords', 'FromAddressMatchesPatterns', 'SenderDomainIs', 'SenderIpRanges', 'SentTo',
    'RecipientAddressContainsWords', 'RecipientAddressMatchesPatterns', 'RecipientDomainIs', 'AnyOfToHeader', 'AnyOfCcHeader',
    'AnyOfToCcHeader', 'AnyOfRecipientAddressContainsWords', 'AnyOfRecipientAddressMatchesPatterns', 'SubjectContainsWords',
    'SubjectMatchesPatterns', 'SubjectOrBodyContainsWords', 'SubjectOrBodyMatchesPatterns', 'HeaderContainsWords',
    'HeaderMatchesPatterns', 'AttachmentNameMatchesPatterns', 'AttachmentExtensionMatchesWords', 'AttachmentContainsWords',
    'AttachmentMatchesPatterns',
  ].flatMap((n) => [n, `ExceptIf${n}`]).concat(['RedirectMessageTo', 'AddToRecipients', 'CopyTo', 'BlindCopyTo', 'IncidentReportContent']),
);

const BOOLEAN_PARAMS = new Set(
  ['AttachmentHasExecutableContent', 'AttachmentIsPasswordProtected', 'AttachmentIsUnsupported', 'AttachmentProcessingLimitExceeded', 'HasNoClassification']
    .flatMap((n) => [n, `ExceptIf${n}`])
    .concat(['Quarantine', 'DeleteMessage', 'StopRuleProcessing', 'Enabled']),
);

function toBoolean(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^\$?(true|false)$/i.test(v.trim())) return /true/i.test(v);
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  throw new RuleCompileError(`${name}: '${String(v)}' is not a Boolean; use $true or $false`, undefined, name);
}

/** Canonicalise parameter names and PowerShell-shaped values (single value → array, "$true" → true). */
function normalise(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(params)) {
    const lower = rawName.replace(/^-/, '').toLowerCase();
    if (COMMON.has(lower)) continue;
    const unsupported = UNSUPPORTED_LOWER.get(lower);
    if (unsupported) {
      throw new RuleCompileError(`${unsupported}: Postern doesn't support this parameter (it needs a directory, DLP, encryption or outbound routing)`, undefined, unsupported);
    }
    const name = KNOWN.get(lower);
    if (!name) throw new RuleCompileError(`A parameter cannot be found that matches parameter name '${rawName}'`, undefined, rawName);
    // $null clears a property (Set-TransportRule); for a multi-valued one so does an empty list,
    // which is what the shell binds $null and @() to.
    if (value === null || value === undefined || (ARRAY_PARAMS.has(name) && Array.isArray(value) && value.length === 0)) {
      out[name] = undefined;
      continue;
    }
    if (ARRAY_PARAMS.has(name)) out[name] = (Array.isArray(value) ? value : [value]).map((x) => (typeof x === 'string' ? x : String(x)));
    else if (BOOLEAN_PARAMS.has(name)) out[name] = toBoolean(name, value);
    else if (name === 'Priority' || name === 'SetSCL' || name === 'SCLOver' || name === 'ExceptIfSCLOver') {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isInteger(n)) throw new RuleCompileError(`${name}: '${String(value)}' is not a whole number`, undefined, name);
      out[name] = n;
    } else out[name] = value;
  }
  if ('Enabled' in out) {
    if (out.Enabled !== undefined) out.State = out.Enabled ? 'Enabled' : 'Disabled';
    delete out.Enabled;
  }
  return out;
}

function validate(rule: TransportRule): TransportRule {
  try {
    compileConditions(rule, false, new MatcherRegistry());
    compileConditions(rule, true, new MatcherRegistry());
  } catch (e) {
    if (e instanceof PatternError) {
      const r = rule as unknown as Record<string, unknown>;
      const parameter = Object.keys(r).find((k) => Array.isArray(r[k]) && (r[k] as string[]).includes(e.pattern));
      throw new RuleCompileError(`${parameter ?? 'Patterns'}: ${e.message}`, rule.Name, parameter);
    }
    throw e;
  }
  const size = ruleSize(rule);
  if (size > RULE_LIMITS.charactersPerRule) {
    throw new RuleCompileError(
      `The rule is ${size} characters: a rule's conditions, exceptions and actions can total at most 8 KB (${RULE_LIMITS.charactersPerRule} characters)`,
      rule.Name,
      undefined,
      'charactersPerRule',
    );
  }
  return rule;
}

export interface BuildOptions {
  /** Identity for a new rule (default: a random UUID). */
  guid?: string;
  /** Priority when the parameters have none: the shell passes the current rule count (last). */
  defaultPriority?: number;
}

/**
 * New-TransportRule: a validated rule from bound parameters (Exchange names, any case).
 * Priority placement among existing rules is the caller's, with insertRule().
 */
export function buildRule(params: Record<string, unknown>, options: BuildOptions = {}): TransportRule {
  const p = normalise(params);
  if (p.Name === undefined) throw new RuleCompileError('Name: the Name parameter is required', undefined, 'Name');
  const input = {
    Guid: options.guid ?? globalThis.crypto.randomUUID(),
    Priority: options.defaultPriority ?? 0,
    ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
  };
  return validate(parseRule(input));
}

/** Set-TransportRule: the rule with parameters changed; `$null` clears a condition, exception or action. */
export function updateRule(rule: TransportRule, params: Record<string, unknown>): TransportRule {
  const p = normalise(params);
  for (const fixed of ['Guid'] as const) {
    if (fixed in p) throw new RuleCompileError(`${fixed}: a rule's identity can't be changed`, rule.Name, fixed);
  }
  const merged: Record<string, unknown> = { ...rule, ...p };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return validate(parseRule(merged));
}
