/**
 * Response shapes of spec §3–5, as zod schemas (for the HTTP adapter's OpenAPI document) with
 * the TypeScript types inferred from them.
 */
import * as z from 'zod';

const confidence = z.number().min(0).max(1);
const tokens = z.number().int().min(0);

export const labelScoreSchema = z.object({ label: z.string(), confidence });
/** One label with its confidence, in [0, 1] rounded to 4 decimals. */
export interface LabelScore extends z.infer<typeof labelScoreSchema> {}

export const classifyResponseSchema = z.object({
  label: z.string(),
  confidence,
  tokens,
  visual_tokens: tokens.optional(),
  latency_ms: tokens,
  cached: z.boolean(),
});
/** `POST /v1/classify` response; `visual_tokens` only when an image or file was given. */
export interface ClassifyResponse extends z.infer<typeof classifyResponseSchema> {}

export const tagResponseSchema = z.object({
  labels: z.array(labelScoreSchema),
  tokens,
  visual_tokens: tokens.optional(),
  latency_ms: tokens,
  cached: z.boolean(),
});
/** `POST /v1/tag` response; `labels` sorted by confidence, descending, `[]` when none apply. */
export interface TagResponse extends z.infer<typeof tagResponseSchema> {}

export const cacheInfoSchema = z.object({ hit: z.boolean(), age: z.number().min(0).optional() });
/** Cache outcome of one batch item; `age` in seconds, hits only. */
export interface CacheInfo extends z.infer<typeof cacheInfoSchema> {}

// Both `cached` and `cache.hit`: the official SDKs read the latter (spec §5).
const itemMeta = { tokens, cached: z.boolean(), cache: cacheInfoSchema };
const itemError = z.object({ error: z.string(), code: z.string(), ...itemMeta });

export const classifyBatchItemSchema = z.union([z.object({ label: z.string(), confidence, ...itemMeta }), itemError]);
/** One result of a classify batch: a label, or the error of that one text. */
export type ClassifyBatchItem = z.infer<typeof classifyBatchItemSchema>;

export const tagBatchItemSchema = z.union([z.object({ labels: z.array(labelScoreSchema), ...itemMeta }), itemError]);
/** One result of a tag batch: the applying labels, or the error of that one text. */
export type TagBatchItem = z.infer<typeof tagBatchItemSchema>;

export const classifyBatchResponseSchema = z.object({
  results: z.array(classifyBatchItemSchema),
  total_tokens: tokens,
  latency_ms: tokens,
});
/** `POST /v1/classify/batch` response; `results[i]` answers `texts[i]`. */
export interface ClassifyBatchResponse extends z.infer<typeof classifyBatchResponseSchema> {}

export const tagBatchResponseSchema = z.object({
  results: z.array(tagBatchItemSchema),
  total_tokens: tokens,
  latency_ms: tokens,
});
/** `POST /v1/tag/batch` response; `results[i]` answers `texts[i]`. */
export interface TagBatchResponse extends z.infer<typeof tagBatchResponseSchema> {}
