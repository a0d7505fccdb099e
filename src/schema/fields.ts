/**
 * One zod schema per request field of spec §2. Every check carries its own message, because
 * the first issue's message becomes the `VALIDATION_ERROR` message a client sees.
 */
import * as z from 'zod';
import { CLASSIFIER_REF, PRIORITIES } from '../vocabulary.js';

/** Limits of spec §2, shared by the schemas and their messages. */
export const LIMITS = Object.freeze({
  labelsMin: 1,
  labelsMax: 200,
  labelLength: 100,
  descriptionLength: 1000,
  examplesPerLabel: 100,
  exampleLength: 2000,
  textTypeLength: 100,
  imagesMax: 20,
  batchTextsMax: 1000,
});

/** Name of a saved classifier, optionally pinned to a version: `support` or `support@v2`. */
export const CLASSIFIER_PATTERN = CLASSIFIER_REF;

export const textSchema = z.string({ error: 'text must be a string' });

// Control characters (C0, DEL, C1) and unpaired surrogates: invisible or unencodable in UTF-8,
// so a label carrying one would be stored and logged as something else.
const UNSAFE = /[\p{Cc}\p{Cs}]/u;

/** Why a label-like string (label, record key, text_type) is unusable, or `undefined`. */
export function unsafeTextProblem(value: string): string | undefined {
  const m = UNSAFE.exec(value);
  if (!m) return undefined;
  const code = m[0].charCodeAt(0);
  return code >= 0xd800 && code <= 0xdfff ? 'a lone surrogate (invalid UTF-16)' : `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * The form every label is compared and stored in: trimmed, Unicode NFC, so "café" typed
 * precomposed and decomposed is one label. Also used for `descriptions`/`examples` keys.
 */
export function labelKey(value: string): string {
  return value.trim().normalize('NFC');
}

/** A label-like string field: trimmed, NFC, no control characters or lone surrogates. */
function safeText(schema: z.ZodString, name: string): z.ZodString {
  return schema.normalize('NFC').superRefine((value, ctx) => {
    const problem = unsafeTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${name} must not contain ${problem}` });
  });
}

const labelLengthMessage = `each label must be 1 to ${LIMITS.labelLength} characters after trimming`;
const labelsCountMessage = `labels must have ${LIMITS.labelsMin} to ${LIMITS.labelsMax} entries`;

/** Labels, trimmed; uniqueness is judged after trimming. */
export const labelsSchema = z
  .array(safeText(z.string({ error: 'each label must be a string' }).trim(), 'a label').min(1, labelLengthMessage).max(LIMITS.labelLength, labelLengthMessage), {
    error: 'labels must be an array of strings',
  })
  .min(LIMITS.labelsMin, labelsCountMessage)
  .max(LIMITS.labelsMax, labelsCountMessage)
  .superRefine((labels, ctx) => {
    if (new Set(labels).size !== labels.length) ctx.addIssue({ code: 'custom', message: 'labels must be unique' });
  });

export const classifierSchema = z
  .string({ error: 'classifier must be a string' })
  .regex(CLASSIFIER_PATTERN, 'classifier must be a name like "support" or "support@v2"');

export const descriptionsSchema = z.record(
  z.string(),
  z
    .string({ error: 'each description must be a string' })
    .max(LIMITS.descriptionLength, `each description must be at most ${LIMITS.descriptionLength} characters`),
  { error: 'descriptions must be an object mapping labels to strings' },
);

const exampleLengthMessage = `each example must be 1 to ${LIMITS.exampleLength} characters after trimming`;

export const examplesSchema = z.record(
  z.string(),
  z
    .array(
      z.string({ error: 'each example must be a string' }).trim().min(1, exampleLengthMessage).max(LIMITS.exampleLength, exampleLengthMessage),
      { error: 'examples must map each label to an array of strings' },
    )
    .max(LIMITS.examplesPerLabel, `examples allows at most ${LIMITS.examplesPerLabel} per label`),
  { error: 'examples must be an object mapping labels to arrays of strings' },
);

/** `text_type` and its legacy alias `source_type`, each named in its own messages. */
export function textTypeField(name: 'text_type' | 'source_type') {
  return safeText(z.string({ error: `${name} must be a string` }), name).max(
    LIMITS.textTypeLength,
    `${name} must be at most ${LIMITS.textTypeLength} characters`,
  );
}

/** `priority` and its legacy alias `speed`. */
export function priorityField(name: 'priority' | 'speed') {
  return z.enum(PRIORITIES, { error: `${name} must be "standard" or "fast"` });
}

export const cacheSchema = z.boolean({ error: 'cache must be a boolean' });

export const thresholdSchema = z
  .number({ error: 'threshold must be a number' })
  .min(0, 'threshold must be between 0 and 1')
  .max(1, 'threshold must be between 0 and 1');

const imagesMessage = `image must be a string or an array of 1 to ${LIMITS.imagesMax} strings`;

export const imageSchema = z.union(
  [
    z.string().min(1, 'image must not be empty'),
    z
      .array(z.string({ error: 'each image must be a string' }).min(1, 'image must not be empty'))
      .min(1, imagesMessage)
      .max(LIMITS.imagesMax, imagesMessage),
  ],
  { error: imagesMessage },
);

export const fileSchema = z.string({ error: 'file must be a string' }).min(1, 'file must not be empty');

const textsMessage = `texts must be an array of 1 to ${LIMITS.batchTextsMax} strings`;

/**
 * Batch texts. Items are deliberately not checked here: one bad item must get its own error
 * in the results, never fail the whole batch (spec §5). The `type: 'string'` metadata keeps
 * the generated JSON Schema honest about what callers should send.
 */
export const textsSchema = z
  .array(z.unknown().meta({ type: 'string' }), { error: textsMessage })
  .min(1, textsMessage)
  .max(LIMITS.batchTextsMax, textsMessage);
