// Rule gates: one indexed condition per rule, looked up for all rules at once. A rule whose
// conditions include SenderIpRanges, SenderDomainIs, RecipientDomainIs, From, SentTo or
// AnyOf{To,Cc,ToCc}Header can't match unless that condition does, so compile puts the condition's
// values into a per-kind index (IP intervals → rules, domain → rules, address → rules) and the
// message is looked up once per kind: one IP bisection, one map lookup per address (and per
// domain suffix). Rules whose gate is false are skipped on the hot path (explain off) without
// running any test. Gates only skip: a rule that passes runs all its conditions as before.
import { parseIpInterval } from './ipRanges.js';
import type { SenderAddressLocation } from './model.js';

/** Where a gate kind takes its addresses from (as the condition it stands for does). */
export type GateSource =
  | 'sender:Header'
  | 'sender:Envelope'
  | 'sender:HeaderOrEnvelope'
  | 'recipients'
  | 'toHeader'
  | 'ccHeader'
  | 'toCcHeader';

export interface SegmentTable<T extends number | bigint> {
  /** Sorted start points of elementary segments; segment k is [points[k], points[k+1]). */
  points: T[];
  /** Gate slots covering segment k (the last point only closes the last segment). */
  slots: number[][];
}

export type GateKind =
  | { type: 'ip'; slots: number[]; v4: SegmentTable<number>; v6: SegmentTable<bigint> }
  | { type: 'domain' | 'address'; source: GateSource; slots: number[]; map: Map<string, number[]>; headers: readonly string[] };

export interface GateIndex {
  kinds: GateKind[];
  slotCount: number;
}

/**
 * The rules' gates flattened for the hot loop (explain off), by rule index unless said otherwise.
 * A rule's gates are its indexed condition (CompiledRule.gateKind/gateSlot, bit 1 of `needMask`)
 * and its prefiltered field (CompiledRule.gateField, through the gating condition's matchers,
 * bit 2). The reverse maps (slot → rule, field → rules, matcher → rules) let a message list the
 * rules whose gates all hold without visiting the others.
 */
export interface HotGates {
  /** Which gates a rule has: 1 indexed condition, 2 prefiltered field (0: none, always visited). */
  needMask: Uint8Array;
  /** Rules always visited (ascending): without gates; `openNoContent` adds the rules needing content (never gated when it is missing). */
  open: Int32Array;
  openNoContent: Int32Array;
  /** Gate slot → its rule (-1: none). */
  slotRule: Int32Array;
  /** Fields that gate some rule, and per field (CSR by field index) the rules it gates. */
  gateFields: Int32Array;
  fieldRuleStart: Int32Array;
  fieldRules: Int32Array;
  /** Per matcher (CSR by matcher id) the rules whose gating condition includes it. */
  matcherRuleStart: Int32Array;
  matcherRules: Int32Array;
}

/** Compressed rows: for each key, the values listed under it (values in ascending order of insertion). */
export function csr(keys: number, pairs: readonly (readonly [number, number])[]): { start: Int32Array; values: Int32Array } {
  const start = new Int32Array(keys + 1);
  for (const [k] of pairs) start[k + 1]++;
  for (let k = 0; k < keys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, keys);
  const values = new Int32Array(pairs.length);
  for (const [k, v] of pairs) values[fill[k]++] = v;
  return { start, values };
}

export interface GateRef {
  kind: number;
  slot: number;
}

function sourceHeaders(source: GateSource): readonly string[] {
  switch (source) {
    case 'sender:Header':
    case 'sender:HeaderOrEnvelope':
      return ['from'];
    case 'toHeader':
      return ['to'];
    case 'ccHeader':
      return ['cc'];
    case 'toCcHeader':
      return ['to', 'cc'];
    default:
      return [];
  }
}

export function senderSource(location: SenderAddressLocation): GateSource {
  return `sender:${location}`;
}

function segments<T extends number | bigint>(list: { lo: T; hi: T; slot: number }[]): SegmentTable<T> {
  const pts = new Set<T>();
  for (const iv of list) {
    pts.add(iv.lo);
    // The first point after the range closes it (hi + 1 in the range's own arithmetic).
    pts.add((typeof iv.hi === 'number' ? iv.hi + 1 : (iv.hi as bigint) + 1n) as T);
  }
  const points = [...pts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const slots: number[][] = points.map(() => []);
  for (const iv of list) {
    let k = lowerBound(points, iv.lo);
    for (; k < points.length && points[k] <= iv.hi; k++) {
      const s = slots[k];
      if (s[s.length - 1] !== iv.slot) s.push(iv.slot);
    }
  }
  return { points, slots };
}

/** Index of the first point ≥ v. */
function lowerBound<T extends number | bigint>(points: readonly T[], v: T): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Slots whose ranges contain v (segment lookup by bisection), or undefined. */
export function segmentSlots<T extends number | bigint>(t: SegmentTable<T>, v: T): number[] | undefined {
  const points = t.points;
  // Last point ≤ v.
  let lo = 0;
  let hi = points.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid] <= v) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return k >= 0 ? t.slots[k] : undefined;
}

/** Collects gates while compiling, then builds the per-kind indexes. */
export class GateBuilder {
  private slotCount = 0;
  private readonly ip: { v4: { lo: number; hi: number; slot: number }[]; v6: { lo: bigint; hi: bigint; slot: number }[]; slots: number[] } = { v4: [], v6: [], slots: [] };
  private readonly keyed = new Map<string, { type: 'domain' | 'address'; source: GateSource; slots: number[]; map: Map<string, number[]> }>();

  /** A gate for a SenderIpRanges condition (the ranges were validated by the condition). */
  ipRanges(ranges: readonly string[]): GateRef | undefined {
    const slot = this.slotCount++;
    for (const text of ranges) {
      const r = parseIpInterval(text);
      if (typeof r === 'string') return undefined;
      if (r.family === 4) this.ip.v4.push({ lo: r.lo as number, hi: r.hi as number, slot });
      else this.ip.v6.push({ lo: r.lo as bigint, hi: r.hi as bigint, slot });
    }
    this.ip.slots.push(slot);
    return { kind: -1, slot };
  }

  /** A gate for a domain condition (values match the domain or a subdomain) or an address-set condition. */
  keyedGate(type: 'domain' | 'address', source: GateSource, values: readonly string[]): GateRef {
    const key = `${type}:${source}`;
    let k = this.keyed.get(key);
    if (!k) {
      k = { type, source, slots: [], map: new Map() };
      this.keyed.set(key, k);
    }
    const slot = this.slotCount++;
    k.slots.push(slot);
    for (const v of values) {
      const list = k.map.get(v);
      if (!list) k.map.set(v, [slot]);
      else if (list[list.length - 1] !== slot) list.push(slot);
    }
    return { kind: -2, slot };
  }

  /** Build the index; gate refs handed out earlier are resolved through `resolve`. */
  build(): { index: GateIndex; resolve: (slot: number) => number } {
    const kinds: GateKind[] = [];
    const kindOfSlot = new Int32Array(this.slotCount).fill(-1);
    if (this.ip.slots.length) {
      for (const s of this.ip.slots) kindOfSlot[s] = kinds.length;
      kinds.push({ type: 'ip', slots: this.ip.slots, v4: segments(this.ip.v4), v6: segments(this.ip.v6) });
    }
    for (const k of this.keyed.values()) {
      for (const s of k.slots) kindOfSlot[s] = kinds.length;
      kinds.push({ ...k, headers: sourceHeaders(k.source) });
    }
    return { index: { kinds, slotCount: this.slotCount }, resolve: (slot) => kindOfSlot[slot] };
  }
}
