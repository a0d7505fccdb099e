/**
 * Parsing of one `image` or `file` value (spec §2, §8): base64 (raw or a `data:` URI) or an
 * `http(s)` URL. Anything else is a `VALIDATION_ERROR` naming the field.
 */
import { documentTooLarge, validationError, type LabelwiseError } from '../errors.js';

/** One parsed input: bytes already, or a URL still to download. */
export type ParsedInput = { kind: 'bytes'; bytes: Buffer } | { kind: 'url'; url: URL };

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Parses one input value.
 *
 * @param field - `image.<i>` or `file`, used in errors.
 * @param maxBytes - decoded size limit; over it is a `DOCUMENT_ERROR` (checked before decoding).
 */
export function parseInput(value: unknown, field: string, maxBytes: number): ParsedInput {
  if (typeof value !== 'string') throw validationError(field, `${field} must be a string (base64, data: URI or http(s) URL)`);
  const trimmed = value.trim();
  if (trimmed === '') throw validationError(field, `${field} is empty`);
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw validationError(field, `${field} is not a valid URL`);
    }
    if (url.hostname === '') throw validationError(field, `${field} URL has no host`);
    return { kind: 'url', url };
  }
  if (scheme === 'data') {
    const comma = trimmed.indexOf(',');
    const meta = comma < 0 ? '' : trimmed.slice(5, comma);
    if (comma < 0 || !/;base64$/i.test(meta)) {
      throw validationError(field, `${field} data: URI must be base64-encoded (data:<mime>;base64,…)`);
    }
    return { kind: 'bytes', bytes: decodeBase64(trimmed.slice(comma + 1), field, maxBytes) };
  }
  if (scheme !== undefined) {
    throw validationError(field, `${field} has an unsupported URL scheme "${scheme}:"; only http and https URLs, base64 or data: URIs are accepted`);
  }
  return { kind: 'bytes', bytes: decodeBase64(trimmed, field, maxBytes) };
}

/** Strict base64 (standard or URL-safe alphabet, whitespace ignored, padding optional). */
function decodeBase64(text: string, field: string, maxBytes: number): Buffer {
  const b64 = text.replace(/\s+/g, '');
  const alphabetOk = BASE64.test(b64) || BASE64URL.test(b64);
  const unpadded = b64.replace(/(?<!=)=+$/, ''); // the look-behind keeps it linear on a long run of '='
  if (b64 === '' || !alphabetOk || unpadded.length % 4 === 1 || (b64.includes('=') && b64.length % 4 !== 0)) {
    throw validationError(field, `${field} is neither valid base64 nor an http(s) URL`);
  }
  const size = Math.floor((unpadded.length * 3) / 4);
  if (size > maxBytes) throw tooLarge(field, maxBytes);
  return Buffer.from(unpadded, BASE64.test(b64) ? 'base64' : 'base64url');
}

/** The `DOCUMENT_ERROR` for an input over `maxBytes`. */
export function tooLarge(field: string, maxBytes: number): LabelwiseError {
  return documentTooLarge(field, `${field} is larger than ${formatBytes(maxBytes)}`, maxBytes);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
