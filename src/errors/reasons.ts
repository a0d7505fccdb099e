import type { ErrorCode, LogOnlyErrorCode } from './table.js';

/**
 * Every `details.reason` labelwise sends, with the one code it belongs to. A reason names the
 * situation (a stalled body, a full queue, a closed engine…) where the code only names the
 * class, so callers and the HTTP layer decide by `details.reason`, never by matching a message.
 * Each reason has exactly one factory (src/errors/factories/*); `test/errors-factories.test.ts`
 * checks that, and that every code of the table has at least one reason.
 */
export const REASONS = Object.freeze({
  // 400
  body_empty: 'INVALID_JSON',
  body_not_utf8: 'INVALID_JSON',
  body_not_json: 'INVALID_JSON',
  body_stalled: 'INVALID_JSON',
  file_not_json: 'INVALID_JSON',
  line_not_json: 'INVALID_JSON',
  // 401
  api_key_missing: 'INVALID_API_KEY',
  api_key_malformed: 'INVALID_API_KEY',
  api_key_invalid: 'INVALID_API_KEY',
  job_token_missing: 'INVALID_API_KEY',
  job_token_invalid: 'INVALID_API_KEY',
  job_token_expired: 'INVALID_API_KEY',
  // 402
  insufficient_balance: 'INSUFFICIENT_BALANCE',
  spending_limit_reached: 'SPENDING_LIMIT_REACHED',
  // 403
  scope_missing: 'PERMISSION_DENIED',
  key_required: 'PERMISSION_DENIED',
  grant_exceeds_issuer: 'PERMISSION_DENIED',
  revoke_denied: 'PERMISSION_DENIED',
  hub_denied: 'PERMISSION_DENIED',
  // 404
  route_not_found: 'NOT_FOUND',
  hub_not_found: 'NOT_FOUND',
  classifier_not_found: 'CLASSIFIER_NOT_FOUND',
  batch_not_found: 'BATCH_NOT_FOUND',
  key_not_found: 'KEY_NOT_FOUND',
  // 405
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  // 409
  batch_concurrency_limit: 'BATCH_CONCURRENCY_LIMIT',
  batch_invalid_state: 'BATCH_INVALID_STATE',
  batch_input_missing: 'BATCH_INPUT_MISSING',
  // 413
  body_too_large: 'PAYLOAD_TOO_LARGE',
  over_token_budget: 'PAYLOAD_TOO_LARGE',
  upload_too_large: 'PAYLOAD_TOO_LARGE',
  line_too_long: 'PAYLOAD_TOO_LARGE',
  // 415
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  upload_not_ndjson: 'UNSUPPORTED_MEDIA_TYPE',
  // 422
  invalid_field: 'VALIDATION_ERROR',
  line_without_text: 'VALIDATION_ERROR',
  upload_empty: 'VALIDATION_ERROR',
  upload_unreadable: 'VALIDATION_ERROR',
  invalid_model: 'VALIDATION_ERROR',
  missing_argument: 'VALIDATION_ERROR',
  file_unreadable: 'VALIDATION_ERROR',
  address_blocked: 'VALIDATION_ERROR',
  model_not_installed: 'VALIDATION_ERROR',
  unknown_model: 'VALIDATION_ERROR',
  model_import_invalid: 'VALIDATION_ERROR',
  preset_invalid: 'VALIDATION_ERROR',
  document_unreadable: 'DOCUMENT_ERROR',
  document_encrypted: 'DOCUMENT_ERROR',
  unsupported_file_type: 'DOCUMENT_ERROR',
  too_many_pages: 'DOCUMENT_ERROR',
  document_too_large: 'DOCUMENT_ERROR',
  documents_over_budget: 'DOCUMENT_ERROR',
  no_readable_text: 'DOCUMENT_ERROR',
  image_unsupported: 'DOCUMENT_ERROR',
  image_too_large: 'DOCUMENT_ERROR',
  image_unreadable: 'DOCUMENT_ERROR',
  download_failed: 'DOCUMENT_ERROR',
  download_timeout: 'DOCUMENT_ERROR',
  host_unresolvable: 'DOCUMENT_ERROR',
  ocr_unavailable: 'DOCUMENT_ERROR',
  ocr_failed: 'DOCUMENT_ERROR',
  ocr_stopped: 'DOCUMENT_ERROR',
  text_too_long: 'DOCUMENT_ERROR',
  document_time_budget: 'DOCUMENT_ERROR',
  reader_closed: 'DOCUMENT_ERROR',
  reader_failed: 'DOCUMENT_ERROR',
  // 429
  rate_limited: 'RATE_LIMIT_EXCEEDED',
  concurrency_limited: 'CONCURRENCY_LIMIT_EXCEEDED',
  // 499 (log only)
  client_closed: 'CLIENT_CLOSED_REQUEST',
  // 500
  internal: 'INTERNAL_ERROR',
  schema_too_new: 'INTERNAL_ERROR',
  usage_not_recorded: 'INTERNAL_ERROR',
  upstream_bad_answer: 'INTERNAL_ERROR',
  hub_checksum_mismatch: 'INTERNAL_ERROR',
  hub_error: 'INTERNAL_ERROR',
  job_results_lost: 'INTERNAL_ERROR',
  // 503
  engine_closed: 'OVERLOADED',
  stores_closed: 'OVERLOADED',
  queue_full: 'OVERLOADED',
  usage_backlog_full: 'OVERLOADED',
  usage_db_busy: 'OVERLOADED',
  upstream_unreachable: 'OVERLOADED',
  upstream_timeout: 'OVERLOADED',
  hub_download_interrupted: 'OVERLOADED',
} as const satisfies Record<string, ErrorCode | LogOnlyErrorCode>);

/** A stable `details.reason` of {@link REASONS}. */
export type Reason = keyof typeof REASONS;
