import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, LabelwiseError, type Engine } from '../../src/index.js';

// The inference queue bounds waiting sequences, not the size of one call: a call larger than the
// bound is admitted in slices (issue #8, defect 5), while a queue full of other callers' work
// still refuses at once.

const WORDS = ['account', 'card', 'payment', 'transfer', 'refund', 'delivery', 'balance', 'charge', 'limit', 'pin', 'fee', 'travel'];

describe('requests larger than the inference queue', () => {
  let small: Engine;
  beforeAll(async () => {
    // Slices of 15 sequences (a quarter of the bound).
    small = await createEngine({ pool: { workers: 1, maxQueue: 60 }, recordUsage: false });
  });
  afterAll(() => small.close());

  it('a batch of more texts than the queue holds is answered, every item', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `distinct text number ${i} about ${WORDS[i % 12]}`);
    const res = await small.classifyBatch({ texts, labels: ['billing', 'travel'], cache: false });
    expect(res.results).toHaveLength(200);
    for (const r of res.results) expect(r).toHaveProperty('label');
  });

  it('label prototypes of more sentences than the queue holds are built (labels × 18 templates + examples)', async () => {
    const labels = Array.from({ length: 10 }, (_, i) => `topic ${i}`);
    const examples = Object.fromEntries(labels.map((l, i) => [l, [`an example of ${l}`, `another ${WORDS[i]} example`]]));
    const res = await small.classify({ text: 'my card payment failed', labels, examples });
    expect(labels).toContain(res.label);
  });

  it('one long text of many more windows than the queue holds is answered in full', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => `${WORDS[i % 12]} number ${i}.`).join(' ');
    const res = await small.classify({ text, labels: ['billing', 'travel'], cache: false });
    expect(res.tokens).toBeGreaterThan(60 * 128);
  });

  it('a queue genuinely full of concurrent callers still refuses at once with OVERLOADED, and recovers', async () => {
    await small.classify({ text: 'warm', labels: ['a', 'b'] });
    const call = (c: number) =>
      small
        .classifyBatch({ texts: Array.from({ length: 15 }, (_, i) => `caller ${c} text ${i}`), labels: ['a', 'b'], cache: false })
        .then(() => 'ok', (e: unknown) => (e instanceof LabelwiseError ? e.code : String(e)));
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, c) => call(c)));
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('OVERLOADED');
    for (const o of outcomes) expect(['ok', 'OVERLOADED']).toContain(o);
    // A sliced call needs room for its first slice only; once the queue drains it is answered.
    const big = await small.classifyBatch({ texts: Array.from({ length: 100 }, (_, i) => `after ${i}`), labels: ['a', 'b'], cache: false });
    expect(big.results).toHaveLength(100);
  });

  it('an aborted sliced call stops feeding the queue and rejects with the signal reason', async () => {
    const controller = new AbortController();
    const texts = Array.from({ length: 400 }, (_, i) => `aborted sliced call text ${i}`);
    const pending = small.classifyBatch({ texts, labels: ['a', 'b'], cache: false }, { signal: controller.signal });
    setImmediate(() => controller.abort(new Error('caller went away')));
    await expect(pending).rejects.toThrow('caller went away');
    // The queue is free again: a call that needs nearly all of it fits.
    const res = await small.classifyBatch({ texts: Array.from({ length: 40 }, (_, i) => `next ${i}`), labels: ['a', 'b'], cache: false });
    expect(res.results).toHaveLength(40);
  });
});

describe('the largest request the spec allows', () => {
  it('200 labels × 100 examples (~45 characters each, under the 1 MB body limit) is answered with the default pool', async () => {
    const engine = await createEngine({ recordUsage: false });
    try {
      const labels = Array.from({ length: 200 }, (_, i) => `label number ${i}`);
      const examples = Object.fromEntries(
        labels.map((l, i) => [l, Array.from({ length: 100 }, (_, k) => `my ${WORDS[(i + k) % 12]} and ${WORDS[(i * k) % 12]} need help ${i * 100 + k}`)]),
      );
      expect(JSON.stringify({ text: 'x', labels, examples }).length).toBeLessThan(1_000_000);
      // Measured ~25 s on an idle 2-core box (23,600 sentences embedded, one head fit).
      const res = await engine.classify({ text: 'my card payment failed', labels, examples });
      expect(labels).toContain(res.label);
      expect(res.confidence).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  }, 240_000);
});
