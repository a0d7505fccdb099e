/**
 * Request validation and response shapes of the classification endpoints (spec §2–5): zod
 * schemas (also the source of the HTTP adapter's OpenAPI document), the types kept in sync
 * with them, and parse functions that throw `VALIDATION_ERROR`.
 */

// Parse functions and checks
export {
  batchItemError,
  parseBatchRequest,
  parseClassifyRequest,
  parseTagRequest,
  REQUEST_DEFAULTS,
  type NormalizedRequest,
} from './parse.js';
export { labelConfigChecks, labelConfigSchema, type LabelConfig } from './label-config.js';

// Request schemas and types
export {
  classifyBatchRequestSchema,
  classifyRequestSchema,
  tagBatchRequestSchema,
  tagRequestSchema,
  type ClassifyBatchRequest,
  type ClassifyRequest,
  type Priority,
  type TagBatchRequest,
  type TagRequest,
} from './request.js';
export { CLASSIFIER_PATTERN, LIMITS } from './fields.js';

// Response schemas and types
export {
  cacheInfoSchema,
  classifyBatchItemSchema,
  classifyBatchResponseSchema,
  classifyResponseSchema,
  labelScoreSchema,
  tagBatchItemSchema,
  tagBatchResponseSchema,
  tagResponseSchema,
  type CacheInfo,
  type ClassifyBatchItem,
  type ClassifyBatchResponse,
  type ClassifyResponse,
  type LabelScore,
  type TagBatchItem,
  type TagBatchResponse,
  type TagResponse,
} from './response.js';
