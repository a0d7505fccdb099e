/**
 * Options of the document reader (spec §8) and their defaults.
 */
import { availableParallelism } from 'node:os';
import { boolean, integer, object, stringArray } from '../options/index.js';

export interface DocumentOptions {
  /** Max bytes of one decoded image or file (base64 or downloaded). @default 20971520 (bytes, 20 MB) */
  maxBytes: number;
  /**
   * Max bytes of all images and the file of one request together (downloads stop once it is
   * crossed), so 21 URLs cannot pull 21 × maxBytes. @default 52428800 (bytes, 50 MB)
   */
  maxTotalBytes: number;
  /** Max PDF pages (DOCX: the page count Word stored in `docProps/app.xml`, when present). @default 20 (pages) */
  maxPages: number;
  /** Max images per request. @default 20 (images) */
  maxImages: number;
  /** URL fetch timeout in ms, for the whole download including redirects. @default 10000 (ms) */
  fetchTimeoutMs: number;
  /**
   * Host names (or IP literals) allowed even if they resolve to private, loopback or
   * link-local addresses, e.g. `['127.0.0.1', 'files.intranet']`. Compared case-insensitively
   * with the URL's host name, without the port. @default []
   */
  allowHosts: string[];
  /** OCR timeout per page or image, in ms. @default 30000 (ms) */
  ocrTimeoutMs: number;
  /** OCR on/off (off → images and scanned pages contribute only visual tokens). @default true */
  ocr: boolean;
  /**
   * Worker threads that parse, render and normalise files and images (a pool of their own,
   * separate from the inference pool), so no document runs on the caller's thread.
   * @default half the cores, at least 1 (threads)
   */
  workers: number;
  /**
   * Document reads (one per request with `image`/`file`) that may wait for a worker; past
   * `workers + maxQueue` reads at once, new ones get `OVERLOADED` (503, retryable). @default 8 (reads)
   */
  maxQueue: number;
  /**
   * Time budget of one file or one image, in ms of its worker's busy time (wall time from the
   * moment a worker starts it; Node 20 has no per-thread CPU clock). Over it, the worker thread
   * is terminated and the request gets `DOCUMENT_ERROR` (422). OCR is bounded separately by
   * `ocrTimeoutMs`. @default 10000 (ms)
   */
  budgetMs: number;
  /**
   * Most characters of text one file may yield (after normalisation); more is a
   * `DOCUMENT_ERROR`, so a small compressed file cannot hand the tokenizer megabytes of text.
   * @default 1000000 (characters)
   */
  maxTextChars: number;
}

export const DOCUMENT_DEFAULTS: Readonly<DocumentOptions> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxTotalBytes: 50 * 1024 * 1024,
  maxPages: 20,
  maxImages: 20,
  fetchTimeoutMs: 10_000,
  allowHosts: Object.freeze([]) as unknown as string[],
  ocrTimeoutMs: 30_000,
  ocr: true,
  workers: Math.max(1, Math.floor(availableParallelism() / 2)),
  maxQueue: 8,
  budgetMs: 10_000,
  maxTextChars: 1_000_000,
});

const D = DOCUMENT_DEFAULTS;

/** The spec of {@link DocumentOptions}; `createEngine` checks its `documents` option with it. */
export const DOCUMENTS_SPEC = object({
  maxBytes: integer({ min: 1, unit: 'bytes', default: D.maxBytes }),
  maxTotalBytes: integer({ min: 1, unit: 'bytes', default: D.maxTotalBytes }),
  maxPages: integer({ min: 1, unit: 'pages', default: D.maxPages }),
  maxImages: integer({ min: 1, unit: 'images', default: D.maxImages }),
  fetchTimeoutMs: integer({ min: 1, unit: 'ms', default: D.fetchTimeoutMs }),
  allowHosts: stringArray({ default: D.allowHosts, map: normalizeHost }),
  ocrTimeoutMs: integer({ min: 1, unit: 'ms', default: D.ocrTimeoutMs }),
  ocr: boolean({ default: D.ocr }),
  workers: integer({ min: 1, unit: 'threads', default: D.workers }),
  maxQueue: integer({ min: 0, unit: 'reads', default: D.maxQueue }),
  budgetMs: integer({ min: 1, unit: 'ms', default: D.budgetMs }),
  maxTextChars: integer({ min: 1, unit: 'characters', default: D.maxTextChars }),
});

/**
 * Defaults filled in, every value checked, the result frozen.
 * @throws {@link LabelwiseOptionsError} naming the option, e.g. `unknown option "maxPage"; did you mean "maxPages"?`
 */
export function resolveDocumentOptions(options: Partial<DocumentOptions> = {}): Readonly<DocumentOptions> {
  return DOCUMENTS_SPEC.resolve(options, '') as Readonly<DocumentOptions>;
}

/** Lower case, IPv6 brackets and a trailing dot removed: `[::1]` → `::1`, `Example.COM.` → `example.com`. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
