// The New-TransportRule parameters the rule form offers, with Exchange's names and value kinds.
// Every condition has its ExceptIf twin (the exception), as in Exchange.

export type ParameterKind = 'list' | 'text' | 'bool' | 'choice' | 'number';

export interface RuleParameter {
  name: string;
  label: string;
  kind: ParameterKind;
  choices?: readonly string[];
  hint?: string;
}

const SCOPES = ['', 'InOrganization', 'NotInOrganization'] as const;

export const CONDITIONS: readonly RuleParameter[] = [
  { name: 'SenderIpRanges', label: 'Sender IP address is in any of these ranges', kind: 'list', hint: 'One address or CIDR range per line' },
  { name: 'FromScope', label: 'The sender is located', kind: 'choice', choices: SCOPES },
  { name: 'SentToScope', label: 'The recipient is located', kind: 'choice', choices: [...SCOPES, 'ExternalPartner', 'ExternalNonPartner'] },
  { name: 'SenderDomainIs', label: 'The sender domain is', kind: 'list' },
  { name: 'FromAddressContainsWords', label: 'The sender address includes any of these words', kind: 'list' },
  { name: 'SubjectContainsWords', label: 'The subject includes any of these words', kind: 'list' },
  { name: 'HeaderContainsMessageHeader', label: 'This message header…', kind: 'text', hint: 'Used with the header words below' },
  { name: 'HeaderContainsWords', label: '…includes any of these words', kind: 'list' },
];

export const EXCEPTIONS: readonly RuleParameter[] = CONDITIONS.map((c) => ({ ...c, name: `ExceptIf${c.name}`, label: `Except if: ${c.label.charAt(0).toLowerCase()}${c.label.slice(1)}` }));

export const ACTIONS: readonly RuleParameter[] = [
  { name: 'Quarantine', label: 'Deliver the message to the hosted quarantine', kind: 'bool' },
  { name: 'RejectMessageReasonText', label: 'Reject the message with this explanation', kind: 'text' },
  { name: 'RejectMessageEnhancedStatusCode', label: 'Reject with this enhanced status code', kind: 'text', hint: 'e.g. 5.7.1 (5.7.1, 5.7.900–5.7.999)' },
  { name: 'SetSCL', label: 'Set the spam confidence level (SCL) to', kind: 'number', hint: '-1 (bypass spam filtering) to 9' },
  { name: 'PrependSubject', label: 'Prepend the subject with', kind: 'text' },
  { name: 'SetHeaderName', label: 'Set this message header…', kind: 'text' },
  { name: 'SetHeaderValue', label: '…to this value', kind: 'text' },
  { name: 'DeleteMessage', label: 'Delete the message without notifying anyone', kind: 'bool' },
  { name: 'StopRuleProcessing', label: 'Stop processing more rules', kind: 'bool' },
];

export const ALL_PARAMETERS: readonly RuleParameter[] = [...CONDITIONS, ...EXCEPTIONS, ...ACTIONS];

/**
 * Properties of a rule object that are not its conditions, exceptions or actions: identity and
 * state, the Conditions/Exceptions/Actions name lists, and settings Get-TransportRule shows on
 * every rule with their defaults.
 */
export const RULE_PROPERTIES = new Set([
  'Identity', 'Name', 'Guid', 'Priority', 'State', 'Mode', 'Comments', 'WhenChanged', 'WhenCreated', 'Description', 'RuleVersion', 'DistinguishedName', 'ImmutableId', 'Enabled',
  'OrganizationId', 'Organization', 'Conditions', 'Exceptions', 'Actions', 'RuleErrorAction', 'SenderAddressLocation', 'RuleSubType',
]);

/** A property shown with its default value on every rule (not something the admin set). */
export function isDefaultSetting(name: string, value: unknown): boolean {
  return name === 'SetAuditSeverity' && value === 'Low';
}

export type RuleValues = Record<string, string | boolean>;

/** The form's values → New-TransportRule parameters (empty fields are left out). */
export function ruleParameters(values: RuleValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of ALL_PARAMETERS) {
    const v = values[p.name];
    if (p.kind === 'bool') {
      if (v === true) out[p.name] = true;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (!text) continue;
    if (p.kind === 'list') out[p.name] = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
    else if (p.kind === 'number') out[p.name] = Number(text);
    else out[p.name] = text;
  }
  return out;
}
