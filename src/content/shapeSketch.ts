// EmailClusterId: messages with the same content shape (a campaign's template with names,
// numbers and links changed) share one id, so "find related mails" is `where EmailClusterId ==`.
// The shape is a MinHash sketch over word 3-shingles of the normalized subject and body text:
// lower-cased words of two letters or more (digits and punctuation dropped, markup stripped).
// The id is the shingle with the smallest hash (a one-permutation MinHash), so two messages share
// it with probability J, the Jaccard similarity of their shingle sets: a template with a name or a
// number changed (J around 0.9) almost always, unrelated texts (J near 0) practically never. A
// second hash of that same shingle widens the id to 53 bits. The sketch is built while the text
// streams, in constant memory, and does not depend on how the text was cut into chunks.

const SEED_ORDER = 0x9e3779b1; // orders the shingles
const SEED_WIDEN = 0x85ebca6b; // the id's low bits
/** Text beyond this many characters does not change the shape: a template shows in its first 8 KB. */
const MAX_TEXT = 8 * 1024;
const FNV_OFFSET = 0x811c9dc5;

/** murmur3's finalizer: spreads a 32-bit value over all bits. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A non-ASCII letter, for word boundaries: everything from U+00C0 up except the general
 * punctuation block, the multiplication and division signs and a few spaces (an approximation of
 * \p{L} that needs no lookup: the sketch only has to cut every copy of a text the same way).
 */
function isWideLetter(c: number): boolean {
  return c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && (c < 0x2000 || c > 0x206f) && c !== 0x3000 && c !== 0xfeff;
}

export class ShapeSketch {
  private min = 0xffffffff;
  private argmin = 0;
  private prev1 = 0;
  private prev2 = 0;
  private words = 0;
  private shingles = 0;
  // The word being read (FNV-1a state and length): a word a chunk boundary cut simply continues.
  private hash = FNV_OFFSET;
  private length = 0;
  private inTag = false;
  private budget = MAX_TEXT;

  /** The subject, with reply and forward prefixes dropped (a reply keeps its thread's shape). */
  subject(text: string): void {
    this.text(text.replace(/^\s*((re|fw|fwd|aw|wg|sv|vs)\s*:\s*)+/i, ''));
    this.endPart();
  }

  /** The next chunk of a text part; `html` skips markup (tags may span chunks). */
  text(chunk: string, html = false): void {
    const n = Math.min(chunk.length, this.budget);
    this.budget -= n;
    let hash = this.hash;
    let length = this.length;
    let inTag = this.inTag;
    for (let i = 0; i < n; i++) {
      let c = chunk.charCodeAt(i);
      if (inTag) {
        if (c === 0x3e) inTag = false; // '>'
        continue;
      }
      if (html && c === 0x3c) {
        inTag = true; // '<' ends the word before it, like a space
        c = 0x20;
      }
      const lower = c | 0x20; // ASCII letters in lower case ('@' and '[' map to no letter)
      if ((lower >= 0x61 && lower <= 0x7a) || (c >= 0x80 && isWideLetter(c))) {
        hash = Math.imul(hash ^ (c < 0x80 ? lower : c), 0x01000193);
        length++;
      } else if (length) {
        if (length >= 2) this.word(hash >>> 0);
        hash = FNV_OFFSET;
        length = 0;
      }
    }
    this.hash = hash;
    this.length = length;
    this.inTag = inTag;
  }

  endPart(): void {
    if (this.length >= 2) this.word(this.hash >>> 0);
    this.hash = FNV_OFFSET;
    this.length = 0;
    this.inTag = false;
  }

  /** The cluster id: a positive 53-bit integer, 0 for a message without any words. */
  clusterId(): number {
    this.endPart();
    if (this.words === 0) return 0;
    if (this.shingles === 0) this.shingle(this.prev1 ^ mix(this.prev2 + this.words)); // fewer than three words
    return this.min * 2 ** 21 + (mix(this.argmin ^ SEED_WIDEN) >>> 11);
  }

  private word(h: number): void {
    this.words++;
    if (this.words >= 3) this.shingle(mix(this.prev2 ^ mix(this.prev1 ^ mix(h))));
    this.prev2 = this.prev1;
    this.prev1 = h;
  }

  private shingle(h: number): void {
    this.shingles++;
    const v = mix(h ^ SEED_ORDER);
    if (v < this.min) {
      this.min = v;
      this.argmin = h;
    }
  }
}
