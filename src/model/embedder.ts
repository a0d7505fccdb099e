import type { PoolOptions } from '../pool/inference-pool.js';
import { InferencePool } from '../pool/inference-pool.js';
import type { ModelBackend } from './types.js';
import { aggregateWindows, splitWindows } from './windows.js';

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
  embed(texts: string[], options?: { priority?: 'standard' | 'fast' }): Promise<EmbeddedText[]>;
  close(): Promise<void>;
}

/** Texts tokenized before their sequences go to the pool (one full micro-batch). */
const TOKENIZE_CHUNK = 64;

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

  async embed(texts: string[], options: { priority?: 'standard' | 'fast' } = {}): Promise<EmbeddedText[]> {
    const { prefix = [], suffix = [] } = this.#backend.specials ?? {};
    const max = this.#backend.maxTokens - prefix.length - suffix.length;
    // Refuse a batch that cannot fit before any of it is queued (each text is ≥ 1 sequence).
    this.#pool.assertRoom(texts.length);
    const pending: Promise<EmbeddedText[]>[] = [];
    // Tokenize in chunks and hand each to the pool at once, so workers run the model while
    // this thread tokenizes the rest (tokenizing 1,000 texts takes ~0.1 s).
    for (let start = 0; start < texts.length; start += TOKENIZE_CHUNK) {
      const tokenized = texts.slice(start, start + TOKENIZE_CHUNK).map((t) => this.#backend.tokenizer.encode(t));
      const perText = tokenized.map((ids) => splitWindows(ids, max, Math.min(WINDOW_OVERLAP, max >> 2)));
      const sequences = perText.flat().map((w) => (prefix.length || suffix.length ? [...prefix, ...w, ...suffix] : w));
      pending.push(
        this.#pool.embed(sequences, options.priority).then((vectors) => {
          let next = 0;
          return perText.map((windows, i) => {
            const own = vectors.slice(next, (next += windows.length));
            return { vector: aggregateWindows(own, windows.map((w) => w.length)), tokens: tokenized[i].length };
          });
        }),
      );
    }
    return (await Promise.all(pending)).flat();
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
