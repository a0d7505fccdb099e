/**
 * `DOCUMENT_ERROR`s (422): a file, image or URL that cannot be read. The reason says why
 * (encrypted, too many pages, over the byte budget, OCR down…); `details.field` says which input
 * (`file`, `image.2`) wherever it is known.
 */
import { LabelwiseError } from '../error.js';
import { make } from '../make.js';

const withFieldOf = (field: string | undefined) => (field === undefined ? undefined : { field });

/** The file or image is corrupt or otherwise cannot be parsed; `message` says what it is. */
export function documentUnreadable(field: string, message: string, cause?: unknown): LabelwiseError {
  return make('document_unreadable', message, { field }, cause);
}

/** The file is password-protected (or a legacy format that cannot be told apart from one). */
export function documentEncrypted(field: string, message: string, cause?: unknown): LabelwiseError {
  return make('document_encrypted', message, { field }, cause);
}

/** The file is not a PDF or DOCX (by content); `what` says what it is instead. */
export function unsupportedFileType(field: string, what: string): LabelwiseError {
  return make('unsupported_file_type', `unsupported file type: ${what}`, { field });
}

/** The document has more pages than `documents.maxPages`. */
export function tooManyPages(field: string, pages: number, maxPages: number): LabelwiseError {
  return make('too_many_pages', `${field} has ${pages} pages; at most ${maxPages} are allowed`, { field, pages, limit_pages: maxPages });
}

/** One input (or what a DOCX unpacks to) is over its byte limit; `message` names the limit readably. */
export function documentTooLarge(field: string, message: string, maxBytes: number): LabelwiseError {
  return make('document_too_large', message, { field, limit_bytes: maxBytes });
}

/** The images and file of one request together are over `documents.maxTotalBytes`. */
export function documentsOverBudget(field: string, maxTotalBytes: number): LabelwiseError {
  return make('documents_over_budget', `images and file together exceed ${maxTotalBytes} bytes`, { field, limit_bytes: maxTotalBytes });
}

/** Text, images and file were given, yet none of them yielded any text. */
export function noReadableText(): LabelwiseError {
  return make('no_readable_text', 'no readable text in the text, image or file given');
}

/** The bytes are not a PNG, JPEG, WebP or GIF. */
export function imageUnsupported(field: string): LabelwiseError {
  return make('image_unsupported', `${field} is not a supported image (PNG, JPEG, WebP or GIF)`, { field });
}

/** The image declares more pixels than are decoded (a decompression bomb guard). */
export function imageTooLarge(field: string, width: number, height: number, maxPixels: number): LabelwiseError {
  return make('image_too_large', `${field} is too large to decode (${width} × ${height} px; at most ${maxPixels / 1e6} MP)`, {
    field,
    limit_pixels: maxPixels,
  });
}

/** The image has a known format but does not decode. */
export function imageUnreadable(field: string, kind: string, cause?: unknown): LabelwiseError {
  return make('image_unreadable', `${field} is a corrupt or unreadable ${kind.toUpperCase()} image`, { field }, cause);
}

/** Fetching a URL input failed (HTTP status, redirects, connection, short body); `what` says how. */
export function downloadFailed(field: string, what: string, cause?: unknown): LabelwiseError {
  return make('download_failed', `${field}: ${what}`, { field }, cause);
}

/** Fetching a URL input took longer than `documents.fetchTimeoutMs`. */
export function downloadTimeout(field: string, timeoutMs: number, cause?: unknown): LabelwiseError {
  return make('download_timeout', `${field}: download timed out after ${timeoutMs} ms`, { field, timeout_ms: timeoutMs }, cause);
}

/** A URL input's host does not resolve. */
export function hostUnresolvable(field: string, host: string, cause?: unknown): LabelwiseError {
  return make('host_unresolvable', `${field}: cannot resolve host "${host}"`, { field }, cause);
}

/** OCR cannot run here (its language data or worker script is missing). */
export function ocrUnavailable(what: string, cause?: unknown): LabelwiseError {
  return make('ocr_unavailable', `OCR is unavailable: ${what}`, undefined, cause);
}

/** OCR of one image failed, crashed or timed out; `message` says which. */
export function ocrFailed(message: string, cause?: unknown, field?: string): LabelwiseError {
  return make('ocr_failed', message, withFieldOf(field), cause);
}

/** The extracted text is over `documents.maxTextChars`. */
export function textTooLong(field: string, maxChars: number): LabelwiseError {
  return make('text_too_long', `${field} holds more than ${maxChars} characters of text`, { field, limit_chars: maxChars });
}

/** Reading one input took longer than `documents.budgetMs`; its worker was ended. */
export function documentTimeBudget(field: string, budgetMs: number): LabelwiseError {
  return make(
    'document_time_budget',
    `${field} took more than ${budgetMs} ms to read and was stopped (document time budget exceeded); send a smaller or simpler document`,
    { field, budget_ms: budgetMs },
  );
}

/** A read in flight was stopped because the document reader was closed. */
export function readerClosed(field: string): LabelwiseError {
  return make('reader_closed', `${field}: reading was stopped: the document reader was closed`, { field });
}

/** The worker reading one input died (out of memory or a crash of its parser). */
export function readerFailed(field: string, outOfMemory: boolean, cause?: unknown): LabelwiseError {
  return make('reader_failed', `${field} cannot be read: ${outOfMemory ? 'it needs too much memory' : 'its reader failed'}`, { field }, cause);
}

/** OCR was stopped because the document reader was closed. */
export function ocrStopped(): LabelwiseError {
  return make('ocr_stopped', 'OCR was stopped: the document reader was closed');
}

/**
 * `err` with `details.field` added and the field named in its message, when it has no field
 * yet (OCR errors do not know which input they read). Code and reason stay.
 */
export function inField(err: LabelwiseError, field: string): LabelwiseError {
  if (err.details?.field !== undefined) return err;
  return new LabelwiseError(err.code, `${field}: ${err.message}`, { ...err.details, field }, { cause: err });
}
