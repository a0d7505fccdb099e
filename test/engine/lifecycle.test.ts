import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, LabelwiseError } from '../../src/index.js';
import { expectOptionError } from '../support/options.js';

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
    // Thread exit is asynchronous at the OS level; give it a moment without sleeping blindly.
    for (let i = 0; i < 50 && threadCount() > before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(threadCount()).toBeLessThanOrEqual(before);
  });

  it('refuses calls after close with OVERLOADED', async () => {
    const engine = await createEngine({ pool: { workers: 1 } });
    await engine.close();
    const err = await engine.classify({ text: 'x', labels: ['a'] }).catch((e: unknown) => e);
    expect((err as LabelwiseError).code).toBe('OVERLOADED');
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
    const engine = await createEngine({ pool: { workers: 1 } });
    await engine.classify({ text: 'prototypes first', labels: ['a', 'b'] });
    const texts = Array.from({ length: 300 }, (_, i) => `a fairly ordinary sentence number ${i} about nothing in particular`);
    const calls = Array.from({ length: 4 }, () => engine.classifyBatch({ texts, labels: ['a', 'b'], cache: false }).then(() => 'ok', (e: LabelwiseError) => e.code));
    await new Promise((r) => setTimeout(r, 50));
    await engine.close();
    const outcomes = await Promise.all(calls);
    for (const o of outcomes) expect(['ok', 'OVERLOADED']).toContain(o);
    expect(outcomes).toContain('OVERLOADED');
  });

  it('an aborted call leaves the queue at once and rejects with the signal reason', async () => {
    const engine = await createEngine({ pool: { workers: 1 } });
    try {
      await engine.classify({ text: 'prototypes first', labels: ['a', 'b'] });
      const texts = Array.from({ length: 600 }, (_, i) => `another ordinary sentence number ${i} to keep the worker busy`);
      const controller = new AbortController();
      const call = engine.classifyBatch({ texts, labels: ['a', 'b'], cache: false }, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('caller gave up')), 20);
      await expect(call).rejects.toThrow('caller gave up');
      // The queue was emptied: a new call is answered without waiting for the 600 texts.
      const next = await engine.classify({ text: 'still answering', labels: ['a', 'b'], priority: 'fast' });
      expect(['a', 'b']).toContain(next.label);
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
