/**
 * Documents and images (spec §8): `image` and `file` inputs become text for classification,
 * visual tokens for `tokens`/`visual_tokens`, and a content hash for the response cache key.
 *
 * @example
 * ```ts
 * const reader = new DocumentReader({ allowHosts: [] });
 * const docs = await reader.read({ file: pdfBase64, image: ['https://example.com/a.png'] });
 * // docs.text, docs.visualTokens, docs.contentHash, docs.pages, docs.images
 * await reader.close(); // stops the OCR worker thread
 * ```
 */
export { DOCUMENT_DEFAULTS, type DocumentOptions } from './options.js';
export { DocumentReader, type DocumentInput, type ExtractedDocuments, type LoadedDocuments } from './reader.js';
export { visualTokens, VISUAL_PATCH_PX, VISUAL_MAX_TOKENS_PER_IMAGE } from './visual-tokens.js';
export { MAX_IMAGE_PIXELS } from './image.js';
export { PAGE_MAX_PIXELS } from './pdf.js';
