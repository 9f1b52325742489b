import { describe, expect, it } from 'vitest';
import { CsvReader, CsvRecordTooLong, ExportDecoder, MAX_RECORD_CHARS } from './csvReader.js';

/** Feed text in chunks of `size` characters; all records and the end. */
function read(text: string, size = text.length) {
  const r = new CsvReader();
  const records = [];
  for (let i = 0; i < text.length; i += size) records.push(...r.push(text.slice(i, i + size)));
  const end = r.end();
  return { records: [...records, ...end.records], unterminated: end.unterminated };
}

describe('CsvReader', () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n1,,3\n"last",row,"here"';

  it.each([1, 2, 3, 7, 1000])('reads quoted commas, doubled quotes and line breaks in fields (chunks of %i)', (size) => {
    const { records, unterminated } = read(text, size);
    expect(unterminated).toBeUndefined();
    expect(records.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['1', '', '3'],
      ['last', 'row', 'here'],
    ]);
    // Each record's first line in the file: the quoted line break moves the next one down.
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 5]);
  });

  it('reports a file that ends inside a quoted field, with the line the record began on', () => {
    const { records, unterminated } = read('h1,h2\r\n1,2\r\n3,"cut here\r\nstill');
    expect(records.map((r) => r.fields)).toEqual([['h1', 'h2'], ['1', '2']]);
    expect(unterminated).toEqual({ line: 3 });
  });

  it.each([1, 5, 1000])('reads a semicolon-delimited export (Export-Csv -UseCulture) after a #TYPE line (chunks of %i)', (size) => {
    const { records } = read('#TYPE Deserialized.X\r\n"Received";"Subject"\r\n"28.11.2026 09:15:02";"a, b; c"\r\n', size);
    expect(records.map((r) => r.fields)).toEqual([['#TYPE Deserialized.X'], ['Received', 'Subject'], ['28.11.2026 09:15:02', 'a, b; c']]);
  });

  it('reads a file of one line without a line break', () => {
    expect(read('a;b;c').records.map((r) => r.fields)).toEqual([['a', 'b', 'c']]);
    expect(read('a,b').records.map((r) => r.fields)).toEqual([['a', 'b']]);
  });

  it('refuses a record longer than the cap instead of reading the file into memory', () => {
    const r = new CsvReader();
    expect(() => r.push('a\n"' + 'x'.repeat(MAX_RECORD_CHARS + 1))).toThrow(CsvRecordTooLong);
  });
});

describe('ExportDecoder', () => {
  const decode = (bytes: Buffer, size: number) => {
    const d = new ExportDecoder();
    let out = '';
    for (let i = 0; i < bytes.length; i += size) out += d.push(bytes.subarray(i, i + size));
    return { text: out + d.end(), encoding: d.encoding };
  };
  const sample = 'origin_timestamp_utc,sender_address\r\n"2026-11-24","café@contoso.com"\r\n';

  it.each([1, 3, 64])('reads UTF-16 LE with a BOM, UTF-8 with and without one (chunks of %i bytes)', (size) => {
    expect(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]), size)).toEqual({ text: sample, encoding: 'utf-16le' });
    expect(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample)]), size)).toEqual({ text: sample, encoding: 'utf-8' });
    expect(decode(Buffer.from(sample), size)).toEqual({ text: sample, encoding: 'utf-8' });
    expect(decode(Buffer.from(sample, 'utf16le'), size)).toEqual({ text: sample, encoding: 'utf-16le' });
  });
});
