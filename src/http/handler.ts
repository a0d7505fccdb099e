import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from '../engine/accounting.js';
import type { Engine } from '../engine/engine.js';
import { isLabelwiseError, LabelwiseError } from '../errors.js';
import { authenticate, keyCaller, requireScope } from './auth.js';
import { readJsonBody } from './body.js';
import { openapiRoute } from './openapi.js';
import { resolveHandlerOptions, type HandlerOptions } from './options.js';
import { limitHeaders, RateLimits, type LimitState } from './rate-limits.js';
import { sendError, sendJson } from './respond.js';
import { Router, type Caller, type RouteContext } from './router.js';
import { classificationRoutes } from './routes/classification.js';
import { managementRoutes } from './routes/management.js';

/** `(req, res, next?)`: a node:http listener, Express middleware, or a Fastify raw handler. */
/** Visual tokens reserved per image/file input before it is read (a US-Letter page is ~1,500). */
const VISUAL_ESTIMATE = 1_500;

function documentInputs(body: unknown): number {
  if (!body || typeof body !== 'object') return 0;
  const { image, file } = body as { image?: unknown; file?: unknown };
  return (Array.isArray(image) ? image.length : image ? 1 : 0) + (file ? 1 : 0);
}

export type LabelwiseHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * Mounts the whole `/v1` API of spec §1–6 and §10 on any Node HTTP server.
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
  const limits = new RateLimits(opts.tiers, opts.rateLimiter);

  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    const inside = path === opts.basePath || path.startsWith(`${opts.basePath}/`);
    if (!inside && next) return next();
    // Outside the base path (and no next): a plain 404, never a route matched on a cut-off path.
    void serve(req, res, path, inside ? path.slice(opts.basePath.length) || '/' : null);
  };

  async function serve(req: IncomingMessage, res: ServerResponse, fullPath: string, path: string | null): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    const headers: Record<string, string | number> = { 'X-Request-ID': requestId };
    const method = req.method ?? 'GET';
    let caller: Caller | null = null;
    let recorded = false;
    let release: (() => void) | undefined;
    let status = 500;
    let errorCode: string | null = null;
    try {
      const match = path === null ? null : router.match(method, path);
      if (!match || 'allow' in match) {
        // Rate-limit headers appear on every authenticated response (spec §1.3), 404/405 included.
        const known = await keyCaller(engine, req);
        if (known) Object.assign(headers, limitHeaders(await limits.peek(known.subject, known.tier)));
      }
      if (!match) throw new LabelwiseError('NOT_FOUND', `no route ${method} ${fullPath}`);
      if ('allow' in match) {
        headers.Allow = match.allow.join(', ');
        throw new LabelwiseError('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${match.allow.join(' or ')}`);
      }
      const { route, params } = match;
      caller = await authenticate(engine, req, route, opts);
      let state: LimitState | undefined;
      if (caller) {
        state = await limits.consumeRequest(caller.subject, caller.tier).catch((err: unknown) => {
          const s = isLabelwiseError(err) ? (err.details?.rate_limit as LimitState | undefined) : undefined;
          if (s) Object.assign(headers, limitHeaders(s));
          throw err;
        });
        Object.assign(headers, limitHeaders(state));
        requireScope(caller, route);
        release = limits.enter(caller.subject, caller.tier);
      }
      const { value: body, bytes } = method === 'POST' ? await readJsonBody(req, opts.limits, route.bodyOptional) : { value: undefined, bytes: 0 };
      // Estimate tokens from the body (≈ 4 bytes per token) plus a page's worth of visual tokens
      // per image/file input (a URL is a few bytes but can cost thousands), corrected after the run.
      const estimate = route.classification && caller ? Math.ceil(bytes / 4) + VISUAL_ESTIMATE * documentInputs(body) : 0;
      if (caller && estimate) await limits.reserveTokens(caller.subject, caller.tier, estimate);
      // A client that hangs up stops its document downloads and OCR.
      const abort = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) abort.abort(new LabelwiseError('INVALID_JSON', 'the client closed the connection'));
      });
      const ctx: RouteContext = { engine, req, res, requestId, signal: abort.signal, params, query: new URL(req.url ?? '/', 'http://x').searchParams, caller: caller as Caller, body, headers };
      recorded = route.classification === true; // from here on the engine records the call itself
      const result = await route.handle(ctx).catch(async (err: unknown) => {
        if (caller && estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, 0);
        throw err;
      });
      if (caller) {
        if (estimate) await limits.settleTokens(caller.subject, caller.tier, estimate, result.tokens ?? estimate);
        Object.assign(headers, limitHeaders(await limits.peek(caller.subject, caller.tier)));
      }
      status = result.status;
      sendJson(res, status, result.body, headers);
    } catch (err) {
      if (!isLabelwiseError(err)) process.emitWarning(`labelwise: internal error in ${requestId}: ${(err as Error)?.stack ?? err}`, { code: 'LABELWISE_INTERNAL' });
      ({ status, code: errorCode } = sendError(res, err, headers));
    } finally {
      release?.();
      if (!recorded) {
        engine.recordRequest({
          request_id: requestId,
          account: caller?.account,
          key_id: caller?.keyId ?? null,
          endpoint: path ?? fullPath,
          method,
          status,
          latency_ms: Math.round(performance.now() - started),
          tokens: 0,
          error_code: errorCode,
        });
      }
    }
  }
}
