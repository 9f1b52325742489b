// EmailClusterId: messages with the same content shape (a campaign's template with names,
// numbers and links changed) share one id, so "find related mails" is `where EmailClusterId ==`.
// The shape is a MinHash sketch over word 3-shingles of the normalized subject and body text:
// lower-cased words of two letters or more (digits and punctuation dropped, markup stripped).
// Two messages get the same id when both minima agree, which happens with probability J² for
// shingle sets of Jaccard similarity J: near-identical texts almost always, unrelated ones
// practically never. The sketch is built while the text streams, in constant memory, and does not
// depend on how the text was cut into chunks.

const SEEDS = [0x9e3779b1, 0x85ebca6b];
/** Text beyond this many characters does not change the shape: a template shows in its first 64 KB. */
const MAX_TEXT = 64 * 1024;
const WORD = /\p{L}{2,}/gu;
const LETTER = /\p{L}/u;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's finalizer: spreads a 32-bit value over all bits. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class ShapeSketch {
  private readonly minima = SEEDS.map(() => 0xffffffff);
  private prev1 = 0;
  private prev2 = 0;
  private words = 0;
  private shingles = 0;
  private carry = '';
  private inTag = false;
  private budget = MAX_TEXT;

  /** The subject, with reply and forward prefixes dropped (a reply keeps its thread's shape). */
  subject(text: string): void {
    this.text(text.replace(/^\s*((re|fw|fwd|aw|wg|sv|vs)\s*:\s*)+/i, ''));
    this.endPart();
  }

  /** The next chunk of a text part; `html` strips markup (tags may span chunks). */
  text(chunk: string, html = false): void {
    if (this.budget <= 0) return;
    chunk = chunk.slice(0, this.budget);
    this.budget -= chunk.length;
    let all = this.carry + (html ? this.stripTags(chunk) : chunk).toLowerCase();
    // A word the chunk boundary cut is finished by the next chunk.
    let end = all.length;
    while (end > 0 && LETTER.test(all[end - 1])) end--;
    this.carry = all.slice(end);
    all = all.slice(0, end);
    for (const m of all.matchAll(WORD)) this.word(m[0]);
  }

  endPart(): void {
    const rest = this.carry;
    this.carry = '';
    this.inTag = false;
    if (rest.length >= 2) this.word(rest);
  }

  /** The cluster id: a positive 53-bit integer, 0 for a message without any words. */
  clusterId(): number {
    this.endPart();
    if (this.words === 0) return 0;
    if (this.shingles === 0) this.shingle(this.prev1 ^ mix(this.prev2 + this.words)); // fewer than three words
    return this.minima[0] * 2 ** 21 + (this.minima[1] >>> 11);
  }

  private word(w: string): void {
    const h = fnv1a(w);
    this.words++;
    if (this.words >= 3) this.shingle(mix(this.prev2 ^ mix(this.prev1 ^ mix(h))));
    this.prev2 = this.prev1;
    this.prev1 = h;
  }

  private shingle(h: number): void {
    this.shingles++;
    for (let k = 0; k < SEEDS.length; k++) {
      const v = mix(h ^ SEEDS[k]);
      if (v < this.minima[k]) this.minima[k] = v;
    }
  }

  private stripTags(chunk: string): string {
    let out = '';
    let i = 0;
    while (i < chunk.length) {
      if (this.inTag) {
        const close = chunk.indexOf('>', i);
        if (close < 0) return out;
        this.inTag = false;
        i = close + 1;
        out += ' ';
      } else {
        const open = chunk.indexOf('<', i);
        if (open < 0) return out + chunk.slice(i);
        out += chunk.slice(i, open) + ' ';
        this.inTag = true;
        i = open + 1;
      }
    }
    return out;
  }
}
