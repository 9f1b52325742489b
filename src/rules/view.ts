// One message as the rules see it during one evaluation: every derived value (decoded headers,
// address lists, texts per field, prefilter results, matcher results) is computed on first use
// and cached, so hundreds of rules read the message once. Header edits made by earlier rules
// (SetHeaderName, RemoveHeader, PrependSubject) are visible to later rules, as in Exchange.
import type { HeaderField, MessageFacts } from '../message/facts.js';
import { domainOf } from '../message/facts.js';
import { segmentSlots, type GateIndex, type GateKind, type HotGates } from './gates.js';
import { parseClientIp, type ClientIp } from './ipRanges.js';
import type RE2 from 're2';
import { containsWord, type FieldName, type FieldSpec, type Prefilter, type TextMatcher } from './matchers.js';
import { decodeHeaderValue, parseAddressList } from '../message/mime.js';
import type { SenderAddressLocation } from './model.js';

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

/**
 * Is a header's name (as written) `lower`, a lower-case name? Compared in place: lower-casing
 * every header name for every lookup allocated a string each time.
 */
function nameIs(name: string, lower: string): boolean {
  const len = lower.length;
  if (name.length !== len) return false;
  for (let i = 0; i < len; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    else if (c > 0x7f) return name.toLowerCase() === lower; // not ASCII: let the runtime fold it
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Marks a field whose prefilter passed none of its texts: no prefiltered matcher can match. */
const NONE_PASSED: boolean[] = [];

const UNKNOWN = 0;
const NO = 1;
const YES = 2;

/**
 * Per-matcher and per-gate-slot state, sized once per compiled rule set and reused by its
 * successive evaluations (they are synchronous), so a message allocates and clears nothing per
 * matcher or per rule: entries are valid for one epoch (a stamp) and older ones read as unknown.
 */
export class ViewScratch {
  /** An evaluation is using this scratch (a nested one gets its own). */
  busy = false;
  private stamp = 0;
  /** Matcher results: +epoch matched, -epoch didn't, anything else not known yet (the epoch of the matcher's field). */
  readonly state: Int32Array;
  /** Per field, the epoch its matcher results are valid for: a header edit gives the field a new one. */
  readonly fieldEpoch: Int32Array;
  /** What each matcher matched (valid while its state says matched in this epoch). */
  readonly hitOn: (string | undefined)[];
  /** Gate slots whose condition holds carry the stamp their kind was computed with. */
  readonly gateHits: Int32Array;
  /** Per rule, for listing candidates: the stamp of the listing and which of its gates held. */
  readonly ruleStamp: Int32Array;
  readonly ruleGates: Uint8Array;
  /** Gated candidates (unordered), and the visiting order (candidates merged with the open rules). */
  readonly gated: Int32Array;
  readonly order: Int32Array;

  constructor(matcherCount: number, slotCount: number, ruleCount = 0, fieldCount = 0) {
    this.state = new Int32Array(matcherCount);
    this.fieldEpoch = new Int32Array(fieldCount);
    this.hitOn = new Array<string | undefined>(matcherCount).fill(undefined);
    this.gateHits = new Int32Array(slotCount);
    this.ruleStamp = new Int32Array(ruleCount);
    this.ruleGates = new Uint8Array(ruleCount);
    this.gated = new Int32Array(ruleCount);
    this.order = new Int32Array(ruleCount);
  }

  /**
   * The stamp of a new evaluation. Stamps only grow within one (an evaluation takes far fewer than
   * the margin left), and wrap around between two, clearing every entry first.
   */
  begin(): number {
    if (this.stamp >= 0x3fffffff) {
      this.state.fill(0);
      this.gateHits.fill(0);
      this.ruleStamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** A fresh stamp (never 0), for a gate lookup or a candidate list. */
  next(): number {
    return ++this.stamp;
  }
}

/** What a view reads of a compiled rule set (CompiledRuleSet has it all). */
export interface ViewPlan {
  fields: readonly FieldSpec[];
  matcherCount: number;
  buckets: readonly Prefilter[];
  gates: GateIndex;
  hot: HotGates;
}

export class MessageView {
  private headers: HeaderField[];
  private rawCache = new Map<string, string[]>();
  /** True once the AuthAs stamp is materialised into `headers` (see withoutHeader()). */
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
  private readonly state: Int32Array;
  private readonly fieldEpoch: Int32Array;
  private readonly hitOn: (string | undefined)[];
  private clientIpCache?: ClientIp | null;
  private orgDomainsCache?: ReadonlySet<string>;
  private fromCache?: string[];
  private mailFromCache?: string;
  private mailFromListCache?: string[];
  private toCache?: string[];
  private ccCache?: string[];
  private rcptCache?: string[];
  private allRcptCache?: string[];
  private scl: number | undefined;
  /** Gate slots whose condition holds (= their kind's stamp), and each kind's stamp (0: not computed yet). */
  private readonly gateHits: Int32Array;
  private gateDone: number[];
  /** Per gate kind, the slots its last computation marked. */
  private gateSlotsHit: (number[] | undefined)[];
  /** Per field decided at once (resolve), the matchers that matched. */
  private fieldMatched: (number[] | undefined)[];
  /**
   * Header edits that changed what a gate reads (the candidate list must be listed again); an
   * edit of a header no gate reads leaves it as it is.
   */
  gateEdits = 0;
  private readonly fields: readonly FieldSpec[];
  private readonly buckets: readonly Prefilter[];
  private readonly gates: GateIndex;
  private readonly hot: HotGates;

  constructor(
    readonly input: RuleInput,
    plan: ViewPlan,
    private readonly scratch: ViewScratch = new ViewScratch(plan.matcherCount, plan.gates.slotCount, plan.hot.needMask.length, plan.fields.length),
  ) {
    this.fields = plan.fields;
    this.buckets = plan.buckets;
    this.gates = plan.gates;
    this.hot = plan.hot;
    this.state = scratch.state;
    // This evaluation's stamp: every field's matcher results start unknown.
    this.fieldEpoch = scratch.fieldEpoch.fill(scratch.begin());
    this.hitOn = scratch.hitOn;
    this.gateHits = scratch.gateHits;
    const fieldCount = this.fields.length;
    this.gateDone = new Array<number>(this.gates.kinds.length).fill(0);
    this.gateSlotsHit = new Array(this.gates.kinds.length);
    this.fieldMatched = new Array(fieldCount);
    this.bucketHits = new Array(this.buckets.length);
    this.fieldTexts = new Array(fieldCount);
    this.fieldBytes = new Array(fieldCount);
    this.fieldAscii = new Array(fieldCount);
    this.prefilterHits = new Array(fieldCount);
    this.headers = input.facts.headers;
    this.scl = input.scl;
  }

  /** The connecting client's address, parsed on first use (undefined when it isn't one). */
  get clientIp(): ClientIp {
    if (this.clientIpCache === undefined) this.clientIpCache = parseClientIp(this.input.facts.client.ip) ?? null;
    return this.clientIpCache ?? undefined;
  }

  /** The organization's accepted domains, lower-case. */
  get orgDomains(): ReadonlySet<string> {
    return (this.orgDomainsCache ??= orgDomainSet(this.input.orgDomains));
  }

  private matcherState(m: TextMatcher): number {
    const s = this.state[m.id];
    const epoch = this.fieldEpoch[m.fieldIndex];
    return s === epoch ? YES : s === -epoch ? NO : UNKNOWN;
  }

  private setMatcherState(m: TextMatcher, value: number): void {
    const epoch = this.fieldEpoch[m.fieldIndex];
    this.state[m.id] = value === YES ? epoch : -epoch;
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
      for (const h of this.headers) if (nameIs(h.name, lowerName)) v.push(h.value);
      this.rawCache.set(lowerName, v);
    }
    return v;
  }

  /** Values of a header after encoded-word decoding (lower-case name). */
  header(lowerName: string): string[] {
    let d = this.decoded.get(lowerName);
    if (!d) {
      d = this.raw(lowerName).map(decodeHeaderValue);
      this.decoded.set(lowerName, d);
    }
    return d;
  }

  get subject(): string {
    return this.header('subject')[0] ?? '';
  }

  /** Add or replace a header (SetHeaderName/SetHeaderValue): later rules see the new value. */
  setHeader(name: string, value: string): void {
    const lower = name.toLowerCase();
    const kept = this.withoutHeader(lower);
    kept.push({ name, value });
    this.replaceHeaders(kept, lower);
  }

  removeHeader(name: string): void {
    const lower = name.toLowerCase();
    this.replaceHeaders(this.withoutHeader(lower), lower);
  }

  prependSubject(prefix: string): void {
    const current = this.raw('subject')[0] ?? '';
    let done = false;
    const next = this.headers.map((h) => {
      if (!done && nameIs(h.name, 'subject')) {
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
   * The header block without the fields named `lower`, as a new array for an edit.
   * X-MS-Exchange-Organization-AuthAs is what this gateway's attribution decided (input.authAs),
   * never what the message carried: Exchange stamps it itself, which is what makes the Direct
   * Send article's "AuthAs is Internal" exception safe against forged headers. At the first
   * header edit, the stamp becomes a real header so later rules see edits on top of it.
   */
  private withoutHeader(lower: string): HeaderField[] {
    const first = !this.stamped;
    this.stamped = true;
    const out: HeaderField[] = [];
    for (const h of this.headers) if (!nameIs(h.name, lower) && !(first && nameIs(h.name, AUTH_AS))) out.push(h);
    // (An edit of AuthAs itself replaces or removes the stamp.)
    if (first && lower !== AUTH_AS) out.push({ name: 'X-MS-Exchange-Organization-AuthAs', value: this.input.authAs });
    return out;
  }

  /** Take an edited header block; forget only what was derived from the edited header. */
  private replaceHeaders(headers: HeaderField[], lowerName: string): void {
    this.headers = headers;
    this.rawCache.delete(lowerName);
    this.decoded.delete(lowerName);
    let gating = false;
    const kinds = this.gates.kinds;
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      if (kind.type !== 'ip' && kind.headers.includes(lowerName)) {
        this.gateDone[k] = 0;
        gating = true;
      }
    }
    if (lowerName === 'from') this.fromCache = undefined;
    else if (lowerName === 'to') this.toCache = undefined;
    else if (lowerName === 'cc') this.ccCache = undefined;
    const affected: string[] = [`header:${lowerName}`];
    if (lowerName === 'subject') affected.push('subject', 'subjectOrBody');
    else if (lowerName === 'from') affected.push('from');
    const fieldRuleStart = this.hot.fieldRuleStart;
    for (const spec of this.fields) {
      if (!affected.includes(spec.name)) continue;
      if (fieldRuleStart[spec.index + 1] > fieldRuleStart[spec.index]) gating = true;
      this.fieldTexts[spec.index] = undefined;
      this.fieldBytes[spec.index] = undefined;
      this.fieldAscii[spec.index] = undefined;
      this.prefilterHits[spec.index] = undefined;
      this.fieldMatched[spec.index] = undefined;
      // Every matcher result of the field becomes unknown at once.
      this.fieldEpoch[spec.index] = this.scratch.next();
      if (this.buckets.length) for (const m of spec.matchers) if (m.bucket >= 0) this.bucketHits[m.bucket] = undefined;
    }
    if (gating) this.gateEdits++;
  }


  // -- addresses -------------------------------------------------------------------------------

  get fromAddresses(): string[] {
    return (this.fromCache ??= addresses(this.raw('from')));
  }

  get mailFrom(): string {
    return (this.mailFromCache ??= this.input.facts.envelope.mailFrom.toLowerCase());
  }

  /**
   * The addresses the sender conditions (From, SenderDomainIs) read at a SenderAddressLocation:
   * the From header's (with no From header at all, the envelope's), MAIL FROM, or both. The
   * sender gates read the same, which is what lets a gate stand for its condition.
   */
  senderAddresses(location: SenderAddressLocation): readonly string[] {
    if (location === 'Envelope') return this.mailFromList;
    const header = this.fromAddresses.length ? this.fromAddresses : this.mailFromList;
    return location === 'Header' ? header : [...header, this.mailFrom];
  }

  /** The envelope sender as a one-address list (gates and fields read addresses as lists). */
  private get mailFromList(): string[] {
    return (this.mailFromListCache ??= [this.mailFrom]);
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

  /** Look the message up in one gate kind's index; returns the stamp its slots were marked with. */
  private computeGate(index: number): number {
    const kind = this.gates.kinds[index];
    // A new stamp: marks from an earlier computation (before a header edit) no longer count.
    const stamp = this.scratch.next();
    const marked: number[] = [];
    if (kind.type === 'ip') {
      const ip = this.clientIp;
      if (ip) this.mark(ip.family === 4 ? segmentSlots(kind.v4, ip.value as number) : segmentSlots(kind.v6, ip.value as bigint), stamp, marked);
    } else {
      const source = kind.source;
      switch (source) {
        case 'recipients':
          this.markAddresses(kind, this.recipients, stamp, marked);
          break;
        case 'toHeader':
          this.markAddresses(kind, this.toAddresses, stamp, marked);
          break;
        case 'ccHeader':
          this.markAddresses(kind, this.ccAddresses, stamp, marked);
          break;
        case 'toCcHeader':
          this.markAddresses(kind, this.toAddresses, stamp, marked);
          this.markAddresses(kind, this.ccAddresses, stamp, marked);
          break;
        case 'sender:Header':
          this.markAddresses(kind, this.senderAddresses('Header'), stamp, marked);
          break;
        case 'sender:Envelope':
          this.markAddresses(kind, this.senderAddresses('Envelope'), stamp, marked);
          break;
        case 'sender:HeaderOrEnvelope':
          this.markAddresses(kind, this.senderAddresses('HeaderOrEnvelope'), stamp, marked);
      }
    }
    this.gateDone[index] = stamp;
    this.gateSlotsHit[index] = marked;
    return stamp;
  }

  /** Mark a list of gate slots as holding (once each) under `stamp`. */
  private mark(list: readonly number[] | undefined, stamp: number, marked: number[]): void {
    if (!list) return;
    const hits = this.gateHits;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (hits[s] === stamp) continue;
      hits[s] = stamp;
      marked.push(s);
    }
  }

  /** Mark the slots an address-keyed kind lists for these addresses (domain kinds: the domain and every parent domain). */
  private markAddresses(kind: Extract<GateKind, { type: 'domain' | 'address' }>, addresses: readonly string[], stamp: number, marked: number[]): void {
    const map = kind.map;
    for (let i = 0; i < addresses.length; i++) {
      const a = addresses[i];
      if (kind.type === 'address') {
        this.mark(map.get(a), stamp, marked);
        continue;
      }
      // SenderDomainIs/RecipientDomainIs: the domain itself or any suffix after a dot.
      const d = this.domain(a);
      if (!d) continue;
      this.mark(map.get(d), stamp, marked);
      for (let p = d.indexOf('.'); p >= 0; p = d.indexOf('.', p + 1)) this.mark(map.get(d.slice(p + 1)), stamp, marked);
    }
  }

  /** Where candidates() writes the visiting order. */
  get order(): Int32Array {
    return this.scratch.order;
  }

  /**
   * The rules from index `from` on whose gates all hold now, merged in ascending order with the
   * always-visited `open` rules, written to the scratch's `order`; returns how many. Each gate kind
   * and gating field is looked up once (cached until a header edit), so rules whose gates fail are
   * never visited.
   */
  candidates(open: Int32Array, from: number): number {
    const hot = this.hot;
    const sc = this.scratch;
    if (sc.order.length < hot.needMask.length) throw new Error('MessageView.candidates needs a scratch sized for the rule set');
    const stamp = sc.next();
    const ruleStamp = sc.ruleStamp;
    const ruleGates = sc.ruleGates;
    const need = hot.needMask;
    const gated = sc.gated;
    let n = 0;
    const add = (r: number, bit: number) => {
      if (r < from) return;
      let g = ruleStamp[r] === stamp ? ruleGates[r] : 0;
      ruleStamp[r] = stamp;
      if (g & bit) return;
      g |= bit;
      ruleGates[r] = g;
      if (g === need[r]) gated[n++] = r;
    };
    const kinds = this.gates.kinds;
    for (let k = 0; k < kinds.length; k++) {
      if (this.gateDone[k] === 0) this.computeGate(k);
      const slots = this.gateSlotsHit[k]!;
      for (let i = 0; i < slots.length; i++) {
        const r = hot.slotRule[slots[i]];
        if (r >= 0) add(r, 1);
      }
    }
    const fields = hot.gateFields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j];
      const spec = this.fields[f];
      const p = this.prefiltered(spec);
      if (p === NONE_PASSED) continue;
      if (spec.exact) {
        const matched = this.fieldMatched[f];
        if (!matched) continue;
        for (const id of matched) for (let k = hot.matcherRuleStart[id]; k < hot.matcherRuleStart[id + 1]; k++) add(hot.matcherRules[k], 2);
      } else {
        for (let k = hot.fieldRuleStart[f]; k < hot.fieldRuleStart[f + 1]; k++) add(hot.fieldRules[k], 2);
      }
    }
    // Ascending: a few candidates as a rule (insertion sort), many by the native sort.
    if (n > 32) gated.subarray(0, n).sort();
    else {
      for (let i = 1; i < n; i++) {
        const v = gated[i];
        let j = i - 1;
        for (; j >= 0 && gated[j] > v; j--) gated[j + 1] = gated[j];
        gated[j + 1] = v;
      }
    }
    // Merge with the open rules from `from` on.
    const order = sc.order;
    let a = 0;
    while (a < open.length && open[a] < from) a++;
    let b = 0;
    let out = 0;
    while (a < open.length || b < n) {
      if (b >= n || (a < open.length && open[a] < gated[b])) order[out++] = open[a++];
      else if (a < open.length && open[a] === gated[b]) {
        // A rule needing missing content is open though it has gates.
        order[out++] = open[a++];
        b++;
      } else order[out++] = gated[b++];
    }
    return out;
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
        t = this.mailFromList;
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

  /** Which texts of a field passed its prefilter (NONE_PASSED: none did; null: the field has no prefilter). */
  private prefiltered(spec: FieldSpec): boolean[] | null {
    let p = this.prefilterHits[spec.index];
    if (p !== undefined) return p;
    const pre = spec.prefilter;
    if (!pre) p = null;
    else if (spec.exact) p = this.resolve(spec, pre, spec.exact.set, spec.exact.covered);
    else {
      p = this.texts(spec).map((t, i) => this.run(pre, spec, t, i));
      if (!p.includes(true)) p = NONE_PASSED;
    }
    this.prefilterHits[spec.index] = p;
    return p;
  }

  /**
   * Decide every prefiltered matcher of a field at once: texts that pass the V8 prefilter (where it
   * is sound) go through the field's RE2.Set, which names the patterns that match and the words
   * whose literal occurs; those words get their boundary check. Every other covered matcher is
   * false. On a text that isn't ASCII, a words-only field (whose V8 prefilter is exact there and
   * the set's case folding is RE2's) checks all its words rather than trusting the set; so does
   * a text the set gives up on.
   */
  private resolve(spec: FieldSpec, pre: Prefilter, set: InstanceType<typeof RE2.Set>, covered: readonly TextMatcher[]): boolean[] {
    const texts = this.texts(spec);
    let passed: boolean[] | undefined;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      if (pre.js && (!pre.jsAsciiOnly || this.ascii(spec)[i]) && !pre.js.test(text)) continue;
      const wordsOnly = pre.js !== undefined && !pre.jsAsciiOnly;
      let any = false;
      const found = wordsOnly && !this.ascii(spec)[i] ? undefined : this.setMatch(set, spec, i);
      if (!found) {
        // Each matcher on its own: the set's case folding isn't trusted here, or it gave up.
        for (const m of covered) {
          if (this.matcherState(m) === YES) any = true;
          else if (this.matchOne(m, text, i)) {
            (this.fieldMatched[spec.index] ??= []).push(m.id);
            any = true;
          }
        }
      } else {
        for (let k = 0; k < found.length; k++) {
          const m = covered[found[k]];
          if (this.matcherState(m) === YES) any = true;
          else if (m.kind === 'pattern' || containsWord(text, m.word!)) {
            this.setMatcherState(m, YES);
            (this.fieldMatched[spec.index] ??= []).push(m.id);
            this.hitOn[m.id] = this.labelFor(m.field, text, i);
            any = true;
          }
        }
      }
      if (any) (passed ??= new Array<boolean>(texts.length).fill(false))[i] = true;
    }
    // Covered matchers not marked matched stay unknown: test() reads them as false once the field is resolved.
    return passed ?? NONE_PASSED;
  }

  /** The set's matches on text i of a field; undefined if RE2 gave up (its DFA ran out of memory: it throws then). */
  private setMatch(set: InstanceType<typeof RE2.Set>, spec: FieldSpec, i: number): number[] | undefined {
    try {
      return set.match(this.bytes(spec)[i]);
    } catch {
      return undefined;
    }
  }

  /** A word or pattern on one text of its field; a match is remembered. */
  private matchOne(m: TextMatcher, text: string, i: number): boolean {
    const ok = m.word ? containsWord(text, m.word) : m.re!.test(this.bytes(this.fields[m.fieldIndex])[i]);
    if (ok) {
      this.setMatcherState(m, YES);
      this.hitOn[m.id] = this.labelFor(m.field, text, i);
    }
    return ok;
  }

  /** Does the matcher match any text of its field? Remembers what it matched. */
  test(m: TextMatcher): boolean {
    const s = this.matcherState(m);
    if (s !== UNKNOWN) return s === YES;
    const spec = this.fields[m.fieldIndex];
    const pre = m.prefiltered ? this.prefiltered(spec) : null;
    if (pre === NONE_PASSED) {
      this.setMatcherState(m, NO);
      return false;
    }
    // A field decided at once has marked its matches in prefiltered(); the rest are false.
    if (m.prefiltered && spec.exact) return this.state[m.id] === this.fieldEpoch[m.fieldIndex];
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
    this.setMatcherState(m, result);
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
