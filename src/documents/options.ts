/**
 * Options of the document reader (spec §8) and their defaults.
 */
import { availableParallelism } from 'node:os';
import { LabelwiseError } from '../errors.js';

export interface DocumentOptions {
  /** Max bytes of one decoded image or file (base64 or downloaded). @default 20 MB */
  maxBytes: number;
  /**
   * Max bytes of all images and the file of one request together (downloads stop once it is
   * crossed), so 21 URLs cannot pull 21 × maxBytes. @default 50 MB
   */
  maxTotalBytes: number;
  /** Max PDF pages (DOCX: the page count Word stored in `docProps/app.xml`, when present). @default 20 */
  maxPages: number;
  /** Max images per request. @default 20 */
  maxImages: number;
  /** URL fetch timeout in ms, for the whole download including redirects. @default 10000 */
  fetchTimeoutMs: number;
  /**
   * Host names (or IP literals) allowed even if they resolve to private, loopback or
   * link-local addresses, e.g. `['127.0.0.1', 'files.intranet']`. Compared case-insensitively
   * with the URL's host name, without the port. @default []
   */
  allowHosts: string[];
  /** OCR timeout per page or image, ms. @default 30000 */
  ocrTimeoutMs: number;
  /** OCR on/off (off → images and scanned pages contribute only visual tokens). @default true */
  ocr: boolean;
  /**
   * Worker threads that parse, render and normalise files and images (a pool of their own,
   * separate from the inference pool), so no document runs on the caller's thread.
   * @default half the cores, at least 1
   */
  workers: number;
  /**
   * Document reads (one per request with `image`/`file`) that may wait for a worker; past
   * `workers + maxQueue` reads at once, new ones get `OVERLOADED` (503, retryable). @default 8
   */
  maxQueue: number;
  /**
   * Time budget of one file or one image, in ms of its worker's busy time (wall time from the
   * moment a worker starts it; Node 20 has no per-thread CPU clock). Over it, the worker thread
   * is terminated and the request gets `DOCUMENT_ERROR` (422). OCR is bounded separately by
   * `ocrTimeoutMs`. @default 10000
   */
  budgetMs: number;
  /**
   * Most characters of text one file may yield (after normalisation); more is a
   * `DOCUMENT_ERROR`, so a small compressed file cannot hand the tokenizer megabytes of text.
   * @default 1000000
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

const POSITIVE_INTEGERS = ['maxBytes', 'maxTotalBytes', 'maxPages', 'maxImages', 'fetchTimeoutMs', 'ocrTimeoutMs', 'workers', 'budgetMs', 'maxTextChars'] as const;

/** Defaults filled in and every value checked; a wrong option is a `VALIDATION_ERROR` naming it. */
export function resolveDocumentOptions(options: Partial<DocumentOptions> = {}): Readonly<DocumentOptions> {
  for (const key of Object.keys(options)) {
    if (!(key in DOCUMENT_DEFAULTS)) {
      throw new LabelwiseError('VALIDATION_ERROR', `unknown document option "${key}"; known: ${Object.keys(DOCUMENT_DEFAULTS).join(', ')}`, { field: key });
    }
  }
  const merged = { ...DOCUMENT_DEFAULTS, ...options };
  for (const key of POSITIVE_INTEGERS) {
    const v = merged[key];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new LabelwiseError('VALIDATION_ERROR', `document option ${key} must be a positive integer`, { field: key });
    }
  }
  if (!Number.isSafeInteger(merged.maxQueue) || merged.maxQueue < 0) {
    throw new LabelwiseError('VALIDATION_ERROR', 'document option maxQueue must be a non-negative integer', { field: 'maxQueue' });
  }
  if (typeof merged.ocr !== 'boolean') {
    throw new LabelwiseError('VALIDATION_ERROR', 'document option ocr must be a boolean', { field: 'ocr' });
  }
  if (!Array.isArray(merged.allowHosts) || merged.allowHosts.some((h) => typeof h !== 'string' || h.trim() === '')) {
    throw new LabelwiseError('VALIDATION_ERROR', 'document option allowHosts must be an array of host names', { field: 'allowHosts' });
  }
  return Object.freeze({ ...merged, allowHosts: Object.freeze(merged.allowHosts.map(normalizeHost)) as string[] });
}

/** Lower case, IPv6 brackets and a trailing dot removed: `[::1]` → `::1`, `Example.COM.` → `example.com`. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
