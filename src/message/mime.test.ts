import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, decodeMimeWords, parseAddressList } from './mime.js';

describe('MIME header decoding', () => {
  it.each([
    ['=?UTF-8?B?w4ljbGFpcg==?=', 'Éclair'],
    ['=?ISO-8859-1?Q?Caf=E9_cr=E8me?=', 'Café crème'],
    ['=?utf-8?q?a?= =?utf-8?q?b?=', 'ab'],
    ['Re: =?utf-8?B?8J+Ygw==?= ok', 'Re: 😃 ok'],
    ['=?UTF-8?B?8J+Y?= =?UTF-8?B?gw==?=', '😃'], // a character split across two words
    ['=?utf-8*en?q?Hi?=', 'Hi'],
    ['plain =? text', 'plain =? text'],
  ])('%s → %s', (raw, text) => expect(decodeMimeWords(raw)).toBe(text));

  it('parses address lists', () => {
    expect(parseAddressList('"Doe, John" <John@Contoso.com>, jane@contoso.com (Jane), undisclosed-recipients:;')).toEqual([
      'john@contoso.com',
      'jane@contoso.com',
    ]);
    expect(parseAddressList('Team: a@x.com, b@x.com;, c@x.com')).toEqual(['a@x.com', 'b@x.com', 'c@x.com']);
    expect(parseAddressList('"Doe, John" <John@Contoso.com>, jane@contoso.com')).toEqual(['john@contoso.com', 'jane@contoso.com']);
    expect(parseAddressList('"a \\" b" <x@y.com>')).toEqual(['x@y.com']);
    expect(parseAddressList('"john doe"@x.com')).toEqual(['"john doe"@x.com']);
    expect(parseAddressList('"Only a name", b@x.com')).toEqual(['b@x.com']);
    expect(parseAddressList('Bob <b@x.com>, <c@x.com>,d@x.com')).toEqual(['b@x.com', 'c@x.com', 'd@x.com']);
  });
});

describe('decodeHeaderValue', () => {
  it.each([
    ['Q and B words in one subject', '=?iso-8859-1?Q?Caf=E9?= und =?UTF-8?B?w4ljbGFpcg==?=', 'Café und Éclair'],
    ['adjacent words across a fold join without the white space', '=?ISO-8859-1?Q?R=E9sum=E9_?=\r\n =?ISO-8859-1?Q?final?=', 'Résumé final'],
    ['a folded plain subject unfolds (the CRLF goes, the space stays)', 'Quarterly\r\n report', 'Quarterly report'],
    ['an unknown charset keeps its bytes as Latin-1', '=?x-unknown?Q?ok=21?=', 'ok!'],
    ['surrounding space is trimmed', '  hello  ', 'hello'],
  ])('%s', (_label, raw, text) => expect(decodeHeaderValue(raw)).toBe(text));
});
