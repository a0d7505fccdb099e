// What every Embedder must do, whatever model or service is behind it. Call
// `embedderContract(name, make)` from a test file to register these tests for one implementation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedText, Embedder } from '../../src/model/embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosine = (a: Float32Array, b: Float32Array) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

/** Distinct topics, so that a mix-up of batch order is visible; the last is long enough to be windowed. */
const TEXTS: readonly string[] = [
  'The cat and the dog are my pets.',
  'My car has a new engine and a new wheel.',
  'Pizza with cheese is tasty food.',
  'Refund my order, the parcel never arrived!',
  Array.from({ length: 700 }, (_, i) => ['the', 'dog', 'and', 'the', 'cat', 'eat', 'bread', 'on', 'the', 'bus'][i % 10]).join(' '),
];

/** Registers the Embedder contract tests for the implementation `make` builds (closed after the suite). */
export function embedderContract(name: string, make: () => Promise<Embedder>): void {
  describe(`Embedder contract: ${name}`, () => {
    let embedder: Embedder;

    beforeAll(async () => {
      embedder = await make();
    });

    afterAll(async () => {
      await embedder?.close();
    });

    it('has a non-empty id and a positive integer dimension', () => {
      expect(typeof embedder.id).toBe('string');
      expect(embedder.id.length).toBeGreaterThan(0);
      expect(Number.isInteger(embedder.dimension)).toBe(true);
      expect(embedder.dimension).toBeGreaterThan(0);
    });

    it('returns one finite unit-norm vector of `dimension` floats per text', async () => {
      const results = await embedder.embed([...TEXTS]);
      expect(results).toHaveLength(TEXTS.length);
      results.forEach(({ vector }, i) => {
        expect(vector, TEXTS[i].slice(0, 40)).toBeInstanceOf(Float32Array);
        expect(vector.length).toBe(embedder.dimension);
        expect(vector.every(Number.isFinite)).toBe(true);
        expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 4);
      });
    });

    it('embeds the same text to the same vector every time', async () => {
      const [first] = await embedder.embed([TEXTS[0]]);
      const [second] = await embedder.embed([TEXTS[0]]);
      expect(Array.from(second.vector)).toEqual(Array.from(first.vector));
      expect(second.tokens).toBe(first.tokens);
    });

    it('reports the same token count from countTokens as from embed', async () => {
      const results = await embedder.embed([...TEXTS]);
      results.forEach((r, i) => {
        expect(r.tokens, TEXTS[i].slice(0, 40)).toBe(embedder.countTokens(TEXTS[i]));
        expect(r.tokens).toBeGreaterThan(0);
      });
      expect(embedder.countTokens(TEXTS[0])).toBe(embedder.countTokens(TEXTS[0]));
    });

    it('returns batch results in input order, equal to embedding each text alone', async () => {
      const reversed = [...TEXTS].reverse();
      const batch = await embedder.embed(reversed);
      const singles: EmbeddedText[] = [];
      // One at a time, so the pool cannot coalesce them into one model run.
      for (const t of reversed) singles.push((await embedder.embed([t]))[0]);
      reversed.forEach((text, i) => {
        expect(cosine(batch[i].vector, singles[i].vector), text.slice(0, 40)).toBeGreaterThan(0.9999);
        expect(batch[i].tokens).toBe(singles[i].tokens);
      });
      // The texts differ in topic, so a swapped order could not pass the check above.
      for (let i = 1; i < batch.length; i++) expect(cosine(batch[i - 1].vector, batch[i].vector)).toBeLessThan(0.999);
    });

    it('answers an empty batch with an empty array', async () => {
      await expect(embedder.embed([])).resolves.toEqual([]);
    });
  });
}
