import { setImmediate as nextTurn } from 'node:timers/promises';
import { engineClosed } from '../errors.js';
import type { EmbedOptions, EmbeddedText, Embedder } from '../model/embedder.js';
import type { ModelBackend } from '../model/types.js';
import { aggregateWindows, splitWindows } from '../model/windows.js';
import type { InferencePool } from './inference-pool.js';

/** Tokens two neighbouring windows share. */
const WINDOW_OVERLAP = 32;

/**
 * Longest stretch of tokenizing, in ms, a batch-lane call does on the caller's thread before it
 * yields the event loop: real-time requests waiting behind it are then delayed by at most this.
 */
const BATCH_SLICE_MS = 2;

/** One text, tokenized and split into the windows the model sees. */
interface Prepared {
  tokens: number;
  windows: number[][];
}

/**
 * An `Embedder` over an ONNX model backend served by an `InferencePool`: tokenizes on the
 * caller's thread, splits long texts into windows, and owns the pool (closing the embedder
 * closes it). Calls in the `batch` lane run on a twin pool of the lowest CPU priority, created
 * on the first such call (so it costs nothing until a job runs) and closed with the embedder.
 */
export class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly #backend: ModelBackend;
  readonly #pool: InferencePool;
  #batchPool: InferencePool | undefined;
  #closed = false;

  constructor(backend: ModelBackend, pool: InferencePool) {
    this.#backend = backend;
    this.id = backend.id;
    this.dimension = backend.dimension;
    this.#pool = pool;
  }

  countTokens(text: string): number {
    return this.#backend.tokenizer.encode(text).length;
  }

  /** Sequences waiting or running in the batch lane (0 before its first call). @internal */
  get batchLoad(): number {
    return this.#batchPool?.load ?? 0;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbeddedText[]> {
    const batch = options.lane === 'batch';
    const prepared = batch ? await this.#prepareInSlices(texts, options.signal) : texts.map((t) => this.#prepare(t));
    const { prefix = [], suffix = [] } = this.#backend.specials ?? {};
    // Everything goes to the pool in one call, so it can sort all windows by length: feeding it
    // chunk by chunk (to overlap tokenizing with inference) was measured to cost 1.8× the model
    // work in padding, far more than tokenizing takes (~0.07 s per 1,000 texts).
    const sequences = prepared.flatMap((p) => p.windows).map((w) => (prefix.length || suffix.length ? [...prefix, ...w, ...suffix] : w));
    const vectors = await (batch ? this.#batchLane(sequences.length) : this.#pool).embed(sequences, options.priority, options.signal);
    let next = 0;
    return prepared.map(({ tokens, windows }) => {
      const own = vectors.slice(next, (next += windows.length));
      return { vector: aggregateWindows(own, windows.map((w) => w.length)), tokens };
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    // Both wait for the runs already on a worker (stopping a thread inside onnxruntime aborts the process).
    return Promise.all([this.#pool.close(), this.#batchPool?.close()]).then(() => undefined);
  }

  #prepare(text: string): Prepared {
    const { prefix = [], suffix = [] } = this.#backend.specials ?? {};
    const max = this.#backend.maxTokens - prefix.length - suffix.length;
    const ids = this.#backend.tokenizer.encode(text);
    return { tokens: ids.length, windows: splitWindows(ids, max, Math.min(WINDOW_OVERLAP, max >> 2)) };
  }

  /** Tokenizes in slices of at most BATCH_SLICE_MS, yielding the event loop between them. */
  async #prepareInSlices(texts: string[], signal: AbortSignal | undefined): Promise<Prepared[]> {
    const prepared: Prepared[] = new Array(texts.length);
    let sliceStart = performance.now();
    for (let i = 0; i < texts.length; i++) {
      if (performance.now() - sliceStart >= BATCH_SLICE_MS) {
        await nextTurn();
        if (this.#closed) throw engineClosed();
        signal?.throwIfAborted();
        sliceStart = performance.now();
      }
      prepared[i] = this.#prepare(texts[i]);
    }
    return prepared;
  }

  /** The batch lane's pool, created on the first call that has sequences to run. */
  #batchLane(count: number): InferencePool {
    if (this.#closed) throw engineClosed();
    if (count === 0) return this.#pool; // answers [] without starting the batch workers
    this.#batchPool ??= this.#pool.twin('batch');
    return this.#batchPool;
  }
}
