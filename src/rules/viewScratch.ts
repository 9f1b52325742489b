// The scratch space of rule evaluations over one compiled rule set (see ViewScratch), and what a
// message view reads of the compiled set.
import type { GateIndex, HotGates } from './gates.js';
import type { FieldSpec, Prefilter } from './matchers.js';

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
