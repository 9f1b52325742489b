// FileType by content: the bytes decide, whatever the name says.
import { describe, expect, it } from 'vitest';
import { fileTypeOf } from './fileType.js';

/** A ZIP local file header naming `name` (what Office documents and JARs start with). */
const zipEntry = (name: string) => {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([h, Buffer.from(name), Buffer.alloc(64)]);
};
const pe = (dll: boolean) => {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(dll ? 0x2102 : 0x0102, 0x80 + 22);
  return b;
};

describe('fileTypeOf', () => {
  it.each([
    ['report.pdf', Buffer.from('%PDF-1.4\n'), 'pdf'],
    ['invoice.pdf', pe(false), 'exe'],
    ['library.txt', pe(true), 'dll'],
    ['letter.docx', Buffer.concat([zipEntry('[Content_Types].xml'), zipEntry('word/document.xml')]), 'docx'],
    ['letter.docx', Buffer.concat([zipEntry('[Content_Types].xml'), zipEntry('word/document.xml')]), 'docm', true],
    ['book.zip', Buffer.concat([zipEntry('[Content_Types].xml'), zipEntry('xl/workbook.xml')]), 'xlsx'],
    ['app.zip', Buffer.concat([zipEntry('META-INF/MANIFEST.MF')]), 'jar'],
    ['photos.docx', zipEntry('IMG_0001.jpg'), 'zip'],
    ['a.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'png'],
    ['a.txt', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'jpg'],
    ['a.rar', Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), 'rar'],
    ['a.7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), '7z'],
    ['shortcut.pdf', Buffer.from([0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0, 0]), 'lnk'],
    ['notes.one', Buffer.from([0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae]), 'one'],
    ['page.txt', Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'), 'html'],
    ['pic.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'), 'svg'],
    ['pic.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="go()"><rect/></svg>'), 'html'],
    ['doc.rtf', Buffer.from('{\\rtf1\\ansi hello}'), 'rtf'],
    ['readme', Buffer.from('Plain words\r\nand lines\r\n'), 'txt'],
    ['blob', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe]), 'bin'],
    ['empty.txt', Buffer.alloc(0), 'empty'],
  ])('%s → %s', (name, head, type, macros = false) => {
    expect(fileTypeOf(head as Buffer, name as string, macros as boolean)).toBe(type);
  });

  it('finds an ISO 9660 image by the volume descriptor beyond the head', () => {
    expect(fileTypeOf(Buffer.alloc(8192), 'disk.img', false, 'CD001')).toBe('iso');
  });
});
