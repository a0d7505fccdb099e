/**
 * Wire schemas of the classification requests (spec §2–5). They only validate; the parse
 * functions in `parse.ts` resolve aliases and apply defaults, so these schemas stay free of
 * transforms and convert cleanly with `z.toJSONSchema` (use `io: 'input'` for request bodies).
 */
import * as z from 'zod';
import type { Priority } from '../vocabulary.js';
import {
  cacheSchema,
  classifierSchema,
  descriptionsSchema,
  examplesSchema,
  fileSchema,
  imageSchema,
  labelsSchema,
  priorityField,
  textSchema,
  textsSchema,
  textTypeField,
  thresholdSchema,
} from './fields.js';
import { checkLabelKeys } from './label-config.js';

const BODY_ERROR = { error: 'body must be a JSON object' };

// Key order decides which issue comes first, and so which field an error names.
const labelShape = {
  labels: labelsSchema.optional(),
  classifier: classifierSchema.optional(),
  descriptions: descriptionsSchema.optional(),
  examples: examplesSchema.optional(),
  text_type: textTypeField('text_type').optional(),
  // Legacy aliases (spec §1): accepted silently, marked deprecated in the generated schema.
  source_type: textTypeField('source_type').optional().meta({ deprecated: true }),
  priority: priorityField('priority').optional(),
  speed: priorityField('speed').optional().meta({ deprecated: true }),
  cache: cacheSchema.optional(),
};
const mediaShape = { image: imageSchema.optional(), file: fileSchema.optional() };

interface CrossFields {
  text?: string | undefined;
  labels?: string[] | undefined;
  classifier?: string | undefined;
  descriptions?: Record<string, string> | undefined;
  examples?: Record<string, string[]> | undefined;
  image?: unknown;
  file?: unknown;
}

/** Rules that span fields; runs after the per-field rules, so those issues come first. */
function crossFieldRules(needsText: boolean) {
  return (value: CrossFields, ctx: z.RefinementCtx): void => {
    if (needsText && value.image === undefined && value.file === undefined && !value.text?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text is required (unless image or file is given)' });
    }
    if (value.labels !== undefined && value.classifier !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['classifier'], message: 'give either labels or classifier, not both' });
    } else if (value.labels === undefined && value.classifier === undefined) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'labels is required unless classifier is given' });
    }
    checkLabelKeys(value, ctx);
  };
}

/** `POST /v1/classify` body. `threshold` is not part of it and is ignored like any unknown field. */
export const classifyRequestSchema = z
  .object({ text: textSchema.optional(), ...labelShape, ...mediaShape }, BODY_ERROR)
  .superRefine(crossFieldRules(true));

/** `POST /v1/tag` body. */
export const tagRequestSchema = z
  .object({ text: textSchema.optional(), ...labelShape, threshold: thresholdSchema.optional(), ...mediaShape }, BODY_ERROR)
  .superRefine(crossFieldRules(true));

/** `POST /v1/classify/batch` body; `texts` items are checked one by one by the engine. */
export const classifyBatchRequestSchema = z
  .object({ texts: textsSchema, ...labelShape, ...mediaShape }, BODY_ERROR)
  .superRefine(crossFieldRules(false));

/** `POST /v1/tag/batch` body. */
export const tagBatchRequestSchema = z
  .object({ texts: textsSchema, ...labelShape, threshold: thresholdSchema.optional(), ...mediaShape }, BODY_ERROR)
  .superRefine(crossFieldRules(false));

/** Model priority (spec §9): `fast` answers at once, `standard` may be coalesced. */
export type { Priority };

/**
 * A classify request as callers pass it (wire shape, snake_case). Unknown fields are ignored.
 *
 * @example
 * ```ts
 * const req: ClassifyRequest = { text: 'I was charged twice', labels: ['billing', 'bug'] };
 * ```
 */
export interface ClassifyRequest {
  /** Text to classify; required unless `image` or `file`. Whitespace-only counts as missing. */
  text?: string;
  /** 1–200 unique labels, 1–100 characters each after trimming; required unless `classifier`. */
  labels?: string[];
  /** Saved classifier, `name` (latest) or `name@vN`; excludes `labels`. */
  classifier?: string;
  /** Label → description (≤ 1,000 characters). */
  descriptions?: Record<string, string>;
  /** Label → up to 100 examples (each ≤ 2,000 characters). */
  examples?: Record<string, string[]>;
  /** Free hint about the input kind, ≤ 100 characters. */
  text_type?: string;
  /** @deprecated Legacy alias of `text_type`; `text_type` wins when both are given. */
  source_type?: string;
  /** @default 'standard' */
  priority?: Priority;
  /** @deprecated Legacy alias of `priority`; `priority` wins when both are given. */
  speed?: Priority;
  /** `false` skips the cache lookup (the fresh result is still stored). @default true */
  cache?: boolean;
  /** Base64 (raw or `data:` URI) or `http(s)` URL; up to 20. */
  image?: string | string[];
  /** PDF or DOCX, base64 or `http(s)` URL. */
  file?: string;
}

/** A tag request: a classify request plus `threshold`. */
export interface TagRequest extends ClassifyRequest {
  /** Labels with confidence ≥ threshold are returned; 0–1. @default 0.5 */
  threshold?: number;
}

/** A synchronous batch request: every classify field except `text`, plus 1–1000 `texts`. */
export interface ClassifyBatchRequest extends Omit<ClassifyRequest, 'text'> {
  /** 1–1000 texts; `results[i]` answers `texts[i]`. */
  texts: string[];
}

/** A synchronous tag batch request. */
export interface TagBatchRequest extends ClassifyBatchRequest {
  /** @default 0.5 */
  threshold?: number;
}
