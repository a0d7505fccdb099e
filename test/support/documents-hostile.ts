/**
 * Pathological documents for the hostile-input tests (issue #8): small files that once froze
 * the server — long runs of blanks, deep XML nesting, millions of tiny runs. Every byte is
 * generated at run time.
 */
import { buildZip, DOCX_PACKAGE_PARTS } from './documents-files.js';
import { buildPdf } from './documents-pdf.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const HEAD = Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>`);
const TAIL = Buffer.from('</w:body></w:document>');

/** A DOCX whose `word/document.xml` body is `body` (raw XML, not escaped). */
export function docxWithBody(body: Buffer | string): Buffer {
  return buildZip({
    ...DOCX_PACKAGE_PARTS,
    'word/document.xml': Buffer.concat([HEAD, Buffer.isBuffer(body) ? body : Buffer.from(body), TAIL]),
  });
}

/** One paragraph, one run: `before`, `count` copies of `blank`, `after` (no newline after the blanks). */
export function blankRunDocx(before: string, blank: string, count: number, after: string): Buffer {
  return docxWithBody(
    Buffer.concat([Buffer.from(`<w:p><w:r><w:t xml:space="preserve">${before}`), Buffer.alloc(count * blank.length, blank), Buffer.from(`${after}</w:t></w:r></w:p>`)]),
  );
}

/** `runs` runs of one character each in one paragraph (an 11 KB file of 4 MB XML blocked for 5.4 s). */
export function tinyRunsDocx(runs: number): Buffer {
  return docxWithBody(Buffer.concat([Buffer.from('<w:p>'), Buffer.alloc(runs * 22, '<w:r><w:t>a</w:t></w:r>'), Buffer.from('</w:p>')]));
}

/** `depth` nested elements around one word. */
export function deepDocx(depth: number): Buffer {
  return docxWithBody(Buffer.concat([Buffer.alloc(depth * 5, '<w:p>'), Buffer.from('<w:r><w:t>deep</w:t></w:r>'), Buffer.alloc(depth * 6, '</w:p>')]));
}

/** A one-page PDF whose text lines are `before`, `count` × `blank`, `after`. */
export function blankRunPdf(before: string, blank: string, count: number, after: string): Buffer {
  return buildPdf([{ text: [`${before}${blank.repeat(count)}${after}`, 'second line'] }]);
}
