/**
 * The document pool: worker threads of their own (not the inference pool's) that parse, render
 * and normalise files and images, so no document — however hostile — runs on the caller's
 * thread. Each part (the file, or one image) is one task under a time budget; a task over it
 * has its worker thread terminated (a new one replaces it) and fails with `DOCUMENT_ERROR`.
 *
 * The budget is busy time, not CPU time: wall time from the moment a worker starts the task
 * (queueing and thread start-up excluded), while that worker does nothing else. Node 20 has no
 * per-thread CPU clock (`process.cpuUsage()` in a worker counts the whole process;
 * `process.threadCpuUsage` comes with Node 23.9), and a thread stuck in synchronous code can
 * only be stopped from outside anyway. Busy time is never less than the task's CPU time, so on a
 * loaded machine the budget is stricter, never looser, and it also bounds how long a hostile
 * document can hold a worker.
 *
 * Admission: one read (all parts of one request, run one after another) takes a slot; at most
 * `workers + maxQueue` reads at once, beyond that `OVERLOADED` (retryable: each read needs only
 * one slot, so any request fits once the pool drains).
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { documentTimeBudget, isLabelwiseError, queueFull, readerClosed, readerFailed, remoteError, type ErrorCode } from '../errors.js';
import type { PartJob, PartResult, PartTask, PartValue } from './protocol.js';

/** Heap limit of a document worker: a decompression bomb ends that thread, not the process. */
export const DOCUMENT_WORKER_HEAP_MB = 1024;

export interface DocumentPoolOptions {
  workers: number;
  maxQueue: number;
  budgetMs: number;
}

export class DocumentPool {
  readonly #options: DocumentPoolOptions;
  #piscina: Piscina<PartTask, PartResult> | undefined;
  #reads = 0;
  /** Aborted by `close()`: tasks queued or running end at once. */
  #closing = new AbortController();

  constructor(options: DocumentPoolOptions) {
    this.#options = options;
  }

  /** Reads admitted right now (running or waiting for a worker). */
  get reads(): number {
    return this.#reads;
  }

  /** Takes a read slot or fails at once with `OVERLOADED`; call the returned function when done. */
  admit(): () => void {
    if (this.#reads >= this.#options.workers + this.#options.maxQueue) {
      throw queueFull('documents', 2);
    }
    this.#reads++;
    let released = false;
    return () => {
      if (!released) this.#reads--;
      released = true;
    };
  }

  /** Reads one part on a worker thread, within the budget. */
  async run(job: PartJob, bytes: Uint8Array, field: string, signal?: AbortSignal): Promise<PartValue> {
    signal?.throwIfAborted();
    const piscina = (this.#piscina ??= this.#start());
    const closing = this.#closing.signal;
    const { budgetMs } = this.#options;
    const copy = new Uint8Array(bytes); // the worker's own copy (moved, not cloned)
    const { port1, port2 } = new MessageChannel();
    const budget = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => {
      timer = setTimeout(() => budget.abort(), budgetMs);
    });
    const task: PartTask = { ...job, bytes: copy, started: port2 };
    try {
      const result = await piscina.run(task, {
        transferList: [copy.buffer, port2] as never,
        signal: AbortSignal.any(signal ? [budget.signal, closing, signal] : [budget.signal, closing]),
      });
      if (!result.ok) throw remoteError(result.error.code as ErrorCode, result.error.message, result.error.details);
      return result.value;
    } catch (err) {
      if (isLabelwiseError(err)) throw err;
      if (budget.signal.aborted) {
        throw documentTimeBudget(field, budgetMs);
      }
      if (closing.aborted) throw readerClosed(field);
      if (signal?.aborted) throw signal.reason;
      const oom = (err as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      throw readerFailed(field, oom, err);
    } finally {
      clearTimeout(timer);
      port1.close();
    }
  }

  /** Terminates the worker threads; reads in flight fail with `DOCUMENT_ERROR`. Usable again afterwards. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#closing = new AbortController();
    const piscina = this.#piscina;
    this.#piscina = undefined;
    await piscina?.destroy();
  }

  #start(): Piscina<PartTask, PartResult> {
    const typescript = fileURLToPath(import.meta.url).endsWith('.ts');
    return new Piscina({
      filename: new URL(typescript ? './worker.ts' : './worker.js', import.meta.url).href,
      execArgv: typescript ? ['--import', 'tsx'] : [],
      minThreads: this.#options.workers,
      maxThreads: this.#options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Infinity,
      resourceLimits: { maxOldGenerationSizeMb: DOCUMENT_WORKER_HEAP_MB },
    });
  }
}
