/**
 * labelwise/http — the `/v1` REST adapter. Mount it on node:http or Express with
 * `createHandler`, on Fastify with `labelwise/http/fastify`; the core package never imports
 * this module.
 */
export { createHandler, type LabelwiseHandler } from './handler.js';
export type { HandlerStats } from './core.js';
export { TIER_DEFAULTS, type HandlerOptions, type LimiterFactory, type TierLimits, type TierName } from './options.js';
export { buildOpenApi } from './openapi.js';
