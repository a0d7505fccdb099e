/** Errors of async batch jobs (spec §7): their states, tokens, uploads and input lines. */
import { echo, type LabelwiseError } from '../error.js';
import { make } from '../make.js';

/** 401: an upload/download token that is malformed, for another job or purpose, or forged. */
export function jobTokenInvalid(): LabelwiseError {
  return make('job_token_invalid', 'the upload or download token is not valid for this batch job');
}

/** 401: a request to a batch upload or download URL that carries no token at all. */
export function jobTokenMissing(purpose: 'upload' | 'download'): LabelwiseError {
  const where = purpose === 'upload' ? 'send upload_fields.token as the form field "token" before the file (a PUT: ?token= or Authorization: Bearer)' : 'use the download_url exactly as GET …/results gave it';
  return make('job_token_missing', `the ${purpose} token is missing: ${where}`);
}

/** 401: a genuine token past its expiry; ask for a new one (create, or GET …/results). */
export function jobTokenExpired(expiredAt: string): LabelwiseError {
  return make('job_token_expired', `the token expired at ${expiredAt}; request a new one`, { expired_at: expiredAt });
}

/** 413: the uploaded input is over the configured upload limit. */
export function uploadTooLarge(maxBytes: number): LabelwiseError {
  return make('upload_too_large', `the batch input is larger than ${maxBytes} bytes`, { limit_bytes: maxBytes });
}

/** One input line over the line limit: its result line carries this error. */
export function lineTooLong(maxBytes: number): LabelwiseError {
  return make('line_too_long', `line is longer than ${maxBytes} bytes`, { limit_bytes: maxBytes });
}

/** One input line that is not JSON (or not UTF-8). */
export function lineNotJson(detail: string): LabelwiseError {
  return make('line_not_json', `line is not valid JSON: ${echo(detail)}`);
}

/** One input line that is JSON but not an object with a non-empty string `text`. */
export function lineWithoutText(problem: string): LabelwiseError {
  return make('line_without_text', problem, { field: 'text' });
}

/** 500: the results file is shorter than its last checkpoint (the disk lost committed bytes). */
export function jobResultsLost(expected: number, actual: number): LabelwiseError {
  return make('job_results_lost', 'the batch job results file is shorter than its last checkpoint', { expected_bytes: expected, actual_bytes: actual });
}

/** 415: the uploaded input is a binary file (PDF, ZIP/DOCX, image…), not NDJSON text. */
export function uploadNotNdjson(kind: string): LabelwiseError {
  return make('upload_not_ndjson', `the batch input looks like ${kind}, not NDJSON: upload one JSON object per line`, { detected: kind });
}

/** 422: the uploaded input has no lines at all. */
export function uploadEmpty(): LabelwiseError {
  return make('upload_empty', 'the batch input is empty: upload one JSON object per line', { field: 'file' });
}

/** 422: the path given to `jobs.upload` cannot be read. */
export function uploadUnreadable(path: string, cause?: unknown): LabelwiseError {
  return make('upload_unreadable', `cannot read the batch input ${echo(path)}`, { field: 'input' }, cause);
}
