/**
 * Runs one job from its last checkpoint to the end: reads chunks of lines, scores them in the
 * batch lane (`chunksInFlight` at once, so the model never waits for the writer), appends their
 * result lines to the partial results file in input order, and commits each chunk's checkpoint
 * and charge in one transaction after its bytes are on disk. A crash after the write but
 * before the commit leaves bytes past the checkpoint; the next run truncates them away, so no
 * result line is ever lost or written twice.
 */
import { constants } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { isLabelwiseError, jobResultsLost, toErrorBody } from '../errors.js';
import type { JobRecord, JobStore } from '../store/index.js';
import type { StoredJobConfig } from './config.js';
import type { JobFiles } from './files.js';
import { parseLine, resultLine, type ParsedLine } from './line-format.js';
import { readChunks, type LineChunk } from './lines.js';
import type { JobsOptions } from './options.js';
import type { JobScoring, PreparedScoring } from './ports.js';

/** How a run ended: done (completed, failed, cancelled are recorded) or stopped for a shutdown. */
export type RunEnd = 'completed' | 'failed' | 'cancelled' | 'stopped';

export interface RunnerDeps {
  store: JobStore;
  files: JobFiles;
  scoring: JobScoring;
  options: JobsOptions;
  now: () => number;
  /** This engine's runner id (host:pid:nonce): checkpoints only commit while it holds the job. */
  runner: string;
}

interface ScoredChunk {
  chunk: LineChunk;
  output: Buffer;
  failed: number;
  tokens: number;
}

export class JobRun {
  readonly #job: JobRecord;
  readonly #deps: RunnerDeps;
  readonly #abort = new AbortController();
  #cancelled = false;
  /** Stopped from outside (shutdown, or the job taken over): not a failure. */
  #stopped = false;
  readonly done: Promise<RunEnd>;

  constructor(job: JobRecord, deps: RunnerDeps) {
    this.#job = job;
    this.#deps = deps;
    this.done = this.#run();
  }

  /** Stops at once; the job is recorded as cancelled. */
  cancel(): void {
    this.#cancelled = true;
    this.#abort.abort();
  }

  /** Stops at once for a shutdown; the job stays processing and resumes on the next start. */
  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  async #run(): Promise<RunEnd> {
    const { store, now } = this.#deps;
    const job = this.#job;
    try {
      const end = await this.#process();
      if (end === 'completed') await store.finish(job.id, 'completed', now());
      return end;
    } catch (err) {
      if (this.#cancelled) {
        await store.finish(job.id, 'cancelled', now());
        return 'cancelled';
      }
      // Only a stop from outside leaves the job processing; a chunk's own error (which also aborts
      // the chunks still in flight) fails it.
      if (this.#stopped) return 'stopped';
      const body = isLabelwiseError(err) ? toErrorBody(err) : { code: 'INTERNAL_ERROR', message: 'the batch job failed on an internal error' };
      if (!isLabelwiseError(err)) process.emitWarning(`labelwise: batch job ${job.id} failed: ${(err as Error)?.message ?? String(err)}`, { code: 'LABELWISE_JOB_FAILED' });
      await store.finish(job.id, 'failed', now(), { code: body.code, message: body.message }).catch(() => {});
      return 'failed';
    }
  }

  async #process(): Promise<'completed' | 'stopped'> {
    const { files, options, store, scoring, now } = this.#deps;
    const job = this.#job;
    const signal = this.#abort.signal;
    // Completed on disk but not yet in the database (a crash between rename and commit).
    if (job.next_line >= job.input_lines && (await exists(files.results(job.id))) && !(await exists(files.partial(job.id)))) return 'completed';
    const prepared = await scoring.prepare(job.config as unknown as StoredJobConfig, job.account);
    // Read-write without O_APPEND: Linux ignores pwrite's position on files opened for append.
    const out = await open(files.partial(job.id), constants.O_RDWR | constants.O_CREAT);
    try {
      const size = (await out.stat()).size;
      if (size < job.output_bytes) throw jobResultsLost(job.output_bytes, size);
      // Lines written after the last commit are dropped: they are scored again below.
      await out.truncate(job.output_bytes);
      let position = job.output_bytes;
      let state = { next_line: job.next_line, input_offset: job.input_offset };
      const inFlight: Promise<ScoredChunk>[] = [];
      const commit = async (scored: ScoredChunk) => {
        signal.throwIfAborted();
        await out.write(scored.output, 0, scored.output.length, position);
        await out.datasync();
        position += scored.output.length;
        state = { next_line: scored.chunk.lines.at(-1)!.index + 1, input_offset: scored.chunk.end };
        const at = now();
        const usage = scoring.recordsUsage
          ? { request_id: `${job.id}_${state.next_line}`, account: job.account, endpoint: '/batch', method: 'JOB', status: 200, priority: 'batch', tokens: scored.tokens, latency_ms: 0, created_at: at }
          : undefined;
        const committed = await store.checkpoint(job.id, this.#deps.runner, { ...state, output_bytes: position, failed: scored.failed, tokens: scored.tokens, usage }, at, at + options.leaseMs);
        // Cancelled or taken over elsewhere: stop without writing more.
        if (!committed) {
          if ((await store.get(job.id, job.account))?.status === 'cancelled') this.#cancelled = true;
          else this.#stopped = true;
          this.#abort.abort();
          signal.throwIfAborted();
        }
      };
      try {
        for await (const chunk of readChunks(files.input(job.id, job.input_name ?? ''), job.input_offset, job.next_line, options)) {
          signal.throwIfAborted();
          inFlight.push(this.#score(chunk, prepared));
          // Unhandled until awaited in order below; mark it handled so an early failure does not crash the process.
          inFlight.at(-1)!.catch(() => {});
          while (inFlight.length >= options.chunksInFlight) await commit(await inFlight.shift()!);
        }
        while (inFlight.length > 0) await commit(await inFlight.shift()!);
      } finally {
        // Nothing may still be scoring (and later write) once this run has ended.
        if (inFlight.length > 0) {
          this.#abort.abort();
          await Promise.allSettled(inFlight);
        }
      }
      await out.sync();
      await out.close().catch(() => {});
      if (state.next_line < job.input_lines) {
        // The input has fewer lines than counted at upload: it changed under the job.
        process.emitWarning(`labelwise: batch job ${job.id} input ended at line ${state.next_line} of ${job.input_lines}`, { code: 'LABELWISE_JOB_INPUT' });
      }
      await rename(files.partial(job.id), files.results(job.id));
      return 'completed';
    } finally {
      await out.close().catch(() => {});
    }
  }

  /**
   * A full batch lane (many jobs at once) is a reason to wait, not to fail the job: the chunk is
   * tried again with growing pauses until there is room or the run is stopped.
   */
  async #withRoom<T>(attempt: () => Promise<T>): Promise<T> {
    for (let wait = 50; ; wait = Math.min(MAX_BACKOFF_MS, wait * 2)) {
      try {
        return await attempt();
      } catch (err) {
        if (!isLabelwiseError(err) || err.details?.reason !== 'queue_full' || this.#abort.signal.aborted) throw err;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      this.#abort.signal.throwIfAborted();
    }
  }

  async #score(chunk: LineChunk, prepared: PreparedScoring): Promise<ScoredChunk> {
    const { scoring, options } = this.#deps;
    const parsed: ParsedLine[] = chunk.lines.map((l) => parseLine(l, options.maxLineBytes));
    const texts = parsed.map((p) => p.text);
    const good = texts.filter((t): t is string => typeof t === 'string');
    // Billing is checked per chunk (≈ 4 characters per token, like every estimate), so a job
    // whose balance runs out fails at a chunk boundary instead of running unpaid.
    await scoring.authorize(this.#job.account, good.reduce((n, t) => n + prepared.configTokens + Math.ceil(t.length / 4), 0));
    const items = await this.#withRoom(() => prepared.score(texts, this.#abort.signal));
    let failed = 0;
    let tokens = 0;
    const out: string[] = [];
    parsed.forEach((line, i) => {
      const item = items[i];
      if (!item.ok) failed++;
      else tokens += item.body.tokens;
      out.push(JSON.stringify(resultLine(line, item)));
    });
    return { chunk, output: Buffer.from(out.join('\n') + '\n'), failed, tokens };
  }
}

/** Longest wait between two tries of a chunk the batch lane had no room for. */
const MAX_BACKOFF_MS = 2_000;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
