// Long texts are embedded as overlapping windows whose vectors are averaged: the split must cover
// every token within the model's limit, and the aggregate must reflect the whole text.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUseLite } from '../../src/model/use-lite/index.js';
import { aggregateWindows, splitWindows } from '../../src/model/windows.js';
import type { PooledEmbedder } from '../../src/pool/pooled-embedder.js';
import { pooledEmbedder } from '../support/pooled.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosine = (a: Float32Array, b: Float32Array) => dot(a, b) / (norm(a) * norm(b));

/** Every invariant of one split of `0..n-1` (distinct ids, so a window's first id is its start). */
function checkSplit(n: number, size: number, overlap: number): void {
  const ids = range(n);
  const windows = splitWindows(ids, size, overlap);
  const label = `n=${n} size=${size} overlap=${overlap}`;
  expect(windows.length, label).toBeGreaterThan(0);
  const covered = new Set<number>();
  windows.forEach((w, i) => {
    expect(w.length, label).toBeGreaterThan(0);
    expect(w.length, label).toBeLessThanOrEqual(size);
    // Contiguous slice of the input.
    expect(w, label).toEqual(ids.slice(w[0], w[0] + w.length));
    w.forEach((id) => covered.add(id));
    if (i > 0) {
      const prev = windows[i - 1];
      const shared = prev[prev.length - 1] - w[0] + 1;
      expect(w[0], `${label}: windows advance`).toBeGreaterThan(prev[0]);
      expect(shared, `${label}: overlap of windows ${i - 1},${i}`).toBeGreaterThanOrEqual(Math.min(overlap, size - 1));
    }
  });
  expect(covered.size, `${label}: every token covered`).toBe(n);
  expect(windows[0][0], label).toBe(0);
  expect(windows[windows.length - 1].at(-1), `${label}: last window ends at the last token`).toBe(n - 1);
  expect(splitWindows(ids, size, overlap), `${label}: deterministic`).toEqual(windows);
}

describe('splitWindows', () => {
  it('returns a sequence of at most `size` tokens as one identical window', () => {
    for (const n of [0, 1, 5, 127, 128]) {
      const ids = range(n).map((i) => 1000 + i);
      expect(splitWindows(ids, 128, 32)).toEqual([ids]);
    }
  });

  it('covers every token with windows of at most `size` that overlap by at least `overlap` and end at the last token', () => {
    for (const n of [129, 130, 200, 223, 224, 225, 256, 300, 1000, 1301]) checkSplit(n, 128, 32);
    for (const [n, size, overlap] of [
      [10, 4, 1],
      [11, 4, 2],
      [9, 3, 0],
      [50, 8, 7],
      [20, 5, 5],
      [20, 5, 9],
      [7, 1, 0],
    ]) {
      checkSplit(n, size, overlap);
    }
  });

  it('fills the model: every window of a long sequence has exactly `size` tokens', () => {
    for (const n of [129, 500, 1301]) {
      for (const w of splitWindows(range(n), 128, 32)) expect(w).toHaveLength(128);
    }
  });
});

describe('aggregateWindows', () => {
  it('returns a single window vector as is', () => {
    const v = Float32Array.from([0.6, 0.8, 0]);
    expect(aggregateWindows([v], [17])).toBe(v);
  });

  it('returns a unit-norm vector for several windows', () => {
    const vectors = [Float32Array.from([3, 4, 0, 1]), Float32Array.from([-1, 2, 5, 0]), Float32Array.from([0.1, 0.1, 0.1, 0.1])];
    expect(norm(aggregateWindows(vectors, [128, 128, 40]))).toBeCloseTo(1, 6);
  });

  it('weights each window by its length', () => {
    const out = aggregateWindows([Float32Array.from([1, 0]), Float32Array.from([0, 1])], [96, 32]);
    const expected = [3 / Math.sqrt(10), 1 / Math.sqrt(10)];
    expect(out[0]).toBeCloseTo(expected[0], 6);
    expect(out[1]).toBeCloseTo(expected[1], 6);
    const equal = aggregateWindows([Float32Array.from([1, 0]), Float32Array.from([0, 1])], [50, 50]);
    expect(equal[0]).toBeCloseTo(equal[1], 6);
  });
});

describe('PooledEmbedder on long texts', () => {
  const football =
    'The striker scored a late goal after the winger crossed the ball into the box while the goalkeeper, defenders and referee watched the offside flag at the stadium during the league match.';
  const cooking =
    'Chop the onions and garlic, simmer the tomato sauce in a pan with olive oil, season with salt and pepper, then bake the pasta in the oven until the cheese melts for dinner.';
  const words = (sentence: string, count: number) => {
    const pool = sentence.split(' ');
    return range(count).map((i) => pool[i % pool.length]).join(' ');
  };
  const footballPart = words(football, 500);
  const longText = `${footballPart} ${words(cooking, 500)}`;
  let cacheDir: string;
  let embedder: PooledEmbedder;

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'labelwise-windows-'));
    embedder = pooledEmbedder(await loadUseLite(cacheDir));
  }, 120_000);

  afterAll(async () => {
    await embedder?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('reports the full token count of a ~1000-word text, nothing dropped', async () => {
    expect(longText.split(' ')).toHaveLength(1000);
    const counted = embedder.countTokens(longText);
    expect(counted).toBeGreaterThan(1000);
    const [result] = await embedder.embed([longText]);
    expect(result.tokens).toBe(counted);
    expect(result.vector).toHaveLength(512);
    expect(norm(result.vector)).toBeCloseTo(1, 4);
  }, 120_000);

  it('lets the tail of a long text shape its vector (football then cooking leans towards cooking)', async () => {
    // The text region the model would see if only the first 128 tokens counted.
    let headWords = 1;
    while (embedder.countTokens(words(football, headWords + 1)) <= 128) headWords++;
    const head = words(football, headWords);
    const [full, footballOnly, headOnly, cookingQuery] = await embedder.embed([
      longText,
      footballPart,
      head,
      'How long should I simmer the tomato sauce before adding the pasta?',
    ]);
    expect(cosine(full.vector, headOnly.vector)).toBeLessThan(0.95);
    const fullToCooking = dot(full.vector, cookingQuery.vector);
    const footballToCooking = dot(footballOnly.vector, cookingQuery.vector);
    console.log(`windows: cos(full, cooking)=${fullToCooking.toFixed(3)} cos(football part, cooking)=${footballToCooking.toFixed(3)} cos(full, head)=${cosine(full.vector, headOnly.vector).toFixed(3)}`);
    expect(fullToCooking).toBeGreaterThan(footballToCooking + 0.1);
  }, 120_000);

  it('embeds a short text in one window, identical whether alone or next to a long one', async () => {
    const short = 'Where is my refund?';
    const [alone] = await embedder.embed([short]);
    const [, batched] = await embedder.embed([longText, short]);
    expect(alone.tokens).toBe(embedder.countTokens(short));
    expect(cosine(alone.vector, batched.vector)).toBeGreaterThan(0.9999);
  }, 120_000);
});
