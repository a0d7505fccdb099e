/**
 * Errors of the process itself rather than of one request: shutting down, full queues, a busy
 * usage database, an unreachable server (for the client), internal failures, batch jobs.
 */
import { echo, LabelwiseError } from '../error.js';
import { make } from '../make.js';
import type { ErrorCode, LogOnlyErrorCode } from '../table.js';

/** 503: the engine (or its inference pool) is closed or closing; nothing new is accepted. */
export function engineClosed(): LabelwiseError {
  return make('engine_closed', 'the engine is closed');
}

/** 503: the stores are closed (the process is shutting down). */
export function storesClosed(): LabelwiseError {
  return make('stores_closed', 'the stores are closed');
}

/** Which bounded queue {@link queueFull} is about. */
export type QueueName = 'inference' | 'background_tasks' | 'documents';

const QUEUE_MESSAGES: Readonly<Record<QueueName, string>> = Object.freeze({
  inference: 'the inference queue is full; retry shortly',
  background_tasks: 'too many background tasks waiting (new few-shot label sets); retry shortly',
  documents: 'too many documents are being read; retry shortly',
});

/** 503 with `Retry-After`: a bounded work queue is full; `details.queue` says which. */
export function queueFull(queue: QueueName, retryAfterSeconds: number): LabelwiseError {
  return make('queue_full', QUEUE_MESSAGES[queue], { retry_after: retryAfterSeconds, queue });
}

/** 503: the buffered usage rows reached their cap because the database takes no writes. */
export function usageBacklogFull(maxRows: number): LabelwiseError {
  return make('usage_backlog_full', `usage backlog full (${maxRows} rows): the database is not accepting writes`, { limit_rows: maxRows });
}

/** 503: SQLite was busy, so a durable call's usage row was not committed and the call is not answered. */
export function usageDbBusy(cause: unknown): LabelwiseError {
  return make('usage_db_busy', 'the usage database is busy, so the call could not be recorded and is not answered; retry', undefined, cause);
}

/** 500: a durable call's usage row (and charge) failed to commit, so the call is not answered. */
export function usageNotRecorded(cause: unknown): LabelwiseError {
  return make('usage_not_recorded', 'the call could not be recorded (usage row and charge), so it is not answered', undefined, cause);
}

/** 500: the database was written by a newer labelwise. */
export function schemaTooNew(current: number, supported: number): LabelwiseError {
  return make('schema_too_new', `database schema v${current} is newer than this labelwise (v${supported}); upgrade labelwise`, {
    schema_version: current,
    supported_version: supported,
  });
}

/** 500 with the generic message: a bug; the real error is only the `cause` (logged, never sent). */
export function internalError(cause?: unknown): LabelwiseError {
  return make('internal', undefined, undefined, cause);
}

/** 503 (client): no answer from the server within the client's timeout. */
export function upstreamTimeout(timeoutMs: number, cause: unknown): LabelwiseError {
  return make('upstream_timeout', `no answer within ${timeoutMs} ms`, undefined, cause);
}

/** 503 (client): the server cannot be reached (refused, reset, DNS…). */
export function upstreamUnreachable(base: string, cause: unknown): LabelwiseError {
  return make('upstream_unreachable', `cannot reach ${base}: ${(cause as Error)?.message ?? cause}`, undefined, cause);
}

/** 500 (client): the server answered with a body that is not JSON. */
export function upstreamBadAnswer(status: number): LabelwiseError {
  return make('upstream_bad_answer', `the server answered ${status} with a non-JSON body`, { status });
}

/**
 * The client's copy of an error the server sent: code, message and details (its
 * `details.reason` included) as they came, so a remote caller sees what an in-process one does.
 * The only factory without a reason of its own.
 */
export function remoteError(code: ErrorCode | LogOnlyErrorCode, message: string, details?: Record<string, unknown>): LabelwiseError {
  return new LabelwiseError(code, message, details);
}

/** 404: no batch job of that id in this account (reserved for batch jobs). */
export function batchNotFound(id: string): LabelwiseError {
  return make('batch_not_found', `batch job "${echo(id)}" not found`, { batch_id: echo(id) });
}

/** 409: another batch job of this account is processing (reserved for batch jobs). */
export function batchConcurrencyLimit(): LabelwiseError {
  return make('batch_concurrency_limit', undefined);
}

/** 409: the batch job's state forbids the action (reserved for batch jobs). */
export function batchInvalidState(state: string, action: string): LabelwiseError {
  return make('batch_invalid_state', `a ${state} batch job cannot be ${action}`, { state });
}

/** 409: the batch job has no input file (reserved for batch jobs). */
export function batchInputMissing(): LabelwiseError {
  return make('batch_input_missing', undefined);
}
