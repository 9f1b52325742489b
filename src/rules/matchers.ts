// Words and patterns, compiled once per configuration: patterns into RE2 expressions (linear
// time: a tenant's `(a+)+$` can't stall the gateway), words into literal searches with boundary
// checks. Matchers are interned per message field, so the same value used by many rules is tested
// once per message, and all of a field's words and patterns share one combined prefilter (V8 where
// sound, one RE2 automaton otherwise): when it misses a text, none of the field's matchers is run
// on that text — the common case, so cost grows with what matches, not with the rule count.
import RE2 from 're2';

/** What a word or pattern is matched against. `header:<lower-case name>` fields are per header. */
export type FieldName =
  | 'from' // addresses in the From header
  | 'mailFrom' // the envelope MAIL FROM
  | 'recipient' // the recipients being decided for
  | 'anyRecipient' // every envelope recipient
  | 'subject'
  | 'subjectOrBody'
  | 'attachmentName'
  | 'attachmentText'
  | `header:${string}`;

export interface TextMatcher {
  id: number;
  field: FieldName;
  /** Index of the field in MatcherRegistry.fieldList (array lookups on the hot path). */
  fieldIndex: number;
  kind: 'word' | 'pattern';
  /** The configured value, as written. */
  value: string;
  /** Patterns: the compiled expression. */
  re?: RE2;
  /** Words: the lower-cased, space-normalised word and which ends must sit on a word boundary. */
  word?: WordNeedle;
  /** True when the field's prefilter covers this matcher (a prefilter miss means no match). */
  prefiltered: boolean;
  /** Index of this matcher's second-level prefilter in MatcherRegistry.buckets, or -1. */
  bucket: number;
  /** Source used inside the combined prefilter. */
  prefilterSource?: string;
  /** Patterns: an ASCII literal every match contains (case-insensitively), when one can be read off the pattern. */
  literal?: string;
}

/**
 * A combined prefilter. `js` (V8) passes every text any covered matcher can match: for words it is
 * the words' own searches without boundaries; for patterns, each pattern's required literal, which
 * is only sound on ASCII texts (`jsAsciiOnly`: there, case-insensitive ASCII comparison is the same
 * in both engines). Otherwise `re2`, the alternation of the matchers themselves, decides.
 */
export interface Prefilter {
  js?: RegExp;
  jsAsciiOnly: boolean;
  re2?: RE2;
}

export interface FieldSpec {
  name: FieldName;
  index: number;
  matchers: TextMatcher[];
  prefilter?: Prefilter;
  /**
   * The prefiltered matchers as one RE2.Set (in `covered` order): one call over a text that passed
   * the V8 prefilter says which patterns match it and which words' literals occur in it, so every
   * other matcher of the field is false for that text without running. Absent when the set could
   * not be built (then `prefilter.re2` and the buckets decide, as before).
   */
  exact?: { set: InstanceType<typeof RE2.Set>; covered: TextMatcher[] };
}

export interface WordNeedle {
  /** The word with white space collapsed. */
  text: string;
  /** Case-insensitive literal search (global, for stepping through candidates). */
  re: RegExp;
  /** Whether the word's first / last character is a letter or digit, so needs a boundary there. */
  boundaryStart: boolean;
  boundaryEnd: boolean;
}

// One shared Unicode class: V8 takes milliseconds to build a \p{…} class, so it's built once
// here rather than inside every word's expression.
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
const JS_SPECIALS = /[\\^$.|?*+()[\]{}/]/g;
const RE2_SPECIALS = /[\\^$.|?*+()[\]{}]/g;
/** JavaScript's `\s` (which the word search uses) spelled for RE2, whose `\s` is ASCII only. */
const RE2_JS_SPACE = '[\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}]+';

/**
 * A word or phrase: case-insensitive, whole word — a letter or digit at either end of the word
 * must not touch another letter or digit ("contoso" doesn't match "acontoso" but does match
 * "contoso.com") — and no wildcards: `*` is a literal asterisk. Spaces inside a phrase match any
 * run of white space (folded headers). The expression is an escaped literal (plus `\s+`), so it
 * can't backtrack catastrophically.
 */
export function wordNeedle(word: string): WordNeedle {
  // Case-insensitivity comes from the flags (Unicode simple case folding, like RE2's), not from
  // lower-casing, which can change a character's length (İ → i̇).
  const text = word.trim().replace(/\s+/g, ' ');
  const core = text
    .split(' ')
    .map((part) => part.replace(JS_SPECIALS, '\\$&'))
    .join('\\s+');
  const chars = Array.from(text);
  return { text, re: new RegExp(core, 'giu'), boundaryStart: WORD_CHAR.test(chars[0]), boundaryEnd: WORD_CHAR.test(chars[chars.length - 1]) };
}

function isWordCharAt(s: string, i: number, backwards: boolean): boolean {
  const c = s.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
  // Non-ASCII: test the whole code point (a surrogate pair when needed).
  let cp: string;
  if (backwards && c >= 0xdc00 && c <= 0xdfff && i > 0) cp = s.slice(i - 1, i + 1);
  else if (!backwards && c >= 0xd800 && c <= 0xdbff) cp = s.slice(i, i + 2);
  else cp = s[i];
  return WORD_CHAR.test(cp);
}

/** Does the text contain the word as a whole word? Steps through literal candidates; linear in practice. */
export function containsWord(text: string, w: WordNeedle): boolean {
  const re = w.re;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const i = m.index;
    const end = i + m[0].length;
    const okStart = !w.boundaryStart || i === 0 || !isWordCharAt(text, i - 1, true);
    const okEnd = !w.boundaryEnd || end >= text.length || !isWordCharAt(text, end, false);
    if (okStart && okEnd) return true;
    re.lastIndex = i + 1;
  }
  return false;
}

export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`'${pattern}' is not a valid pattern (${reason}); patterns use RE2 syntax: no look-around or back-references`);
  }
}

/** Compile one tenant pattern: case-insensitive, matching anywhere. Throws PatternError. */
export function compilePattern(pattern: string): RE2 {
  try {
    return new RE2(pattern, 'iu');
  } catch (e) {
    throw new PatternError(pattern, (e as Error).message);
  }
}

const PATTERN_COST = 4;
const BUCKET_SIZE = 16;
const PREFILTER_COST = 12;

/** Interns matchers by field, kind and value, and builds each field's prefilter. */
export class MatcherRegistry {
  readonly matchers: TextMatcher[] = [];
  readonly fields = new Map<FieldName, FieldSpec>();
  readonly fieldList: FieldSpec[] = [];
  /** Second-level prefilters (see seal); TextMatcher.bucket indexes this list. */
  readonly buckets: Prefilter[] = [];
  private readonly byKey = new Map<string, TextMatcher>();

  word(field: FieldName, word: string): TextMatcher {
    const key = `${field}\u0000w\u0000${word.toLowerCase()}`;
    const found = this.byKey.get(key);
    if (found) return found;
    const needle = wordNeedle(word);
    // In the field's RE2 prefilter as a plain literal (no boundaries: a superset, checked after).
    const literal = needle.text
      .split(' ')
      .map((part) => part.replace(RE2_SPECIALS, '\\$&'))
      .join(RE2_JS_SPACE);
    return this.add(key, field, 'word', word, { word: needle, prefilterSource: literal });
  }

  pattern(field: FieldName, pattern: string): TextMatcher {
    const key = `${field}\u0000p\u0000${pattern}`;
    const found = this.byKey.get(key);
    if (found) return found;
    // \Q…\E can't be safely wrapped into an alternation; such patterns are always run directly.
    const safe = !/\\[QE]/.test(pattern);
    return this.add(key, field, 'pattern', pattern, { re: compilePattern(pattern), prefilterSource: safe ? pattern : undefined, literal: requiredLiteral(pattern) });
  }

  private add(
    key: string,
    field: FieldName,
    kind: 'word' | 'pattern',
    value: string,
    how: { re?: RE2; word?: WordNeedle; prefilterSource?: string; literal?: string },
  ): TextMatcher {
    let spec = this.fields.get(field);
    if (!spec) {
      spec = { name: field, index: this.fieldList.length, matchers: [] };
      this.fields.set(field, spec);
      this.fieldList.push(spec);
    }
    const m: TextMatcher = { id: this.matchers.length, field, fieldIndex: spec.index, kind, value, re: undefined, word: undefined, prefiltered: false, bucket: -1, prefilterSource: undefined, literal: undefined, ...how };
    this.matchers.push(m);
    this.byKey.set(key, m);
    spec.matchers.push(m);
    return m;
  }

  /** Build the per-field prefilters; call once after every rule is registered. */
  seal(): void {
    for (const spec of this.fields.values()) {
      const covered = spec.matchers.filter((m) => m.prefilterSource !== undefined);
      // A prefilter only pays off when it stands in for enough work: one call into RE2 costs
      // about as much as one pattern, or several word searches (V8 literal scans).
      const patterns = covered.filter((m) => m.kind === 'pattern').length;
      const cost = patterns * PATTERN_COST + (covered.length - patterns);
      if (covered.length < 2 || cost < PREFILTER_COST) continue;
      try {
        // The set is exact for patterns (same sources, same flags) and a superset for words (their
        // literal without boundaries), so it both confirms the V8 prefilter and picks the matchers to run.
        const set = new RE2.Set(
          covered.map((m) => m.prefilterSource!),
          'iu',
        );
        spec.prefilter = combine(covered, false);
        spec.exact = { set, covered };
        for (const m of covered) m.prefiltered = true;
        continue;
      } catch {
        // too large for one set: the combined expression and buckets below
      }
      try {
        spec.prefilter = combine(covered);
        for (const m of covered) m.prefiltered = true;
      } catch {
        continue; // too large for one automaton: run each matcher directly
      }
      // Many matchers: a second level of smaller prefilters, so a text that passes the field's
      // prefilter (one value may match) runs one bucket's matchers, not all of the field's.
      if (covered.length > BUCKET_SIZE * 2) {
        for (let i = 0; i < covered.length; i += BUCKET_SIZE) {
          const bucket = covered.slice(i, i + BUCKET_SIZE);
          try {
            const id = this.buckets.length;
            this.buckets.push(combine(bucket));
            for (const m of bucket) m.bucket = id;
          } catch {
            // keep these matchers unbucketed
          }
        }
      }
    }
  }
}

function combine(matchers: TextMatcher[], withRe2 = true): Prefilter {
  // V8 where it's sound: a call into RE2 copies each new string into a UTF-8 buffer first and
  // costs several times a V8 literal search.
  const words = matchers.every((m) => m.word);
  const literals = matchers.every((m) => m.word || m.literal !== undefined);
  const js = literals
    ? new RegExp(matchers.map((m) => `(?:${m.word ? m.word.re.source : m.literal!.replace(JS_SPECIALS, '\\$&')})`).join('|'), 'iu')
    : undefined;
  if (words) return { js, jsAsciiOnly: false };
  if (!withRe2) return { js, jsAsciiOnly: true };
  return { js, jsAsciiOnly: true, re2: new RE2(matchers.map((m) => `(?:${m.prefilterSource})`).join('|'), 'iu') };
}

/**
 * The longest run of literal characters every match of an RE2 pattern must contain, when the
 * pattern is simple enough to read it off safely (no alternation, groups, classes, braces or
 * exotic escapes), it is at least 3 ASCII characters, and it is not inside a repetition.
 * Undefined otherwise (the pattern then keeps the field's prefilter on RE2).
 */
export function requiredLiteral(pattern: string): string | undefined {
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if ('|()[]{}'.includes(c)) return undefined;
    if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined) return undefined;
      if (/[dDsSwWbB]/.test(n)) end();
      else if (/[!-/:-@[-`{-~ ]/.test(n)) run += n; // escaped ASCII punctuation: itself
      else return undefined; // \x, \p, \Q, \A, \z, \1…: not read here
    } else if (c === '*' || c === '?') {
      run = run.slice(0, -1); // the previous character is optional
      end();
    } else if (c === '+') end(); // required once, then repeated
    else if (c === '.' || c === '^' || c === '$') end();
    else run += c;
  }
  end();
  return best.length >= 3 && /^[\x20-\x7e]+$/.test(best) ? best : undefined;
}
