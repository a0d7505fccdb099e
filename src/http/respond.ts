import { isLabelwiseError, toErrorBody } from '../errors.js';
import type { HostResponse } from './host.js';
import type { StreamResult } from './route.js';

type Headers = Record<string, string | number>;

/** A JSON answer with the given extra headers. */
export function jsonResponse(status: number, body: unknown, headers: Headers = {}): HostResponse {
  const payload = JSON.stringify(body);
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(payload), ...headers },
    body: payload,
  };
}

/** A streamed answer: chunked unless the route knows its length. */
export function streamResponse(result: StreamResult, headers: Headers): HostResponse {
  return {
    status: result.status,
    headers: { 'Content-Type': result.contentType, ...(result.length !== undefined ? { 'Content-Length': result.length } : {}), ...headers, ...result.headers },
    body: result.stream,
  };
}

/**
 * An error in the spec's body shape (§1.2). Internal errors never leak their message or
 * stack; 503/429 carry Retry-After; `closeConnection` (part of the body was left unread: a 413
 * before reading, a stalled upload, a hang-up) closes it, so the unread rest is never parsed as
 * the next request — a 413 decided after reading the whole body keeps the socket.
 */
export function errorResponse(err: unknown, headers: Headers, closeConnection: boolean): { response: HostResponse; status: number; code: string } {
  const body = toErrorBody(err);
  const status = isLabelwiseError(err) ? err.status : 500;
  const extra: Headers = { ...headers };
  if (status === 503 || status === 429) {
    const retry = Number((isLabelwiseError(err) && err.details?.retry_after) ?? 1);
    extra['Retry-After'] = Math.max(1, Math.ceil(retry));
  }
  if (closeConnection) extra.Connection = 'close';
  return { response: jsonResponse(status, body, extra), status, code: body.code };
}
