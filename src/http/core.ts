import { newRequestId, statusOf } from '../engine/accounting.js';
import type { Engine } from '../engine/engine.js';
import { accountingOf } from '../engine/ports.js';
import { estimateTokens } from '../engine/token-estimate.js';
import { isLabelwiseError, methodNotAllowed, routeNotFound, toErrorBody, validationError } from '../errors.js';
import { clientAddress, identify, requireScope, unauthenticated } from './auth.js';
import { clientClosed, declaredLength, leftBodyUnread, LimitedBody, readJsonBody, tooLarge, type BodyLimits } from './body.js';
import { header, type HostRequest, type HostResponse } from './host.js';
import { openapiRoute } from './openapi.js';
import { publicBase } from './public-url.js';
import { resolveHandlerOptions, type HandlerOptions, type ResolvedHandlerOptions } from './options.js';
import { limitHeaders, RateLimits, type LimitState } from './rate-limits.js';
import { errorResponse, jsonResponse, streamResponse } from './respond.js';
import type { Caller, Route, RouteContext, RouteResult, StreamBody } from './route.js';
import { Router } from './router.js';
import { defaultRoutes } from './routes/index.js';

/** What a request that matched no route is logged as (its raw path is never stored). */
export const UNMATCHED_ENDPOINT = '(no route)';

/** Counters of answers that write no row, only these. */
export interface HandlerStats {
  /**
   * Request-limit 429s to a key after the first of their window (the first is logged), so a
   * client retrying without backoff cannot grow its account's logs faster than its limit.
   */
  rateLimitedUnlogged: number;
  /**
   * Answers to requests without a valid key that the engine did not record, by HTTP status
   * (e.g. `{ '401': 12, '429': 3 }`).
   */
  unauthenticated: Record<string, number>;
}

/** The host-neutral `/v1` API: one request in, one answer out; hosts only translate. */
export interface HttpCore {
  readonly options: ResolvedHandlerOptions;
  /** Whether `path` (without query) is under the base path; a host passes other paths on. */
  owns(path: string): boolean;
  /** Answers one request. Never rejects: every failure is an error answer. */
  handle(request: HostRequest): Promise<HostResponse>;
  stats(): HandlerStats;
}

/**
 * Builds the core over `routes` (the `/v1` routes by default; the OpenAPI document is added
 * over them). Auth, scopes, rate limits, body limits, error bodies and usage rows are decided
 * here, the same for every host.
 */
export function createCore(engine: Engine, options?: HandlerOptions, routes: readonly Route[] = defaultRoutes): HttpCore {
  const opts = resolveHandlerOptions(options);
  const router = new Router([...routes, openapiRoute([...routes], opts.basePath)]);
  const limits = new RateLimits(opts.tiers, opts.rateLimiter, opts.unauthenticatedPerMinute);
  const unauthenticatedCounts = new Map<number, number>();
  let rateLimitedUnlogged = 0;
  const owns = (path: string) => path === opts.basePath || path.startsWith(`${opts.basePath}/`);

  return {
    options: opts,
    owns,
    handle: (request) => serve(request),
    stats: () => ({ unauthenticated: Object.fromEntries([...unauthenticatedCounts].map(([s, n]) => [String(s), n])), rateLimitedUnlogged }),
  };

  async function serve(request: HostRequest): Promise<HostResponse> {
    const started = performance.now();
    const requestId = newRequestId();
    const headers: Record<string, string | number> = { 'X-Request-ID': requestId };
    const method = request.method;
    const fullPath = request.url.split('?')[0];
    // Outside the base path: a plain 404, never a route matched on a cut-off path.
    const path = owns(fullPath) ? fullPath.slice(opts.basePath.length) || '/' : null;
    const match = path === null ? null : router.match(method, path);
    const route = match && 'route' in match ? match.route : null;
    const endpoint = route?.path ?? (match && 'template' in match ? match.template : UNMATCHED_ENDPOINT);
    let caller: Caller | null = null;
    // The account a token-authorized request (batch upload/download) is recorded under.
    let attributed: string | null = null;
    let recorded = false;
    let release: (() => void) | undefined;
    let body: StreamBody | null = null;
    let outcome: { result: RouteResult } | { error: unknown };
    // A client that hangs up stops its body read, document downloads, OCR and streamed answers.
    const abort = new AbortController();
    const onHangUp = () => abort.abort(clientClosed());
    if (request.signal.aborted) onHangUp();
    else request.signal.addEventListener('abort', onHangUp, { once: true });
    try {
      caller = await identify(engine, request, route, opts);
      if (!caller) {
        // Nobody vouches for this request: count it per address before answering anything.
        await limits.consumeAnonymous(clientAddress(request, opts.trustProxy));
      } else {
        // Rate-limit headers appear on every authenticated response (spec §1.3), 404/405 included.
        const state = await limits.consumeRequest(caller.subject, caller.tier).catch((err: unknown) => {
          const s = isLabelwiseError(err) ? (err.details?.rate_limit as LimitState | undefined) : undefined;
          if (s) Object.assign(headers, limitHeaders(s));
          throw err;
        });
        Object.assign(headers, limitHeaders(state));
      }
      if (!match) throw routeNotFound(method, fullPath);
      if ('allow' in match) {
        headers.Allow = match.allow.join(', ');
        throw methodNotAllowed(method, match.allow);
      }
      const { route: matched, params } = match;
      if (!caller && matched.scope !== null) throw unauthenticated(request);
      requireScope(caller, matched);
      if (caller) release = limits.enter(caller.subject, caller.tier);
      const streamSpec = typeof matched.stream === 'function' ? matched.stream(engine, opts) : matched.stream;
      if (streamSpec) {
        if ((declaredLength(request) ?? 0) > streamSpec.maxBytes) throw tooLarge(streamSpec.maxBytes);
        const readable = new LimitedBody(request.body(), { maxBytes: streamSpec.maxBytes, idleMs: streamSpec.idleTimeoutMs ?? opts.limits.timeoutMs }, abort.signal);
        // A hang-up while the route is not reading yet errors the body with no reader attached:
        // the route learns of it when it reads (or from its signal), never the process.
        readable.on('error', () => undefined);
        body = {
          readable,
          contentType: header(request, 'content-type'),
          declaredLength: declaredLength(request),
          get received() {
            return readable.received;
          },
          get complete() {
            return readable.complete;
          },
        };
      }
      let json: Promise<unknown> | undefined;
      const ctx: RouteContext = {
        engine, requestId, method, signal: abort.signal, params, caller: caller as Caller, body, headers,
        query: new URL(request.url, 'http://x').searchParams,
        requestHeaders: request.headers,
        json: () => (json ??= readObject(request, matched, opts.limits, abort.signal)),
        publicUrl: (p) => `${publicBase(request, opts)}${p}`,
        attribute: (account) => {
          attributed = account;
        },
      };
      // Validation first: an invalid request is a 422 whatever its size; then the tokens it
      // needs are reserved (413 when they can never fit the window, 429 when not this minute).
      const estimate = caller && matched.validate ? estimateTokens(matched.validate(await ctx.json())) : 0;
      if (caller && estimate) await limits.reserveTokens(caller.subject, caller.tier, estimate);
      recorded = matched.classification === true; // from here on the engine records the call itself
      const result = await matched.handle(ctx).catch(async (err: unknown) => {
        if (caller && estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, 0);
        throw err;
      });
      if (caller) {
        if (estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, result.tokens ?? estimate);
        Object.assign(headers, limitHeaders(await limits.peek(caller.subject, caller.tier)));
      }
      outcome = { result };
    } catch (err) {
      if (!isLabelwiseError(err)) process.emitWarning(`labelwise: internal error in ${requestId}: ${(err as Error)?.stack ?? err}`, { code: 'LABELWISE_INTERNAL' });
      outcome = { error: err };
    }
    release?.();
    // The row is written before the answer leaves (committed first in durable mode, like the
    // engine's own calls), so an answered request is never missing from the log after a crash.
    // Only a verified key's requests are written row by row (anonymous public calls that
    // reached the engine were recorded by it): they are attributable and rate limited.
    const failed = 'error' in outcome ? outcome.error : undefined;
    const status = 'error' in outcome ? statusOf(outcome.error) : outcome.result.status;
    // The account a verified job token named (it authorized the request), else the key's.
    const account = attributed ?? (caller?.keyId ? caller.account : null);
    const keyId = caller?.keyId && caller.account === account ? caller.keyId : null;
    if (!recorded && account === null) unauthenticatedCounts.set(status, (unauthenticatedCounts.get(status) ?? 0) + 1);
    else if (failed !== undefined && limits.isRepeatRefusal(failed)) rateLimitedUnlogged++;
    else if (!recorded && account !== null) {
      try {
        await accountingOf(engine).recordRaw({
          request_id: requestId,
          account,
          key_id: keyId,
          endpoint,
          method,
          status,
          latency_ms: Math.round(performance.now() - started),
          tokens: 0,
          error_code: failed === undefined ? null : toErrorBody(failed).code,
        });
      } catch (err) {
        // An unrecorded management answer is not given: the caller sees why and may retry.
        if (failed === undefined) outcome = { error: err };
      }
    }
    // A streamed body the route did not read to its end leaves bytes on the socket.
    const bodyLeft = body !== null && !body.complete;
    if (bodyLeft) body?.readable.destroy();
    if ('error' in outcome) {
      request.signal.removeEventListener('abort', onHangUp);
      return errorResponse(outcome.error, headers, bodyLeft || leftBodyUnread(outcome.error)).response;
    }
    const { result } = outcome;
    if ('stream' in result) {
      // The signal stays armed while the answer streams: a hang-up stops the route's source.
      return streamResponse(result, bodyLeft ? { ...headers, Connection: 'close' } : headers);
    }
    request.signal.removeEventListener('abort', onHangUp);
    return jsonResponse(result.status, result.body, { ...headers, ...result.headers, ...(bodyLeft ? { Connection: 'close' } : {}) });
  }
}

/** The JSON body of a route: an object, or (on `bodyOptional` routes) nothing. */
async function readObject(request: HostRequest, route: Route, limits: BodyLimits, signal: AbortSignal): Promise<unknown> {
  const { value } = await readJsonBody(request, limits, route.bodyOptional === true, signal);
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw validationError('body', 'request body must be a JSON object');
  }
  return value;
}
