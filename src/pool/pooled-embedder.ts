import type { EmbeddedText, Embedder } from '../model/embedder.js';
import type { ModelBackend } from '../model/types.js';
import { aggregateWindows, splitWindows } from '../model/windows.js';
import type { InferencePool } from './inference-pool.js';
import type { Priority } from '../vocabulary.js';

/** Tokens two neighbouring windows share. */
const WINDOW_OVERLAP = 32;

/**
 * An `Embedder` over an ONNX model backend served by an `InferencePool`: tokenizes on the
 * caller's thread, splits long texts into windows, and owns the pool (closing the embedder
 * closes it).
 */
export class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly #backend: ModelBackend;
  readonly #pool: InferencePool;

  constructor(backend: ModelBackend, pool: InferencePool) {
    this.#backend = backend;
    this.id = backend.id;
    this.dimension = backend.dimension;
    this.#pool = pool;
  }

  countTokens(text: string): number {
    return this.#backend.tokenizer.encode(text).length;
  }

  async embed(texts: string[], options: { priority?: Priority; signal?: AbortSignal } = {}): Promise<EmbeddedText[]> {
    const { prefix = [], suffix = [] } = this.#backend.specials ?? {};
    const max = this.#backend.maxTokens - prefix.length - suffix.length;
    // Everything goes to the pool in one call, so it can sort all windows by length: feeding it
    // chunk by chunk (to overlap tokenizing with inference) was measured to cost 1.8× the model
    // work in padding, far more than tokenizing takes (~0.07 s per 1,000 texts).
    const tokenized = texts.map((t) => this.#backend.tokenizer.encode(t));
    const perText = tokenized.map((ids) => splitWindows(ids, max, Math.min(WINDOW_OVERLAP, max >> 2)));
    const sequences = perText.flat().map((w) => (prefix.length || suffix.length ? [...prefix, ...w, ...suffix] : w));
    const vectors = await this.#pool.embed(sequences, options.priority, options.signal);
    let next = 0;
    return perText.map((windows, i) => {
      const own = vectors.slice(next, (next += windows.length));
      return { vector: aggregateWindows(own, windows.map((w) => w.length)), tokens: tokenized[i].length };
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
