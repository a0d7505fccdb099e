/** Turns the first zod issue into the `VALIDATION_ERROR` of spec §1.2. */
import type * as z from 'zod';
import { LabelwiseError } from '../errors.js';

/**
 * Parses `input` with `schema`, or throws `VALIDATION_ERROR` for the first issue, with
 * `details.field` set to the issue's path joined by `.` (`body` for the root).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  // The ZodError stays as `cause` for logs; clients only see the message and the field.
  throw new LabelwiseError('VALIDATION_ERROR', issue.message, { field }, { cause: result.error });
}
