/**
 * PDF files (spec §8) with pdfjs-dist 5's legacy build, fully offline: standard fonts, CMaps
 * and the image-decoder wasm come from the installed package folder; eval is off.
 *
 * Per page: the text layer (`getTextContent`), and a page image at {@link PAGE_MAX_PIXELS}
 * (≤ 1.5 MP, at most {@link PAGE_MAX_SCALE}× 72 dpi) whose pixel size gives the page's visual
 * tokens. Pages with a near-empty text layer (fewer than {@link MIN_TEXT_LAYER_CHARS}
 * non-space characters: a scan) are rendered and OCRed, and the OCR text replaces their text
 * layer (when OCR finds something). Pages with a real text layer are not rendered: their
 * tokens only need the render size, which the viewport gives without drawing (same numbers,
 * no wasted CPU).
 *
 * Rendering uses pdfjs's own canvas factory: pdfjs-dist 5.6 depends on @napi-rs/canvas 0.1.x
 * and npm nests that copy under it; mixing its Path2D/images with a canvas of the top-level
 * @napi-rs/canvas 1.x crashes the process, so PDF pages never touch the top-level copy.
 *
 * Runs inside a document worker thread (see `pool.ts`), never on the caller's thread: pdfjs in
 * Node parses on the thread that calls it (its "fake worker"), and rendering is CPU-bound. Its
 * import sets `globalThis.DOMMatrix`, `Path2D`, `ImageData` and `navigator` (from its canvas
 * copy) when they are missing — in that worker thread only. OCR of the rendered pages happens
 * back in the reader (tesseract has a worker thread of its own).
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
import { documentEncrypted, documentUnreadable, tooManyPages } from '../errors.js';
import { MAX_SOURCE_PIXELS } from './image.js';
import { normalizeText } from './text.js';

/** Most pixels a page is rendered at (1.5 MP: a US-Letter page is 1076 × 1393 px). */
export const PAGE_MAX_PIXELS = 1_500_000;
/** Largest render scale (144 dpi), so small pages are not blown up to 1.5 MP. */
export const PAGE_MAX_SCALE = 2;
/** A page with fewer non-space characters in its text layer counts as scanned and is OCRed. */
export const MIN_TEXT_LAYER_CHARS = 20;
/** One page as read in the worker: its text layer, its render size and, for a scan, its image. */
export interface PdfPageRead {
  /** The normalised text layer. */
  text: string;
  width: number;
  height: number;
  /** PNG of the rendered page, only for a scanned page when rendering was asked for (OCR is on). */
  png?: Uint8Array;
}

export interface PdfRead {
  pages: PdfPageRead[];
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;
const pdfjsDir = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** Loads pdfjs (done once per worker thread, before its first document is timed). */
export function loadPdfJs(): Promise<PdfJs> {
  return (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
}

/**
 * Text layers and render sizes of every page of a PDF; scanned pages are also rendered when
 * `render` is set (OCR on), for the reader to OCR.
 */
export async function readPdf(bytes: Uint8Array, maxPages: number, render: boolean): Promise<PdfRead> {
  const lib = await loadPdfJs();
  const task = lib.getDocument({
    data: bytes, // pdfjs takes ownership of (detaches) it: the worker's own copy
    standardFontDataUrl: join(pdfjsDir, 'standard_fonts') + sep,
    cMapUrl: join(pdfjsDir, 'cmaps') + sep,
    cMapPacked: true,
    wasmUrl: join(pdfjsDir, 'wasm') + sep,
    iccUrl: join(pdfjsDir, 'iccs') + sep,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    maxImageSize: MAX_SOURCE_PIXELS,
    verbosity: 0,
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => {});
    const name = (err as Error)?.name;
    if (name === 'PasswordException') throw documentEncrypted('file', 'file is a password-protected (encrypted) PDF', err);
    if (name === 'InvalidPDFException') throw documentUnreadable('file', 'file is a corrupt PDF (invalid structure)', err);
    throw documentUnreadable('file', 'file is a PDF that cannot be read', err);
  }
  try {
    if (doc.numPages > maxPages) throw tooManyPages('file', doc.numPages, maxPages);
    const pages: PdfPageRead[] = [];
    for (let n = 1; n <= doc.numPages; n++) pages.push(await readPage(doc, n, render));
    return { pages };
  } finally {
    await doc.destroy().catch(() => {});
  }
}

async function readPage(doc: PDFDocumentProxy, n: number, render: boolean): Promise<PdfPageRead> {
  let page: PDFPageProxy;
  let layer: string;
  try {
    page = await doc.getPage(n);
    const content = await page.getTextContent();
    layer = normalizeText(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  } catch (err) {
    throw documentUnreadable('file', `page ${n} of the PDF cannot be read`, err);
  }
  try {
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(PAGE_MAX_SCALE, Math.sqrt(PAGE_MAX_PIXELS / Math.max(1, base.width * base.height)));
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.floor(viewport.width));
    const height = Math.max(1, Math.floor(viewport.height));
    if (!render || layer.replace(/\s+/g, '').length >= MIN_TEXT_LAYER_CHARS) return { text: layer, width, height };
    return { text: layer, width, height, png: await renderPage(doc, page, viewport, width, height, n) };
  } finally {
    page.cleanup();
  }
}

/** The page drawn on a white canvas of pdfjs's own canvas factory, as PNG. */
async function renderPage(
  doc: PDFDocumentProxy,
  page: PDFPageProxy,
  viewport: ReturnType<PDFPageProxy['getViewport']>,
  width: number,
  height: number,
  n: number,
): Promise<Buffer> {
  // `canvasFactory` is public on PDFDocumentProxy in pdfjs 5 but missing from its typings.
  const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  const entry = factory.create(width, height);
  try {
    // No timer here: the document's time budget (pool.ts) ends the whole worker thread.
    try {
      await page.render({ canvas: entry.canvas as never, canvasContext: entry.context as never, viewport }).promise;
    } catch (err) {
      throw documentUnreadable('file', `page ${n} of the PDF cannot be rendered`, err);
    }
    return await entry.canvas.encode('png');
  } finally {
    factory.destroy(entry);
  }
}

interface CanvasFactory {
  create(w: number, h: number): { canvas: { encode(format: 'png'): Promise<Buffer> }; context: unknown };
  destroy(entry: unknown): void;
}
