/**
 * Errors of one request's shape: its body, key, route and fields, the limits it runs into, and
 * the options and arguments labelwise is started with.
 */
import { echo, type LabelwiseError } from '../error.js';
import { make } from '../make.js';

/** 400: the body is empty. */
export function bodyEmpty(): LabelwiseError {
  return make('body_empty', 'request body is empty; send a JSON object');
}

/** 400: the body is not UTF-8. */
export function bodyNotUtf8(): LabelwiseError {
  return make('body_not_utf8', 'request body is not valid UTF-8');
}

/** 400: the body does not parse; `detail` is the parser's (bounded) complaint. */
export function bodyNotJson(detail: string): LabelwiseError {
  return make('body_not_json', `request body is not valid JSON: ${detail}`);
}

/**
 * 400: the body did not arrive in time (`idle`: nothing came for `timeoutMs`); the connection is
 * closed after the answer.
 */
export function bodyStalled(timeoutMs: number, idle = false): LabelwiseError {
  const message = idle ? `request body stalled: nothing received for ${timeoutMs} ms` : `request body not received within ${timeoutMs} ms`;
  return make('body_stalled', message, { timeout_ms: timeoutMs });
}

/** 413: the body is over the byte limit. */
export function bodyTooLarge(maxBytes: number): LabelwiseError {
  return make('body_too_large', `request body is larger than ${maxBytes} bytes`, { limit_bytes: maxBytes });
}

/** 499 (log only): the client hung up before its answer; nothing is sent. */
export function clientClosed(): LabelwiseError {
  return make('client_closed', 'the client closed the connection before the answer was sent');
}

/** 415: the body is not of the `expected` type (`application/json` on JSON routes). */
export function unsupportedMediaType(contentType: string | null, expected = 'application/json'): LabelwiseError {
  return make('unsupported_media_type', `Content-Type must be ${expected}`, { content_type: contentType });
}

/** 404: no route of that method and path. */
export function routeNotFound(method: string, path: string): LabelwiseError {
  return make('route_not_found', `no route ${echo(method)} ${echo(path)}`);
}

/** 405: known path, wrong method (the caller sets `Allow`). */
export function methodNotAllowed(method: string, allow: readonly string[]): LabelwiseError {
  return make('method_not_allowed', `${echo(method)} is not allowed here; use ${allow.join(' or ')}`);
}

/** 401: no `Authorization` header. */
export function apiKeyMissing(): LabelwiseError {
  return make('api_key_missing', 'an API key is required (Authorization: Bearer <key>)');
}

/** 401: an `Authorization` header that is not `Bearer <key>`. */
export function apiKeyMalformed(): LabelwiseError {
  return make('api_key_malformed', 'Authorization must be "Bearer <key>"');
}

/** 401: a key that is unknown, revoked or expired. */
export function apiKeyInvalid(): LabelwiseError {
  return make('api_key_invalid', 'the API key is unknown, revoked or expired');
}

/**
 * 429 with `Retry-After`: requests or tokens of this minute are used up; `details.limit` names
 * which, `details.rate_limit` is the key's limit state (when known).
 */
export function rateLimited(
  limit: 'requests_per_minute' | 'tokens_per_minute' | 'anonymous_per_minute',
  perMinute: number,
  msBeforeNext: number,
  state?: object,
): LabelwiseError {
  const message =
    limit === 'requests_per_minute'
      ? `request limit of ${perMinute} per minute reached`
      : limit === 'tokens_per_minute'
        ? `token limit of ${perMinute} per minute reached`
        : `limit of ${perMinute} requests per minute without a valid API key reached for this address`;
  return make('rate_limited', message, { retry_after: Math.max(1, Math.ceil(msBeforeNext / 1000)), ...(state ? { rate_limit: state } : {}), limit });
}

/** 429 with `Retry-After`: too many of the key's requests are running. */
export function concurrencyLimited(cap: number): LabelwiseError {
  return make('concurrency_limited', `at most ${cap} concurrent requests for this key`, { retry_after: 1, limit_concurrent: cap });
}

/**
 * 413, not retryable: the request needs more tokens than the tier's whole per-minute limit,
 * so waiting never helps; it has to be split.
 */
export function overTokenBudget(estimate: number, budget: number, tier: string): LabelwiseError {
  return make(
    'over_token_budget',
    `this request needs about ${estimate} tokens, more than the ${tier} tier's whole limit of ${budget} tokens per minute; split it into smaller requests`,
    { limit: 'tokens_per_minute', limit_tokens: budget, estimated_tokens: estimate, tier },
  );
}

/**
 * 422: a request or store field is wrong; `details.field` names it.
 *
 * @param field - dotted path of the field, e.g. `labels.3` or `examples.billing.2`.
 * @example
 * ```ts
 * throw validationError('labels', 'labels must be unique');
 * ```
 */
export function validationError(field: string, message: string, cause?: unknown): LabelwiseError {
  return make('invalid_field', message, { field }, cause);
}

/** 422 on `model.path`: the model folder lacks a file or holds one that cannot be loaded. */
export function invalidModel(message: string, cause?: unknown): LabelwiseError {
  return make('invalid_model', message, { field: 'model.path' }, cause);
}

/** 422 (CLI): a required argument is missing. */
export function missingArgument(field: string, message: string): LabelwiseError {
  return make('missing_argument', message, { field });
}

/** 422 (CLI): a file named by `--field` cannot be read. */
export function fileUnreadable(field: string, path: string, cause?: unknown): LabelwiseError {
  return make('file_unreadable', `cannot read --${field} file ${path}`, { field }, cause);
}

/** 400 (CLI): a file named by `--field` is not JSON. */
export function fileNotJson(field: string, path: string, cause?: unknown): LabelwiseError {
  return make('file_not_json', `--${field} file ${path} is not valid JSON`, { field }, cause);
}

/**
 * 422: a URL's host resolves to a private, loopback or otherwise internal address. The address
 * itself is not echoed: it would let callers map internal DNS names.
 */
export function addressBlocked(field: string, host: string, kind: string): LabelwiseError {
  return make(
    'address_blocked',
    `${field}: host "${host}" resolves to a ${kind} address; only public addresses may be fetched unless the host is allow-listed`,
    { field },
  );
}
