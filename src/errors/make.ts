import { LabelwiseError } from './error.js';
import { REASONS, type Reason } from './reasons.js';

/**
 * The one place a factory builds its error: the code follows from the reason (see
 * {@link REASONS}), and `details.reason` is always set, after the situation's own details.
 */
export function make(reason: Reason, message: string | undefined, details?: Record<string, unknown>, cause?: unknown): LabelwiseError {
  return new LabelwiseError(REASONS[reason], message, { ...details, reason }, cause === undefined ? undefined : { cause });
}
