/**
 * What a host adapter (node:http, Express, Fastify, or a fetch-style runtime) hands the
 * host-neutral core, and what it gets back. The core never sees a host's request or response
 * objects; it sees only these.
 */

/** Request headers with lower-case names, as node:http and the Fetch API's iteration give them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface HostRequest {
  method: string;
  /** Path and query string, relative to where the host mounted the API (e.g. `/v1/classify?x=1`). */
  url: string;
  headers: RequestHeaders;
  /** The peer's address (what callers without a key are rate limited by). */
  remoteAddress: string | undefined;
  /** Whether the request came over TLS (the scheme of the absolute URLs the API hands out). */
  secure?: boolean;
  /** The path prefix the host stripped before `url` (an Express mount path, a Fastify prefix); `''` when none. */
  mountPath?: string;
  /**
   * Opens the request body. Called at most once, and only when a route reads its body. The core
   * never cancels this stream: when it stops reading early it releases its reader and answers
   * with `Connection: close`, so the host can still send that answer on the same socket.
   */
  body(): ReadableStream<Uint8Array>;
  /** A body a middleware in front already read and parsed (Express behind `express.json()`). */
  parsed?: { value: unknown; bytes: number };
  /** Aborted when the client goes away before the answer is complete. */
  signal: AbortSignal;
}

/** A whole answer (JSON) or a streamed one; headers in the order they are to be written. */
export interface HostResponse {
  status: number;
  headers: Record<string, string | number>;
  /**
   * The bytes to send, or a source to stream them from (a Node `Readable`, a web
   * `ReadableStream` or an async generator). A streamed body that fails midway ends the
   * connection without its final chunk, so the client sees a truncated answer, never a
   * complete-looking one.
   */
  body: string | Uint8Array | AsyncIterable<Uint8Array | string>;
}

/** A single-valued header (`''` when absent; repeated values joined as node:http does). */
export function header(request: { headers: RequestHeaders }, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
