// One message as the rules see it during one evaluation: every derived value (decoded headers,
// address lists, texts per field, prefilter results, matcher results) is computed on first use
// and cached, so hundreds of rules read the message once. Header edits made by earlier rules
// (SetHeaderName, RemoveHeader, PrependSubject) are visible to later rules, as in Exchange.
import type RE2 from 're2';
import type { HeaderField, MessageFacts } from '../mailflow/message.js';
import { domainOf } from '../mailflow/message.js';
import { parseClientIp, type ClientIp } from './ipRanges.js';
import { containsWord, type FieldName, type FieldSpec, type TextMatcher } from './matchers.js';
import { decodeMimeWords, parseAddressList } from './mime.js';

export type AuthAs = 'Anonymous' | 'Partner' | 'Internal';

export interface AttachmentFacts {
  name: string;
  size: number;
  contentType: string;
  /** Extracted text (the caller supplies at most the first 1 MB). */
  text?: string;
  isExecutable: boolean;
  isPasswordProtected: boolean;
  isUnsupported: boolean;
}

export interface MessageContent {
  /** The first 1 MB of the body's extracted text. */
  bodyText: string;
  attachments: AttachmentFacts[];
  /** True when the content scanner gave up on an attachment (AttachmentProcessingLimitExceeded). */
  processingLimitExceeded?: boolean;
}

export interface RuleInput {
  facts: MessageFacts;
  /** How the source authenticated (mailflow attribution): Internal = the organization's own. */
  authAs: AuthAs;
  connectorName?: string;
  /** The organization's accepted domains (FromScope/SentToScope InOrganization), lower-case. */
  orgDomains: readonly string[];
  /** Evaluation time, for ActivationDate/ExpiryDate. */
  now: Date;
  /** Body and attachment text; required only when the compiled set `needs` them. */
  content?: MessageContent;
  /** The message's spam confidence level, when known (SCLOver). */
  scl?: number;
  /**
   * The recipients this evaluation decides for (default: every envelope recipient). Recipient
   * conditions (SentTo, SentToScope, RecipientAddress…, RecipientDomainIs) look at these;
   * AnyOfRecipientAddress… always looks at all. evaluatePerRecipient sets it.
   */
  recipients?: readonly string[];
}

export interface Hit {
  /** The configured value that matched. */
  value: string;
  /** What it matched: an address, "Subject", a header name, an attachment name… */
  on: string;
}

// The accepted-domain set, built once per domain list (the caller passes the same array per tenant).
const domainSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function orgDomainSet(domains: readonly string[]): ReadonlySet<string> {
  let set = domainSets.get(domains);
  if (!set) {
    set = new Set(domains.map((d) => d.toLowerCase()));
    domainSets.set(domains, set);
  }
  return set;
}

const AUTH_AS = 'x-ms-exchange-organization-authas';

/** Marks a field whose prefilter passed none of its texts: no prefiltered matcher can match. */
const NONE_PASSED: boolean[] = [];

const UNKNOWN = 0;
const NO = 1;
const YES = 2;

export class MessageView {
  readonly clientIp: ClientIp;
  readonly orgDomains: ReadonlySet<string>;
  private headers: HeaderField[];
  private rawCache = new Map<string, string[]>();
  /** True once the AuthAs stamp is materialised into `headers` (see stamp()). */
  private stamped = false;
  private domainCache = new Map<string, string>();
  private decoded = new Map<string, string[]>();
  // Per field (by FieldSpec.index): texts and prefilter results.
  private fieldTexts: (string[] | undefined)[];
  private prefilterHits: (boolean[] | null | undefined)[];
  private bucketHits: (boolean[] | undefined)[];
  private state: Uint8Array;
  private hitOn: (string | undefined)[];
  private fromCache?: string[];
  private toCache?: string[];
  private ccCache?: string[];
  private rcptCache?: string[];
  private allRcptCache?: string[];
  private scl: number | undefined;

  constructor(
    readonly input: RuleInput,
    private readonly fields: readonly FieldSpec[],
    matcherCount: number,
    private readonly buckets: readonly RE2[] = [],
  ) {
    this.bucketHits = new Array(buckets.length);
    this.clientIp = parseClientIp(input.facts.client.ip);
    this.orgDomains = orgDomainSet(input.orgDomains);
    this.fieldTexts = new Array(fields.length);
    this.prefilterHits = new Array(fields.length);
    this.headers = input.facts.headers;
    this.state = new Uint8Array(matcherCount);
    this.hitOn = [];
    this.scl = input.scl;
  }

  // -- headers --------------------------------------------------------------------------------

  /** Raw values of a header (lower-case name), in order. */
  raw(lowerName: string): string[] {
    let v = this.rawCache.get(lowerName);
    if (!v) {
      if (lowerName === AUTH_AS && !this.stamped) {
        v = [this.input.authAs];
        this.rawCache.set(lowerName, v);
        return v;
      }
      v = [];
      const len = lowerName.length;
      for (const h of this.headers) if (h.name.length === len && h.name.toLowerCase() === lowerName) v.push(h.value);
      this.rawCache.set(lowerName, v);
    }
    return v;
  }

  /** Values of a header after encoded-word decoding (lower-case name). */
  header(lowerName: string): string[] {
    let d = this.decoded.get(lowerName);
    if (!d) {
      d = this.raw(lowerName).map((v) => decodeMimeWords(v.trim()));
      this.decoded.set(lowerName, d);
    }
    return d;
  }

  get subject(): string {
    return this.header('subject')[0] ?? '';
  }

  /** Add or replace a header (SetHeaderName/SetHeaderValue): later rules see the new value. */
  setHeader(name: string, value: string): void {
    this.stamp();
    const lower = name.toLowerCase();
    const kept = this.headers.filter((h) => h.name.toLowerCase() !== lower);
    kept.push({ name, value });
    this.replaceHeaders(kept, lower);
  }

  removeHeader(name: string): void {
    this.stamp();
    const lower = name.toLowerCase();
    this.replaceHeaders(this.headers.filter((h) => h.name.toLowerCase() !== lower), lower);
  }

  prependSubject(prefix: string): void {
    const current = this.raw('subject')[0] ?? '';
    let done = false;
    const next = this.headers.map((h) => {
      if (!done && h.name.toLowerCase() === 'subject') {
        done = true;
        return { name: h.name, value: prefix + current };
      }
      return h;
    });
    if (!done) next.push({ name: 'Subject', value: prefix });
    this.replaceHeaders(next, 'subject');
  }

  setScl(scl: number): void {
    this.scl = scl;
  }

  get currentScl(): number | undefined {
    return this.scl;
  }

  /**
   * X-MS-Exchange-Organization-AuthAs is what this gateway's attribution decided (input.authAs),
   * never what the message carried: Exchange stamps it itself, which is what makes the Direct
   * Send article's "AuthAs is Internal" exception safe against forged headers. Before the first
   * header edit, the stamp becomes a real header so later rules see edits on top of it.
   */
  private stamp(): void {
    if (this.stamped) return;
    this.stamped = true;
    const len = AUTH_AS.length;
    this.headers = [
      ...this.headers.filter((h) => !(h.name.length === len && h.name.toLowerCase() === AUTH_AS)),
      { name: 'X-MS-Exchange-Organization-AuthAs', value: this.input.authAs },
    ];
  }

  /** Take an edited header block; forget only what was derived from the edited header. */
  private replaceHeaders(headers: HeaderField[], lowerName: string): void {
    this.headers = headers;
    this.rawCache.delete(lowerName);
    this.decoded.delete(lowerName);
    if (lowerName === 'from') this.fromCache = undefined;
    else if (lowerName === 'to') this.toCache = undefined;
    else if (lowerName === 'cc') this.ccCache = undefined;
    const affected: string[] = [`header:${lowerName}`];
    if (lowerName === 'subject') affected.push('subject', 'subjectOrBody');
    else if (lowerName === 'from') affected.push('from');
    for (const spec of this.fields) {
      if (!affected.includes(spec.name)) continue;
      this.fieldTexts[spec.index] = undefined;
      this.prefilterHits[spec.index] = undefined;
      for (const m of spec.matchers) {
        this.state[m.id] = UNKNOWN;
        if (m.bucket >= 0) this.bucketHits[m.bucket] = undefined;
      }
    }
  }


  // -- addresses -------------------------------------------------------------------------------

  get fromAddresses(): string[] {
    return (this.fromCache ??= this.raw('from').flatMap(parseAddressList));
  }

  get mailFrom(): string {
    return this.input.facts.envelope.mailFrom.toLowerCase();
  }

  get toAddresses(): string[] {
    return (this.toCache ??= this.raw('to').flatMap(parseAddressList));
  }

  get ccAddresses(): string[] {
    return (this.ccCache ??= this.raw('cc').flatMap(parseAddressList));
  }

  /** The recipients being decided for (RuleInput.recipients, default all), lower-case. */
  get recipients(): string[] {
    return (this.rcptCache ??= (this.input.recipients ?? this.input.facts.envelope.rcptTo).map((r) => r.toLowerCase()));
  }

  /** Every envelope recipient of the message, lower-case. */
  get allRecipients(): string[] {
    if (!this.input.recipients) return this.recipients;
    return (this.allRcptCache ??= this.input.facts.envelope.rcptTo.map((r) => r.toLowerCase()));
  }

  /** Domain of an address, lower-case (memoised: many rules ask about the same few addresses). */
  domain(address: string): string {
    let d = this.domainCache.get(address);
    if (d === undefined) {
      d = domainOf(address);
      this.domainCache.set(address, d);
    }
    return d;
  }

  /** Is the address in one of the organization's accepted domains? */
  inOrgDomain(address: string): boolean {
    return this.orgDomains.has(this.domain(address));
  }

  // -- content ---------------------------------------------------------------------------------

  get attachments(): AttachmentFacts[] {
    return this.input.content?.attachments ?? [];
  }

  // -- text fields and matchers ----------------------------------------------------------------

  private texts(spec: FieldSpec): string[] {
    let t = this.fieldTexts[spec.index];
    if (t) return t;
    const field = spec.name;
    switch (field) {
      case 'from':
        t = this.fromAddresses;
        break;
      case 'mailFrom':
        t = [this.mailFrom];
        break;
      case 'recipient':
        t = this.recipients;
        break;
      case 'anyRecipient':
        t = this.allRecipients;
        break;
      case 'subject':
        t = [this.subject];
        break;
      case 'subjectOrBody':
        t = [this.subject, this.input.content?.bodyText ?? ''];
        break;
      case 'attachmentName':
        t = this.attachments.map((a) => a.name);
        break;
      case 'attachmentText':
        t = this.attachments.map((a) => a.text ?? '');
        break;
      default:
        t = this.header(field.slice('header:'.length));
    }
    this.fieldTexts[spec.index] = t;
    return t;
  }

  private labelFor(field: FieldName, text: string, index: number): string {
    switch (field) {
      case 'subject':
        return 'Subject';
      case 'subjectOrBody':
        return index === 0 ? 'Subject' : 'Body';
      case 'attachmentText':
        return `attachment ${this.attachments[index]?.name ?? index}`;
      default:
        return field.startsWith('header:') ? field.slice('header:'.length) : text;
    }
  }

  /** True when the field's prefilter passed none of its texts (no prefiltered matcher can match). */
  fieldMissed(index: number): boolean {
    return this.prefiltered(this.fields[index]) === NONE_PASSED;
  }

  /** Which texts of a field passed its prefilter (NONE_PASSED: none did; null: the field has no prefilter). */
  private prefiltered(spec: FieldSpec): boolean[] | null {
    let p = this.prefilterHits[spec.index];
    if (p !== undefined) return p;
    const pre = spec.prefilter;
    if (pre) {
      p = this.texts(spec).map((t) => pre.test(t));
      if (!p.includes(true)) p = NONE_PASSED;
    } else p = null;
    this.prefilterHits[spec.index] = p;
    return p;
  }

  /** Does the matcher match any text of its field? Remembers what it matched. */
  test(m: TextMatcher): boolean {
    const s = this.state[m.id];
    if (s !== UNKNOWN) return s === YES;
    const spec = this.fields[m.fieldIndex];
    const pre = m.prefiltered ? this.prefiltered(spec) : null;
    if (pre === NONE_PASSED) {
      this.state[m.id] = NO;
      return false;
    }
    const texts = this.texts(spec);
    const word = m.word;
    const re = m.re;
    let result = NO;
    let bucket: boolean[] | undefined;
    if (m.bucket >= 0) {
      bucket = this.bucketHits[m.bucket];
      if (!bucket) {
        const bucketRe = this.buckets[m.bucket];
        bucket = texts.map((t, i) => (pre ? pre[i] : true) && bucketRe.test(t));
        this.bucketHits[m.bucket] = bucket;
      }
    }
    for (let i = 0; i < texts.length; i++) {
      if (pre && !pre[i]) continue;
      if (bucket && !bucket[i]) continue;
      if (word ? containsWord(texts[i], word) : re!.test(texts[i])) {
        result = YES;
        this.hitOn[m.id] = this.labelFor(m.field, texts[i], i);
        break;
      }
    }
    this.state[m.id] = result;
    return result === YES;
  }

  /** The first matcher in `list` that matches, as a Hit. */
  firstHit(list: readonly TextMatcher[]): Hit | null {
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (this.test(m)) return { value: m.value, on: this.hitOn[m.id] ?? '' };
    }
    return null;
  }
}
