/**
 * Compile-time guards that the hand-written request types (kept for their TSDoc) describe the
 * same fields as the schemas. A drift fails `tsc`; nothing here exists at run time.
 */
import type * as z from 'zod';
import type { priorityField } from './fields.js';
import type { LabelConfig, labelConfigSchema } from './label-config.js';
import type {
  ClassifyBatchRequest,
  ClassifyRequest,
  classifyBatchRequestSchema,
  classifyRequestSchema,
  Priority,
  TagBatchRequest,
  TagRequest,
  tagBatchRequestSchema,
  tagRequestSchema,
} from './request.js';

type Assert<T extends true> = T;
// Mutual assignability alone misses an extra optional key, hence the key check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
// Batch `texts` is `unknown[]` in the schema on purpose (items are checked one by one later).
type SameBatch<A extends { texts: string[] }, B extends { texts: unknown[] }> = Same<Omit<A, 'texts'>, Omit<B, 'texts'>> extends true
  ? A['texts'] extends B['texts'] ? true : false
  : false;

export type Checks = [
  Assert<Same<Priority, z.output<ReturnType<typeof priorityField>>>>,
  Assert<Same<LabelConfig, z.output<typeof labelConfigSchema>>>,
  Assert<Same<ClassifyRequest, z.input<typeof classifyRequestSchema>>>,
  Assert<Same<TagRequest, z.input<typeof tagRequestSchema>>>,
  Assert<SameBatch<ClassifyBatchRequest, z.input<typeof classifyBatchRequestSchema>>>,
  Assert<SameBatch<TagBatchRequest, z.input<typeof tagBatchRequestSchema>>>,
];
