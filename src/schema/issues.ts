/** Turns the first zod issue into the `VALIDATION_ERROR` of spec §1.2. */
import type * as z from 'zod';
import { validationError, type LabelwiseError } from '../errors.js';

/**
 * Parses `input` with `schema`, or throws `VALIDATION_ERROR` for the first issue, with
 * `details.field` set to the issue's path joined by `.` (`body` for the root).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  refuseProtoKeys(input);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  // The ZodError stays as `cause` for logs; clients only see the message and the field.
  throw validationError(field, issue.message, result.error);
}

/**
 * zod drops a `__proto__` key of a record without a word (it cannot be assigned on a plain
 * object), so `descriptions: {"__proto__": …}` would silently lose its entry. Refused instead,
 * in the body and in any object one level below it (every record-shaped field).
 */
function refuseProtoKeys(input: unknown): void {
  if (!isRecord(input)) return;
  if (Object.hasOwn(input, '__proto__')) throw protoKey('__proto__');
  for (const [field, value] of Object.entries(input)) {
    if (isRecord(value) && Object.hasOwn(value, '__proto__')) throw protoKey(`${field}.__proto__`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function protoKey(field: string): LabelwiseError {
  return validationError(field, `"__proto__" is not allowed as a key (${field}); rename it`);
}
