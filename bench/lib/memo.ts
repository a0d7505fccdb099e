import type { Embedder } from '../../src/model/embedder.js';

/**
 * The same embedder, remembering text → vector: the three settings re-embed the same test
 * texts, and the model's answer for a text never changes, so only the first costs model time.
 */
export function memo(inner: Embedder): Embedder {
  const seen = new Map<string, Awaited<ReturnType<Embedder['embed']>>[number]>();
  return {
    id: inner.id,
    dimension: inner.dimension,
    countTokens: (t) => inner.countTokens(t),
    async embed(texts, options) {
      const missing = [...new Set(texts.filter((t) => !seen.has(t)))];
      if (missing.length) (await inner.embed(missing, options)).forEach((e, i) => seen.set(missing[i], e));
      return texts.map((t) => seen.get(t)!);
    },
    close: () => inner.close(),
  };
}
