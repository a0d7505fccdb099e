import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { engineClosed, queueFull } from '../errors.js';
import type { WorkerModelSpec } from '../model/types.js';
import type { EmbedResult, EmbedTask, TaskCall, WorkerTask } from './protocol.js';
import { RunQueue, type Entry, type Feeder, type PendingRequest } from './run-queue.js';
import type { Lane, Priority } from '../vocabulary.js';

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
  /**
   * Most sequences waiting or running; beyond it calls fail at once with OVERLOADED. A call larger
   * than a quarter of it (or 4,096) is admitted in slices, so no call is refused for its size alone.
   * @default 20000
   */
  maxQueue: number;
}

/** Largest slice of one call that waits in the queue at once (the run queue's sort window). */
const MAX_SLICE = 4096;

/** Worker tasks that may wait for their turn before new ones are refused. */
const MAX_WAITING_TASKS = 8;

export const POOL_DEFAULTS: Readonly<PoolOptions> = Object.freeze({
  workers: availableParallelism(),
  threadsPerWorker: 1,
  maxBatchSize: 64,
  maxWaitMs: 2,
  maxQueue: 20_000,
});

/**
 * Runs the model in piscina workers and coalesces concurrent calls into micro-batches. Runs are
 * pulled when a worker is free (at most one per worker in flight), so sequences that arrive
 * while workers are busy join the next run instead of queueing behind whole batches; an idle
 * pool runs at once, a busy one waits at most `maxWaitMs` for a run to fill (`fast`: never).
 * The main thread never runs inference.
 */
export class InferencePool {
  readonly #piscina: Piscina<EmbedTask | TaskCall, unknown>;
  readonly #spec: WorkerModelSpec;
  readonly #options: PoolOptions;
  readonly #queue = new RunQueue();
  /** Calls with sequences not yet queued (admitted in slices). */
  readonly #feeders = new Set<Feeder>();
  /** Pending wait-for-more timer: cancels it. */
  #timer: (() => void) | undefined;
  #inFlight = 0;
  #activeRuns = 0;
  readonly #running = new Set<Promise<void>>();
  #taskChain: Promise<void> = Promise.resolve();
  #waitingTasks = 0;
  #closed = false;

  /** `lane: 'batch'` runs the workers at the lowest CPU priority (see `worker-priority.ts`). */
  constructor(spec: Omit<WorkerModelSpec, 'threads'>, options: PoolOptions, lane: Lane = 'realtime') {
    this.#options = options;
    this.#spec = { ...spec, threads: options.threadsPerWorker };
    const { filename, execArgv } = workerEntry(lane);
    this.#piscina = new Piscina({
      filename,
      execArgv,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Infinity,
    });
  }

  /**
   * A new pool of the same model and options whose workers run in `lane` (the embedder's batch
   * lane is this pool's twin). Nothing is shared: closing one leaves the other running.
   */
  twin(lane: Lane): InferencePool {
    if (this.#closed) throw engineClosed();
    return new InferencePool(this.#spec, this.#options, lane);
  }

  /** Sequences waiting or running right now. */
  get load(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Fails at once with OVERLOADED when `count` more sequences would overflow the queue. */
  assertRoom(count: number): void {
    if (this.#closed) throw engineClosed();
    if (this.load + count > this.#options.maxQueue) {
      throw queueFull('inference', 1);
    }
  }

  /**
   * Embeds token sequences (each within the model's limit); resolves with one vector per sequence.
   * A call of more than one slice (maxQueue / 4, at most 4,096 sequences) is admitted in slices:
   * it needs room for its first slice only, and each next slice is queued as its earlier ones
   * reach a worker. So every call can be answered however large, while a queue genuinely full of
   * other callers' work still refuses at once with OVERLOADED.
   */
  embed(sequences: number[][], priority: Priority = 'standard', signal?: AbortSignal): Promise<Float32Array[]> {
    if (sequences.length === 0 && !this.#closed) return Promise.resolve([]);
    const slice = this.#sliceSize;
    try {
      signal?.throwIfAborted();
      this.assertRoom(Math.min(sequences.length, slice));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const request: PendingRequest = { results: new Array(sequences.length), remaining: sequences.length, failed: false, resolve, reject };
      const feeder: Feeder = { request, sequences, next: 0, queued: 0, fast: priority === 'fast' };
      // An aborted call leaves the queue at once (runs already on a worker finish unseen).
      const onAbort = () => {
        this.#queue.remove(request);
        this.#feeders.delete(feeder);
        fail(request, signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(fn: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        this.#feeders.delete(feeder);
        fn(v);
      };
      request.resolve = settle(resolve);
      request.reject = settle(reject);
      this.#feed(feeder);
      if (feeder.next < sequences.length) this.#feeders.add(feeder);
      this.#dispatch();
    });
  }

  /** Sequences a call may have waiting at once; larger calls are fed slice by slice. */
  get #sliceSize(): number {
    return Math.max(1, Math.min(MAX_SLICE, Math.floor(this.#options.maxQueue / 4)));
  }

  /** Tops a call's waiting sequences up to one slice (its own reservation, admitted earlier). */
  #feed(feeder: Feeder): void {
    const room = this.#sliceSize - feeder.queued;
    if (room <= 0 || feeder.next >= feeder.sequences.length) return;
    const end = Math.min(feeder.sequences.length, feeder.next + room);
    const entries: Entry[] = [];
    for (let index = feeder.next; index < end; index++) entries.push({ request: feeder.request, index, ids: feeder.sequences[index], feeder });
    feeder.queued += entries.length;
    feeder.next = end;
    this.#queue.add(entries, feeder.fast);
    if (feeder.next >= feeder.sequences.length) this.#feeders.delete(feeder);
  }

  /**
   * Runs a generic CPU task (see `WorkerTask`) on a worker thread, keeping it off the caller's
   * thread. Tasks run one at a time, so they never hold more than one worker away from
   * inference, and at most MAX_WAITING_TASKS may wait: a caller flooding the pool with them
   * (e.g. new few-shot label sets) cannot starve everyone else. `transfer` buffers are moved,
   * not copied. The result type is the task function's; the caller names it.
   */
  async runTask<Result>(task: WorkerTask, input: unknown, transfer: ArrayBuffer[] = []): Promise<Result> {
    if (this.#closed) throw engineClosed();
    if (this.#waitingTasks >= MAX_WAITING_TASKS) {
      throw queueFull('background_tasks', 1);
    }
    this.#waitingTasks++;
    const turn = this.#taskChain;
    let done!: () => void;
    this.#taskChain = new Promise<void>((resolve) => (done = resolve));
    try {
      await turn;
      if (this.#closed) throw engineClosed();
      const call: TaskCall = { module: task.module, name: task.name, input };
      const running = this.#piscina.run(call, { name: 'runTask', transferList: transfer });
      const tracked = running.then(() => undefined, () => undefined);
      this.#running.add(tracked);
      try {
        // Whatever the task function returned, structured-cloned back.
        return (await running) as Result;
      } finally {
        this.#running.delete(tracked);
      }
    } finally {
      this.#waitingTasks--;
      done();
    }
  }

  /**
   * Stops every worker: calls still queued fail with OVERLOADED, runs already on a worker are
   * allowed to finish (stopping a thread inside onnxruntime aborts the process), then the
   * threads are stopped.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer();
    for (const f of this.#feeders) fail(f.request, engineClosed());
    this.#feeders.clear();
    for (const e of this.#queue.drain()) fail(e.request, engineClosed());
    await Promise.allSettled([...this.#running]);
    await this.#piscina.close();
  }

  /** Starts runs while a worker is free and a run is worth starting now. */
  #dispatch(): void {
    while (this.#canStart()) {
      // A full run or a fast request goes at once; otherwise wait (briefly) for the run to fill.
      if (this.#queue.length < this.#options.maxBatchSize && !this.#queue.hasFast) return this.#waitToFill();
      this.#startNow();
    }
  }

  /** An idle pool waits only for the rest of this event-loop turn; a busy one up to maxWaitMs. */
  #waitToFill(): void {
    if (this.#timer !== undefined) return;
    const fire = () => {
      this.#timer = undefined;
      if (this.#canStart()) this.#startNow();
      this.#dispatch();
    };
    if (this.#activeRuns === 0) {
      const immediate = setImmediate(fire);
      this.#timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(fire, this.#options.maxWaitMs);
      this.#timer = () => clearTimeout(timeout);
    }
  }

  #canStart(): boolean {
    return !this.#closed && this.#queue.length > 0 && this.#activeRuns < this.#options.workers;
  }

  #cancelTimer(): void {
    this.#timer?.();
    this.#timer = undefined;
  }

  #startNow(): void {
    this.#cancelTimer();
    const entries = this.#queue.take(this.#options.maxBatchSize);
    // Sequences leaving the queue make room for the next slice of the calls they belong to.
    for (const e of entries) if (e.feeder) e.feeder.queued--;
    for (const f of [...this.#feeders]) if (f.queued <= this.#sliceSize / 2) this.#feed(f);
    this.#activeRuns++;
    const running = this.#run(entries).finally(() => {
      this.#activeRuns--;
      this.#running.delete(running);
      // What queued up while this run was busy forms the next run right away.
      if (this.#canStart()) this.#startNow();
    });
    this.#running.add(running);
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
      const vectors = (await this.#piscina.run({ spec: this.#spec, ids, lengths }, { transferList: [ids.buffer, lengths.buffer] })) as EmbedResult;
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

function fail(request: PendingRequest, err: unknown): void {
  if (request.failed) return;
  request.failed = true;
  request.reject(err);
}

/** Built code runs worker.js; tests and benchmarks running the TypeScript sources load worker.ts through tsx. */
function workerEntry(lane: Lane): { filename: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  const name = lane === 'batch' ? 'batch-worker' : 'worker';
  return {
    filename: new URL(`./${name}.${typescript ? 'ts' : 'js'}`, import.meta.url).href,
    execArgv: typescript ? ['--import', 'tsx'] : [],
  };
}
