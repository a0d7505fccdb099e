/**
 * Options of the document reader (spec §8) and their defaults.
 */
import { invalidOption } from '../errors.js';

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
});

const POSITIVE_INTEGERS = ['maxBytes', 'maxTotalBytes', 'maxPages', 'maxImages', 'fetchTimeoutMs', 'ocrTimeoutMs'] as const;

/** Defaults filled in and every value checked; a wrong option is a `VALIDATION_ERROR` naming it. */
export function resolveDocumentOptions(options: Partial<DocumentOptions> = {}): Readonly<DocumentOptions> {
  for (const key of Object.keys(options)) {
    if (!(key in DOCUMENT_DEFAULTS)) {
      throw invalidOption(key, `unknown document option "${key}"; known: ${Object.keys(DOCUMENT_DEFAULTS).join(', ')}`);
    }
  }
  const merged = { ...DOCUMENT_DEFAULTS, ...options };
  for (const key of POSITIVE_INTEGERS) {
    const v = merged[key];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw invalidOption(key, `document option ${key} must be a positive integer`);
    }
  }
  if (typeof merged.ocr !== 'boolean') {
    throw invalidOption('ocr', 'document option ocr must be a boolean');
  }
  if (!Array.isArray(merged.allowHosts) || merged.allowHosts.some((h) => typeof h !== 'string' || h.trim() === '')) {
    throw invalidOption('allowHosts', 'document option allowHosts must be an array of host names');
  }
  return Object.freeze({ ...merged, allowHosts: Object.freeze(merged.allowHosts.map(normalizeHost)) as string[] });
}

/** Lower case, IPv6 brackets and a trailing dot removed: `[::1]` → `::1`, `Example.COM.` → `example.com`. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
