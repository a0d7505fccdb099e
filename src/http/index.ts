/**
 * labelwise/http — the `/v1` REST adapter. Mount it on node:http, Express or Fastify; the core
 * package never imports this module.
 */
export { createHandler, type HandlerStats, type LabelwiseHandler } from './handler.js';
export { TIER_DEFAULTS, type HandlerOptions, type TierLimits, type TierName } from './options.js';
export { buildOpenApi } from './openapi.js';
export type { LimiterFactory } from './rate-limits.js';
