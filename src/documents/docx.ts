/**
 * DOCX text (spec §8) via mammoth `extractRawText`. Before mammoth sees the bytes, the zip's
 * central directory is read by hand: it must hold `word/document.xml`, no entry may be
 * encrypted, and the declared uncompressed total must stay under {@link MAX_DOCX_UNPACKED_BYTES}
 * (a zip-bomb guard; mammoth/JSZip also verify sizes while inflating). A DOCX is not rendered:
 * it contributes text only and 0 visual tokens; embedded pictures are not OCRed.
 *
 * Pages: Word stores the page count of its last layout in `docProps/app.xml` (`<Pages>`); when
 * present it is the page count (and over `maxPages` is refused), otherwise the DOCX counts as 1 page.
 *
 * `extractDocx` runs inside a document worker thread (see `pool.ts`): mammoth's XML parsing is
 * CPU-bound and a small file can hold millions of runs.
 */
import { inflateRawSync } from 'node:zlib';
import mammoth from 'mammoth';
import { documentEncrypted, documentTooLarge, documentUnreadable, tooManyPages, unsupportedFileType } from '../errors.js';
import { normalizeText } from './text.js';

/** Most bytes all entries of a DOCX may declare uncompressed. */
export const MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface DocxText {
  text: string;
  pages: number;
}

/** Whether a zip is a DOCX: it holds `word/document.xml`. Undefined when the zip is unreadable. */
export function isDocx(bytes: Buffer): boolean | undefined {
  const entries = readCentralDirectory(bytes);
  return entries === undefined ? undefined : entries.some((e) => e.name === 'word/document.xml');
}

/** Text and page count of a DOCX (already sniffed as a zip). */
export async function extractDocx(bytes: Buffer, maxPages: number): Promise<DocxText> {
  const entries = readCentralDirectory(bytes);
  if (!entries) throw documentUnreadable('file', 'file is a corrupt zip/DOCX (no readable central directory)');
  if (!entries.some((e) => e.name === 'word/document.xml')) throw unsupportedFileType('file', 'a zip that is not a DOCX (no word/document.xml)');
  if (entries.some((e) => e.flags & 1)) throw documentEncrypted('file', 'file is an encrypted (password-protected) DOCX');
  const unpacked = entries.reduce((sum, e) => sum + e.size, 0);
  if (unpacked > MAX_DOCX_UNPACKED_BYTES || entries.some((e) => e.size === 0xffffffff)) {
    throw documentTooLarge('file', `file is a DOCX that unpacks to more than ${MAX_DOCX_UNPACKED_BYTES / 1024 / 1024} MB`, MAX_DOCX_UNPACKED_BYTES);
  }
  const pages = Math.max(1, pageCount(bytes, entries.find((e) => e.name === 'docProps/app.xml')) ?? 1);
  if (pages > maxPages) throw tooManyPages('file', pages, maxPages);
  let value: string;
  try {
    ({ value } = await mammoth.extractRawText({ buffer: bytes }));
  } catch (err) {
    throw documentUnreadable('file', 'file is a corrupt DOCX that cannot be read', err);
  }
  return { text: normalizeText(value), pages };
}

/** Entries of the central directory, or undefined if there is none (or it is damaged). */
function readCentralDirectory(b: Buffer): ZipEntry[] | undefined {
  // End of central directory: 22 bytes plus a comment of up to 64 KB, at the very end.
  const from = Math.max(0, b.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = b.length - 22; i >= from; i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) return undefined;
    const nameLength = b.readUInt16LE(p + 28);
    const extraLength = b.readUInt16LE(p + 30);
    const commentLength = b.readUInt16LE(p + 32);
    entries.push({
      flags: b.readUInt16LE(p + 8),
      method: b.readUInt16LE(p + 10),
      compressedSize: b.readUInt32LE(p + 20),
      size: b.readUInt32LE(p + 24),
      localOffset: b.readUInt32LE(p + 42),
      name: b.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** `<Pages>` of `docProps/app.xml`, or undefined when absent or unreadable. */
function pageCount(b: Buffer, entry: ZipEntry | undefined): number | undefined {
  if (!entry || entry.size > 1024 * 1024) return undefined;
  try {
    const p = entry.localOffset;
    if (b.readUInt32LE(p) !== 0x04034b50) return undefined;
    const start = p + 30 + b.readUInt16LE(p + 26) + b.readUInt16LE(p + 28);
    const raw = b.subarray(start, start + entry.compressedSize);
    const xml = (entry.method === 8 ? inflateRawSync(raw, { maxOutputLength: 1024 * 1024 }) : raw).toString('utf8');
    const m = /<(?:\w+:)?Pages>\s*(\d+)\s*</.exec(xml);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
