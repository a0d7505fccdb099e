import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ERROR_TABLE,
  isLabelwiseError,
  LabelwiseError,
  toErrorBody,
  validationError,
  type ErrorCode,
} from '../src/errors.js';
import { readDoc, section } from './docs/markdown.js';

/** (status, code) pairs of the table in docs/api.md "## Errors", e.g. `| 404 | \`NOT_FOUND\` | … |`. */
function documentedErrorTable(markdown: string): Array<[number, string]> {
  const pairs: Array<[number, string]> = [];
  for (const line of section(markdown, 'Errors').split('\n')) {
    const row = /^\|\s*(\d{3})\s*\|([^|]*)\|/.exec(line);
    if (!row) continue;
    for (const [, code] of row[2].matchAll(/`([A-Z_]+)`/g)) pairs.push([Number(row[1]), code]);
  }
  return pairs;
}

describe('ERROR_TABLE', () => {
  // The reference in the repository (written from spec §1.2), so a fresh clone never skips this.
  it('matches the error table of docs/api.md code for code and status for status', () => {
    const spec = documentedErrorTable(readDoc('docs/api.md'));
    const ours = Object.entries(ERROR_TABLE).map(([code, { status }]) => [status, code] as [number, string]);
    expect(spec.length).toBeGreaterThan(0);
    const byCode = (a: [number, string], b: [number, string]) => a[1].localeCompare(b[1]);
    expect([...ours].sort(byCode)).toEqual([...spec].sort(byCode));
  });

  it('has exactly the ErrorCode union as keys', () => {
    expectTypeOf<keyof typeof ERROR_TABLE>().toEqualTypeOf<ErrorCode>();
  });

  it('gives every code a non-empty default message and a 4xx/5xx status', () => {
    for (const { status, message } of Object.values(ERROR_TABLE)) {
      expect(message.length).toBeGreaterThan(0);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ERROR_TABLE)).toBe(true);
  });
});

describe('LabelwiseError', () => {
  it('takes its status and default message from the table', () => {
    const e = new LabelwiseError('BATCH_NOT_FOUND');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LabelwiseError');
    expect(e.code).toBe('BATCH_NOT_FOUND');
    expect(e.status).toBe(404);
    expect(e.message).toBe(ERROR_TABLE.BATCH_NOT_FOUND.message);
    expect('details' in e).toBe(false);
  });

  it('keeps a custom message, details and cause', () => {
    const cause = new Error('disk full');
    const e = new LabelwiseError('OVERLOADED', 'queue is full', { retry_after: 2 }, { cause });
    expect(e.message).toBe('queue is full');
    expect(e.status).toBe(503);
    expect(e.details).toEqual({ retry_after: 2 });
    expect(e.cause).toBe(cause);
  });

  it('is recognised by isLabelwiseError and plain errors are not', () => {
    expect(isLabelwiseError(new LabelwiseError('NOT_FOUND'))).toBe(true);
    expect(isLabelwiseError(new Error('x'))).toBe(false);
    expect(isLabelwiseError({ code: 'NOT_FOUND', status: 404 })).toBe(false);
    expect(isLabelwiseError(undefined)).toBe(false);
  });

  it('validationError is a 422 VALIDATION_ERROR naming the field', () => {
    const e = validationError('labels.3', 'each label must be a string');
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.status).toBe(422);
    expect(e.message).toBe('each label must be a string');
    expect(e.details).toEqual({ field: 'labels.3', reason: 'invalid_field' });
  });
});

describe('toErrorBody', () => {
  it('renders the spec body with the hyphenated error and detail repeating message', () => {
    expect(toErrorBody(validationError('labels', 'labels must be unique'))).toEqual({
      error: 'validation-error',
      code: 'VALIDATION_ERROR',
      message: 'labels must be unique',
      detail: 'labels must be unique',
      details: { field: 'labels', reason: 'invalid_field' },
    });
  });

  it('hyphenates every code in lower case', () => {
    for (const code of Object.keys(ERROR_TABLE) as ErrorCode[]) {
      const body = toErrorBody(new LabelwiseError(code));
      expect(body.error).toBe(code.toLowerCase().replaceAll('_', '-'));
      expect(body.error).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(body.detail).toBe(body.message);
    }
  });

  it('omits details when the error has none', () => {
    expect(toErrorBody(new LabelwiseError('RATE_LIMIT_EXCEEDED'))).not.toHaveProperty('details');
  });

  it('turns an unknown error into a generic INTERNAL_ERROR without stack or path', () => {
    const secret = new Error(`ENOENT: no such file '/home/app/secret/config.json'`);
    const body = toErrorBody(secret);
    expect(body).toEqual({
      error: 'internal-error',
      code: 'INTERNAL_ERROR',
      message: ERROR_TABLE.INTERNAL_ERROR.message,
      detail: ERROR_TABLE.INTERNAL_ERROR.message,
      details: { reason: 'internal' },
    });
    const wire = JSON.stringify(body);
    expect(wire).not.toContain('/home/app');
    expect(wire).not.toContain('    at ');
    expect(wire).not.toContain('stack');
  });

  it('turns thrown non-errors into INTERNAL_ERROR too', () => {
    for (const thrown of ['boom', 42, null, undefined, { message: '/etc/passwd' }]) {
      expect(toErrorBody(thrown).code).toBe('INTERNAL_ERROR');
      expect(toErrorBody(thrown).message).toBe(ERROR_TABLE.INTERNAL_ERROR.message);
    }
  });
});
