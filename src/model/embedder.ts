import type { PoolOptions } from '../pool/inference-pool.js';
import type { HeadParams, LabeledVector } from '../scoring/few-shot-head.js';
import { InferencePool } from '../pool/inference-pool.js';
import type { ModelBackend } from './types.js';
import { aggregateWindows, splitWindows } from './windows.js';
import type { Priority } from '../vocabulary.js';

/** One embedded text: a unit vector and its model tokens (the whole text, overlaps counted once). */
export interface EmbeddedText {
  vector: Float32Array;
  tokens: number;
}

/**
 * The one interface the engine embeds text through. The default implementation runs an ONNX
 * model in a worker pool; any other (a remote service, a test double) can be passed to
 * `createEngine({ embedder })`.
 */
export interface Embedder {
  /** Stable id of model and version; part of every cache key. */
  readonly id: string;
  readonly dimension: number;
  /** Model tokens of `text`, deterministic; what billing counts. */
  countTokens(text: string): number;
  embed(texts: string[], options?: { priority?: Priority; signal?: AbortSignal }): Promise<EmbeddedText[]>;
  /** Optional: fit a few-shot head off the caller's thread (else the engine fits it inline). */
  fitFewShotHead?(names: Float32Array[], examples: LabeledVector[]): Promise<HeadParams>;
  close(): Promise<void>;
}

/** Tokens two neighbouring windows share. */
const WINDOW_OVERLAP = 32;

/** An `Embedder` over an ONNX model backend served by an `InferencePool`. */
export class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly #backend: ModelBackend;
  readonly #pool: InferencePool;

  constructor(backend: ModelBackend, pool: PoolOptions) {
    this.#backend = backend;
    this.id = backend.id;
    this.dimension = backend.dimension;
    this.#pool = new InferencePool(backend.spec, pool);
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

  fitFewShotHead(names: Float32Array[], examples: LabeledVector[]): Promise<HeadParams> {
    return this.#pool.fitHead(names, examples);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
