import type { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import type { NormalizedRequest } from '../schema/index.js';
import type { KeyGrant, Scope, Tier } from '../store/index.js';
import type { RequestHeaders } from './host.js';
import type { ResolvedHandlerOptions } from './options.js';

export type { Scope };

/** Who is calling: a verified key, or an anonymous client in public mode. */
export interface Caller {
  account: string;
  keyId: string | null;
  scopes: Scope[];
  tier: Tier;
  logInputs: boolean;
  /** What rate limits are counted against: the key id, or the client address in public mode. */
  subject: string;
  /** What the key may hand on to keys it creates (`null` for anonymous callers). */
  grant: KeyGrant | null;
}

/** A request body a route reads as a stream (uploads), with its own limits. */
export interface StreamBodySpec {
  /** Largest accepted body in bytes (413 before reading when Content-Length says more). */
  maxBytes: number;
  /** Longest the client may send nothing while the route waits for data, in ms. @default the handler's `limits.timeoutMs` */
  idleTimeoutMs?: number;
}

/** The body of a route that declared {@link Route.stream}. */
export interface StreamBody {
  /**
   * The bytes as they arrive, with backpressure. Errors with `PAYLOAD_TOO_LARGE` past the
   * limit, a 400 when the client stalls, and `CLIENT_CLOSED_REQUEST` when it hangs up.
   */
  readonly readable: Readable;
  /** The full Content-Type header (multipart needs its boundary), `''` when absent. */
  readonly contentType: string;
  /** Content-Length as declared, or null (chunked). */
  readonly declaredLength: number | null;
  /** Bytes received so far. */
  readonly received: number;
  /** Whether the whole body was read. */
  readonly complete: boolean;
}

export interface RouteContext {
  engine: Engine;
  requestId: string;
  method: string;
  /** Aborted when the client disconnects before the answer is sent. */
  signal: AbortSignal;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Request headers (lower-case names). */
  requestHeaders: RequestHeaders;
  /** The caller; on routes with `scope: null` it is null when no key was given. */
  caller: Caller;
  /**
   * The JSON body, read on first call within the real-time limits (1 MB by default) and
   * memoised: 400/413/415 as spec §1 says, 422 unless it is an object (or empty on
   * {@link Route.bodyOptional} routes, then `undefined`).
   */
  json(): Promise<unknown>;
  /** The streamed body; only on routes that declare {@link Route.stream}. */
  body: StreamBody | null;
  /** Headers to add to the response (rate limits, cache). */
  headers: Record<string, string | number>;
  /**
   * The absolute URL of `path` (under the base path) as the client reaches this API: from the
   * handler's `publicUrl`, else from the request (see `public-url.ts`).
   */
  publicUrl(path: string): string;
  /**
   * On a route authorized by something other than a key (a batch job's upload or download
   * token), names the account the request is recorded under once that authorization holds.
   * Requests nobody vouched for are never recorded (only counted in `handler.stats()`).
   */
  attribute(account: string): void;
}

/** A JSON answer. */
export interface JsonResult {
  status: number;
  body: unknown;
  headers?: Record<string, string | number>;
  /** Tokens the request really cost (corrects the rate-limit estimate). */
  tokens?: number;
}

/** A streamed answer (e.g. NDJSON results): sent chunked unless `length` is known. */
export interface StreamResult {
  status: number;
  /** A Node `Readable`, a web `ReadableStream` or an async generator of bytes or strings. */
  stream: AsyncIterable<Uint8Array | string>;
  contentType: string;
  /** Content-Length, when known in advance. */
  length?: number;
  headers?: Record<string, string | number>;
  tokens?: number;
}

export type RouteResult = JsonResult | StreamResult;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base path; `{name}` segments become params. */
  path: string;
  /** Scope the key needs; `null` for routes anyone may call (the OpenAPI document, upload URLs). */
  scope: Scope | null;
  /** Callable without a key in public mode. */
  publicAllowed?: boolean;
  /** Counts tokens against the rate limit (classification). */
  classification?: boolean;
  summary: string;
  /** A JSON body that may be empty (then `json()` gives `undefined`). */
  bodyOptional?: boolean;
  /**
   * Reads its body as a stream with these limits instead of as JSON; a function when the
   * limits depend on the engine or the handler's options (batch uploads).
   */
  stream?: StreamBodySpec | ((engine: Engine, options: ResolvedHandlerOptions) => StreamBodySpec);
  /**
   * Validates a classification body before its tokens are estimated, so a request that is
   * invalid gets its 422 rather than a rate-limit answer based on a size it may not have.
   */
  validate?: (body: unknown) => NormalizedRequest;
  handle(ctx: RouteContext): Promise<RouteResult>;
}
