/**
 * Every error code labelwise can report, in one table (spec §1.2).
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

