// Conditions (and, with identical syntax, ExceptIf exceptions) compiled into tests over a
// MessageView. Values within one condition are ORed: a test returns the first value that
// matched, and what it matched, or null. Semantics follow Microsoft Learn's
// "Mail flow rule conditions and exceptions (predicates) in Exchange Online".
import { IpRangeSet } from './ipRanges.js';
import type { FieldName, MatcherRegistry, TextMatcher } from './matchers.js';
import type { ConditionName, MessageType, SenderAddressLocation, TransportRule, UserScope } from './model.js';
import type { Hit } from './input.js';
import type { MessageView } from './view.js';

export type Test = (view: MessageView) => Hit | null;

export interface CompiledCondition {
  /** The Exchange parameter, e.g. `SubjectContainsWords` or `ExceptIfSenderIpRanges`. */
  parameter: string;
  test: Test;
  needsBody: boolean;
  needsAttachments: boolean;
  /** A recipient condition: its truth can differ between the message's recipients. */
  perRecipient: boolean;
  /** For word/pattern conditions: the matchers it ORs (compile uses them to gate rules). */
  matchers?: TextMatcher[];
}

interface Ctx {
  registry: MatcherRegistry;
  location: SenderAddressLocation;
}

function senderFields(location: SenderAddressLocation): FieldName[] {
  return location === 'Header' ? ['from'] : location === 'Envelope' ? ['mailFrom'] : ['from', 'mailFrom'];
}

function addressIn(set: ReadonlySet<string>, addresses: readonly string[]): Hit | null {
  for (const a of addresses) if (set.has(a)) return { value: a, on: a };
  return null;
}

/** SenderDomainIs/RecipientDomainIs: the domain or any subdomain of it. `dotted` = '.' + domain, precomputed. */
function domainHit(view: MessageView, domains: readonly string[], dotted: readonly string[], addresses: readonly string[]): Hit | null {
  for (const a of addresses) {
    const d = view.domain(a);
    if (!d) continue;
    for (let i = 0; i < domains.length; i++) if (d === domains[i] || d.endsWith(dotted[i])) return { value: domains[i], on: a };
  }
  return null;
}

function texts(ctx: Ctx, fields: FieldName[], kind: 'word' | 'pattern', values: readonly string[]): TextMatcher[] {
  const out: TextMatcher[] = [];
  for (const v of values) for (const f of fields) out.push(kind === 'word' ? ctx.registry.word(f, v) : ctx.registry.pattern(f, v));
  return out;
}

type TextTest = Test & { matchers?: TextMatcher[] };

function textTest(list: TextMatcher[]): Test {
  const test: TextTest = (view) => view.firstHit(list);
  test.matchers = list;
  return test;
}

/** The message types Postern can recognise from the top-level headers and attachment types. */
export function messageTypes(view: MessageView): Set<MessageType> {
  const types = new Set<MessageType>();
  const one = (n: string) => (view.raw(n)[0] ?? '').toLowerCase();
  const ct = one('content-type');
  const cls = one('content-class');
  const auto = one('auto-submitted');
  if (auto.startsWith('auto-replied') || view.raw('x-autoreply').length || view.raw('x-autorespond').length) types.add('OOF');
  if (auto.startsWith('auto-forwarded') || one('x-ms-exchange-organization-autoforwarded') === 'true') types.add('AutoForward');
  if (ct.startsWith('multipart/encrypted') || (ct.includes('pkcs7-mime') && !ct.includes('signed-data'))) types.add('Encrypted');
  if (ct.startsWith('multipart/signed') || (ct.includes('pkcs7-mime') && ct.includes('signed-data'))) types.add('Signed');
  if (ct.startsWith('text/calendar') || cls.includes('calendarmessage') || view.attachments.some((a) => a.contentType.toLowerCase().startsWith('text/calendar'))) {
    types.add('Calendaring');
  }
  if (cls.includes('rpmsg') || view.attachments.some((a) => /\.rpmsg$/i.test(a.name))) types.add('PermissionControlled');
  if (cls.startsWith('voice') || view.raw('x-ms-exchange-um-partnercontent').length) types.add('Voicemail');
  if (view.raw('x-ms-exchange-organization-approval-requested').length || cls.includes('approvalrequest')) types.add('ApprovalRequest');
  if (ct.startsWith('multipart/report') && ct.includes('disposition-notification')) types.add('ReadReceipt');
  return types;
}

/** Importance header, or X-Priority (1–2 High, 4–5 Low); Normal when neither says otherwise. */
export function importanceOf(view: MessageView): 'Low' | 'Normal' | 'High' {
  const imp = (view.raw('importance')[0] ?? '').trim().toLowerCase();
  if (imp === 'high' || imp === 'low' || imp === 'normal') return (imp[0].toUpperCase() + imp.slice(1)) as 'Low' | 'Normal' | 'High';
  const prio = /^\s*(\d)/.exec(view.raw('x-priority')[0] ?? '')?.[1];
  if (prio === '1' || prio === '2') return 'High';
  if (prio === '4' || prio === '5') return 'Low';
  return 'Normal';
}

const CLASSIFICATION_HEADER = 'x-ms-exchange-organization-classification';

/** Is the sender in the organization? Needs an authenticated (Internal) source AND an accepted-domain address. */
function senderInOrganization(view: MessageView): { inOrg: boolean; address: string } {
  const address = view.fromAddresses[0] ?? view.mailFrom;
  return { inOrg: view.input.authAs === 'Internal' && view.inOrgDomain(address), address };
}

function scopeTest(scope: UserScope, sender: boolean): Test {
  if (sender) {
    return (view) => {
      const { inOrg, address } = senderInOrganization(view);
      return inOrg === (scope === 'InOrganization') ? { value: scope, on: address || '<>' } : null;
    };
  }
  return (view) => {
    for (const r of view.recipients) if (view.inOrgDomain(r) === (scope === 'InOrganization')) return { value: scope, on: r };
    return null;
  };
}

/** What each group of conditions is compiled with: the rule's values by name and where to add a condition. */
interface ConditionBuilder {
  ctx: Ctx;
  get: <T>(name: ConditionName) => T | undefined;
  add: (name: ConditionName, test: Test, needs?: { body?: boolean; attachments?: boolean; perRecipient?: boolean }) => void;
  att: { attachments: boolean };
  rcpt: { perRecipient: boolean };
}

/**
 * Compile the conditions (except = false) or exceptions (except = true) of one rule. Paired
 * parameters (HeaderContainsMessageHeader + HeaderContainsWords) become one condition.
 */
export function compileConditions(rule: TransportRule, except: boolean, registry: MatcherRegistry): CompiledCondition[] {
  const ctx: Ctx = { registry, location: rule.SenderAddressLocation };
  const prefix = except ? 'ExceptIf' : '';
  const r = rule as unknown as Record<string, unknown>;
  const out: CompiledCondition[] = [];
  const add = (name: ConditionName, test: Test, needs: { body?: boolean; attachments?: boolean; perRecipient?: boolean } = {}) =>
    out.push({
      parameter: prefix + name,
      test,
      needsBody: needs.body ?? false,
      needsAttachments: needs.attachments ?? false,
      perRecipient: needs.perRecipient ?? false,
      matchers: (test as TextTest).matchers,
    });
  const get = <T>(name: ConditionName) => r[prefix + name] as T | undefined;
  const b: ConditionBuilder = { ctx, get, add, att: { attachments: true }, rcpt: { perRecipient: true } };
  addressConditions(b);
  textConditions(b);
  attachmentConditions(b);
  messageConditions(b);
  return out;
}

/** Sender, recipient and To/Cc header conditions. */
function addressConditions(b: ConditionBuilder): void {
  const { ctx, get, add, rcpt } = b;
  const from = get<string[]>('From');
  if (from) {
    const set = new Set(from);
    add('From', (v) => addressIn(set, v.senderAddresses(ctx.location)));
  }
  const fromScope = get<UserScope>('FromScope');
  if (fromScope) add('FromScope', scopeTest(fromScope, true));
  const faw = get<string[]>('FromAddressContainsWords');
  if (faw) add('FromAddressContainsWords', textTest(texts(ctx, senderFields(ctx.location), 'word', faw)));
  const fap = get<string[]>('FromAddressMatchesPatterns');
  if (fap) add('FromAddressMatchesPatterns', textTest(texts(ctx, senderFields(ctx.location), 'pattern', fap)));
  const sdi = get<string[]>('SenderDomainIs');
  if (sdi) {
    const dotted = sdi.map((d) => `.${d}`);
    add('SenderDomainIs', (v) => domainHit(v, sdi, dotted, v.senderAddresses(ctx.location)));
  }
  const ips = get<string[]>('SenderIpRanges');
  if (ips) {
    const set = new IpRangeSet(ips);
    add('SenderIpRanges', (v) => (set.has(v.clientIp) ? { value: set.which(v.clientIp) ?? '', on: v.input.facts.client.ip } : null));
  }

  const sentTo = get<string[]>('SentTo');
  if (sentTo) {
    const set = new Set(sentTo);
    add('SentTo', (v) => addressIn(set, v.recipients), rcpt);
  }
  const sentToScope = get<UserScope>('SentToScope');
  if (sentToScope) add('SentToScope', scopeTest(sentToScope, false), rcpt);
  // Recipient… conditions decide per recipient (evaluatePerRecipient forks the message as
  // Exchange does); AnyOfRecipient… conditions look at every recipient of the message.
  const rcw = get<string[]>('RecipientAddressContainsWords');
  if (rcw) add('RecipientAddressContainsWords', textTest(texts(ctx, ['recipient'], 'word', rcw)), rcpt);
  const rcp = get<string[]>('RecipientAddressMatchesPatterns');
  if (rcp) add('RecipientAddressMatchesPatterns', textTest(texts(ctx, ['recipient'], 'pattern', rcp)), rcpt);
  const arw = get<string[]>('AnyOfRecipientAddressContainsWords');
  if (arw) add('AnyOfRecipientAddressContainsWords', textTest(texts(ctx, ['anyRecipient'], 'word', arw)));
  const arp = get<string[]>('AnyOfRecipientAddressMatchesPatterns');
  if (arp) add('AnyOfRecipientAddressMatchesPatterns', textTest(texts(ctx, ['anyRecipient'], 'pattern', arp)));
  const rdi = get<string[]>('RecipientDomainIs');
  if (rdi) {
    const dotted = rdi.map((d) => `.${d}`);
    add('RecipientDomainIs', (v) => domainHit(v, rdi, dotted, v.recipients), rcpt);
  }

  const toH = get<string[]>('AnyOfToHeader');
  if (toH) {
    const set = new Set(toH);
    add('AnyOfToHeader', (v) => addressIn(set, v.toAddresses));
  }
  const ccH = get<string[]>('AnyOfCcHeader');
  if (ccH) {
    const set = new Set(ccH);
    add('AnyOfCcHeader', (v) => addressIn(set, v.ccAddresses));
  }
  const toCcH = get<string[]>('AnyOfToCcHeader');
  if (toCcH) {
    const set = new Set(toCcH);
    add('AnyOfToCcHeader', (v) => addressIn(set, v.toAddresses) ?? addressIn(set, v.ccAddresses));
  }
}

/** Subject, body and header text conditions. */
function textConditions(b: ConditionBuilder): void {
  const { ctx, get, add } = b;
  const scw = get<string[]>('SubjectContainsWords');
  if (scw) add('SubjectContainsWords', textTest(texts(ctx, ['subject'], 'word', scw)));
  const smp = get<string[]>('SubjectMatchesPatterns');
  if (smp) add('SubjectMatchesPatterns', textTest(texts(ctx, ['subject'], 'pattern', smp)));
  const sbw = get<string[]>('SubjectOrBodyContainsWords');
  if (sbw) add('SubjectOrBodyContainsWords', textTest(texts(ctx, ['subjectOrBody'], 'word', sbw)), { body: true });
  const sbp = get<string[]>('SubjectOrBodyMatchesPatterns');
  if (sbp) add('SubjectOrBodyMatchesPatterns', textTest(texts(ctx, ['subjectOrBody'], 'pattern', sbp)), { body: true });

  const hcName = get<string>('HeaderContainsMessageHeader');
  const hcWords = get<string[]>('HeaderContainsWords');
  if (hcName && hcWords) {
    add('HeaderContainsMessageHeader', textTest(texts(ctx, [`header:${hcName.toLowerCase()}`], 'word', hcWords)));
  }
  const hmName = get<string>('HeaderMatchesMessageHeader');
  const hmPatterns = get<string[]>('HeaderMatchesPatterns');
  if (hmName && hmPatterns) {
    add('HeaderMatchesMessageHeader', textTest(texts(ctx, [`header:${hmName.toLowerCase()}`], 'pattern', hmPatterns)));
  }
}

/** Attachment conditions (they need the message's content). */
function attachmentConditions(b: ConditionBuilder): void {
  const { ctx, get, add, att } = b;
  const anp = get<string[]>('AttachmentNameMatchesPatterns');
  if (anp) add('AttachmentNameMatchesPatterns', textTest(texts(ctx, ['attachmentName'], 'pattern', anp)), att);
  const aew = get<string[]>('AttachmentExtensionMatchesWords');
  if (aew) {
    const exts = new Map(aew.map((w) => [w.replace(/^\*?\./, '').toLowerCase(), w]));
    add(
      'AttachmentExtensionMatchesWords',
      (v) => {
        for (const a of v.attachments) {
          const dot = a.name.lastIndexOf('.');
          const value = dot >= 0 ? exts.get(a.name.slice(dot + 1).toLowerCase()) : undefined;
          if (value !== undefined) return { value, on: a.name };
        }
        return null;
      },
      att,
    );
  }
  const acw = get<string[]>('AttachmentContainsWords');
  if (acw) add('AttachmentContainsWords', textTest(texts(ctx, ['attachmentText'], 'word', acw)), att);
  const amp = get<string[]>('AttachmentMatchesPatterns');
  if (amp) add('AttachmentMatchesPatterns', textTest(texts(ctx, ['attachmentText'], 'pattern', amp)), att);
  const aso = get<number>('AttachmentSizeOver');
  if (aso !== undefined) {
    add(
      'AttachmentSizeOver',
      (v) => {
        const a = v.attachments.find((x) => x.size >= aso);
        return a ? { value: `${aso} bytes`, on: `${a.name} (${a.size} bytes)` } : null;
      },
      att,
    );
  }
  const flags = [
    ['AttachmentHasExecutableContent', 'isExecutable'],
    ['AttachmentIsPasswordProtected', 'isPasswordProtected'],
    ['AttachmentIsUnsupported', 'isUnsupported'],
  ] as const;
  for (const [name, key] of flags) {
    if (get<boolean>(name) === true) {
      add(
        name,
        (v) => {
          const a = v.attachments.find((x) => x[key]);
          return a ? { value: 'True', on: a.name } : null;
        },
        att,
      );
    }
  }
  if (get<boolean>('AttachmentProcessingLimitExceeded') === true) {
    add('AttachmentProcessingLimitExceeded', (v) => (v.input.content?.processingLimitExceeded ? { value: 'True', on: 'attachments' } : null), att);
  }
}

/** Size, type, importance, SCL and classification conditions. */
function messageConditions(b: ConditionBuilder): void {
  const { get, add } = b;
  const mso = get<number>('MessageSizeOver');
  if (mso !== undefined) {
    add('MessageSizeOver', (v) => (v.input.facts.size >= mso ? { value: `${mso} bytes`, on: `message (${v.input.facts.size} bytes)` } : null));
  }
  const mtm = get<MessageType>('MessageTypeMatches');
  if (mtm) add('MessageTypeMatches', (v) => (messageTypes(v).has(mtm) ? { value: mtm, on: 'message type' } : null));
  const imp = get<'Low' | 'Normal' | 'High'>('WithImportance');
  if (imp) add('WithImportance', (v) => (importanceOf(v) === imp ? { value: imp, on: 'Importance' } : null));
  const scl = get<number>('SCLOver');
  if (scl !== undefined) {
    add('SCLOver', (v) => {
      const s = v.currentScl;
      return s !== undefined && s >= scl ? { value: String(scl), on: `SCL ${s}` } : null;
    });
  }
  if (get<boolean>('HasNoClassification') === true) {
    add('HasNoClassification', (v) => (v.raw(CLASSIFICATION_HEADER).length === 0 ? { value: 'True', on: 'no classification' } : null));
  }
  const hc = get<string>('HasClassification');
  if (hc) {
    const want = hc.toLowerCase();
    add('HasClassification', (v) => (v.header(CLASSIFICATION_HEADER).some((c) => c.trim().toLowerCase() === want) ? { value: hc, on: 'classification' } : null));
  }
}
