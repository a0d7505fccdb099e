/**
 * `file` inputs with the real libraries: PDFs written by hand (text layer, scanned page,
 * 21 pages, corrupt, encrypted), DOCX written by a tiny zip writer, and OCR of scanned pages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader, visualTokens } from '../../src/documents/index.js';
import { LabelwiseError } from '../../src/errors.js';
import { buildDocx, buildZip, textImage } from '../support/documents-files.js';
import { buildPdf, type PdfPage } from '../support/documents-pdf.js';

const reader = new DocumentReader();
const noOcr = new DocumentReader({ ocr: false });
afterAll(() => Promise.all([reader.close(), noOcr.close()]));

const b64 = (b: Buffer) => b.toString('base64');
/** Render size of a US-Letter page at ≤ 1.5 MP, and its tokens. */
const LETTER_TOKENS = visualTokens(1076, 1393);

/** A US-Letter "scan": a 2× JPEG of black words on white, no text layer. */
function scannedPage(lines: string[]): PdfPage {
  const data = textImage(lines, 'jpeg', { width: 1224, height: 1584, fontPx: 44 });
  return { jpeg: { data, width: 1224, height: 1584 } };
}

async function expectDocError(promise: Promise<unknown>, message: RegExp) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabelwiseError);
  expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', status: 422, details: { field: 'file' } });
  expect((err as Error).message).toMatch(message);
}

describe('PDF', () => {
  it('extracts the text layer; every page counts visual tokens at its ≤ 1.5 MP render size', async () => {
    const pdf = buildPdf([{ text: ['The invoice total is 42 dollars'] }]);
    const started = performance.now();
    const r = await reader.read({ file: b64(pdf) });
    console.log(`text-layer PDF, 1 page: ${Math.round(performance.now() - started)} ms (first PDF includes loading pdfjs)`);
    expect(r).toMatchObject({ text: 'The invoice total is 42 dollars', pages: 1, images: 0, visualTokens: LETTER_TOKENS });
    expect(LETTER_TOKENS).toBe(1496);
    // A4 renders at 1029 × 1456.
    const a4 = await reader.read({ file: b64(buildPdf([{ text: ['An A4 page with enough text on it'], width: 595.28, height: 841.89 }])) });
    expect(a4.visualTokens).toBe(visualTokens(1029, 1456));
  });

  it('keeps page order and several lines; deterministic', async () => {
    const pdf = b64(
      buildPdf([
        { text: ['First page: the shipment arrived late', 'and the box was damaged'] },
        { text: ['Second page: please send a replacement'] },
      ]),
    );
    const r = await reader.read({ file: pdf });
    expect(r.text).toBe('First page: the shipment arrived late\nand the box was damaged\n\nSecond page: please send a replacement');
    expect(r.pages).toBe(2);
    expect(r.visualTokens).toBe(2 * LETTER_TOKENS);
    expect(await reader.read({ file: pdf })).toEqual(r);
  });

  it('OCRs a scanned page (no text layer)', async () => {
    const started = performance.now();
    const r = await reader.read({ file: b64(buildPdf([scannedPage(['Scanned refund request', 'please refund my order'])])) });
    console.log(`scanned PDF page, render + OCR: ${Math.round(performance.now() - started)} ms (includes starting the OCR worker)`);
    expect(r.text.toLowerCase()).toContain('refund my order');
    expect(r.pages).toBe(1);
    expect(r.visualTokens).toBe(LETTER_TOKENS);
  });

  it('mixes text-layer pages and scanned pages in page order', async () => {
    const pdf = buildPdf([{ text: ['Cover letter about a billing problem'] }, scannedPage(['Attached receipt number 7781'])]);
    const started = performance.now();
    const r = await reader.read({ file: b64(pdf) });
    console.log(`2-page PDF (1 scanned, warm worker): ${Math.round(performance.now() - started)} ms`);
    expect(r.text).toMatch(/^Cover letter about a billing problem\n\n.*receipt/is);
    expect(r.text).toContain('7781');
  });

  it('without OCR a scanned page adds visual tokens only', async () => {
    const r = await noOcr.read({ file: b64(buildPdf([scannedPage(['Scanned refund request'])])) });
    expect(r).toMatchObject({ text: '', pages: 1, visualTokens: LETTER_TOKENS });
  });

  it('refuses more than maxPages pages (20 are fine)', async () => {
    const pages = (n: number) => Array.from({ length: n }, (_, i) => ({ text: [`This is page number ${i + 1} of the report`] }));
    const twenty = await noOcr.read({ file: b64(buildPdf(pages(20))) });
    expect(twenty.pages).toBe(20);
    expect(twenty.visualTokens).toBe(20 * LETTER_TOKENS);
    await expectDocError(reader.read({ file: b64(buildPdf(pages(21))) }), /21 pages; at most 20/);
    const five = new DocumentReader({ ocr: false, maxPages: 5 });
    await expectDocError(five.read({ file: b64(buildPdf(pages(6))) }), /6 pages; at most 5/);
  });

  it('refuses a corrupt PDF', async () => {
    await expectDocError(reader.read({ file: b64(Buffer.from('%PDF-1.7\nthis is not really a PDF\n%%EOF')) }), /corrupt PDF/);
    await expectDocError(reader.read({ file: b64(Buffer.from('%PDF-')) }), /PDF/);
  });

  it('refuses a password-protected PDF; an owner-password-only PDF opens without a password', async () => {
    const locked = buildPdf([{ text: ['Top secret quarterly numbers'] }], { encrypt: { userPassword: 'open sesame', ownerPassword: 'owner' } });
    await expectDocError(reader.read({ file: b64(locked) }), /password-protected/);
    // Encrypted (RC4) with an empty user password: permissions only, readable by anyone.
    const restricted = buildPdf([{ text: ['Restricted but readable statement'] }], { encrypt: { userPassword: '', ownerPassword: 'owner' } });
    expect((await reader.read({ file: b64(restricted) })).text).toBe('Restricted but readable statement');
  });
});

describe('DOCX', () => {
  it('extracts the text with mammoth (deflated or stored zip); no visual tokens', async () => {
    for (const method of ['deflate', 'store'] as const) {
      const r = await reader.read({ file: b64(buildDocx(['Hello from a DOCX', 'My parcel & my <refund>'], { method })) });
      expect(r).toMatchObject({ text: 'Hello from a DOCX\n\nMy parcel & my <refund>', pages: 1, visualTokens: 0, images: 0 });
    }
  });

  it("uses Word's stored page count and refuses more than maxPages", async () => {
    expect((await reader.read({ file: b64(buildDocx(['seven pages'], { pages: 7 })) })).pages).toBe(7);
    await expectDocError(reader.read({ file: b64(buildDocx(['long'], { pages: 25 })) }), /25 pages; at most 20/);
  });

  it('refuses a corrupt or encrypted DOCX', async () => {
    const badXml = buildZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document><unclosed' });
    await expectDocError(reader.read({ file: b64(badXml) }), /corrupt DOCX|cannot be read/);
    const encrypted = Buffer.from(buildDocx(['secret']));
    // Set the "encrypted" flag on every central directory entry.
    for (let i = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
      encrypted.writeUInt16LE(encrypted.readUInt16LE(i + 8) | 1, i + 8);
    }
    await expectDocError(reader.read({ file: b64(encrypted) }), /encrypted/);
  });
});

describe('file and images together', () => {
  it('file text first, then each image OCR in order; tokens add up', async () => {
    const r = await reader.read({
      file: b64(buildDocx(['Customer email about an order'])),
      image: [b64(textImage(['refund my order'])), b64(textImage(['wrong size shoes'], 'jpeg'))],
    });
    expect(r.text).toMatch(/^Customer email about an order\n\nrefund my order\n\nwrong size shoes$/i);
    expect(r.images).toBe(2);
    expect(r.pages).toBe(1);
  });
});
