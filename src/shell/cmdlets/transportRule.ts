// Get/New/Set/Remove/Enable/Disable-TransportRule, with every condition, exception (ExceptIf
// twin) and action of Exchange Online's New-TransportRule (reference §4), by their real names
// and types.
import { isRejectStatusCode } from '../../rules/model.js';
import type { ParameterDef } from '../registry.js';
import type { ExchangeCmdlet } from './common.js';
import type { TransportRuleObject } from '../../admin/types.js';
import {
  byteQuantifiedSizeType,
  dateTimeType,
  enumType,
  hashtableType,
  int32Type,
  ipRangeType,
  multiValuedType,
  stringType,
  unlimitedType,
  type ParamType,
} from '../types.js';
import { tagged, toStr } from '../values.js';
import { bool, getByIdentity, identityParam, noChangesWarning, patterns, recipientId, recipients, resolveEdits, str, words } from './common.js';

type Kind = 'condition' | 'action' | 'property';

interface RuleParam {
  name: string;
  kind: Kind;
  type: (edit: boolean) => ParamType;
  /** Accepted, stored, but has no effect in Exchange Online (Edge-only or on-premises). */
  noEffect?: boolean;
}

const e = (name: string, values: string[]) => () => enumType(name, values);
const b = () => bool();
const size = () => byteQuantifiedSizeType();
const scl = () => int32Type({ min: -1, max: 9, typeName: 'Microsoft.Exchange.Data.SclValue' });
const headerName = () => stringType({ typeName: 'Microsoft.Exchange.Data.HeaderName' });
const ipRanges = (edit: boolean) => multiValuedType(ipRangeType(), { edit, splitStrings: true, typeName: 'Microsoft.Exchange.Data.MultiValuedProperty' });
const dataClassifications = (edit: boolean) => multiValuedType(hashtableType(), { edit, typeName: 'System.Collections.Hashtable[]' });

const AD_ATTRIBUTES = [
  'DisplayName', 'FirstName', 'Initials', 'LastName', 'Office', 'PhoneNumber', 'OtherPhoneNumber', 'Email', 'Street', 'POBox', 'City',
  'State', 'ZipCode', 'Country', 'UserLogonName', 'HomePhoneNumber', 'OtherHomePhoneNumber', 'PagerNumber', 'MobileNumber', 'FaxNumber',
  'OtherFaxNumber', 'Notes', 'Title', 'Department', 'Company', 'Manager',
  ...Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`),
];

/** Conditions; each one also exists as ExceptIf<Name> with the same type. */
const CONDITIONS: RuleParam[] = [
  { name: 'From', kind: 'condition', type: recipients },
  { name: 'FromScope', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.FromUserScope', ['InOrganization', 'NotInOrganization']) },
  { name: 'FromMemberOf', kind: 'condition', type: recipients },
  { name: 'FromAddressContainsWords', kind: 'condition', type: words },
  { name: 'FromAddressMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'SenderDomainIs', kind: 'condition', type: words },
  { name: 'SenderIpRanges', kind: 'condition', type: ipRanges },
  { name: 'SenderADAttributeContainsWords', kind: 'condition', type: words },
  { name: 'SenderADAttributeMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'SenderInRecipientList', kind: 'condition', type: words },
  { name: 'SenderManagementRelationship', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.ManagementRelationship', ['Manager', 'DirectReport']) },
  { name: 'HasSenderOverride', kind: 'condition', type: b },
  { name: 'SentTo', kind: 'condition', type: recipients },
  { name: 'SentToScope', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.ToUserScope', ['InOrganization', 'NotInOrganization', 'ExternalPartner', 'ExternalNonPartner']) },
  { name: 'SentToMemberOf', kind: 'condition', type: recipients },
  { name: 'RecipientAddressContainsWords', kind: 'condition', type: words },
  { name: 'RecipientAddressMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'RecipientDomainIs', kind: 'condition', type: words },
  { name: 'RecipientADAttributeContainsWords', kind: 'condition', type: words },
  { name: 'RecipientADAttributeMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'RecipientInSenderList', kind: 'condition', type: words },
  { name: 'AnyOfToHeader', kind: 'condition', type: recipients },
  { name: 'AnyOfToHeaderMemberOf', kind: 'condition', type: recipients },
  { name: 'AnyOfCcHeader', kind: 'condition', type: recipients },
  { name: 'AnyOfCcHeaderMemberOf', kind: 'condition', type: recipients },
  { name: 'AnyOfToCcHeader', kind: 'condition', type: recipients },
  { name: 'AnyOfToCcHeaderMemberOf', kind: 'condition', type: recipients },
  { name: 'AnyOfRecipientAddressContainsWords', kind: 'condition', type: words },
  { name: 'AnyOfRecipientAddressMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'BetweenMemberOf1', kind: 'condition', type: recipients },
  { name: 'BetweenMemberOf2', kind: 'condition', type: recipients },
  { name: 'ManagerForEvaluatedUser', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.EvaluatedUser', ['Sender', 'Recipient']) },
  { name: 'ManagerAddresses', kind: 'condition', type: recipients },
  { name: 'ADComparisonAttribute', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.ADAttribute', AD_ATTRIBUTES) },
  { name: 'ADComparisonOperator', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.Evaluation', ['Equal', 'NotEqual']) },
  { name: 'SubjectContainsWords', kind: 'condition', type: words },
  { name: 'SubjectMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'SubjectOrBodyContainsWords', kind: 'condition', type: words },
  { name: 'SubjectOrBodyMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'HeaderContainsMessageHeader', kind: 'condition', type: headerName },
  { name: 'HeaderContainsWords', kind: 'condition', type: words },
  { name: 'HeaderMatchesMessageHeader', kind: 'condition', type: headerName },
  { name: 'HeaderMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'AttachmentContainsWords', kind: 'condition', type: words },
  { name: 'AttachmentMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'AttachmentNameMatchesPatterns', kind: 'condition', type: patterns },
  { name: 'AttachmentExtensionMatchesWords', kind: 'condition', type: words },
  { name: 'AttachmentPropertyContainsWords', kind: 'condition', type: words },
  { name: 'AttachmentSizeOver', kind: 'condition', type: size },
  { name: 'AttachmentIsUnsupported', kind: 'condition', type: b },
  { name: 'AttachmentProcessingLimitExceeded', kind: 'condition', type: b },
  { name: 'AttachmentHasExecutableContent', kind: 'condition', type: b },
  { name: 'AttachmentIsPasswordProtected', kind: 'condition', type: b },
  { name: 'MessageTypeMatches', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.MessageType', ['OOF', 'AutoForward', 'Encrypted', 'Calendaring', 'PermissionControlled', 'Voicemail', 'Signed', 'ApprovalRequest', 'ReadReceipt']) },
  { name: 'HasClassification', kind: 'condition', type: () => str() },
  { name: 'HasNoClassification', kind: 'condition', type: b },
  { name: 'WithImportance', kind: 'condition', type: e('Microsoft.Exchange.MessagingPolicies.Rules.Importance', ['Low', 'Normal', 'High']) },
  { name: 'MessageSizeOver', kind: 'condition', type: size },
  { name: 'SCLOver', kind: 'condition', type: scl },
  { name: 'ContentCharacterSetContainsWords', kind: 'condition', type: words },
  { name: 'MessageContainsDataClassifications', kind: 'condition', type: dataClassifications },
];

const ACTIONS: RuleParam[] = [
  { name: 'RejectMessageReasonText', kind: 'action', type: () => str(1024, 'Microsoft.Exchange.MessagingPolicies.Rules.RejectText') },
  { name: 'RejectMessageEnhancedStatusCode', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.MessagingPolicies.Rules.RejectEnhancedStatus') },
  { name: 'DeleteMessage', kind: 'action', type: b },
  { name: 'Quarantine', kind: 'action', type: b },
  { name: 'RedirectMessageTo', kind: 'action', type: recipients },
  { name: 'AddToRecipients', kind: 'action', type: recipients },
  { name: 'CopyTo', kind: 'action', type: recipients },
  { name: 'BlindCopyTo', kind: 'action', type: recipients },
  { name: 'AddManagerAsRecipientType', kind: 'action', type: e('Microsoft.Exchange.MessagingPolicies.Rules.AddedRecipientType', ['To', 'Cc', 'Bcc', 'Redirect']) },
  { name: 'ModerateMessageByUser', kind: 'action', type: recipients },
  { name: 'ModerateMessageByManager', kind: 'action', type: b },
  { name: 'PrependSubject', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.MessagingPolicies.Rules.SubjectPrefix') },
  { name: 'SetHeaderName', kind: 'action', type: headerName },
  { name: 'SetHeaderValue', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.Data.HeaderValue') },
  { name: 'RemoveHeader', kind: 'action', type: headerName },
  { name: 'SetSCL', kind: 'action', type: scl },
  { name: 'ApplyHtmlDisclaimerText', kind: 'action', type: () => str(5000, 'Microsoft.Exchange.MessagingPolicies.Rules.DisclaimerText') },
  { name: 'ApplyHtmlDisclaimerLocation', kind: 'action', type: e('Microsoft.Exchange.MessagingPolicies.Rules.DisclaimerLocation', ['Append', 'Prepend']) },
  { name: 'ApplyHtmlDisclaimerFallbackAction', kind: 'action', type: e('Microsoft.Exchange.MessagingPolicies.Rules.DisclaimerFallbackAction', ['Wrap', 'Ignore', 'Reject']) },
  { name: 'GenerateNotification', kind: 'action', type: () => str(5120, 'Microsoft.Exchange.MessagingPolicies.Rules.DisclaimerText') },
  { name: 'GenerateIncidentReport', kind: 'action', type: recipientId },
  { name: 'IncidentReportContent', kind: 'action', type: (edit) => multiValuedType(enumType('Microsoft.Exchange.MessagingPolicies.Rules.IncidentReportContent', ['Sender', 'Recipients', 'Subject', 'Cc', 'Bcc', 'Severity', 'Override', 'RuleDetections', 'FalsePositive', 'DataClassifications', 'IdMatch', 'AttachOriginalMail']), { edit, typeName: 'Microsoft.Exchange.MessagingPolicies.Rules.IncidentReportContent[]' }) },
  { name: 'NotifySender', kind: 'action', type: e('Microsoft.Exchange.MessagingPolicies.Rules.NotifySenderType', ['NotifyOnly', 'RejectMessage', 'RejectUnlessFalsePositiveOverride', 'RejectUnlessSilentOverride', 'RejectUnlessExplicitOverride']), noEffect: true },
  { name: 'ApplyClassification', kind: 'action', type: () => str() },
  { name: 'ApplyOME', kind: 'action', type: b, noEffect: true },
  { name: 'RemoveOME', kind: 'action', type: b, noEffect: true },
  { name: 'RemoveOMEv2', kind: 'action', type: b, noEffect: true },
  { name: 'RemoveRMSAttachmentEncryption', kind: 'action', type: b, noEffect: true },
  { name: 'ApplyRightsProtectionTemplate', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.Configuration.Tasks.RmsTemplateIdParameter'), noEffect: true },
  { name: 'ApplyRightsProtectionCustomizationTemplate', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.Configuration.Tasks.OMEConfigurationIdParameter'), noEffect: true },
  { name: 'RouteMessageOutboundConnector', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.Configuration.Tasks.OutboundConnectorIdParameter') },
  { name: 'RouteMessageOutboundRequireTls', kind: 'action', type: b },
  { name: 'StopRuleProcessing', kind: 'action', type: b },
  { name: 'Disconnect', kind: 'action', type: b, noEffect: true },
  { name: 'SmtpRejectMessageRejectStatusCode', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.MessagingPolicies.Rules.RejectStatusCode'), noEffect: true },
  { name: 'SmtpRejectMessageRejectText', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.MessagingPolicies.Rules.RejectText'), noEffect: true },
  { name: 'LogEventText', kind: 'action', type: () => str(undefined, 'Microsoft.Exchange.MessagingPolicies.Rules.EventLogText'), noEffect: true },
];

const PROPERTIES: RuleParam[] = [
  { name: 'Priority', kind: 'property', type: () => int32Type({ min: 0 }) },
  { name: 'Mode', kind: 'property', type: e('Microsoft.Exchange.MessagingPolicies.Rules.RuleMode', ['Audit', 'AuditAndNotify', 'Enforce']) },
  { name: 'Comments', kind: 'property', type: () => str(1024) },
  { name: 'ActivationDate', kind: 'property', type: () => dateTimeType() },
  { name: 'ExpiryDate', kind: 'property', type: () => dateTimeType() },
  { name: 'SenderAddressLocation', kind: 'property', type: e('Microsoft.Exchange.MessagingPolicies.Rules.SenderAddressLocation', ['Header', 'Envelope', 'HeaderOrEnvelope']) },
  { name: 'RecipientAddressType', kind: 'property', type: e('Microsoft.Exchange.MessagingPolicies.Rules.RecipientAddressType', ['Original', 'Resolved']) },
  { name: 'RuleErrorAction', kind: 'property', type: e('Microsoft.Exchange.MessagingPolicies.Rules.RuleErrorAction', ['Ignore', 'Defer']) },
  { name: 'SetAuditSeverity', kind: 'property', type: e('System.String', ['DoNotAudit', 'Low', 'Medium', 'High']) },
  { name: 'RuleSubType', kind: 'property', type: e('Microsoft.Exchange.MessagingPolicies.Rules.RuleSubType', ['None', 'Dlp']) },
  { name: 'UseLegacyRegex', kind: 'property', type: b },
  { name: 'DlpPolicy', kind: 'property', type: () => str() },
];

export interface TransportRulePropertyInfo {
  name: string;
  kind: Kind;
  /** For ExceptIf twins: the condition it mirrors. */
  exceptionOf?: string;
  noEffect?: boolean;
  typeName: string;
}

/** Every settable rule property by New-TransportRule parameter name (for the store and the rules engine). */
export const TRANSPORT_RULE_PROPERTIES: readonly TransportRulePropertyInfo[] = [
  ...CONDITIONS.map((c) => ({ name: c.name, kind: c.kind, typeName: c.type(false).typeName })),
  ...CONDITIONS.map((c) => ({ name: `ExceptIf${c.name}`, kind: 'condition' as Kind, exceptionOf: c.name, typeName: c.type(false).typeName })),
  ...ACTIONS.map((a) => ({ name: a.name, kind: a.kind, noEffect: a.noEffect, typeName: a.type(false).typeName })),
  ...PROPERTIES.map((p) => ({ name: p.name, kind: p.kind, typeName: p.type(false).typeName })),
];

const RULE_PARAM_NAMES = TRANSPORT_RULE_PROPERTIES.map((p) => p.name);

function ruleParameters(edit: boolean, fromPipeline: boolean): ParameterDef[] {
  const mk = (name: string, type: ParamType, noEffect?: boolean): ParameterDef => ({
    name,
    type,
    valueFromPipelineByPropertyName: fromPipeline,
    ignored: noEffect,
    description: /SenderIpRanges$/.test(name) ? IP_RANGES_HELP : undefined,
  });
  const fixStatus = (p: ParameterDef): ParameterDef => (p.name === 'RejectMessageEnhancedStatusCode' ? { ...p, validate: validateEnhancedStatus } : p);
  return [
    ...CONDITIONS.map((c) => mk(c.name, c.type(edit))),
    ...CONDITIONS.map((c) => mk(`ExceptIf${c.name}`, c.type(edit))),
    ...ACTIONS.map((a) => fixStatus(mk(a.name, a.type(edit), a.noEffect))),
    ...PROPERTIES.map((p) => mk(p.name, p.type(edit))),
  ];
}

/** Checked when bound, so check() reports it too; the rule as stored is validated by rules/model.ts, with the same test. */
function validateEnhancedStatus(v: unknown): string | undefined {
  if (isRejectStatusCode(String(v).trim())) return undefined;
  return `The value "${String(v)}" isn't a valid enhanced status code; use 5.7.1 or a code from 5.7.900 to 5.7.999.`;
}

const RULE_ID = 'Microsoft.Exchange.Configuration.Tasks.RuleIdParameter';

const IP_RANGES_HELP = 'IP addresses (192.168.1.1), ranges (192.168.0.1-192.168.0.254) or CIDR blocks (192.168.0.1/25), IPv4 or IPv6, as a list (a,b,c). Postern also accepts one quoted string holding several ranges separated by commas or spaces, as admins paste them.';

/** Readable name of a predicate for the Description: SubjectContainsWords → "subject contains words". */
function humanize(name: string): string {
  return name.replace(/^ExceptIf/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\bI P\b/, 'IP').toLowerCase();
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => `'${toStr(x)}'`).join(' or ');
  if (typeof v === 'boolean') return v ? '' : 'false';
  return `'${toStr(v)}'`;
}

/** An Exchange-like Description ("If the message: ... Take the following actions: ..."). */
export function describeRule(rule: Record<string, unknown>): string {
  const has = (n: string) => {
    const v = rule[n];
    return v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0);
  };
  const line = (n: string) => `\t${humanize(n)}${describeValue(rule[n]) ? ': ' + describeValue(rule[n]) : ''}`;
  const conds = CONDITIONS.map((c) => c.name).filter(has);
  const excs = CONDITIONS.map((c) => `ExceptIf${c.name}`).filter(has);
  const acts = ACTIONS.map((a) => a.name).filter(has);
  const parts = [`If the message:`, ...(conds.length ? conds.map(line) : ['\tApplies to all messages'])];
  parts.push('Take the following actions:', ...acts.map(line));
  if (excs.length) parts.push('Except if the message:', ...excs.map(line));
  return parts.join('\n');
}

/** Get-TransportRule output in Exchange's property order; every predicate appears, unset = empty. */
export function transportRuleOutput(rule: TransportRuleObject): Record<string, unknown> {
  const r = rule as Record<string, unknown>;
  const present = (n: string) => {
    const v = r[n];
    return v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0);
  };
  const out: Record<string, unknown> = {
    Priority: rule.Priority,
    Comments: rule.Comments ?? null,
    ManuallyModified: r.ManuallyModified ?? false,
    ActivationDate: r.ActivationDate ?? null,
    ExpiryDate: r.ExpiryDate ?? null,
    Description: r.Description ?? describeRule(r),
    RuleVersion: r.RuleVersion ?? '15.0.5.2',
    Conditions: CONDITIONS.map((c) => c.name).filter(present),
    Exceptions: CONDITIONS.map((c) => `ExceptIf${c.name}`).filter(present),
    Actions: ACTIONS.map((a) => a.name).filter(present),
    State: rule.State,
    Mode: rule.Mode ?? 'Enforce',
    RuleErrorAction: r.RuleErrorAction ?? 'Ignore',
    SenderAddressLocation: r.SenderAddressLocation ?? 'Header',
    RuleSubType: r.RuleSubType ?? 'None',
    UseLegacyRegex: r.UseLegacyRegex ?? false,
  };
  for (const p of TRANSPORT_RULE_PROPERTIES) {
    if (p.name in out || p.kind === 'property') continue;
    const v = r[p.name];
    out[p.name] = v === undefined ? (p.typeName.endsWith('[]') || p.typeName.includes('MultiValued') ? [] : p.typeName === 'System.Boolean' ? false : null) : v;
  }
  for (const p of ['RecipientAddressType', 'SetAuditSeverity', 'DlpPolicy']) out[p] = r[p] ?? null;
  out.Identity = rule.Identity;
  out.Name = rule.Name;
  out.Guid = rule.Guid ?? null;
  out.WhenChanged = rule.WhenChanged ?? null;
  for (const [k, v] of Object.entries(r)) if (!(k in out)) out[k] = v;
  return tagged(out, 'TransportRule');
}

/** A New-TransportRule request from bound values: unset, empty and $false predicates are dropped. */
function settingsFrom(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!RULE_PARAM_NAMES.includes(k)) continue;
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    const info = TRANSPORT_RULE_PROPERTIES.find((p) => p.name === k);
    if (v === false && info?.kind !== 'property') continue;
    out[k] = v;
  }
  return out;
}

export const transportRuleCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Get-TransportRule',
    synopsis: 'View transport rules (mail flow rules), in priority order.',
    outputType: 'TransportRule',
    parameters: [
      identityParam(RULE_ID),
      { name: 'State', type: enumType('Microsoft.Exchange.MessagingPolicies.Rules.RuleState', ['Enabled', 'Disabled']) },
      { name: 'DlpPolicy', type: str() },
      { name: 'ExcludeConditionActionDetails', type: bool() },
      { name: 'Filter', type: str(), ignored: true, description: 'OPATH filter (not supported by Postern; use Where-Object).' },
      { name: 'ResultSize', type: unlimitedType({ min: 1 }) },
    ],
    async run(ctx, params) {
      if (params.has('Filter')) ctx.writeWarning('Postern ignores -Filter on Get-TransportRule; pipe to Where-Object instead.');
      let rules = await getByIdentity(params.get<string>('Identity'), (id) => ctx.services.getTransportRules(id));
      if (params.has('State')) rules = rules.filter((r) => r.State === params.get('State'));
      if (params.has('DlpPolicy')) rules = rules.filter((r) => String(r.DlpPolicy ?? '').toLowerCase() === String(params.get('DlpPolicy')).toLowerCase());
      const size = params.get<number | null>('ResultSize');
      if (typeof size === 'number') rules = rules.slice(0, size);
      return rules.map(transportRuleOutput);
    },
  },
  {
    name: 'New-TransportRule',
    synopsis: 'Create a transport rule (mail flow rule).',
    supportsShouldProcess: true,
    outputType: 'TransportRule',
    parameters: [
      { name: 'Name', type: str(64), mandatory: true, position: 1, valueFromPipelineByPropertyName: true },
      { name: 'Enabled', type: bool(), valueFromPipelineByPropertyName: true },
      ...ruleParameters(false, true),
    ],
    async run(ctx, params) {
      const values = params.pick();
      const name = params.get<string>('Name') as string;
      for (const p of TRANSPORT_RULE_PROPERTIES) if (p.noEffect && params.has(p.name)) ctx.writeWarning(`The ${p.name} parameter has no effect in Exchange Online or Postern; it is stored but not applied.`);
      if (!(await ctx.shouldProcess(name, 'Creating transport rule'))) return;
      const rule = await ctx.services.newTransportRule({ ...settingsFrom(values), Name: name, Enabled: params.get<boolean>('Enabled') ?? true });
      return transportRuleOutput(rule);
    },
  },
  {
    name: 'Set-TransportRule',
    synopsis: 'Change a transport rule. Multi-valued conditions accept @{Add=...; Remove=...}.',
    supportsShouldProcess: true,
    parameters: [
      identityParam(RULE_ID, { mandatory: true }),
      { name: 'Name', type: str(64) },
      ...ruleParameters(true, false),
    ],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      const changes = params.pick(['Identity']);
      if (Object.keys(changes).length === 0) return ctx.writeWarning(noChangesWarning(identity));
      const current = (await ctx.services.getTransportRules(identity))[0];
      const resolved = resolveEdits(changes, current as Record<string, unknown> | undefined);
      if (!(await ctx.shouldProcess(identity, 'Changing transport rule'))) return;
      await ctx.services.setTransportRule(identity, resolved);
    },
  },
  {
    name: 'Remove-TransportRule',
    synopsis: 'Remove a transport rule.',
    supportsShouldProcess: true,
    confirmImpact: 'High',
    parameters: [identityParam(RULE_ID, { mandatory: true })],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!(await ctx.shouldProcess(identity, 'Removing transport rule'))) return;
      await ctx.services.removeTransportRule(identity);
    },
  },
  {
    name: 'Enable-TransportRule',
    synopsis: 'Enable a transport rule.',
    supportsShouldProcess: true,
    parameters: [identityParam(RULE_ID, { mandatory: true }), { name: 'Mode', type: enumType('Microsoft.Exchange.MessagingPolicies.Rules.RuleMode', ['Audit', 'AuditAndNotify', 'Enforce']) }],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!(await ctx.shouldProcess(identity, 'Enabling transport rule'))) return;
      await ctx.services.setTransportRuleState(identity, 'Enabled');
      if (params.has('Mode')) await ctx.services.setTransportRule(identity, { Mode: params.get('Mode') });
    },
  },
  {
    name: 'Disable-TransportRule',
    synopsis: 'Disable a transport rule.',
    supportsShouldProcess: true,
    parameters: [identityParam(RULE_ID, { mandatory: true })],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!(await ctx.shouldProcess(identity, 'Disabling transport rule'))) return;
      await ctx.services.setTransportRuleState(identity, 'Disabled');
    },
  },
];
