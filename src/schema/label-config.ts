/**
 * Label configuration rules of spec §2 (labels, descriptions, examples, text_type), shared by
 * the request schemas and by {@link labelConfigChecks}, which re-checks a config merged from a
 * saved classifier and a request.
 */
import * as z from 'zod';
import { descriptionsSchema, examplesSchema, labelKey, labelsSchema, textTypeField, unsafeTextProblem } from './fields.js';
import { parseOrThrow } from './issues.js';

interface LabelKeyed {
  labels?: string[] | undefined;
  descriptions?: Record<string, unknown> | undefined;
  examples?: Record<string, unknown> | undefined;
}

/**
 * Cross-field rules: `descriptions` and `examples` keys must be labels (compared as
 * {@link labelKey}: trimmed, NFC) and must not collide after that. Without `labels` (a request naming a saved classifier) only
 * the collision rule applies; membership is checked once the classifier is resolved.
 */
export function checkLabelKeys(value: LabelKeyed, ctx: z.RefinementCtx): void {
  const labels = Array.isArray(value.labels) ? new Set(value.labels) : undefined;
  for (const field of ['descriptions', 'examples'] as const) {
    const record = value[field];
    if (record === undefined || record === null || typeof record !== 'object') continue;
    const seen = new Set<string>();
    for (const key of Object.keys(record)) {
      const label = labelKey(key);
      const problem = unsafeTextProblem(label);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: [field, key], message: `${field} keys must not contain ${problem}` });
      } else if (labels && !labels.has(label)) {
        ctx.addIssue({ code: 'custom', path: [field, key], message: `${field} key "${label}" is not one of the labels` });
      } else if (seen.has(label)) {
        ctx.addIssue({ code: 'custom', path: [field, key], message: `${field} has more than one key for label "${label}"` });
      }
      seen.add(label);
    }
  }
}

/** Schema of a resolved label configuration (labels known, keys checked against them). */
export const labelConfigSchema = z
  .object({
    labels: labelsSchema,
    descriptions: descriptionsSchema,
    examples: examplesSchema,
    text_type: textTypeField('text_type').optional(),
  })
  .superRefine(checkLabelKeys);

/** A resolved label configuration: what a saved classifier stores and a request can extend. */
export interface LabelConfig {
  /** 1–200 unique labels, each 1–100 characters after trimming. */
  labels: string[];
  /** Label → description, each ≤ 1,000 characters. */
  descriptions: Record<string, string>;
  /** Label → up to 100 examples, each 1–2,000 characters. */
  examples: Record<string, string[]>;
  /** Free hint about the input kind, ≤ 100 characters. */
  text_type?: string;
}

/**
 * Re-applies the label, description and example rules of spec §2 to an already merged
 * config, e.g. a saved classifier's labels with a request's descriptions.
 *
 * @throws {@link LabelwiseError} `VALIDATION_ERROR` with `details.field` naming the first problem.
 * @example
 * ```ts
 * labelConfigChecks({ labels: ['a', 'b'], descriptions: { c: 'x' }, examples: {} });
 * // throws: details.field === 'descriptions.c'
 * ```
 */
export function labelConfigChecks(config: LabelConfig): void {
  parseOrThrow(labelConfigSchema, config);
}
