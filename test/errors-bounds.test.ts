/** Error bodies never mirror large caller input; log-only codes stay out of the wire table. */
import { describe, expect, it } from 'vitest';
import { echo, ERROR_TABLE, LabelwiseError, LOG_ONLY_ERRORS, toErrorBody, validationError } from '../src/errors.js';

describe('bounded echoes', () => {
  it('echo keeps short text and cuts long text to 64 characters plus …, never inside a surrogate pair', () => {
    expect(echo('support')).toBe('support');
    expect(echo('x'.repeat(64))).toBe('x'.repeat(64));
    expect(echo('x'.repeat(5_000))).toBe(`${'x'.repeat(64)}…`);
    const emoji = `${'x'.repeat(63)}😀😀`;
    expect(echo(emoji)).toBe(`${'x'.repeat(63)}…`);
  });

  it('toErrorBody caps any message at 500 and string details at 200 characters', () => {
    const body = toErrorBody(validationError(`descriptions.${'k'.repeat(900_000)}`, `descriptions key "${'k'.repeat(900_000)}" is not one of the labels`));
    expect(body.message.length).toBeLessThanOrEqual(500);
    expect(body.detail).toBe(body.message);
    expect((body.details?.field as string).length).toBeLessThanOrEqual(200);
    expect((body.details?.field as string).startsWith('descriptions.kkk')).toBe(true);
    // Short values pass through untouched (the same object).
    const short = validationError('labels', 'labels must be unique');
    expect(toErrorBody(short).details).toBe(short.details);
  });
});

describe('log-only codes', () => {
  it('CLIENT_CLOSED_REQUEST is 499, recorded like any error, and not in the wire table', () => {
    const e = new LabelwiseError('CLIENT_CLOSED_REQUEST');
    expect([e.status, e.code, e.message]).toEqual([499, 'CLIENT_CLOSED_REQUEST', LOG_ONLY_ERRORS.CLIENT_CLOSED_REQUEST.message]);
    expect(toErrorBody(e)).toMatchObject({ code: 'CLIENT_CLOSED_REQUEST', error: 'client-closed-request' });
    expect(Object.keys(ERROR_TABLE)).not.toContain('CLIENT_CLOSED_REQUEST');
  });
});
