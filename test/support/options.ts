import { expect } from 'vitest';
import { LabelwiseOptionsError } from '../../src/options/index.js';

/** Expects an options mistake: a `TypeError` subclass naming `option`, whose message matches `message`. */
export async function expectOptionError(call: Promise<unknown> | (() => unknown), option: string, message?: RegExp | string): Promise<LabelwiseOptionsError> {
  let error: unknown;
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (e) {
    error = e;
  }
  expect(error, `expected an options error for "${option}"`).toBeInstanceOf(TypeError);
  expect(error).toMatchObject({ name: 'LabelwiseOptionsError', code: 'LABELWISE_INVALID_OPTION', option });
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  return error as LabelwiseOptionsError;
}
