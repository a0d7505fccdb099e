import { Readable } from 'node:stream';
import { bodyEmpty, bodyNotJson, bodyNotUtf8, bodyStalled, bodyTooLarge, clientClosed as closedByClient, unsupportedMediaType, type LabelwiseError } from '../errors.js';
import { header, type HostRequest } from './host.js';

export interface BodyLimits {
  /** Largest accepted body in bytes. */
  maxBytes: number;
  /** Longest a client may take to send its body, in ms (a stalled upload is cut off). */
  timeoutMs: number;
}

/**
 * Errors raised while part of the request body was still unread (over the limit, stalled,
 * the client gone). Answering one closes the connection, so the unread rest is never parsed
 * as the next request. A flag set where the error is made, not read back from its message.
 */
const unreadBody = new WeakSet<object>();

/** Whether answering `err` must close the connection: the body it refused was left unread. */
export function leftBodyUnread(err: unknown): boolean {
  return typeof err === 'object' && err !== null && unreadBody.has(err);
}

function unread(err: LabelwiseError): LabelwiseError {
  unreadBody.add(err);
  return err;
}

/** The client went away before its answer (logged as 499, never sent: nobody is listening). */
export function clientClosed(): LabelwiseError {
  return unread(closedByClient());
}

export function tooLarge(maxBytes: number): LabelwiseError {
  return unread(bodyTooLarge(maxBytes));
}

function stalled(ms: number, idle: boolean): LabelwiseError {
  return unread(bodyStalled(ms, idle));
}

/** Content-Length as declared, or null. */
export function declaredLength(request: HostRequest): number | null {
  const value = Number(header(request, 'content-length') || NaN);
  return Number.isFinite(value) ? value : null;
}

export interface ReadLimits {
  maxBytes: number;
  /** The whole body must arrive within this many ms. */
  deadlineMs?: number;
  /** No gap between chunks may be longer, while the reader waits for data. */
  idleMs?: number;
}

/**
 * A request body as a Node `Readable` over the host's web stream, enforcing a byte limit, a
 * deadline or idle timeout, and the client's hang-up. Stopping early (an error, or a destroy by
 * the consumer) releases the source without cancelling it: the host keeps the socket to send
 * the answer, which then closes the connection.
 */
export class LimitedBody extends Readable {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #limits: ReadLimits;
  readonly #signal: AbortSignal;
  readonly #deadline?: NodeJS.Timeout;
  #idle?: NodeJS.Timeout;
  #reading = false;
  received = 0;
  complete = false;

  constructor(source: ReadableStream<Uint8Array>, limits: ReadLimits, signal: AbortSignal) {
    super();
    this.#reader = source.getReader();
    this.#limits = limits;
    this.#signal = signal;
    if (signal.aborted) queueMicrotask(() => this.destroy(clientClosed()));
    signal.addEventListener('abort', this.#onAbort, { once: true });
    if (limits.deadlineMs !== undefined) this.#deadline = setTimeout(() => this.destroy(stalled(limits.deadlineMs as number, false)), limits.deadlineMs);
  }

  readonly #onAbort = () => this.destroy(clientClosed());

  override _read(): void {
    if (!this.#reading) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#reading = true;
    try {
      for (;;) {
        if (this.#limits.idleMs !== undefined) this.#idle = setTimeout(() => this.destroy(stalled(this.#limits.idleMs as number, true)), this.#limits.idleMs);
        const { done, value } = await this.#reader.read();
        clearTimeout(this.#idle);
        if (this.destroyed) return;
        if (done) {
          this.complete = true;
          this.push(null);
          return;
        }
        this.received += value.byteLength;
        if (this.received > this.#limits.maxBytes) return void this.destroy(tooLarge(this.#limits.maxBytes));
        if (!this.push(value)) return;
      }
    } catch {
      // The source errored: the connection was reset or the upload aborted mid-body.
      if (!this.destroyed) this.destroy(clientClosed());
    } finally {
      this.#reading = false;
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#deadline);
    clearTimeout(this.#idle);
    this.#signal.removeEventListener('abort', this.#onAbort);
    // Release, never cancel: cancelling would destroy the host's request and its socket.
    // A read still pending is rejected by the release; the pump's catch sees a destroyed body.
    this.#reader.releaseLock();
    callback(err);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses a JSON body. Refuses before reading when Content-Length is over the
 * limit, stops reading as soon as the limit is crossed, bounds the whole read by a timeout,
 * and rejects invalid UTF-8 and malformed JSON with INVALID_JSON. Returns the parsed value and
 * the body's size in bytes (what token estimates are based on: re-serializing the value could
 * overflow the stack on deeply nested input).
 */
export async function readJsonBody(request: HostRequest, limits: BodyLimits, optional: boolean, signal: AbortSignal): Promise<{ value: unknown; bytes: number }> {
  // A body parser mounted earlier (e.g. express.json()) already consumed the stream: use its result.
  if (request.parsed) return request.parsed;
  const type = header(request, 'content-type').split(';')[0].trim().toLowerCase();
  const declared = declaredLength(request) ?? NaN;
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    // An empty body with no content type is treated as missing JSON, not a media-type error.
    if (type !== '' || declared > 0 || request.headers['transfer-encoding']) {
      throw unsupportedMediaType(type || null);
    }
  }
  if (signal.aborted) throw clientClosed();
  const chunks: Buffer[] = [];
  for await (const chunk of new LimitedBody(request.body(), { maxBytes: limits.maxBytes, deadlineMs: limits.timeoutMs }, signal)) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
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
