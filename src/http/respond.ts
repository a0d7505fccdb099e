import type { ServerResponse } from 'node:http';
import { toErrorBody, isLabelwiseError } from '../errors.js';

/** Writes a JSON response with the given extra headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/**
 * Writes an error in the spec's body shape (§1.2). Internal errors never leak their message
 * or stack; 503/429 carry Retry-After; 413 and stalled bodies close the connection so the
 * unread rest of the body is never consumed.
 */
export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string | number> = {}): { status: number; code: string } {
  const body = toErrorBody(err);
  const status = isLabelwiseError(err) ? err.status : 500;
  const extra: Record<string, string | number> = { ...headers };
  if (status === 503 || status === 429) {
    const retry = Number((isLabelwiseError(err) && err.details?.retry_after) ?? 1);
    extra['Retry-After'] = Math.max(1, Math.ceil(retry));
  }
  // Close when part of the body was left unread (a 413 before reading, a stalled upload, a
  // hang-up), so it is never parsed as the next request; a 413 after reading keeps the socket.
  if ((status === 413 && !res.req?.complete) || status === 499 || body.details?.reason === 'body_stalled') extra.Connection = 'close';
  sendJson(res, status, body, extra);
  return { status, code: body.code };
}
