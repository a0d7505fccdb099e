import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

const LABELS = ['sports', 'business', 'technology', 'cooking'];

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ pool: { workers: 2 } });
});
afterAll(async () => {
  await engine.close();
});

describe('tag', () => {
  it('returns labels at or above the threshold, most confident first', async () => {
    const res = await engine.tag({ text: 'The football club sold its stadium naming rights to a tech company for millions.', labels: LABELS, threshold: 0 });
    expect(res.labels).toHaveLength(LABELS.length);
    const confidences = res.labels.map((l) => l.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    // A threshold exactly at the second confidence keeps the top two (at or above), no more.
    expect(confidences[1]).toBeGreaterThan(confidences[2]);
    const cut = await engine.tag({ text: 'The football club sold its stadium naming rights to a tech company for millions.', labels: LABELS, threshold: confidences[1] });
    expect(cut.labels).toEqual(res.labels.slice(0, 2));
  });

  it('gives each label its own confidence (they need not sum to 1) and tags a two-topic text with both', async () => {
    const text = 'Apple unveiled a new iPhone; its stock price jumped after the launch.';
    const labels = ['sports', 'business', 'technology', 'cooking'];
    const res = await engine.tag({ text, labels });
    expect(res.labels.map((l) => l.label).sort()).toEqual(['business', 'technology']);
    const all = await engine.tag({ text, labels, threshold: 0 });
    const sum = all.labels.reduce((s, l) => s + l.confidence, 0);
    expect(Math.abs(sum - 1)).toBeGreaterThan(0.05);
  });

  it('returns an empty list when nothing reaches the threshold', async () => {
    const res = await engine.tag({ text: 'Grill the steak.', labels: ['astronomy'], threshold: 1 });
    expect(res.labels).toEqual([]);
  });
});

describe('batches', () => {
  it('answers texts[i] in results[i] and isolates bad items', async () => {
    const res = await engine.classifyBatch({
      texts: ['The striker scored a hat-trick.', '   ', 'Bake the cake for thirty minutes.', 42 as unknown as string],
      labels: LABELS,
    });
    expect(res.results).toHaveLength(4);
    expect(res.results[0]).toMatchObject({ label: 'sports', cached: false, cache: { hit: false } });
    expect(res.results[1]).toMatchObject({ error: 'text must not be empty', code: 'VALIDATION_ERROR', tokens: 0, cached: false, cache: { hit: false } });
    expect(res.results[2]).toMatchObject({ label: 'cooking' });
    expect(res.results[3]).toMatchObject({ code: 'VALIDATION_ERROR', tokens: 0 });
    const billed = res.results.reduce((s, r) => s + r.tokens, 0);
    expect(res.total_tokens).toBe(billed);
  });

  it('gives every batch item the same answer as a single call', async () => {
    const texts = ['Stocks rallied on strong earnings.', 'A new laptop with a faster processor.', 'Knead the dough and let it rise.'];
    const batch = await engine.classifyBatch({ texts, labels: LABELS, cache: false });
    for (const [i, text] of texts.entries()) {
      const single = await engine.classify({ text, labels: LABELS, cache: false });
      expect(batch.results[i]).toMatchObject({ label: single.label, tokens: single.tokens });
      expect((batch.results[i] as { confidence: number }).confidence).toBeCloseTo(single.confidence, 3);
    }
  });

  it('serves repeated items from the cache with cached and cache.hit set', async () => {
    const req = { texts: ['Cache me: the match ended in a draw.'], labels: LABELS };
    await engine.classifyBatch(req);
    const again = await engine.classifyBatch(req);
    expect(again.results[0]).toMatchObject({ cached: true, cache: { hit: true } });
    expect(again.total_tokens).toBe(0);
  });

  it('tag batch items carry labels instead of label/confidence', async () => {
    const res = await engine.tagBatch({ texts: ['Bake bread.', ''], labels: LABELS, threshold: 0 });
    expect(res.results[0]).toHaveProperty('labels');
    expect(res.results[0]).not.toHaveProperty('label');
    expect(res.results[1]).toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});

describe('cache and tokens', () => {
  it('serves an identical request from the cache, whatever its priority', async () => {
    const req = { text: 'The referee showed a red card in the derby.', labels: LABELS };
    const first = await engine.classify(req);
    const second = await engine.classify({ ...req, priority: 'fast' });
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.label).toBe(first.label);
    expect(second.confidence).toBe(first.confidence);
  });

  it('hands out copies: editing a response never changes what the cache serves next', async () => {
    const req = { text: 'Mutable answers must not leak into the cache.', labels: LABELS, threshold: 0 };
    const first = await engine.tag(req);
    first.labels[0].label = 'INJECTED';
    first.labels.pop();
    const again = await engine.tag(req);
    expect(again.cached).toBe(true);
    expect(again.labels).toHaveLength(LABELS.length);
    expect(again.labels.map((l) => l.label)).not.toContain('INJECTED');
  });

  it('skips the lookup when cache is false but still stores the fresh answer', async () => {
    const req = { text: 'A brand new text about tennis rackets.', labels: LABELS };
    const fresh = await engine.classify({ ...req, cache: false });
    expect(fresh.cached).toBe(false);
    expect((await engine.classify(req)).cached).toBe(true);
  });

  it('counts text tokens plus label-config tokens, deterministically', async () => {
    const text = 'Tokens are counted the same way every time.';
    const a = await engine.classify({ text, labels: ['x', 'y'], cache: false });
    const b = await engine.classify({ text, labels: ['x', 'y'], cache: false });
    const more = await engine.classify({ text, labels: ['x', 'y'], descriptions: { x: 'a long description of x' }, cache: false });
    expect(a.tokens).toBe(b.tokens);
    expect(more.tokens).toBeGreaterThan(a.tokens);
  });

  it('counts every token of a long text (nothing dropped)', async () => {
    const long = 'The match was long and the crowd sang loudly. '.repeat(100);
    const short = 'The match was long and the crowd sang loudly. ';
    const a = await engine.classify({ text: long, labels: ['x'] });
    const b = await engine.classify({ text: short, labels: ['x'] });
    expect(a.tokens - 1).toBeGreaterThan((b.tokens - 1) * 90);
  });
});

describe('cache time to live by caller tier (spec §9)', () => {
  it('keeps answers 5 min for public callers, 1 h for developer, 24 h for production', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    // A fake clock starts at 0, which lru-cache reads as "no start time": move off it first.
    vi.advanceTimersByTime(1_000);
    try {
      const local = await createEngine({ pool: { workers: 1 } });
      try {
        const ask = (text: string, tier: 'public' | 'developer' | 'production') => local.classify({ text, labels: LABELS }, { tier });
        await ask('ttl public', 'public');
        await ask('ttl developer', 'developer');
        await ask('ttl production', 'production');
        vi.advanceTimersByTime(6 * 60_000);
        expect((await ask('ttl public', 'public')).cached).toBe(false);
        expect((await ask('ttl developer', 'developer')).cached).toBe(true);
        vi.advanceTimersByTime(60 * 60_000);
        expect((await ask('ttl developer', 'developer')).cached).toBe(false);
        expect((await ask('ttl production', 'production')).cached).toBe(true);
      } finally {
        await local.close();
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
