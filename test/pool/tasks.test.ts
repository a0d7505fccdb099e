// The pool runs generic worker tasks (named by module URL and export) without knowing what they
// compute: the scoring layer's few-shot fit is one. Real piscina workers; no model is loaded
// (sessions are created on the first embed, which these tests never send).
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { LabelwiseError } from '../../src/errors.js';
import { InferencePool, POOL_DEFAULTS } from '../../src/pool/inference-pool.js';

const FIXTURES = new URL('./fixtures/tasks.ts', import.meta.url).href;
const task = (name: string) => ({ module: FIXTURES, name });
const NO_MODEL = { onnxPath: '/nonexistent.onnx', outputName: 'x', pooling: 'none', normalize: false, inputNames: { ids: 'a', mask: 'b', typeIds: 'c' }, padId: 0 } as const;

/** Shared memory for `hold` (started flag, release flag) and for the start/end log. */
function shared(): { cells: Int32Array; log: Int32Array } {
  return { cells: new Int32Array(new SharedArrayBuffer(8)), log: new Int32Array(new SharedArrayBuffer(4 * 64)) };
}
const entries = (log: Int32Array) => Array.from(log.subarray(1, 1 + Atomics.load(log, 0)));
/** Resolves once `hold` runs (Atomics.waitAsync: ES2024, in Node 20 but not in this project's lib). */
const started = (cells: Int32Array) => (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: Promise<string> | string } }).waitAsync(cells, 0, 0).value;
const release = (cells: Int32Array) => {
  Atomics.store(cells, 1, 1);
  Atomics.notify(cells, 1);
};

let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** Two workers, so tasks that were not kept one at a time could overlap. */
const twoWorkers = () => (pool = new InferencePool(NO_MODEL, { ...POOL_DEFAULTS, workers: 2 }));

describe('InferencePool.runTask', () => {
  it('runs the named export of a module on a worker thread, not the caller’s', async () => {
    const worker = await twoWorkers().runTask<number>(task('whereAmI'), undefined);
    expect(Number.isInteger(worker)).toBe(true);
    expect(worker).not.toBe(threadId);
  });

  it('runs tasks one at a time and refuses a ninth waiting one at once with OVERLOADED', async () => {
    const p = twoWorkers();
    const { cells, log } = shared();
    const first = p.runTask<number>(task('hold'), { cells, log, id: 1 });
    await started(cells);
    const queued = [2, 3, 4, 5, 6, 7, 8].map((id) => p.runTask<number>(task('record'), { log, id }));
    const refused = await p.runTask(task('record'), { log, id: 9 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LabelwiseError);
    expect(refused).toMatchObject({ code: 'OVERLOADED', details: { retry_after: 1 } });
    release(cells);
    expect(await Promise.all([first, ...queued])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each task ended before the next began, in submission order; the refused one never ran.
    expect(entries(log)).toEqual([1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8]);
  });

  it('passes a task’s error to its caller and runs the next task normally', async () => {
    const p = twoWorkers();
    await expect(p.runTask(task('explode'), undefined)).rejects.toThrow('boom');
    await expect(p.runTask(task('notAFunction'), undefined)).rejects.toThrow(/not a function exported by/);
    const { log } = shared();
    await expect(p.runTask<number>(task('record'), { log, id: 5 })).resolves.toBe(5);
  });

  it('on close lets the running task finish, fails the waiting one and refuses new ones with OVERLOADED', async () => {
    const p = twoWorkers();
    const { cells, log } = shared();
    const running = p.runTask<number>(task('hold'), { cells, log, id: 1 });
    await started(cells);
    const waiting = p.runTask(task('record'), { log, id: 2 }).catch((e: unknown) => e);
    const closed = p.close();
    await expect(p.runTask(task('record'), { log, id: 3 })).rejects.toMatchObject({ code: 'OVERLOADED' });
    release(cells);
    await expect(running).resolves.toBe(1);
    expect(await waiting).toMatchObject({ code: 'OVERLOADED' });
    await closed;
    expect(entries(log)).toEqual([1, -1]);
  });
});
