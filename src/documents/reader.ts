/**
 * The document reader (spec §8): turns a request's `image` and `file` values into text, visual
 * tokens and a content hash. One reader owns a lazily started pool of document worker threads
 * (parsing, rendering, normalising: see `pool.ts`) and one lazily started OCR worker thread; the
 * caller's thread only validates, hashes and assembles. An engine makes one reader and calls
 * `close()` when it shuts down.
 */
import { createHash } from 'node:crypto';
import { documentEncrypted, documentsOverBudget, isLabelwiseError, unsupportedFileType, validationError, inField } from '../errors.js';
import type { DocxText } from './docx.js';
import { isDocx } from './docx.js';
import { fetchInput } from './fetch.js';
import { checkImage, type PreparedImage } from './image.js';
import { parseInput, type ParsedInput } from './input.js';
import { OcrEngine, type Recognize } from './ocr.js';
import { resolveDocumentOptions, type DocumentOptions } from './options.js';
import type { PdfRead } from './pdf.js';
import { DocumentPool } from './pool.js';
import { sniffFile } from './sniff.js';
import { normalizeText } from './text.js';
import { visualTokens } from './visual-tokens.js';

/** Most URL inputs of one request downloaded at the same time. */
export const FETCH_CONCURRENCY = 4;

export interface DocumentInput {
  /** base64, `data:` URI or `http(s)` URL, per image (a single string counts as one image). */
  image?: string | string[];
  /** A PDF or DOCX: base64, `data:` URI or `http(s)` URL. */
  file?: string;
}

export interface ExtractedDocuments {
  /**
   * The file's text (PDF text layer, or OCR for scanned pages; DOCX text), then the OCR text of
   * every image, in order; non-empty parts joined with blank lines.
   */
  text: string;
  /** Sum of `visualTokens(w, h)` over the PDF's pages and the images (0 for a DOCX). */
  visualTokens: number;
  /**
   * sha256 hex over the raw bytes of every image, in order, then the file (part of the cache
   * key). Each part is framed as `image` or `file`, NUL, its byte length in decimal, NUL, the
   * bytes, so moving bytes between parts changes the hash. Downloads hash their content (the
   * same image as base64 or by URL hashes alike). No image and no file: sha256 of nothing.
   */
  contentHash: string;
  /** Pages of the file (PDF pages; DOCX: `docProps/app.xml` page count, else 1; 0 without a file). */
  pages: number;
  images: number;
}

/** Inputs downloaded/decoded to bytes and hashed, not yet read: see {@link DocumentReader.load}. */
export interface LoadedDocuments {
  readonly contentHash: string;
  readonly images: readonly Buffer[];
  readonly file?: Buffer;
}

export class DocumentReader {
  readonly options: Readonly<DocumentOptions>;
  readonly #ocr: OcrEngine;
  readonly #pool: DocumentPool;

  constructor(options: Partial<DocumentOptions> = {}) {
    this.options = resolveDocumentOptions(options);
    this.#ocr = new OcrEngine(this.options.ocrTimeoutMs);
    this.#pool = new DocumentPool({ workers: this.options.workers, maxQueue: this.options.maxQueue, budgetMs: this.options.budgetMs });
  }

  /** `load` then `extract`. */
  async read(input: DocumentInput, signal?: AbortSignal): Promise<ExtractedDocuments> {
    const ocr = this.options.ocr ? this.#ocr.session() : null;
    return this.#extract(await this.load(input, signal), ocr, signal);
  }

  /**
   * Validates every value (before any download), downloads URL inputs and hashes the bytes.
   * Cheap next to `extract` (no decoding, no OCR), so an engine can compute its cache key with
   * `contentHash` and skip `extract` on a cache hit.
   */
  async load(input: DocumentInput, signal?: AbortSignal): Promise<LoadedDocuments> {
    signal?.throwIfAborted();
    const { maxBytes, maxImages } = this.options;
    const images = input.image === undefined || input.image === null ? [] : typeof input.image === 'string' ? [input.image] : input.image;
    if (!Array.isArray(images)) throw validationError('image', 'image must be a string or an array of strings');
    if (images.length > maxImages) throw validationError('image', `at most ${maxImages} images are allowed per request (got ${images.length})`);
    const parsed: Array<{ field: string; input: ParsedInput }> = images.map((v, i) => ({ field: `image.${i}`, input: parseInput(v, `image.${i}`, maxBytes) }));
    if (input.file !== undefined && input.file !== null) parsed.push({ field: 'file', input: parseInput(input.file, 'file', maxBytes) });

    const bytes = await this.#download(parsed, signal);
    const hash = createHash('sha256');
    parsed.forEach(({ field }, i) => {
      hash.update(`${field.startsWith('image') ? 'image' : 'file'}\0${bytes[i].length}\0`);
      hash.update(bytes[i]);
    });
    const hasFile = parsed.at(-1)?.field === 'file';
    return {
      contentHash: hash.digest('hex'),
      images: hasFile ? bytes.slice(0, -1) : bytes,
      ...(hasFile ? { file: bytes.at(-1) } : {}),
    };
  }

  /** Reads loaded inputs: text extraction, page rendering, OCR, visual tokens. */
  extract(loaded: LoadedDocuments, signal?: AbortSignal): Promise<ExtractedDocuments> {
    return this.#extract(loaded, this.options.ocr ? this.#ocr.session() : null, signal);
  }

  /**
   * Terminates the document and OCR worker threads; reads in flight fail with a
   * `DOCUMENT_ERROR`. A read started after `close()` starts new workers, so call `close()`
   * again after such use.
   */
  async close(): Promise<void> {
    await Promise.all([this.#ocr.close(), this.#pool.close()]);
  }

  async #extract(loaded: LoadedDocuments, ocr: Recognize | null, signal?: AbortSignal): Promise<ExtractedDocuments> {
    // Cheap checks of every part first, so a bad image fails before a long PDF is OCRed.
    const fileKind = loaded.file ? documentKind(loaded.file) : undefined;
    loaded.images.forEach((bytes, i) => checkImage(bytes, `image.${i}`));
    const release = this.#pool.admit();
    try {
      const texts: string[] = [];
      let tokens = 0;
      let pages = 0;
      if (loaded.file) {
        const file = fileKind === 'pdf' ? await this.#readPdf(loaded.file, ocr, signal) : await this.#readDocx(loaded.file, signal);
        if (file.text) texts.push(file.text);
        tokens += file.visualTokens;
        pages = file.pages;
      }
      for (const [i, bytes] of loaded.images.entries()) {
        signal?.throwIfAborted();
        const field = `image.${i}`;
        const image = (await this.#pool.run({ kind: 'image', field, forOcr: ocr !== null }, bytes, field, signal)) as PreparedImage;
        tokens += visualTokens(image.width, image.height);
        if (ocr && image.png) {
          const text = normalizeText(await withField(ocr(asBuffer(image.png), signal), field));
          if (text) texts.push(text);
        }
      }
      return { text: texts.join('\n\n'), visualTokens: tokens, contentHash: loaded.contentHash, pages, images: loaded.images.length };
    } finally {
      release();
    }
  }

  /** Pages read on a worker; scanned pages (rendered there when OCR is on) OCRed here, in order. */
  async #readPdf(bytes: Buffer, ocr: Recognize | null, signal?: AbortSignal) {
    const { maxPages, maxTextChars } = this.options;
    const read = (await this.#pool.run({ kind: 'pdf', maxPages, maxTextChars, render: ocr !== null }, bytes, 'file', signal)) as PdfRead;
    const texts: string[] = [];
    let tokens = 0;
    for (const page of read.pages) {
      signal?.throwIfAborted();
      tokens += visualTokens(page.width, page.height);
      const recognized = ocr && page.png ? normalizeText(await withField(ocr(asBuffer(page.png), signal), 'file')) : '';
      const text = recognized || page.text;
      if (text) texts.push(text);
    }
    return { text: normalizeText(texts.join('\n\n')), pages: read.pages.length, visualTokens: tokens };
  }

  async #readDocx(bytes: Buffer, signal?: AbortSignal) {
    const { maxPages, maxTextChars } = this.options;
    const docx = (await this.#pool.run({ kind: 'docx', maxPages, maxTextChars }, bytes, 'file', signal)) as DocxText;
    return { text: docx.text, pages: docx.pages, visualTokens: 0 };
  }

  /** Bytes of every input, downloads at most FETCH_CONCURRENCY at a time; the first failure cancels the rest. */
  async #download(parsed: Array<{ field: string; input: ParsedInput }>, signal?: AbortSignal): Promise<Buffer[]> {
    const out: Buffer[] = parsed.map(({ input }) => (input.kind === 'bytes' ? input.bytes : Buffer.alloc(0)));
    const queue = parsed.flatMap(({ field, input }, i) => (input.kind === 'url' ? [{ i, field, url: input.url }] : []));
    const { maxBytes, maxTotalBytes, fetchTimeoutMs, allowHosts } = this.options;
    // One budget for the whole request: inline bytes count first, each download may use at most
    // what is left when it starts, and the total is checked again once all are in.
    let budget = maxTotalBytes - out.reduce((sum, b) => sum + b.length, 0);
    if (budget < 0) throw documentsOverBudget('image', maxTotalBytes);
    if (queue.length === 0) return out;
    const failed = new AbortController();
    const combined = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
    let firstError: unknown;
    const worker = async () => {
      for (let job = queue.shift(); job && !combined.aborted; job = queue.shift()) {
        try {
          if (budget <= 0) throw documentsOverBudget(job.field, maxTotalBytes);
          out[job.i] = await fetchInput(job.url, job.field, { maxBytes: Math.min(maxBytes, budget), timeoutMs: fetchTimeoutMs, allowHosts }, combined);
          budget -= out[job.i].length;
        } catch (err) {
          if (firstError === undefined) firstError = err;
          failed.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, queue.length) }, worker));
    if (firstError !== undefined) throw firstError;
    signal?.throwIfAborted();
    if (budget < 0) throw documentsOverBudget('image', maxTotalBytes);
    return out;
  }
}

/** PDF or DOCX, by content; anything else is a `DOCUMENT_ERROR`. */
function documentKind(bytes: Buffer): 'pdf' | 'docx' {
  const kind = sniffFile(bytes);
  if (kind === 'pdf') return 'pdf';
  // An unreadable zip goes on to extractDocx, which reports it as corrupt.
  if (kind === 'zip' && isDocx(bytes) !== false) return 'docx';
  if (kind === 'zip') {
    throw unsupportedFileType('file', 'a zip archive that is not a DOCX (no word/document.xml)');
  }
  if (kind === 'ole') {
    throw documentEncrypted('file', 'file is a password-protected DOCX or a legacy .doc, which cannot be read; send an unprotected PDF or DOCX');
  }
  throw unsupportedFileType('file', 'file must be a PDF or DOCX (detected by content)');
}

/** A Buffer view of bytes that crossed from a worker (structured clone gives a plain Uint8Array). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Adds `details.field` to a `DOCUMENT_ERROR` that has none (OCR errors). */
async function withField<T>(promise: Promise<T>, field: string): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw isLabelwiseError(err) ? inField(err, field) : err;
  }
}
