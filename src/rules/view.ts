// One message as the rules see it during one evaluation: every derived value (texts per field,
// prefilter results, matcher results, gate lookups) is computed on first use and cached, so
// hundreds of rules read the message once. The header block and addresses are HeaderView's
// (headerView.ts), whose edits invalidate what is derived here.
import { segmentSlots, type GateIndex, type GateKind, type HotGates } from './gates.js';
import type RE2 from 're2';
import { containsWord, type FieldName, type FieldSpec, type Prefilter, type TextMatcher } from './matchers.js';
import type { AttachmentFacts, Hit, RuleInput } from './input.js';
import { ViewScratch, type ViewPlan } from './viewScratch.js';
import { HeaderView } from './headerView.js';

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** Marks a field whose prefilter passed none of its texts: no prefiltered matcher can match. */
const NONE_PASSED: boolean[] = [];

const UNKNOWN = 0;
const NO = 1;
const YES = 2;

export class MessageView extends HeaderView {
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
    input: RuleInput,
    plan: ViewPlan,
    private readonly scratch: ViewScratch = new ViewScratch(plan.matcherCount, plan.gates.slotCount, plan.hot.needMask.length, plan.fields.length),
  ) {
    super(input);
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

  /** Gates and field texts that read the edited header are computed again. */
  protected override headerChanged(lowerName: string): void {
    let gating = false;
    const kinds = this.gates.kinds;
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      if (kind.type !== 'ip' && kind.headers.includes(lowerName)) {
        this.gateDone[k] = 0;
        gating = true;
      }
    }
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
