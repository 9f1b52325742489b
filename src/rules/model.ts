// The transport-rule model: one flat object whose property names are New-TransportRule's
// parameter names (Microsoft Learn's New-TransportRule reference), so the shell binds parameters straight
// onto it and Get-TransportRule prints it back. Every condition X has an exception ExceptIfX
// with the same value type. Values are normalised here (addresses and domains lower-cased,
// sizes in bytes); regular expressions are checked when the rule set is compiled (compile.ts).
import { z } from 'zod';
import { parseIpRange } from '../message/ipAddress.js';

// ---------------------------------------------------------------------------------------------
// Value types

const noEdgeSpace = (s: string) => s === s.trim();

/** Word[]: whole words or phrases, case-insensitive; no leading/trailing spaces. */
export const Words = z
  .array(z.string().min(1, 'a word can\'t be empty').refine(noEdgeSpace, 'a word can\'t start or end with a space'))
  .min(1);

/** Pattern[]: regular expressions, case-insensitive, matching anywhere. Syntax is checked by compile. */
export const Patterns = z.array(z.string().min(1, 'a pattern can\'t be empty')).min(1);

/** Recipient/sender identities: SMTP addresses here (no directory), lower-cased. */
export const Addresses = z.array(z.string().min(1).transform((a) => a.trim().toLowerCase())).min(1);

const domainRe = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Domains (SenderDomainIs/RecipientDomainIs match subdomains too). */
export const Domains = z
  .array(
    z
      .string()
      .transform((d) => d.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, ''))
      .refine((d) => domainRe.test(d), 'not a domain name'),
  )
  .min(1);

/** IPAddressRanges: `192.168.1.1`, `192.168.0.1-192.168.0.254`, `192.168.0.1/25`, IPv6 likewise. */
export const IpRanges = z
  .array(
    z
      .string()
      .transform((r) => r.trim())
      .superRefine((r, ctx) => {
        const parsed = parseIpRange(r);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
      }),
  )
  .min(1);

const sizeUnits: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * Parse an Exchange ByteQuantifiedSize ("10 MB", "512KB", "1.5 GB", "2048", "10 MB (10,485,760 bytes)")
 * into bytes. Returns an error string when the text isn't a size.
 */
export function parseSize(value: string | number): number | string {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.floor(value) : 'a size can\'t be negative';
  }
  const text = value.trim();
  const withBytes = /\(([\d,]+) bytes\)$/i.exec(text);
  if (withBytes) return Number(withBytes[1].replace(/,/g, ''));
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i.exec(text);
  if (!m) return `'${value}' is not a size: use a number with B, KB, MB, GB or TB, e.g. "10 MB"`;
  return Math.floor(Number(m[1]) * sizeUnits[(m[2] ?? 'B').toUpperCase()]);
}

/** Format bytes the way Exchange shows a ByteQuantifiedSize: "10 MB (10,485,760 bytes)". */
export function formatSize(bytes: number): string {
  const units = ['TB', 'GB', 'MB', 'KB'] as const;
  let shown = `${bytes} B`;
  for (const u of units) {
    const n = bytes / sizeUnits[u];
    if (n >= 1) {
      shown = `${Number.isInteger(n) ? n : n.toFixed(1)} ${u}`;
      break;
    }
  }
  return `${shown} (${bytes.toLocaleString('en-US')} bytes)`;
}

/** Size: bytes after normalisation; accepts numbers or strings with B/KB/MB/GB/TB. */
export const Size = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (typeof bytes === 'string') {
    ctx.addIssue({ code: 'custom', message: bytes });
    return z.NEVER;
  }
  return bytes;
});

export const UserScope = z.enum(['InOrganization', 'NotInOrganization']);
export type UserScope = z.infer<typeof UserScope>;
export const Importance = z.enum(['Low', 'Normal', 'High']);
export const MessageType = z.enum([
  'OOF', 'AutoForward', 'Encrypted', 'Calendaring', 'PermissionControlled', 'Voicemail', 'Signed', 'ApprovalRequest', 'ReadReceipt',
]);
export type MessageType = z.infer<typeof MessageType>;
export const SclValue = z.coerce.number().int().min(-1, 'SCL is -1 or 0..9').max(9, 'SCL is -1 or 0..9');
const HeaderName = z
  .string()
  .min(1)
  .refine((n) => /^[\x21-\x39\x3b-\x7e]+$/.test(n), 'a header name is printable ASCII without spaces or colons');

// ---------------------------------------------------------------------------------------------
// Conditions (each also as ExceptIf…)

export const conditionShape = {
  From: Addresses.optional(),
  FromScope: UserScope.optional(),
  FromAddressContainsWords: Words.optional(),
  FromAddressMatchesPatterns: Patterns.optional(),
  SenderDomainIs: Domains.optional(),
  SenderIpRanges: IpRanges.optional(),
  SentTo: Addresses.optional(),
  SentToScope: UserScope.optional(),
  RecipientAddressContainsWords: Words.optional(),
  RecipientAddressMatchesPatterns: Patterns.optional(),
  RecipientDomainIs: Domains.optional(),
  AnyOfToHeader: Addresses.optional(),
  AnyOfCcHeader: Addresses.optional(),
  AnyOfToCcHeader: Addresses.optional(),
  AnyOfRecipientAddressContainsWords: Words.optional(),
  AnyOfRecipientAddressMatchesPatterns: Patterns.optional(),
  SubjectContainsWords: Words.optional(),
  SubjectMatchesPatterns: Patterns.optional(),
  SubjectOrBodyContainsWords: Words.optional(),
  SubjectOrBodyMatchesPatterns: Patterns.optional(),
  HeaderContainsMessageHeader: HeaderName.optional(),
  HeaderContainsWords: Words.optional(),
  HeaderMatchesMessageHeader: HeaderName.optional(),
  HeaderMatchesPatterns: Patterns.optional(),
  AttachmentNameMatchesPatterns: Patterns.optional(),
  AttachmentExtensionMatchesWords: Words.optional(),
  AttachmentContainsWords: Words.optional(),
  AttachmentMatchesPatterns: Patterns.optional(),
  AttachmentSizeOver: Size.optional(),
  AttachmentHasExecutableContent: z.boolean().optional(),
  AttachmentIsPasswordProtected: z.boolean().optional(),
  AttachmentIsUnsupported: z.boolean().optional(),
  AttachmentProcessingLimitExceeded: z.boolean().optional(),
  MessageSizeOver: Size.optional(),
  MessageTypeMatches: MessageType.optional(),
  WithImportance: Importance.optional(),
  SCLOver: SclValue.optional(),
  HasNoClassification: z.boolean().optional(),
  HasClassification: z.string().min(1).optional(),
};

export type ConditionName = keyof typeof conditionShape;
export const CONDITION_NAMES = Object.keys(conditionShape) as ConditionName[];

type ExceptShape = { [K in ConditionName as `ExceptIf${K}`]: (typeof conditionShape)[K] };
const exceptShape = Object.fromEntries(
  Object.entries(conditionShape).map(([k, v]) => [`ExceptIf${k}`, v]),
) as unknown as ExceptShape;

// ---------------------------------------------------------------------------------------------
// Actions

export const IncidentReportContentValue = z.enum([
  'Sender', 'Recipients', 'Subject', 'CC', 'BCC', 'Severity', 'Override', 'RuleDetections', 'FalsePositive',
  'DataClassifications', 'IdMatch', 'AttachOriginalMail',
]);

/** The enhanced status codes a rule may reject with (Exchange: 5.7.1, or 5.7.900 to 5.7.999). */
export function isRejectStatusCode(code: string): boolean {
  return code === '5.7.1' || /^5\.7\.9\d\d$/.test(code);
}

export const actionShape = {
  Quarantine: z.boolean().optional(),
  DeleteMessage: z.boolean().optional(),
  RejectMessageReasonText: z.string().min(1).max(1024, 'RejectMessageReasonText is at most 1024 characters').optional(),
  RejectMessageEnhancedStatusCode: z
    .string()
    .refine(isRejectStatusCode, 'RejectMessageEnhancedStatusCode is 5.7.1 or 5.7.900 to 5.7.999')
    .optional(),
  RedirectMessageTo: Addresses.max(10, 'RedirectMessageTo takes at most 10 recipients').optional(),
  AddToRecipients: Addresses.optional(),
  CopyTo: Addresses.optional(),
  BlindCopyTo: Addresses.optional(),
  PrependSubject: z.string().min(1).optional(),
  SetHeaderName: HeaderName.optional(),
  SetHeaderValue: z.string().optional(),
  RemoveHeader: HeaderName.optional(),
  SetSCL: SclValue.optional(),
  ApplyHtmlDisclaimerText: z.string().min(1).max(5000, 'ApplyHtmlDisclaimerText is at most 5000 characters').optional(),
  ApplyHtmlDisclaimerLocation: z.enum(['Append', 'Prepend']).optional(),
  ApplyHtmlDisclaimerFallbackAction: z.enum(['Wrap', 'Ignore', 'Reject']).optional(),
  GenerateIncidentReport: z.string().min(1).transform((a) => a.trim().toLowerCase()).optional(),
  IncidentReportContent: z.array(IncidentReportContentValue).optional(),
  GenerateNotification: z.string().min(1).max(5120, 'GenerateNotification is at most 5120 characters').optional(),
  StopRuleProcessing: z.boolean().default(false),
};
export type ActionName = keyof typeof actionShape;
export const ACTION_NAMES = Object.keys(actionShape) as ActionName[];

// ---------------------------------------------------------------------------------------------
// Rule

export const RuleMode = z.enum(['Enforce', 'Audit', 'AuditAndNotify']);
export type RuleMode = z.infer<typeof RuleMode>;
export const RuleState = z.enum(['Enabled', 'Disabled']);
export const SenderAddressLocation = z.enum(['Header', 'Envelope', 'HeaderOrEnvelope']);
export type SenderAddressLocation = z.infer<typeof SenderAddressLocation>;
export const RuleErrorAction = z.enum(['Ignore', 'Defer']);
export const AuditSeverity = z.enum(['DoNotAudit', 'Low', 'Medium', 'High']);

/**
 * Parameters Exchange takes only together (a header condition needs the header's name and the
 * words or patterns; SetHeaderName needs SetHeaderValue). This is the one place that says so:
 * New- and Set-TransportRule, the shell and the configuration import all validate through here.
 * Set-TransportRule checks the rule as it would be after the change, so clearing one half
 * (`-HeaderContainsWords $null`) while the other stays is refused too.
 */
export const PARAMETER_PAIRS: readonly (readonly [string, string])[] = [
  ['HeaderContainsMessageHeader', 'HeaderContainsWords'],
  ['HeaderMatchesMessageHeader', 'HeaderMatchesPatterns'],
  ['ExceptIfHeaderContainsMessageHeader', 'ExceptIfHeaderContainsWords'],
  ['ExceptIfHeaderMatchesMessageHeader', 'ExceptIfHeaderMatchesPatterns'],
  ['SetHeaderName', 'SetHeaderValue'],
];

export const TransportRule = z
  .object({
    Name: z.string().trim().min(1, 'Name is required').max(64, 'Name is at most 64 characters'),
    Guid: z.guid('Guid must be a GUID (8-4-4-4-12 hexadecimal digits)'),
    Priority: z.number().int().min(0),
    Mode: RuleMode.default('Enforce'),
    State: RuleState.default('Enabled'),
    ActivationDate: z.coerce.date({ error: 'not a date/time: use e.g. "2026-06-01 08:00" or "06/01/2026 8:00 AM"' }).optional(),
    ExpiryDate: z.coerce.date({ error: 'not a date/time: use e.g. "2026-06-01 08:00" or "06/01/2026 8:00 AM"' }).optional(),
    SenderAddressLocation: SenderAddressLocation.default('Header'),
    RuleErrorAction: RuleErrorAction.default('Ignore'),
    SetAuditSeverity: AuditSeverity.default('Low'),
    Comments: z.string().max(1024, 'Comments is at most 1024 characters').optional(),
    ...conditionShape,
    ...exceptShape,
    ...actionShape,
  })
  .superRefine((rule, ctx) => {
    const r = rule as Record<string, unknown>;
    for (const [a, b] of PARAMETER_PAIRS) {
      if ((r[a] === undefined) !== (r[b] === undefined)) {
        const [given, missing] = r[a] === undefined ? [b, a] : [a, b];
        ctx.addIssue({ code: 'custom', path: [missing], message: `the parameter -${given} must be used together with -${missing}` });
      }
    }
    const terminal = ['Quarantine', 'DeleteMessage', 'RedirectMessageTo'].filter((k) => r[k] !== undefined && r[k] !== false);
    if (r.RejectMessageReasonText !== undefined || r.RejectMessageEnhancedStatusCode !== undefined) terminal.push('RejectMessage');
    if (terminal.length > 1) {
      ctx.addIssue({ code: 'custom', path: [terminal[1]], message: `${terminal.join(' and ')} can't be used in the same rule` });
    }
    if (rule.ActivationDate && rule.ExpiryDate && rule.ExpiryDate <= rule.ActivationDate) {
      ctx.addIssue({ code: 'custom', path: ['ExpiryDate'], message: 'ExpiryDate must be later than ActivationDate' });
    }
    for (const k of ['ApplyHtmlDisclaimerLocation', 'ApplyHtmlDisclaimerFallbackAction']) {
      if (r[k] !== undefined && r.ApplyHtmlDisclaimerText === undefined) {
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} needs ApplyHtmlDisclaimerText` });
      }
    }
    if (r.IncidentReportContent !== undefined && r.GenerateIncidentReport === undefined) {
      ctx.addIssue({ code: 'custom', path: ['IncidentReportContent'], message: 'IncidentReportContent needs GenerateIncidentReport' });
    }
  });

export type TransportRule = z.output<typeof TransportRule>;
export type TransportRuleInput = z.input<typeof TransportRule>;

/** The action parameters a rule carries, by Exchange name, in the order they're applied. */
export function ruleActions(rule: TransportRule): string[] {
  const a: string[] = [];
  if (rule.SetSCL !== undefined) a.push('SetSCL');
  if (rule.PrependSubject !== undefined) a.push('PrependSubject');
  if (rule.RemoveHeader !== undefined) a.push('RemoveHeader');
  if (rule.SetHeaderName !== undefined) a.push('SetHeader');
  if (rule.AddToRecipients) a.push('AddToRecipients');
  if (rule.CopyTo) a.push('CopyTo');
  if (rule.BlindCopyTo) a.push('BlindCopyTo');
  if (rule.ApplyHtmlDisclaimerText !== undefined) a.push('ApplyHtmlDisclaimerText');
  if (rule.GenerateIncidentReport !== undefined) a.push('GenerateIncidentReport');
  if (rule.GenerateNotification !== undefined) a.push('GenerateNotification');
  if (rule.RedirectMessageTo) a.push('RedirectMessageTo');
  if (rule.RejectMessageReasonText !== undefined || rule.RejectMessageEnhancedStatusCode !== undefined) a.push('RejectMessage');
  if (rule.Quarantine) a.push('Quarantine');
  if (rule.DeleteMessage) a.push('DeleteMessage');
  if (rule.StopRuleProcessing) a.push('StopRuleProcessing');
  return a;
}

// ---------------------------------------------------------------------------------------------
// Limits (Exchange Online service description, reference §4.6)

export const RULE_LIMITS = {
  rulesPerOrganization: 300,
  charactersPerRule: 8 * 1024,
  regexCharactersPerOrganization: 20 * 1024,
  recipientsAddedPerMessage: 100,
  recipientsPerRedirect: 10,
} as const;

const PATTERN_PARAMS = new Set(
  CONDITION_NAMES.filter((n) => n.endsWith('Patterns')).flatMap((n) => [n, `ExceptIf${n}`]),
);
const RULE_PROPERTY_PARAMS = new Set([
  'Name', 'Guid', 'Priority', 'Mode', 'State', 'ActivationDate', 'ExpiryDate', 'SenderAddressLocation', 'RuleErrorAction',
  'SetAuditSeverity', 'Comments',
]);

function valueChars(v: unknown): number {
  if (v === undefined || v === null || v === false) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueChars(x), 0);
  return String(v).length;
}

/** Characters a rule's conditions, exceptions and actions take (the 8 KB per-rule limit). */
export function ruleSize(rule: TransportRule): number {
  let n = 0;
  for (const [k, v] of Object.entries(rule)) if (!RULE_PROPERTY_PARAMS.has(k)) n += valueChars(v);
  return n;
}

/** Characters of regular-expression text in a rule (counted against 20 KB per organization). */
export function regexSize(rule: TransportRule): number {
  let n = 0;
  for (const [k, v] of Object.entries(rule)) if (PATTERN_PARAMS.has(k)) n += valueChars(v);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Priorities: 0 first, unique, contiguous 0..N-1 (Exchange renumbers on insert and remove).

/** Sort by priority (ties keep array order) and renumber 0..N-1. */
export function normalizePriorities<T extends { Priority: number }>(rules: readonly T[]): T[] {
  return rules
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.Priority - b.r.Priority || a.i - b.i)
    .map(({ r }, p) => (r.Priority === p ? r : { ...r, Priority: p }));
}

/**
 * Insert a rule as New-TransportRule does: at `priority` (default: last, N), shifting the rule
 * holding that priority and every later one down by one. Priority must be 0..N.
 */
export function insertRule<T extends { Priority: number }>(rules: readonly T[], rule: T, priority?: number): T[] {
  const ordered = normalizePriorities(rules);
  const at = priority ?? ordered.length;
  if (!Number.isInteger(at) || at < 0 || at > ordered.length) {
    throw new RangeError(`Priority must be between 0 and ${ordered.length} for a new rule (there are ${ordered.length} rules)`);
  }
  ordered.splice(at, 0, rule);
  return ordered.map((r, p) => (r.Priority === p ? r : { ...r, Priority: p }));
}

/** Move one rule (Set-TransportRule -Priority): others shift to keep 0..N-1 contiguous. Priority must be 0..N-1. */
export function moveRule<T extends { Priority: number; Guid: string }>(rules: readonly T[], guid: string, priority: number): T[] {
  const ordered = normalizePriorities(rules);
  const from = ordered.findIndex((r) => r.Guid === guid);
  if (from < 0) throw new RangeError(`No rule with Guid ${guid}`);
  if (!Number.isInteger(priority) || priority < 0 || priority >= ordered.length) {
    throw new RangeError(`Priority must be between 0 and ${ordered.length - 1}`);
  }
  const [rule] = ordered.splice(from, 1);
  ordered.splice(priority, 0, rule);
  return ordered.map((r, p) => (r.Priority === p ? r : { ...r, Priority: p }));
}

/** Remove one rule (Remove-TransportRule); later rules move up. */
export function removeRule<T extends { Priority: number; Guid: string }>(rules: readonly T[], guid: string): T[] {
  return normalizePriorities(rules.filter((r) => r.Guid !== guid));
}
