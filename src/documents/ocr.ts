/**
 * OCR with tesseract.js 7 (spec §8), fully offline:
 *
 * - language data: `@tesseract.js-data/eng/4.0.0/eng.traineddata.gz` through a local `langPath`
 *   with `cacheMethod: 'none'` (never fetched, never cached to disk); checked to exist and to be
 *   gzip before a worker starts, because tesseract.js hangs or throws from a message handler
 *   when language loading fails;
 * - the wasm core: in Node tesseract.js `require`s the installed `tesseract.js-core` (its
 *   `corePath` is only used by the browser build); `workerPath` points at the installed script;
 * - one worker thread, created lazily on first use and reused; jobs run one at a time (so each
 *   timeout measures its own work); every `recognize` is bounded by `timeoutMs`, and on a timeout
 *   (or abort) the worker thread is terminated and recreated on the next call;
 * - `errorHandler` is set, so a failed job rejects its promise instead of throwing from
 *   tesseract.js's message handler (which would crash the process).
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Worker as NodeWorker } from 'node:worker_threads';
import Tesseract from 'tesseract.js';
import { isLabelwiseError, ocrFailed, ocrStopped, ocrUnavailable } from '../errors.js';

/** Most time one worker may take to start (load the core, the language data, initialize). */
export const OCR_START_TIMEOUT_MS = 60_000;

/** Longest `close()` waits for a worker that is still starting before returning. */
const TERMINATE_WAIT_MS = 5_000;

const require = createRequire(import.meta.url);

interface OcrPaths {
  langPath: string;
  workerPath: string;
}

let paths: OcrPaths | undefined;

/** Resolves and checks the local files OCR needs; a missing file is a clear `DOCUMENT_ERROR`. */
export function ocrPaths(): OcrPaths {
  if (paths) return paths;
  const fail = ocrUnavailable;
  let langPath: string;
  let workerPath: string;
  try {
    langPath = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
    const tesseractDir = dirname(require.resolve('tesseract.js/package.json'));
    workerPath = join(tesseractDir, 'src', 'worker-script', 'node', 'index.js');
    createRequire(join(tesseractDir, 'package.json')).resolve('tesseract.js-core/package.json');
  } catch (err) {
    throw fail('tesseract.js, tesseract.js-core or @tesseract.js-data/eng is not installed', err);
  }
  const data = join(langPath, 'eng.traineddata.gz');
  if (!existsSync(data) || statSync(data).size < 1024) throw fail(`language data ${data} is missing`);
  const head = Buffer.alloc(2);
  const fd = openSync(data, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw fail(`language data ${data} is not gzip`);
  if (!existsSync(workerPath)) throw fail(`worker script ${workerPath} is missing`);
  return (paths = { langPath, workerPath });
}

/** Text of one encoded image (PNG/JPEG), or a `DOCUMENT_ERROR` ("OCR timed out after … ms", …). */
export type Recognize = (image: Buffer, signal?: AbortSignal) => Promise<string>;

/** One lazily started tesseract worker; recognitions are queued and bounded. */
export class OcrEngine {
  #worker: Promise<LiveWorker> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** Aborted by `close()`, so queued and running jobs end at once. */
  #closing = new AbortController();

  constructor(private readonly timeoutMs: number) {}

  /**
   * A recognizer bound to the engine's current life: once `close()` is called, its calls fail
   * (even those not yet started), while sessions opened after `close()` start a new worker.
   * A read takes one session at its start, so a read in flight during `close()` fails instead of
   * starting a worker after shutdown.
   */
  session(): Recognize {
    const closing = this.#closing.signal;
    return (image, signal) => this.#enqueue(image, closing, signal);
  }

  #enqueue(image: Buffer, closing: AbortSignal, signal?: AbortSignal): Promise<string> {
    const run = this.#queue.then(() => this.#run(image, closing, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Terminates the worker thread; queued jobs fail. The engine can be used again afterwards. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#closing = new AbortController();
    await this.#terminate();
  }

  async #run(image: Buffer, closing: AbortSignal, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    if (closing.aborted) throw ocrStopped();
    const worker = await bounded(this.#start(), OCR_START_TIMEOUT_MS, 'OCR worker did not start in time', closing, signal).catch(
      async (err) => {
        await this.#terminate();
        throw err;
      },
    );
    try {
      const job = Promise.race([worker.tesseract.recognize(image), worker.died]);
      const result = await bounded(job, this.timeoutMs, `OCR timed out after ${this.timeoutMs} ms`, closing, signal);
      return result.data.text;
    } catch (err) {
      // A timed-out, aborted or failed job may leave the thread busy or broken: start afresh next time.
      await this.#terminate();
      if (isLabelwiseError(err) || signal?.aborted) throw err;
      throw ocrFailed('OCR failed on this image', err);
    }
  }

  #start(): Promise<LiveWorker> {
    if (!this.#worker) {
      const { langPath, workerPath } = ocrPaths();
      const starting = Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
        langPath,
        workerPath,
        cacheMethod: 'none',
        gzip: true,
        logger: () => {},
        errorHandler: () => {},
      });
      const live = starting.then(watch);
      this.#worker = live;
      // A thread that dies between jobs is replaced by the next job, not reused.
      live.then(({ died }) => died).catch(() => {
        if (this.#worker === live) this.#worker = null;
      });
    }
    return this.#worker;
  }

  async #terminate(): Promise<void> {
    const pending = this.#worker;
    this.#worker = null;
    if (!pending) return;
    // A worker still starting is terminated once it is up (tesseract.js hands out no handle
    // before); waiting for that is bounded, so close() cannot hang on a stuck start.
    const terminated = pending.then((w) => w.tesseract.terminate(), () => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([terminated, new Promise((r) => (timer = setTimeout(r, TERMINATE_WAIT_MS).unref()))]);
    clearTimeout(timer);
  }
}

/** A started tesseract worker and a promise that rejects when its thread dies. */
interface LiveWorker {
  tesseract: Tesseract.Worker;
  died: Promise<never>;
}

/**
 * Listens for the worker thread's `error` and `exit`: tesseract.js sets `worker.onerror`, which
 * a Node worker thread ignores, so an uncaught error inside the thread would be an unhandled
 * `error` event that kills the whole process. With a listener it only fails the running job.
 * (The thread is reachable only once tesseract.js resolves the worker, i.e. after the start.)
 */
function watch(tesseract: Tesseract.Worker): LiveWorker {
  const thread = (tesseract as unknown as { worker?: NodeWorker }).worker;
  const died = new Promise<never>((_, reject) => {
    thread?.on('error', (err) => reject(ocrFailed('OCR worker crashed', err)));
    thread?.on('exit', (code) => reject(ocrFailed(`OCR worker exited (code ${code})`)));
  });
  died.catch(() => {}); // observed only while a job runs
  return { tesseract, died };
}

/** `promise`, or a `DOCUMENT_ERROR` after `ms`, or the abort reason of `signal`/`closing`. */
function bounded<T>(promise: Promise<T>, ms: number, message: string, closing: AbortSignal, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      closing.removeEventListener('abort', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      done();
      reject(ocrFailed(message));
    }, ms);
    const onClose = () => {
      done();
      reject(ocrStopped());
    };
    const onAbort = () => {
      done();
      reject(signal?.reason);
    };
    closing.addEventListener('abort', onClose, { once: true });
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        done();
        resolve(v);
      },
      (e) => {
        done();
        reject(e);
      },
    );
  });
}
