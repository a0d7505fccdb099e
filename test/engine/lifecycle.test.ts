import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createEngine, LabelwiseError, type Engine } from '../../src/index.js';
import { captureWarnings } from '../support/warnings.js';
import { expectOptionError } from '../support/options.js';

/**
 * Fills a pool of `maxQueue: 400` with four callers of 100 texts each (one slice each, so each
 * is queued whole), and proves it: a fifth call is refused at once with OVERLOADED. The calls
 * pass the same steps in the same event-loop turn (inline labels, warm prototypes, no I/O), so
 * all four are queued before any model run can finish.
 */
async function fillQueue(engine: Engine, signal?: AbortSignal): Promise<Promise<string>[]> {
  const texts = (c: number) => Array.from({ length: 100 }, (_, i) => `caller ${c}: a fairly ordinary sentence number ${i} about nothing in particular at all`);
  const calls = Array.from({ length: 4 }, (_, c) =>
    engine.classifyBatch({ texts: texts(c), labels: ['a', 'b'], cache: false }, { signal }).then(
      () => 'ok',
      (e: Error) => (e instanceof LabelwiseError ? e.code : e.message),
    ),
  );
  const probe = await engine.classifyBatch({ texts: ['one more'], labels: ['a', 'b'], cache: false }).catch((e: unknown) => e);
  expect(probe).toMatchObject({ code: 'OVERLOADED' });
  return calls;
}

/** OS threads of this process (Linux): worker threads and their ONNX sessions included. */
function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
}

describe('engine lifecycle', () => {
  it('close() stops every worker thread it started', async () => {
    // A first cycle warms up one process-wide native thread that outlives any engine (measured:
    // it appears once per process, never again however many engines come and go).
    const warm = await createEngine({ pool: { workers: 2 } });
    await warm.classify({ text: 'warm up', labels: ['a', 'b'] });
    await warm.close();
    const before = threadCount();
    const engine = await createEngine({ pool: { workers: 2 } });
    await engine.classify({ text: 'warm the workers up', labels: ['a', 'b'] });
    expect(threadCount()).toBeGreaterThanOrEqual(before + 2);
    await engine.close();
    // Thread exit is asynchronous at the OS level: poll until it shows (up to 2 s).
    await vi.waitFor(() => expect(threadCount()).toBeLessThanOrEqual(before), { timeout: 2_000, interval: 20 });
  });

  it('refuses calls after close with OVERLOADED, without trying to record them in the closed stores', async () => {
    const engine = await createEngine({ pool: { workers: 1 } });
    await engine.close();
    const warnings = captureWarnings('LABELWISE_USAGE');
    try {
      const err = await engine.classify({ text: 'x', labels: ['a'] }).catch((e: unknown) => e);
      expect((err as LabelwiseError).code).toBe('OVERLOADED');
      await expect(engine.tagBatch({ texts: ['x'], labels: ['a'] })).rejects.toMatchObject({ code: 'OVERLOADED' });
      expect(warnings.list).toEqual([]); // was: "could not record usage: the stores are closed"
    } finally {
      warnings.restore();
    }
    await engine.close(); // idempotent
  });

  it('fails fast with OVERLOADED when the queue is full of concurrent callers', async () => {
    // Room for the label prototypes (18 template sentences per label) and a few callers, not eight.
    const engine = await createEngine({ pool: { workers: 1, maxQueue: 60 } });
    try {
      await engine.classify({ text: 'builds the label prototypes first', labels: ['a', 'b'] });
      const call = (c: number) => engine.classifyBatch({ texts: Array.from({ length: 15 }, (_, i) => `caller ${c} text ${i}`), labels: ['a', 'b'] }).catch((e: unknown) => e);
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, c) => call(c)));
      const err = outcomes.find((o) => o instanceof LabelwiseError);
      expect(err).toBeInstanceOf(LabelwiseError);
      expect((err as LabelwiseError).code).toBe('OVERLOADED');
      expect((err as LabelwiseError).status).toBe(503);
      // The engine still works for a request that fits.
      expect((await engine.classify({ text: 'small', labels: ['a', 'b'] })).label).toMatch(/^[ab]$/);
    } finally {
      await engine.close();
    }
  });

  it('close() while model runs are in flight lets them finish (no crash) and fails queued calls', async () => {
    const engine = await createEngine({ pool: { workers: 1, maxQueue: 400 } });
    await engine.classify({ text: 'prototypes first', labels: ['a', 'b'] });
    // A full run (64) of the first call went to the worker at once; 36 of its texts and the
    // other three calls wait in the queue when close() comes.
    const calls = await fillQueue(engine);
    await engine.close();
    expect(await Promise.all(calls)).toEqual(['OVERLOADED', 'OVERLOADED', 'OVERLOADED', 'OVERLOADED']);
  });

  it('an aborted call leaves the queue at once and rejects with the signal reason', async () => {
    const engine = await createEngine({ pool: { workers: 1, maxQueue: 400 } });
    try {
      await engine.classify({ text: 'prototypes first', labels: ['a', 'b'] });
      const controller = new AbortController();
      const calls = await fillQueue(engine, controller.signal); // the queue is full
      controller.abort(new Error('caller gave up'));
      expect(await Promise.all(calls)).toEqual(Array(4).fill('caller gave up'));
      // The queue was emptied: at most the one run on the worker (64) is left of the 400
      // sequences, so a call needing a whole slice (100) is admitted at once, not refused.
      const next = await engine.classifyBatch({ texts: Array.from({ length: 100 }, (_, i) => `still answering ${i}`), labels: ['a', 'b'], priority: 'fast' });
      expect(next.results.every((r) => 'label' in r)).toBe(true);
      const already = await engine.classify({ text: 'x', labels: ['a', 'b'] }, { signal: AbortSignal.abort(new Error('too late')) }).catch((e: Error) => e.message);
      expect(already).toBe('too late');
    } finally {
      await engine.close();
    }
  });

  it('rejects a misspelled option with the likely fix', async () => {
    await expectOptionError(createEngine({ pool: { worker: 2 } } as never), 'pool.worker', 'unknown option "pool.worker"; did you mean "pool.workers"?');
  });

  it('two engines in one process do not interfere', async () => {
    const [a, b] = await Promise.all([createEngine({ pool: { workers: 1 } }), createEngine({ pool: { workers: 1 } })]);
    try {
      const text = 'The orchestra played a symphony by Beethoven.';
      const [ra, rb] = await Promise.all([a.classify({ text, labels: ['music', 'sports'] }), b.classify({ text, labels: ['music', 'sports'] })]);
      expect(ra.label).toBe('music');
      expect(rb).toMatchObject({ label: 'music', confidence: ra.confidence });
      await a.close();
      expect((await b.classify({ text: 'Another concert tonight.', labels: ['music', 'sports'] })).label).toBe('music');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
