// KQL for CodeMirror: a StreamLanguage tokenizer (keywords, operators, strings, numbers,
// comments, the hunting tables) — highlighting only; the server's parser is the judge of errors.
import { StreamLanguage, type StringStream } from '@codemirror/language';

export const KQL_TABLES = ['EmailEvents', 'EmailAttachmentInfo', 'EmailUrlInfo', 'EmailPostDeliveryEvents', 'AdminAuditEvents'];

const KEYWORDS = new Set(
  (
    'where project project-away project-rename project-reorder extend summarize by count take limit top sort order asc desc nulls first last ' +
    'distinct join kind on union render let and or not in !in has !has has_any has_all contains !contains contains_cs startswith !startswith endswith !endswith ' +
    'matches regex between like getschema parse evaluate mv-expand as with typeof true false null'
  ).split(' '),
);
const FUNCTIONS = new Set(
  (
    'ago now datetime timespan bin floor iif iff case isempty isnotempty isnull isnotnull tolower toupper strlen substring split strcat tostring toint tolong todouble ' +
    'todatetime dcount countif sum sumif avg min max arg_max arg_min make_set make_list percentile startofday endofday format_datetime extract parse_json array_length ipv4_is_in_range ipv4_is_private'
  ).split(' '),
);
const TABLES = new Set(KQL_TABLES);

interface KqlState {
  inBlockString: boolean;
}

function readString(stream: StringStream, quote: string): void {
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === '\\') stream.next();
    else if (ch === quote) return;
  }
}

function token(stream: StringStream, state: KqlState): string | null {
  if (state.inBlockString) {
    if (stream.skipTo('```')) {
      stream.pos += 3;
      state.inBlockString = false;
    } else stream.skipToEnd();
    return 'string';
  }
  if (stream.eatSpace()) return null;
  if (stream.match('//')) {
    stream.skipToEnd();
    return 'comment';
  }
  if (stream.match('```')) {
    state.inBlockString = true;
    return 'string';
  }
  const ch = stream.peek() ?? '';
  if (ch === '"' || ch === "'") {
    stream.next();
    readString(stream, ch);
    return 'string';
  }
  if ((ch === '@' || ch === 'h' || ch === 'H') && stream.match(/^[@hH]@?["']/, false)) {
    const quote = stream.match(/^[@hH]@?(["'])/) as RegExpMatchArray;
    readString(stream, quote[1]);
    return 'string';
  }
  if (stream.match(/^\d+(\.\d+)?([eE][+-]?\d+)?(d|h|m|s|ms|microsecond|tick)?\b/)) return 'number';
  if (stream.match(/^(==|!=|<>|<=|>=|=~|!~|\|)/) || stream.match(/^[<>=+\-*/%]/)) return 'operator';
  if (stream.match(/^!?[A-Za-z_][\w-]*/)) {
    const word = stream.current();
    if (TABLES.has(word)) return 'typeName';
    if (KEYWORDS.has(word) || KEYWORDS.has(word.toLowerCase())) return 'keyword';
    if (FUNCTIONS.has(word)) return 'variableName.function';
    return 'variableName';
  }
  stream.next();
  return 'punctuation';
}

export const kql = StreamLanguage.define<KqlState>({
  name: 'kql',
  startState: () => ({ inBlockString: false }),
  copyState: (s) => ({ ...s }),
  token,
  languageData: { commentTokens: { line: '//' } },
});
