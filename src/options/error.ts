/**
 * A programming mistake in an options object (`createEngine`, `openStores`, `createHandler`,
 * the document reader): thrown at construction, never sent over the wire. A `TypeError`, as
 * Node throws for a bad argument, not an HTTP-style `LabelwiseError`.
 *
 * @example
 * ```ts
 * try {
 *   await createEngine({ billing: { enable: true } } as never);
 * } catch (err) {
 *   // err instanceof TypeError; err.option === 'billing.enable'
 *   // err.message === 'unknown option "billing.enable"; did you mean "billing.enabled"?'
 * }
 * ```
 */
export class LabelwiseOptionsError extends TypeError {
  /** Stable code, in the style of Node's `ERR_INVALID_ARG_VALUE`. */
  readonly code = 'LABELWISE_INVALID_OPTION';
  /** Dotted path of the offending option, e.g. `pool.workers` (`''`: the options object itself). */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.name = 'LabelwiseOptionsError';
    this.option = option;
  }
}

/** Whether `err` is a {@link LabelwiseOptionsError} (also across package copies). */
export function isLabelwiseOptionsError(err: unknown): err is LabelwiseOptionsError {
  return err instanceof TypeError && (err as { code?: unknown }).code === 'LABELWISE_INVALID_OPTION';
}
