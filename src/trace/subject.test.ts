// One MIME word decoder: a subject reads the same to transport rules and in message trace.
import { describe, expect, it } from 'vitest';
import { buildRule } from '../rules/build.js';
import { compileRules } from '../rules/compile.js';
import { evaluateRules } from '../rules/evaluate.js';
import { input } from '../rules/testkit.js';
import { decodedHeader } from './receipt.js';

const subjects = [
  ['Q and B encodings, ISO-8859-1 and UTF-8', '=?iso-8859-1?Q?Rechnung_f=FCr?= =?UTF-8?B?TcO8bGxlcg==?=', 'Rechnung fürMüller'],
  ['adjacent encoded words folded over two lines', '=?ISO-8859-1?Q?Caf=E9?=\r\n =?ISO-8859-1?Q?_cr=E8me?=', 'Café crème'],
  ['encoded and plain text mixed', 'Re: =?utf-8?q?=C3=89tat?= du projet', 'Re: État du projet'],
];

describe('a subject reads the same to the rules and in the trace', () => {
  it.each(subjects)('%s', (_label, raw, text) => {
    const headers = [{ name: 'Subject', value: raw }];
    expect(decodedHeader(headers, 'Subject')).toBe(text);
    const rules = compileRules([buildRule({ Name: 'exact subject', Priority: 0, SubjectMatchesPatterns: `^${text}$`, Quarantine: true })]);
    const result = evaluateRules(rules, input({ headers }));
    expect(result.decision.disposition).toMatchObject({ action: 'quarantine' });
  });
});
