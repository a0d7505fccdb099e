import { setImmediate as nextTurn } from 'node:timers/promises';
import { engineClosed } from '../errors.js';
import type { EmbedOptions, EmbeddedText, Embedder } from '../model/embedder.js';
import type { ModelBackend } from '../model/types.js';
import { aggregateWindows, splitWindows } from '../model/windows.js';
import type { InferencePool } from './inference-pool.js';

/** Tokens two neighbouring windows share. */
const WINDOW_OVERLAP = 32;

/**
 * Longest stretch of tokenizing, in ms, the batch lane does on the caller's thread before it
 * yields the event loop: a real-time request's next step waits at most this long behind it.
 */
const BATCH_SLICE_MS = 1;

/** How long the batch lane stays up after its last call ended, in ms, before its workers stop. */
export const BATCH_IDLE_MS = 60_000;

/** One text, tokenized and split into the windows the model sees. */
interface Prepared {
  tokens: number;
  windows: number[][];
}

/**
 * An `Embedder` over an ONNX model backend served by an `InferencePool`: tokenizes on the
 * caller's thread, splits long texts into windows, and owns the pool (closing the embedder
 * closes it). Calls in the `batch` lane run on a twin pool of the lowest CPU priority, created
 * on the first such call (so it costs nothing until a job runs: its sessions take as much memory
 * as the real-time pool's) and stopped when no batch call has run for `batchIdleMs` (default
 * BATCH_IDLE_MS) or when the embedder closes.
 */
export class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly #backend: ModelBackend;
  readonly #pool: InferencePool;
  readonly #batchIdleMs: number;
  #batchPool: InferencePool | undefined;
  /** Batch-lane calls between their start and their answer: the lane is never stopped under one. */
  #batchCalls = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Resolves when the batch call tokenizing now is done: batch calls tokenize one at a time. */
  #tokenizing: Promise<void> = Promise.resolve();
  /** Idle batch pools still stopping (close waits for them). */
  readonly #retiring = new Set<Promise<void>>();
  #closed = false;

  constructor(backend: ModelBackend, pool: InferencePool, options: { batchIdleMs?: number } = {}) {
    this.#backend = backend;
    this.id = backend.id;
    this.dimension = backend.dimension;
    this.#pool = pool;
    this.#batchIdleMs = options.batchIdleMs ?? BATCH_IDLE_MS;
  }

  countTokens(text: string): number {
    return this.#backend.tokenizer.encode(text).length;
  }

  /** Sequences waiting or running in the batch lane (0 while it is not running). @internal */
  get batchLoad(): number {
    return this.#batchPool?.load ?? 0;
  }

  /** Whether the batch lane's workers are up. @internal */
  get batchLaneRunning(): boolean {
    return this.#batchPool !== undefined;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbeddedText[]> {
    if (options.lane !== 'batch') return this.#embed(texts, options, false);
    this.#batchCalls++;
    clearTimeout(this.#idleTimer);
    try {
      return await this.#embed(texts, options, true);
    } finally {
      if (--this.#batchCalls === 0 && this.#batchPool && !this.#closed) this.#idleTimer = setTimeout(() => this.#retireBatchLane(), this.#batchIdleMs).unref();
    }
  }

  async #embed(texts: string[], options: EmbedOptions, batch: boolean): Promise<EmbeddedText[]> {
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
    clearTimeout(this.#idleTimer);
    // All wait for the runs already on a worker (stopping a thread inside onnxruntime aborts the process).
    return Promise.all([this.#pool.close(), this.#batchPool?.close(), ...this.#retiring]).then(() => undefined);
  }

  /** Stops the idle batch lane; the next batch call starts a new one. */
  #retireBatchLane(): void {
    const pool = this.#batchPool;
    if (this.#batchCalls > 0 || !pool) return;
    this.#batchPool = undefined;
    // Nobody awaits this close unless the embedder closes too: a failure must not go unhandled.
    const closing = pool
      .close()
      .catch(() => undefined)
      .finally(() => this.#retiring.delete(closing));
    this.#retiring.add(closing);
  }

  #prepare(text: string): Prepared {
    const { prefix = [], suffix = [] } = this.#backend.specials ?? {};
    const max = this.#backend.maxTokens - prefix.length - suffix.length;
    const ids = this.#backend.tokenizer.encode(text);
    return { tokens: ids.length, windows: splitWindows(ids, max, Math.min(WINDOW_OVERLAP, max >> 2)) };
  }

  /**
   * Tokenizes in slices of at most BATCH_SLICE_MS, yielding the event loop between them, one
   * batch call at a time: concurrent calls (several jobs) then add no more than one slice to an
   * event-loop turn, and the first of them reaches the workers soonest.
   */
  async #prepareInSlices(texts: string[], signal: AbortSignal | undefined): Promise<Prepared[]> {
    const turn = this.#tokenizing;
    let done!: () => void;
    this.#tokenizing = new Promise<void>((resolve) => (done = resolve));
    try {
      await turn;
      const prepared: Prepared[] = new Array(texts.length);
      let sliceStart = performance.now();
      for (let i = 0; i < texts.length; i++) {
        if (i === 0 || performance.now() - sliceStart >= BATCH_SLICE_MS) {
          if (i > 0) await nextTurn();
          if (this.#closed) throw engineClosed();
          signal?.throwIfAborted();
          sliceStart = performance.now();
        }
        prepared[i] = this.#prepare(texts[i]);
      }
      return prepared;
    } finally {
      done();
    }
  }

  /** The batch lane's pool, created on the first call that has sequences to run. */
  #batchLane(count: number): InferencePool {
    if (this.#closed) throw engineClosed();
    if (count === 0) return this.#pool; // answers [] without starting the batch workers
    this.#batchPool ??= this.#pool.twin('batch');
    return this.#batchPool;
  }
}
