import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.js';
import { expressMiddleware } from './adapter/express/index.js';
import { nodeListener } from './adapter/node/index.js';
import { createCore, type HandlerStats } from './core.js';
import type { HandlerOptions } from './options.js';

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
 * // Fastify 5: see createFastifyPlugin in labelwise/http/fastify
 * ```
 */
export function createHandler(engine: Engine, options?: HandlerOptions): LabelwiseHandler {
  const core = createCore(engine, options);
  const node = nodeListener(core);
  const express = expressMiddleware(core);
  // node:http never passes a third argument; Express always does.
  const handler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => (next ? express(req, res, next) : node(req, res));
  return Object.assign(handler, { stats: core.stats });
}
