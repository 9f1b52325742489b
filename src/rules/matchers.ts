// Words and patterns, compiled once per configuration: patterns into RE2 expressions (linear
// time: a tenant's `(a+)+$` can't stall the gateway), words into plain string searches with
// boundary checks. Matchers are interned per message field, so the same value used by many rules
// is tested once per message, and each field's patterns share one combined RE2 prefilter: when
// it misses a text, none of the field's patterns is run on that text.
import RE2 from 're2';

/** What a word or pattern is matched against. `header:<lower-case name>` fields are per header. */
export type FieldName =
  | 'from' // addresses in the From header
  | 'mailFrom' // the envelope MAIL FROM
  | 'recipient' // envelope recipients
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
  /** Source used inside the combined prefilter. */
  prefilterSource?: string;
}

export interface FieldSpec {
  name: FieldName;
  index: number;
  matchers: TextMatcher[];
  prefilter?: RE2;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

export interface WordNeedle {
  text: string;
  boundaryStart: boolean;
  boundaryEnd: boolean;
}

/** Lower-case and collapse white space, as both words and the texts they're sought in are. */
export function normaliseForWords(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

/**
 * A word or phrase: case-insensitive, whole word — a letter or digit at either end of the word
 * must not touch another letter or digit ("contoso" doesn't match "acontoso" but does match
 * "contoso.com") — and no wildcards: `*` is a literal asterisk. Spaces inside a phrase match any
 * run of white space (folded headers). Plain string search, so compiling thousands is cheap.
 */
export function wordNeedle(word: string): WordNeedle {
  const text = normaliseForWords(word.trim());
  const chars = Array.from(text);
  return { text, boundaryStart: WORD_CHAR.test(chars[0]), boundaryEnd: WORD_CHAR.test(chars[chars.length - 1]) };
}

function isWordCharAt(s: string, i: number, backwards: boolean): boolean {
  const c = s.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || (c >= 0x41 && c <= 0x5a);
  // Non-ASCII: take the whole code point (a surrogate pair when needed).
  let cp: string;
  if (backwards && c >= 0xdc00 && c <= 0xdfff && i > 0) cp = s.slice(i - 1, i + 1);
  else if (!backwards && c >= 0xd800 && c <= 0xdbff) cp = s.slice(i, i + 2);
  else cp = s[i];
  return WORD_CHAR.test(cp);
}

/** Find a word in a text normalised with normaliseForWords. Linear in practice; never backtracks. */
export function containsWord(hay: string, w: WordNeedle): boolean {
  const n = w.text;
  let from = 0;
  for (;;) {
    const i = hay.indexOf(n, from);
    if (i < 0) return false;
    const end = i + n.length;
    const badStart = w.boundaryStart && i > 0 && isWordCharAt(hay, i - 1, true);
    const badEnd = w.boundaryEnd && end < hay.length && isWordCharAt(hay, end, false);
    if (!badStart && !badEnd) return true;
    from = i + 1;
  }
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

/** Interns matchers by field, kind and value, and builds each field's prefilter. */
export class MatcherRegistry {
  readonly matchers: TextMatcher[] = [];
  readonly fields = new Map<FieldName, FieldSpec>();
  readonly fieldList: FieldSpec[] = [];
  private readonly byKey = new Map<string, TextMatcher>();

  word(field: FieldName, word: string): TextMatcher {
    const key = `${field}\u0000w\u0000${word.toLowerCase()}`;
    const found = this.byKey.get(key);
    if (found) return found;
    return this.add(key, field, 'word', word, { word: wordNeedle(word) });
  }

  pattern(field: FieldName, pattern: string): TextMatcher {
    const key = `${field}\u0000p\u0000${pattern}`;
    const found = this.byKey.get(key);
    if (found) return found;
    // \Q…\E can't be safely wrapped into an alternation; such patterns are always run directly.
    const safe = !/\\[QE]/.test(pattern);
    return this.add(key, field, 'pattern', pattern, { re: compilePattern(pattern), prefilterSource: safe ? pattern : undefined });
  }

  private add(
    key: string,
    field: FieldName,
    kind: 'word' | 'pattern',
    value: string,
    how: { re?: RE2; word?: WordNeedle; prefilterSource?: string },
  ): TextMatcher {
    let spec = this.fields.get(field);
    if (!spec) {
      spec = { name: field, index: this.fieldList.length, matchers: [] };
      this.fields.set(field, spec);
      this.fieldList.push(spec);
    }
    const m: TextMatcher = { id: this.matchers.length, field, fieldIndex: spec.index, kind, value, re: undefined, word: undefined, prefiltered: false, prefilterSource: undefined, ...how };
    this.matchers.push(m);
    this.byKey.set(key, m);
    spec.matchers.push(m);
    return m;
  }

  /** Build the per-field prefilters; call once after every rule is registered. */
  seal(): void {
    for (const spec of this.fields.values()) {
      const covered = spec.matchers.filter((m) => m.prefilterSource !== undefined);
      // A prefilter only pays off when it stands in for several matchers.
      if (covered.length < 2) continue;
      try {
        spec.prefilter = new RE2(covered.map((m) => `(?:${m.prefilterSource})`).join('|'), 'iu');
        for (const m of covered) m.prefiltered = true;
      } catch {
        // Too large for one automaton: run each matcher directly.
      }
    }
  }
}
