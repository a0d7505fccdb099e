import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId, statusOf } from '../engine/accounting.js';
import type { Engine } from '../engine/engine.js';
import { accountingOf } from '../engine/ports.js';
import { clientClosed, isLabelwiseError, methodNotAllowed, routeNotFound, toErrorBody, validationError } from '../errors.js';
import { clientAddress, identify, requireScope, unauthenticated } from './auth.js';
import { readJsonBody } from './body.js';
import { estimateTokens } from '../engine/token-estimate.js';
import { openapiRoute } from './openapi.js';
import { resolveHandlerOptions, type HandlerOptions } from './options.js';
import { limitHeaders, RateLimits, type LimitState } from './rate-limits.js';
import { sendError, sendJson } from './respond.js';
import { Router, type Caller, type RouteContext } from './router.js';
import { classificationRoutes } from './routes/classification.js';
import { managementRoutes } from './routes/management.js';

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

/** `(req, res, next?)`: a node:http listener, Express middleware, or a Fastify raw handler. */
export type LabelwiseHandler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void) & {
  /** A snapshot of {@link HandlerStats} since the handler was created. */
  stats(): HandlerStats;
};

/**
 * Mounts the whole `/v1` API of spec §1–6 and §10 on any Node HTTP server.
 *
 * Only requests made with a valid key are recorded in usage and logs (with the route's
 * template, e.g. `/classifiers/{name}`, as `endpoint`); anonymous public-mode calls that reach
 * the engine are recorded under the `public` account. Every other request (no key, an
 * invalid key, keyless 404/405) is rate limited per client address and only counted in
 * `handler.stats()`, so nobody can grow the database without a key.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createEngine } from 'labelwise';
 * import { createHandler } from 'labelwise/http';
 * const engine = await createEngine({ dataDir: './data' });
 * createServer(createHandler(engine)).listen(8080);
 * // Express 5: app.use(createHandler(engine));  — other paths fall through to next()
 * ```
 */
export function createHandler(engine: Engine, options?: HandlerOptions): LabelwiseHandler {
  const opts = resolveHandlerOptions(options);
  const routes = [...classificationRoutes, ...managementRoutes];
  const router = new Router([...routes, openapiRoute(routes, opts.basePath)]);
  const limits = new RateLimits(opts.tiers, opts.rateLimiter, opts.unauthenticatedPerMinute);
  const unauthenticatedCounts = new Map<number, number>();
  let rateLimitedUnlogged = 0;

  const handler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    const path = (req.url ?? '/').split('?')[0];
    const inside = path === opts.basePath || path.startsWith(`${opts.basePath}/`);
    if (!inside && next) return next();
    // Outside the base path (and no next): a plain 404, never a route matched on a cut-off path.
    void serve(req, res, path, inside ? path.slice(opts.basePath.length) || '/' : null);
  };
  return Object.assign(handler, {
    stats: (): HandlerStats => ({ unauthenticated: Object.fromEntries([...unauthenticatedCounts].map(([s, n]) => [String(s), n])), rateLimitedUnlogged }),
  });

  async function serve(req: IncomingMessage, res: ServerResponse, fullPath: string, path: string | null): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    const headers: Record<string, string | number> = { 'X-Request-ID': requestId };
    const method = req.method ?? 'GET';
    const match = path === null ? null : router.match(method, path);
    const route = match && 'route' in match ? match.route : null;
    const endpoint = route?.path ?? (match && 'template' in match ? match.template : UNMATCHED_ENDPOINT);
    let caller: Caller | null = null;
    let recorded = false;
    let release: (() => void) | undefined;
    let outcome: { status: number; body: unknown } | { error: unknown };
    // A client that hangs up stops its body read, document downloads and OCR.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(clientClosed());
    });
    try {
      caller = await identify(engine, req, route, opts);
      if (!caller) {
        // Nobody vouches for this request: count it per address before answering anything.
        await limits.consumeAnonymous(clientAddress(req, opts.trustProxy));
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
      if (!caller && matched.scope !== null) throw unauthenticated(req);
      requireScope(caller, matched);
      if (caller) release = limits.enter(caller.subject, caller.tier);
      const { value: body } = method === 'POST' ? await readJsonBody(req, opts.limits, matched.bodyOptional, abort.signal) : { value: undefined };
      if (method === 'POST' && body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
        throw validationError('body', 'request body must be a JSON object');
      }
      // Validation first: an invalid request is a 422 whatever its size; then the tokens it
      // needs are reserved (413 when they can never fit the window, 429 when not this minute).
      const estimate = caller && matched.validate ? estimateTokens(matched.validate(body)) : 0;
      if (caller && estimate) await limits.reserveTokens(caller.subject, caller.tier, estimate);
      const ctx: RouteContext = { engine, req, res, requestId, signal: abort.signal, params, query: new URL(req.url ?? '/', 'http://x').searchParams, caller: caller as Caller, body, headers };
      recorded = matched.classification === true; // from here on the engine records the call itself
      const result = await matched.handle(ctx).catch(async (err: unknown) => {
        if (caller && estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, 0);
        throw err;
      });
      if (caller) {
        if (estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, result.tokens ?? estimate);
        Object.assign(headers, limitHeaders(await limits.peek(caller.subject, caller.tier)));
      }
      outcome = { status: result.status, body: result.body };
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
    const status = 'error' in outcome ? statusOf(outcome.error) : outcome.status;
    if (!recorded && !caller?.keyId) unauthenticatedCounts.set(status, (unauthenticatedCounts.get(status) ?? 0) + 1);
    else if (failed !== undefined && limits.isRepeatRefusal(failed)) rateLimitedUnlogged++;
    else if (!recorded && caller?.keyId) {
      try {
        await accountingOf(engine).recordRaw({
          request_id: requestId,
          account: caller.account,
          key_id: caller.keyId,
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
    if ('error' in outcome) sendError(res, outcome.error, headers);
    else sendJson(res, outcome.status, outcome.body, headers);
  }
}
