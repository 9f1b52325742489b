// An attachment's type by its content (magic numbers and structure), not by the name the sender
// chose: `invoice.pdf` that starts with `MZ` is an `exe`. Names are Defender's FileType values
// (lower-case type names such as pdf, docx, zip, exe, html). The name is only a tie-breaker
// where the bytes cannot tell (an OLE2 container whose directory lies beyond the head).

/** Bytes of the head the sniffer reads. */
export const SNIFF_BYTES = 8192;
/** Where an ISO 9660 volume descriptor says `CD001` (beyond the head: the scanner keeps these bytes apart). */
export const ISO_MARK_AT = 0x8001;

const startsWith = (head: Buffer, bytes: number[], at = 0) => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
const ascii = (head: Buffer, text: string, at = 0) => head.length >= at + text.length && head.toString('latin1', at, at + text.length) === text;
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

/** Names inside a ZIP's local headers that tell its Office or Java flavour. */
function zipFlavour(head: Buffer, macros: boolean): string {
  const has = (s: string) => head.includes(s, 0, 'latin1');
  if (has('word/')) return macros ? 'docm' : 'docx';
  if (has('xl/')) return macros ? 'xlsm' : 'xlsx';
  if (has('ppt/')) return macros ? 'pptm' : 'pptx';
  if (has('META-INF/MANIFEST.MF') || /\.class/.test(head.toString('latin1', 0, Math.min(head.length, 4096)))) return 'jar';
  if (has('application/vnd.oasis.opendocument.text')) return 'odt';
  if (has('application/vnd.oasis.opendocument.spreadsheet')) return 'ods';
  return 'zip';
}

function oleFlavour(head: Buffer, name: string): string {
  if (head.includes(utf16('WordDocument'))) return 'doc';
  if (head.includes(utf16('Workbook')) || head.includes(utf16('Book'))) return 'xls';
  if (head.includes(utf16('PowerPoint Document'))) return 'ppt';
  if (head.includes(utf16('__substg1.0_'))) return 'msg';
  const ext = name.toLowerCase().match(/\.(doc|xls|ppt|msg|msi|dot|xlt|pot)$/)?.[1];
  return ext ?? 'ole';
}

function peFlavour(head: Buffer): string {
  // IMAGE_FILE_HEADER.Characteristics & IMAGE_FILE_DLL, at e_lfanew + 22.
  if (head.length < 0x40) return 'exe';
  const pe = head.readUInt32LE(0x3c);
  if (pe + 24 > head.length || !ascii(head, 'PE\0\0', pe)) return 'exe';
  return head.readUInt16LE(pe + 22) & 0x2000 ? 'dll' : 'exe';
}

/** Markup and plain text: HTML (and scripted SVG, which renders as a page), SVG, XML, RTF, text. */
function textFlavour(head: Buffer): string | undefined {
  // Text first: no control bytes other than tab, line ends and form feed in the head (binary
  // files fail this within a few bytes).
  const n = Math.min(head.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return undefined;
  }
  const sample = head.toString('utf8', 0, n).replace(/^\uFEFF/, '');
  const start = sample.trimStart().slice(0, 256).toLowerCase();
  if (start.startsWith('{\\rtf')) return 'rtf';
  const lower = sample.toLowerCase();
  if (lower.includes('<svg')) return /<script|javascript:|\son[a-z]+\s*=/.test(lower) ? 'html' : 'svg';
  if (/^<(!doctype html|html|head|body|script|iframe|meta|form|div|a\s)/.test(start) || /<html[\s>]/.test(lower)) return 'html';
  if (start.startsWith('<?xml')) return lower.includes('<jnlp') ? 'jnlp' : 'xml';
  if (start.startsWith('#!')) return 'sh';
  return 'txt';
}

/**
 * The FileType of an attachment from its first bytes (up to SNIFF_BYTES). `macros` says a
 * ZIP container holds a `vbaProject.bin` (the scanner looks for it over the whole stream);
 * `isoMark` is the 5 bytes at ISO_MARK_AT.
 */
export function fileTypeOf(head: Buffer, name = '', macros = false, isoMark = ''): string {
  if (head.length === 0) return 'empty';
  if (ascii(head, '%PDF-') || (head.length > 1024 && head.includes('%PDF-', 0, 'latin1') && head.indexOf('%PDF-', 0, 'latin1') < 1024)) return 'pdf';
  if (ascii(head, 'MZ')) return peFlavour(head);
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return zipFlavour(head, macros);
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return oleFlavour(head, name);
  if (ascii(head, 'Rar!\x1a\x07')) return 'rar';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(head, [0x1f, 0x8b])) return 'gz';
  if (ascii(head, 'BZh')) return 'bz2';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (ascii(head, '**ACE**', 7)) return 'ace';
  if (ascii(head, 'MSCF')) return 'cab';
  if (ascii(head, 'ITSF')) return 'chm';
  if (ascii(head, 'ustar', 257)) return 'tar';
  if (isoMark === 'CD001') return 'iso';
  if (startsWith(head, [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00])) return 'lnk';
  if (startsWith(head, [0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d])) return 'one';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpg';
  if (ascii(head, 'GIF8')) return 'gif';
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return 'webp';
  if (ascii(head, 'II*\0') || ascii(head, 'MM\0*')) return 'tif';
  if (ascii(head, 'BM') && head.length > 14 && head.readUInt32LE(2) > 14) return 'bmp';
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'ico';
  if (ascii(head, 'ftyp', 4)) return 'mp4';
  if (ascii(head, 'ID3') || startsWith(head, [0xff, 0xfb])) return 'mp3';
  if (ascii(head, 'From ') || /^(received|return-path|from|message-id|mime-version|subject|date):/i.test(head.toString('latin1', 0, 32))) return 'eml';
  return textFlavour(head) ?? 'bin';
}
