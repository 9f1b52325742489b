// One message as the rules see it during one evaluation: every derived value (decoded headers,
// address lists, texts per field, prefilter results, matcher results) is computed on first use
// and cached, so hundreds of rules read the message once. Header edits made by earlier rules
// (SetHeaderName, RemoveHeader, PrependSubject) are visible to later rules, as in Exchange.
import type { HeaderField, MessageFacts } from '../mailflow/message.js';
import { domainOf } from '../mailflow/message.js';
import { segmentSlots, type GateIndex, type GateSource } from './gates.js';
import { parseClientIp, type ClientIp } from './ipRanges.js';
import { containsWord, type FieldName, type FieldSpec, type Prefilter, type TextMatcher } from './matchers.js';
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
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** The addresses of an address-list header's values (usually one value: no flatMap on the hot path). */
function addresses(values: readonly string[]): string[] {
  if (values.length === 1) return parseAddressList(values[0]);
  const out: string[] = [];
  for (const v of values) for (const a of parseAddressList(v)) out.push(a);
  return out;
}

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
  /** The field's texts in UTF-8, for RE2 (which otherwise copies every new string into a buffer per expression). */
  private fieldBytes: (Buffer[] | undefined)[];
  private fieldAscii: (boolean[] | undefined)[];
  private prefilterHits: (boolean[] | null | undefined)[];
  private bucketHits: (boolean[] | undefined)[];
  private state: number[];
  private hitOn: (string | undefined)[];
  private fromCache?: string[];
  private toCache?: string[];
  private ccCache?: string[];
  private rcptCache?: string[];
  private allRcptCache?: string[];
  private scl: number | undefined;
  /** Gate results by slot (1 = the gate condition holds) and which kinds are computed. */
  private gateHits: number[];
  private gateDone: number[];

  constructor(
    readonly input: RuleInput,
    private readonly fields: readonly FieldSpec[],
    matcherCount: number,
    private readonly buckets: readonly Prefilter[] = [],
    private readonly gates: GateIndex = { kinds: [], slotCount: 0 },
  ) {
    // Plain arrays: allocating a typed array costs about a microsecond, several per message.
    this.gateHits = new Array<number>(gates.slotCount).fill(0);
    this.gateDone = new Array<number>(gates.kinds.length).fill(0);
    this.bucketHits = new Array(buckets.length);
    this.clientIp = parseClientIp(input.facts.client.ip);
    this.orgDomains = orgDomainSet(input.orgDomains);
    this.fieldTexts = new Array(fields.length);
    this.fieldBytes = new Array(fields.length);
    this.fieldAscii = new Array(fields.length);
    this.prefilterHits = new Array(fields.length);
    this.headers = input.facts.headers;
    this.state = new Array<number>(matcherCount).fill(UNKNOWN);
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
    const kinds = this.gates.kinds;
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      if (kind.type !== 'ip' && kind.headers.includes(lowerName)) this.gateDone[k] = 0;
    }
    if (lowerName === 'from') this.fromCache = undefined;
    else if (lowerName === 'to') this.toCache = undefined;
    else if (lowerName === 'cc') this.ccCache = undefined;
    const affected: string[] = [`header:${lowerName}`];
    if (lowerName === 'subject') affected.push('subject', 'subjectOrBody');
    else if (lowerName === 'from') affected.push('from');
    for (const spec of this.fields) {
      if (!affected.includes(spec.name)) continue;
      this.fieldTexts[spec.index] = undefined;
      this.fieldBytes[spec.index] = undefined;
      this.fieldAscii[spec.index] = undefined;
      this.prefilterHits[spec.index] = undefined;
      for (const m of spec.matchers) {
        this.state[m.id] = UNKNOWN;
        if (m.bucket >= 0) this.bucketHits[m.bucket] = undefined;
      }
    }
  }


  // -- addresses -------------------------------------------------------------------------------

  get fromAddresses(): string[] {
    return (this.fromCache ??= addresses(this.raw('from')));
  }

  get mailFrom(): string {
    return this.input.facts.envelope.mailFrom.toLowerCase();
  }

  get toAddresses(): string[] {
    return (this.toCache ??= addresses(this.raw('to')));
  }

  get ccAddresses(): string[] {
    return (this.ccCache ??= addresses(this.raw('cc')));
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

  // -- gates -----------------------------------------------------------------------------------

  /** Does the gate condition in `slot` (of gate kind `kind`) hold? One index lookup per kind per message. */
  gate(kind: number, slot: number): boolean {
    if (this.gateDone[kind] === 0) this.computeGate(kind);
    return this.gateHits[slot] === 1;
  }

  private computeGate(index: number): void {
    const kind = this.gates.kinds[index];
    const hits = this.gateHits;
    for (const s of kind.slots) hits[s] = 0;
    const mark = (list: readonly number[] | undefined) => {
      if (list) for (let i = 0; i < list.length; i++) hits[list[i]] = 1;
    };
    if (kind.type === 'ip') {
      const ip = this.clientIp;
      if (ip) mark(ip.family === 4 ? segmentSlots(kind.v4, ip.value as number) : segmentSlots(kind.v6, ip.value as bigint));
    } else {
      const map = kind.map;
      const visit = (addresses: readonly string[]) => {
        for (const a of addresses) {
          if (kind.type === 'address') {
            mark(map.get(a));
            continue;
          }
          // SenderDomainIs/RecipientDomainIs: the domain itself or any suffix after a dot.
          const d = this.domain(a);
          if (!d) continue;
          mark(map.get(d));
          for (let p = d.indexOf('.'); p >= 0; p = d.indexOf('.', p + 1)) mark(map.get(d.slice(p + 1)));
        }
      };
      this.gateAddresses(kind.source, visit);
    }
    this.gateDone[index] = 1;
  }

  /** The addresses a gate source stands for, as its condition reads them (conditions.ts senderAddresses). */
  private gateAddresses(source: GateSource, visit: (addresses: readonly string[]) => void): void {
    switch (source) {
      case 'recipients':
        return visit(this.recipients);
      case 'toHeader':
        return visit(this.toAddresses);
      case 'ccHeader':
        return visit(this.ccAddresses);
      case 'toCcHeader':
        visit(this.toAddresses);
        return visit(this.ccAddresses);
      case 'sender:Envelope':
        return visit([this.mailFrom]);
      default: {
        // No From header at all: the sender conditions fall back to the envelope.
        const header = this.fromAddresses.length ? this.fromAddresses : [this.mailFrom];
        visit(header);
        if (source === 'sender:HeaderOrEnvelope') visit([this.mailFrom]);
      }
    }
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

  /** The field's texts as UTF-8 buffers (computed once per message and field). */
  private bytes(spec: FieldSpec): Buffer[] {
    let b = this.fieldBytes[spec.index];
    if (!b) {
      b = this.texts(spec).map((t) => Buffer.from(t, 'utf8'));
      this.fieldBytes[spec.index] = b;
    }
    return b;
  }

  /** Run a prefilter on text i of a field: its V8 expression first when sound for the text, RE2 on the UTF-8 bytes to decide. */
  private run(pre: Prefilter, spec: FieldSpec, text: string, i: number): boolean {
    if (pre.js && (!pre.jsAsciiOnly || this.ascii(spec)[i])) {
      // A miss is final; a pass is confirmed by RE2 when there is one (the literals are coarse).
      if (!pre.js.test(text)) return false;
      if (!pre.re2) return true;
    }
    return pre.re2!.test(this.bytes(spec)[i]);
  }

  /** Whether each text of the field is ASCII only (once per message and field). */
  private ascii(spec: FieldSpec): boolean[] {
    let a = this.fieldAscii[spec.index];
    if (!a) {
      a = this.texts(spec).map((t) => ASCII.test(t));
      this.fieldAscii[spec.index] = a;
    }
    return a;
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
      p = this.texts(spec).map((t, i) => this.run(pre, spec, t, i));
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
        bucket = texts.map((t, i) => (pre ? pre[i] : true) && this.run(bucketRe, spec, t, i));
        this.bucketHits[m.bucket] = bucket;
      }
    }
    for (let i = 0; i < texts.length; i++) {
      if (pre && !pre[i]) continue;
      if (bucket && !bucket[i]) continue;
      if (word ? containsWord(texts[i], word) : re!.test(this.bytes(spec)[i])) {
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
