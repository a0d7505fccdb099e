// Shared helpers of the store tests: temp dirs, error assertions, row builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import type { UsageRow } from '../../src/store/index.js';

/** A fresh temporary directory; `cleanup()` removes every one made so far. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(): string {
      const dir = mkdtempSync(join(tmpdir(), 'labelwise-store-'));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts `promise` rejects with a LabelwiseError of `code` (and `details.field`, if given). */
export async function expectError(promise: Promise<unknown> | (() => unknown), code: ErrorCode, field?: string): Promise<void> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toMatchObject({ name: 'LabelwiseError', code });
  if (field !== undefined) expect((error as { details?: { field?: string } }).details?.field).toBe(field);
}

/** A usage row with sensible defaults. */
export function row(overrides: Partial<UsageRow> & { request_id: string }): UsageRow {
  return { endpoint: '/v1/classify', method: 'POST', status: 200, priority: 'standard', tokens: 10, latency_ms: 5, label: 'a', ...overrides };
}

export const T0 = Date.UTC(2030, 0, 15, 12, 0, 0); // a fixed clock, mid-January 2030
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
