/**
 * Parse functions: validate with the wire schemas, then normalize (aliases, trimming,
 * defaults) into one {@link NormalizedRequest} shape the engine works with.
 */
import { validationError, type LabelwiseError } from '../errors.js';
import { labelKey } from './fields.js';
import { parseOrThrow } from './issues.js';
import {
  classifyBatchRequestSchema,
  classifyRequestSchema,
  tagBatchRequestSchema,
  tagRequestSchema,
  type Priority,
  type TagRequest,
} from './request.js';

/** Defaults of spec §2. */
export const REQUEST_DEFAULTS = Object.freeze({
  priority: 'standard' as Priority,
  cache: true,
  threshold: 0.5,
});

/** A validated request with aliases resolved, labels trimmed and defaults applied. */
export interface NormalizedRequest {
  /** Absent when whitespace-only or not given (then `image` or `file` is set). */
  text?: string;
  /**
   * Batch only. Items are unchecked (see {@link batchItemError}), hence `unknown[]`: one bad
   * item must become its own result, not fail the batch.
   */
  texts?: unknown[];
  /** Trimmed, NFC. Absent when `classifier` is given. */
  labels?: string[];
  classifier?: string;
  /** Keyed by trimmed, NFC label; `{}` when not given. */
  descriptions: Record<string, string>;
  /** Keyed by trimmed, NFC label, examples trimmed; `{}` when not given. */
  examples: Record<string, string[]>;
  text_type?: string;
  priority: Priority;
  cache: boolean;
  /**
   * Tag only, and only when the request gives one: the label-config step resolves it against
   * a saved classifier's threshold and {@link REQUEST_DEFAULTS}.threshold, so "not given" and
   * "given as 0.5" stay distinguishable.
   */
  threshold?: number;
  image?: string[];
  file?: string;
}

/** What any of the four request schemas outputs (batches add `texts`); `normalize` reads these. */
interface ParsedRequest extends TagRequest {
  texts?: unknown[];
}

// Object.fromEntries defines own properties, so a `__proto__` key cannot touch the prototype.
function byTrimmedKey<V>(record: Record<string, V> | undefined): Record<string, V> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [labelKey(key), value]));
}

function normalize(v: ParsedRequest): NormalizedRequest {
  const out: NormalizedRequest = {
    descriptions: byTrimmedKey(v.descriptions),
    examples: byTrimmedKey(v.examples),
    priority: v.priority ?? v.speed ?? REQUEST_DEFAULTS.priority,
    cache: v.cache ?? REQUEST_DEFAULTS.cache,
  };
  if (v.threshold !== undefined) out.threshold = v.threshold;
  if (v.text !== undefined && v.text.trim() !== '') out.text = v.text;
  if (v.texts !== undefined) out.texts = v.texts;
  if (v.labels !== undefined) out.labels = v.labels;
  if (v.classifier !== undefined) out.classifier = v.classifier;
  const textType = v.text_type ?? v.source_type;
  if (textType !== undefined) out.text_type = textType;
  if (v.image !== undefined) out.image = typeof v.image === 'string' ? [v.image] : v.image;
  if (v.file !== undefined) out.file = v.file;
  return out;
}

/**
 * Validates and normalizes a `POST /v1/classify` body. `threshold` is ignored (classify has
 * none); use {@link parseTagRequest} for tag.
 *
 * @throws {@link LabelwiseError} `VALIDATION_ERROR`, `details.field` naming the first problem.
 * @example
 * ```ts
 * parseClassifyRequest({ text: 'refund please', labels: [' billing ', 'bug'], speed: 'fast' });
 * // { text: 'refund please', labels: ['billing', 'bug'], priority: 'fast', cache: true,
 * //   descriptions: {}, examples: {} }
 * ```
 */
export function parseClassifyRequest(input: unknown): NormalizedRequest {
  return normalize(parseOrThrow(classifyRequestSchema, input));
}

/**
 * Validates and normalizes a `POST /v1/tag` body (`threshold` in [0, 1]; absent when not given,
 * the engine then uses the saved classifier's threshold or 0.5).
 *
 * @throws {@link LabelwiseError} `VALIDATION_ERROR`, `details.field` naming the first problem.
 * @example
 * ```ts
 * parseTagRequest({ text: 'slow and crashes', labels: ['performance', 'bug'], threshold: 0.3 });
 * ```
 */
export function parseTagRequest(input: unknown): NormalizedRequest {
  return normalize(parseOrThrow(tagRequestSchema, input));
}

/**
 * Validates and normalizes a synchronous batch body. Only the `texts` array itself is checked
 * (1–1000 entries); check each item with {@link batchItemError}.
 *
 * @throws {@link LabelwiseError} `VALIDATION_ERROR`, `details.field` naming the first problem.
 * @example
 * ```ts
 * const req = parseBatchRequest({ texts: ['a', '  '], labels: ['x', 'y'] }, 'classify');
 * req.texts!.map(batchItemError); // [null, LabelwiseError('text must not be empty')]
 * ```
 */
export function parseBatchRequest(input: unknown, kind: 'classify' | 'tag'): NormalizedRequest {
  return normalize(parseOrThrow(kind === 'tag' ? tagBatchRequestSchema : classifyBatchRequestSchema, input));
}

/**
 * The error for one batch text, or `null` when it can be classified. A missing (`null`,
 * `undefined`) or whitespace-only text is "text must not be empty"; any other non-string is
 * "text must be a string". Both are `VALIDATION_ERROR` with `details.field === 'text'`.
 *
 * @example
 * ```ts
 * batchItemError('  '); // LabelwiseError: text must not be empty
 * batchItemError('ok'); // null
 * ```
 */
export function batchItemError(text: unknown): LabelwiseError | null {
  if (typeof text === 'string' && text.trim() !== '') return null;
  const message = typeof text === 'string' || text === null || text === undefined ? 'text must not be empty' : 'text must be a string';
  return validationError('text', message);
}
