import type { IncomingMessage } from 'node:http';
import { bodyEmpty, bodyNotJson, bodyNotUtf8, bodyStalled, bodyTooLarge, clientClosed, unsupportedMediaType, type LabelwiseError } from '../errors.js';

export interface BodyLimits {
  /** Largest accepted body in bytes. */
  maxBytes: number;
  /** Longest a client may take to send its body, in ms (a stalled upload is cut off). */
  timeoutMs: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses a JSON body. Refuses before reading when Content-Length is over the
 * limit, stops reading as soon as the limit is crossed, bounds the whole read by a timeout,
 * and rejects invalid UTF-8 and malformed JSON with INVALID_JSON. Returns the parsed value and
 * the body's size in bytes (what token estimates are based on: re-serializing the value could
 * overflow the stack on deeply nested input).
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits, optional = false, signal?: AbortSignal): Promise<{ value: unknown; bytes: number }> {
  // A body parser mounted earlier (e.g. express.json()) already consumed the stream: use its result.
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (req.readableEnded && parsed !== undefined) return { value: parsed, bytes: Number(req.headers['content-length'] ?? 0) };
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes) throw bodyTooLarge(limits.maxBytes);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    // An empty body with no content type is treated as missing JSON, not a media-type error.
    if (type !== '' || declared > 0 || req.headers['transfer-encoding']) {
      throw unsupportedMediaType(type || null);
    }
  }
  const raw = await collect(req, limits, signal);
  if (raw.length === 0) {
    if (optional) return { value: undefined, bytes: 0 };
    throw bodyEmpty();
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw bodyNotUtf8();
  }
  try {
    return { value: JSON.parse(text), bytes: raw.length };
  } catch (err) {
    // RangeError covers pathological nesting that exhausts the parser's stack.
    const detail = err instanceof SyntaxError ? err.message : 'JSON is nested too deeply';
    throw bodyNotJson(detail);
  }
}

function collect(req: IncomingMessage, limits: BodyLimits, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(clientClosed());
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: unknown, value?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      signal?.removeEventListener('abort', onAborted);
      if (err) {
        // Stop reading the rest of an oversized or stalled body; the response closes the socket.
        req.pause();
        reject(err);
      } else resolve(value as Buffer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish(bodyTooLarge(limits.maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => finish(null, Buffer.concat(chunks, size));
    // A reset or aborted upload is the client hanging up, not a malformed body.
    const onError = () => finish(clientClosed());
    const onAborted = () => finish(clientClosed());
    const timer = setTimeout(() => finish(bodyStalled(limits.timeoutMs)), limits.timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
    signal?.addEventListener('abort', onAborted);
  });
}
