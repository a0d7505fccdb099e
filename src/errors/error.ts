import { ERROR_TABLE, LOG_ONLY_ERRORS, type ErrorCode, type LogOnlyErrorCode } from './table.js';

/** Longest caller-supplied text an error message quotes (see {@link echo}). */
export const ECHO_MAX_CHARS = 64;

/**
 * Caller-supplied text as an error quotes it: at most {@link ECHO_MAX_CHARS} characters, the
 * rest replaced by `…`, so a 5,000-character name is not mirrored back (or into logs).
 *
 * @example
 * ```ts
 * throw classifierNotFound(echo(name));
 * ```
 */
export function echo(value: unknown): string {
  return bounded(String(value), ECHO_MAX_CHARS + 1);
}

/**
 * The error labelwise throws: a {@link ErrorCode} with its HTTP `status`, a message and
 * structured `details` (e.g. `{ field: 'labels', reason: 'invalid_field' }`). Inside labelwise
 * every error comes from a factory (src/errors/factories), which sets `details.reason`; decide
 * by that, not by the message.
 *
 * @example
 * ```ts
 * try {
 *   await engine.classify({ text: 'hi', classifier: 'support@v3' });
 * } catch (e) {
 *   if (isLabelwiseError(e) && e.details?.reason === 'classifier_not_found') e.status; // 404
 * }
 * ```
 */
export class LabelwiseError extends Error {
  override readonly name = 'LabelwiseError';
  /** HTTP status of {@link code}, from {@link ERROR_TABLE}. */
  readonly status: number;
  /** Stable, machine-readable code. */
  readonly code: ErrorCode | LogOnlyErrorCode;
  /** Structured context, e.g. `{ field, reason }` for validation errors; safe to send to clients. */
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
 * //   detail: 'labels must be unique', details: { field: 'labels', reason: 'invalid_field' } }
 * ```
 */
export function toErrorBody(err: unknown): ErrorBody {
  const e = isLabelwiseError(err) ? err : new LabelwiseError('INTERNAL_ERROR', undefined, { reason: 'internal' });
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
