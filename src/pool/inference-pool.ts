import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { LabelwiseError } from '../errors.js';
import type { WorkerModelSpec } from '../model/types.js';
import type { EmbedResult, EmbedTask } from './protocol.js';

/** Tuning of the inference pool. All fields are optional in `EngineOptions.pool`. */
export interface PoolOptions {
  /** Worker threads, each owning one ONNX session. @default os.availableParallelism() */
  workers: number;
  /** Intra-op threads per session. One per worker avoids oversubscribing cores. @default 1 */
  threadsPerWorker: number;
  /** Most sequences in one model run. @default 64 */
  maxBatchSize: number;
  /** How long a `standard` request may wait for others to share its model run, in ms. @default 2 */
  maxWaitMs: number;
  /** Most sequences waiting or running; beyond it calls fail at once with OVERLOADED. @default 20000 */
  maxQueue: number;
}

export const POOL_DEFAULTS: Readonly<PoolOptions> = Object.freeze({
  workers: availableParallelism(),
  threadsPerWorker: 1,
  maxBatchSize: 64,
  maxWaitMs: 2,
  maxQueue: 20_000,
});

interface Request {
  results: Float32Array[];
  remaining: number;
  failed: boolean;
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
}

interface Entry {
  request: Request;
  index: number;
  ids: number[];
}

/**
 * Runs the model in piscina workers and coalesces concurrent calls into micro-batches:
 * sequences wait at most `maxWaitMs` (none for `fast`), are sorted by length to cut padding,
 * and are cut into runs of at most `maxBatchSize`. The main thread never runs inference.
 */
export class InferencePool {
  readonly #piscina: Piscina<EmbedTask, EmbedResult>;
  readonly #spec: WorkerModelSpec;
  readonly #options: PoolOptions;
  #pending: Entry[] = [];
  /** Pending flush: cancels it. */
  #scheduled: (() => void) | undefined;
  #inFlight = 0;
  #closed = false;

  constructor(spec: Omit<WorkerModelSpec, 'threads'>, options: PoolOptions) {
    this.#options = options;
    this.#spec = { ...spec, threads: options.threadsPerWorker };
    const { filename, execArgv } = workerEntry();
    this.#piscina = new Piscina({
      filename,
      execArgv,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Infinity,
    });
  }

  /** Sequences waiting or running right now. */
  get load(): number {
    return this.#pending.length + this.#inFlight;
  }

  /** Fails at once with OVERLOADED when `count` more sequences would overflow the queue. */
  assertRoom(count: number): void {
    if (this.#closed) throw new LabelwiseError('OVERLOADED', 'the engine is shutting down');
    if (this.load + count > this.#options.maxQueue) {
      throw new LabelwiseError('OVERLOADED', 'the inference queue is full; retry shortly', { retry_after: 1 });
    }
  }

  /** Embeds token sequences (each within the model's limit); resolves with one vector per sequence. */
  embed(sequences: number[][], priority: 'standard' | 'fast' = 'standard'): Promise<Float32Array[]> {
    if (sequences.length === 0 && !this.#closed) return Promise.resolve([]);
    try {
      this.assertRoom(sequences.length);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const request: Request = { results: new Array(sequences.length), remaining: sequences.length, failed: false, resolve, reject };
      const entries = sequences.map((ids, index) => ({ request, index, ids }));
      if (priority === 'fast') this.#pending.unshift(...entries);
      else this.#pending.push(...entries);
      if (priority === 'fast' || this.#pending.length >= this.#options.maxBatchSize) this.#flush();
      // An idle pool has nothing to wait for: run at the end of this turn of the event loop
      // (still gathering calls made in it). A busy one waits up to maxWaitMs to fill a batch.
      else if (this.#scheduled === undefined) {
        if (this.#inFlight === 0) {
          const immediate = setImmediate(() => this.#flush());
          this.#scheduled = () => clearImmediate(immediate);
        } else {
          const timer = setTimeout(() => this.#flush(), this.#options.maxWaitMs);
          this.#scheduled = () => clearTimeout(timer);
        }
      }
    });
  }

  /** Stops every worker; calls still waiting fail with OVERLOADED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduled?.();
    this.#scheduled = undefined;
    const waiting = this.#pending;
    this.#pending = [];
    for (const e of waiting) fail(e.request, new LabelwiseError('OVERLOADED', 'the engine is shutting down'));
    await this.#piscina.destroy();
  }

  #flush(): void {
    this.#scheduled?.();
    this.#scheduled = undefined;
    const batch = this.#pending.sort((a, b) => a.ids.length - b.ids.length);
    this.#pending = [];
    for (let start = 0; start < batch.length; start += this.#options.maxBatchSize) {
      void this.#run(batch.slice(start, start + this.#options.maxBatchSize));
    }
  }

  async #run(entries: Entry[]): Promise<void> {
    this.#inFlight += entries.length;
    try {
      const lengths = Int32Array.from(entries, (e) => e.ids.length);
      const ids = new Int32Array(lengths.reduce((a, b) => a + b, 0));
      let offset = 0;
      for (const e of entries) {
        ids.set(e.ids, offset);
        offset += e.ids.length;
      }
      const vectors = await this.#piscina.run({ spec: this.#spec, ids, lengths }, { transferList: [ids.buffer, lengths.buffer] });
      const dim = vectors.length / entries.length;
      entries.forEach((e, row) => {
        e.request.results[e.index] = vectors.subarray(row * dim, (row + 1) * dim);
        if (--e.request.remaining === 0 && !e.request.failed) e.request.resolve(e.request.results);
      });
    } catch (err) {
      for (const e of entries) fail(e.request, err);
    } finally {
      this.#inFlight -= entries.length;
    }
  }
}

function fail(request: Request, err: unknown): void {
  if (request.failed) return;
  request.failed = true;
  request.reject(err);
}

/** Built code runs worker.js; tests and benchmarks running the TypeScript sources load worker.ts through tsx. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  return {
    filename: new URL(typescript ? './worker.ts' : './worker.js', import.meta.url).href,
    execArgv: typescript ? ['--import', 'tsx'] : [],
  };
}
