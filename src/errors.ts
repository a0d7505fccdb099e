/**
 * Every error labelwise can report, in one table (spec §1.2), and the one error class that
 * carries a code from it. The HTTP adapter and the library share both, so an in-process caller
 * sees the same `status`, `code`, `message` and `details` as an HTTP client.
 *
 * `test/errors.test.ts` keeps this table in sync with the table of docs/api.md (from spec §1.2).
 */

/** Every error code of spec §1.2. */
export type ErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_API_KEY'
  | 'INSUFFICIENT_BALANCE'
  | 'SPENDING_LIMIT_REACHED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'CLASSIFIER_NOT_FOUND'
  | 'BATCH_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BATCH_CONCURRENCY_LIMIT'
  | 'BATCH_INVALID_STATE'
  | 'BATCH_INPUT_MISSING'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'VALIDATION_ERROR'
  | 'DOCUMENT_ERROR'
  | 'RATE_LIMIT_EXCEEDED'
  | 'CONCURRENCY_LIMIT_EXCEEDED'
  | 'INTERNAL_ERROR'
  | 'OVERLOADED';

/**
 * HTTP status and default message of every {@link ErrorCode} (spec §1.2).
 *
 * @example
 * ```ts
 * ERROR_TABLE.VALIDATION_ERROR.status; // 422
 * ```
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { readonly status: number; readonly message: string }>> =
  Object.freeze({
    INVALID_JSON: { status: 400, message: 'Request body is not valid JSON' },
    INVALID_API_KEY: { status: 401, message: 'API key is missing, unknown, revoked or expired' },
    INSUFFICIENT_BALANCE: { status: 402, message: 'Insufficient balance for this request' },
    SPENDING_LIMIT_REACHED: { status: 402, message: 'Monthly spending limit reached' },
    PERMISSION_DENIED: { status: 403, message: 'API key lacks the scope for this request' },
    NOT_FOUND: { status: 404, message: 'Not found' },
    CLASSIFIER_NOT_FOUND: { status: 404, message: 'Classifier not found' },
    BATCH_NOT_FOUND: { status: 404, message: 'Batch job not found' },
    KEY_NOT_FOUND: { status: 404, message: 'API key not found' },
    METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
    BATCH_CONCURRENCY_LIMIT: { status: 409, message: 'Another batch job of this account is processing' },
    BATCH_INVALID_STATE: { status: 409, message: 'Batch job is in a state that forbids this action' },
    BATCH_INPUT_MISSING: { status: 409, message: 'Batch job has no input file' },
    PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large' },
    UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
    VALIDATION_ERROR: { status: 422, message: 'Request is invalid' },
    DOCUMENT_ERROR: { status: 422, message: 'Document or image cannot be read' },
    RATE_LIMIT_EXCEEDED: { status: 429, message: 'Rate limit exceeded' },
    CONCURRENCY_LIMIT_EXCEEDED: { status: 429, message: 'Too many concurrent requests' },
    INTERNAL_ERROR: { status: 500, message: 'Internal error' },
    OVERLOADED: { status: 503, message: 'Server is overloaded, retry later' },
  });

/**
 * Codes that are recorded in usage and logs but never sent on the wire, so they stay out of
 * spec §1.2's table: `CLIENT_CLOSED_REQUEST` (499, nginx's convention) is a client that hung
 * up before its answer. Logging that as `400 INVALID_JSON` would blame a body that was fine.
 */
export const LOG_ONLY_ERRORS = Object.freeze({
  CLIENT_CLOSED_REQUEST: { status: 499, message: 'The client closed the connection before the answer was sent' },
} as const);

/** A code of {@link LOG_ONLY_ERRORS}. */
export type LogOnlyErrorCode = keyof typeof LOG_ONLY_ERRORS;

/** Longest caller-supplied text an error message quotes (see {@link echo}). */
export const ECHO_MAX_CHARS = 64;

/**
 * Caller-supplied text as an error quotes it: at most {@link ECHO_MAX_CHARS} characters, the
 * rest replaced by `…`, so a 5,000-character name is not mirrored back (or into logs).
 *
 * @example
 * ```ts
 * throw new LabelwiseError('NOT_FOUND', `no route GET ${echo(path)}`);
 * ```
 */
export function echo(value: unknown): string {
  return bounded(String(value), ECHO_MAX_CHARS + 1);
}

/**
 * The error labelwise throws: a {@link ErrorCode} with its HTTP `status`, a message and
 * optional structured `details` (e.g. `{ field: 'labels' }` for `VALIDATION_ERROR`).
 *
 * @example
 * ```ts
 * const e = new LabelwiseError('CLASSIFIER_NOT_FOUND', 'classifier "support@v3" not found', {
 *   classifier: 'support@v3',
 * });
 * e.status; // 404
 * ```
 */
export class LabelwiseError extends Error {
  override readonly name = 'LabelwiseError';
  /** HTTP status of {@link code}, from {@link ERROR_TABLE}. */
  readonly status: number;
  /** Stable, machine-readable code. */
  readonly code: ErrorCode | LogOnlyErrorCode;
  /** Structured context, e.g. `{ field }` for validation errors; safe to send to clients. */
  // `declare` so an error without details has no own `details: undefined` property.
  declare readonly details?: Record<string, unknown>;

  /**
   * @param code - one of {@link ErrorCode}; decides `status`.
   * @param message - defaults to the code's message in {@link ERROR_TABLE}.
   * @param details - sent to clients as `details`, so never put secrets or internals here.
   * @param options - `cause` is kept for logs and never sent to clients.
   */
  constructor(
    code: ErrorCode | LogOnlyErrorCode,
    message?: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    const entry = code in LOG_ONLY_ERRORS ? LOG_ONLY_ERRORS[code as LogOnlyErrorCode] : ERROR_TABLE[code as ErrorCode];
    super(message ?? entry.message, options);
    this.code = code;
    this.status = entry.status;
    if (details !== undefined) this.details = details;
  }
}

/**
 * Whether `e` is a {@link LabelwiseError}.
 *
 * @example
 * ```ts
 * if (isLabelwiseError(e)) res.statusCode = e.status;
 * ```
 */
export function isLabelwiseError(e: unknown): e is LabelwiseError {
  return e instanceof LabelwiseError;
}

/**
 * A `VALIDATION_ERROR` naming the offending field.
 *
 * @param field - dotted path of the field, e.g. `labels.3` or `examples.billing.2`.
 * @example
 * ```ts
 * throw validationError('labels', 'labels must be unique');
 * ```
 */
export function validationError(field: string, message: string): LabelwiseError {
  return new LabelwiseError('VALIDATION_ERROR', message, { field });
}

/** Wire body of an error (spec §1.2). */
export interface ErrorBody {
  /** Lower-case hyphenated {@link code}, e.g. `validation-error`. */
  error: string;
  code: ErrorCode | LogOnlyErrorCode;
  message: string;
  /** Same as `message`; the official SDKs read `detail`. */
  detail: string;
  details?: Record<string, unknown>;
}

/**
 * The wire body of spec §1.2 for any thrown value. Anything that is not a
 * {@link LabelwiseError} becomes `INTERNAL_ERROR` with the generic message, so stacks, file
 * paths and other internals never reach a client.
 *
 * @example
 * ```ts
 * toErrorBody(validationError('labels', 'labels must be unique'));
 * // { error: 'validation-error', code: 'VALIDATION_ERROR', message: 'labels must be unique',
 * //   detail: 'labels must be unique', details: { field: 'labels' } }
 * ```
 */
export function toErrorBody(err: unknown): ErrorBody {
  const e = isLabelwiseError(err) ? err : new LabelwiseError('INTERNAL_ERROR');
  // A backstop under the bounded quoting at each throw site (see echo): no message or
  // string detail mirrors megabytes of caller input back.
  const message = bounded(e.message, MESSAGE_MAX_CHARS);
  const body: ErrorBody = {
    error: e.code.toLowerCase().replaceAll('_', '-'),
    code: e.code,
    message,
    detail: message,
  };
  if (e.details !== undefined) body.details = boundedDetails(e.details);
  return body;
}

const MESSAGE_MAX_CHARS = 500;
const DETAIL_MAX_CHARS = 200;

/** `s` cut to at most `max` characters, `…` included, never splitting a surrogate pair. */
function bounded(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  if (/[\uD800-\uDBFF]/.test(s[cut - 1])) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === 'string' && v.length > DETAIL_MAX_CHARS) (out ??= { ...details })[k] = bounded(v, DETAIL_MAX_CHARS);
  }
  return out ?? details;
}
