/**
 * `engine.jobs` (spec §7): the job lifecycle over the job store, the job files and the
 * injected scoring port. Runs one {@link JobRun} per processing job this engine holds; on
 * open it resumes every processing job no live engine holds.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { batchInvalidState, batchNotFound, engineClosed } from '../errors.js';
import { DEFAULT_ACCOUNT, type ClassifierStore, type JobRecord, type JobStore } from '../store/index.js';
import { parseJobConfig, type StoredJobConfig } from './config.js';
import type { JobFiles } from './files.js';
import { jobInfo, jobSummary } from './info.js';
import type { JobsOptions } from './options.js';
import type { JobScoring } from './ports.js';
import { JobRun } from './runner.js';
import { JobTokens, type TokenPurpose } from './tokens.js';
import type { CreatedJob, JobCallOptions, JobDownload, JobInfo, JobInput, JobResultLine, JobsApi, JobSummary, TokenGrant, UploadOptions } from './types.js';

const JOB_ID = /^batch_[a-z0-9]{16}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Runner ids of the engines open in this process (a dead process holds none). */
const LIVE_RUNNERS = new Set<string>();
const HOST = hostname();

export interface JobsDeps {
  store: JobStore;
  classifiers: ClassifierStore;
  files: JobFiles;
  scoring: JobScoring;
  options: JobsOptions;
  now?: () => number;
}

export class Jobs implements JobsApi {
  readonly #d: Required<JobsDeps>;
  readonly #runner = `${HOST}:${process.pid}:${randomBytes(6).toString('hex')}`;
  readonly #runs = new Map<string, JobRun>();
  readonly #uploads = new Map<string, Promise<unknown>>();
  readonly #tokens: JobTokens;
  #sweep: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: JobsDeps) {
    // Read at each use, so a test's fake clock (vi.setSystemTime) applies.
    this.#d = { now: () => Date.now(), ...deps };
    this.#tokens = new JobTokens(() => deps.store.secret('job-tokens'));
    LIVE_RUNNERS.add(this.#runner);
  }

  get limits(): JobsApi['limits'] {
    const { maxUploadBytes, maxLineBytes, tokenTtlMs } = this.#d.options;
    return { maxUploadBytes, maxLineBytes, tokenTtlMs };
  }

  /**
   * Resumes the processing jobs that no live engine holds: now (called once the engine is
   * open), then every `leaseMs`, which picks up a job whose engine on another host went silent.
   */
  async resume(): Promise<void> {
    this.#sweep ??= setInterval(() => void this.resume().catch(() => {}), this.#d.options.leaseMs).unref();
    for (const job of await this.#d.store.processing()) {
      if (this.#closed) return;
      if (!this.#orphaned(job)) continue;
      if (await this.#d.store.claim(job.id, job.runner, this.#claim())) this.#launch({ ...job, runner: this.#runner });
    }
  }

  async create(config: unknown, options?: JobCallOptions): Promise<CreatedJob> {
    this.#assertOpen();
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const stored = await parseJobConfig(config, this.#d.classifiers, account);
    const id = newJobId();
    await this.#d.store.insert({ id, account, mode: stored.mode, config: stored as unknown as Record<string, unknown>, created_at: this.#d.now() });
    const { token, expires_at } = await this.issueToken(id, 'upload', { account });
    return { job_id: id, status: 'pending', input_key: this.#d.files.inputKey(id), upload_fields: { key: this.#d.files.inputKey(id), token }, expires_at };
  }

  async upload(id: string, input: JobInput, options?: UploadOptions): Promise<JobInfo> {
    this.#assertOpen();
    const account = options?.account ?? DEFAULT_ACCOUNT;
    // One upload of a job at a time: the last one to finish is the input.
    const previous = this.#uploads.get(id) ?? Promise.resolve();
    const mine = previous.catch(() => {}).then(async () => {
      uploadable(await this.#job(id, account), 'uploaded');
      const written = await this.#d.files.writeInput(id, input, this.#d.options.maxUploadBytes, options?.signal);
      const swapped = await this.#d.store.setInput(id, account, written);
      if (!swapped) {
        await this.#d.files.removeInput(id, written.name);
        uploadable(await this.#job(id, account), 'uploaded');
        throw batchNotFound(id);
      }
      if (swapped.replaced) await this.#d.files.removeInput(id, swapped.replaced);
      await this.#d.files.removeResults(id);
      return jobInfo(swapped.job);
    });
    this.#uploads.set(id, mine);
    try {
      return await mine;
    } finally {
      if (this.#uploads.get(id) === mine) this.#uploads.delete(id);
    }
  }

  async start(id: string, options?: JobCallOptions): Promise<{ job_id: string; status: 'processing' }> {
    this.#assertOpen();
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const job = await this.#job(id, account);
    if (job.status !== 'pending' && job.status !== 'failed') throw batchInvalidState(job.status, 'started');
    let estimated = job.estimated_tokens ?? 0;
    if (job.input_bytes !== null) {
      // No second pass over the input: ≈ 4 bytes per token of the whole file (JSON syntax and
      // ids included, so it errs high) plus the label config once per line.
      const prepared = await this.#d.scoring.prepare(job.config as unknown as StoredJobConfig, account);
      estimated = Math.ceil(job.input_bytes / 4) + job.input_lines * prepared.configTokens;
      const remaining = Math.ceil(((job.input_lines - job.next_line) / Math.max(1, job.input_lines)) * estimated);
      await this.#d.scoring.authorize(account, remaining);
    }
    const started = await this.#d.store.start(id, account, estimated, this.#d.now(), this.#claim());
    this.#launch(started);
    return { job_id: id, status: 'processing' };
  }

  async get(id: string, options?: JobCallOptions): Promise<JobInfo> {
    return jobInfo(await this.#job(id, options?.account ?? DEFAULT_ACCOUNT));
  }

  async list(options?: JobCallOptions & { limit?: number }): Promise<JobSummary[]> {
    const limit = Math.min(100, Math.max(1, Math.trunc(options?.limit ?? 20)));
    return (await this.#d.store.list(options?.account ?? DEFAULT_ACCOUNT, limit)).map(jobSummary);
  }

  async wait(id: string, options?: JobCallOptions & { signal?: AbortSignal }): Promise<JobInfo> {
    for (;;) {
      const info = await this.get(id, options);
      if (info.status !== 'processing') return info;
      const run = this.#runs.get(id);
      if (run) await Promise.race([run.done, aborted(options?.signal)]);
      // Held by another engine: poll (this engine's own runs are awaited directly).
      else await new Promise((resolve) => setTimeout(resolve, 200));
      options?.signal?.throwIfAborted();
    }
  }

  async results(id: string, options?: JobCallOptions): Promise<AsyncIterable<JobResultLine>> {
    const { stream } = await this.download(id, options);
    return (async function* () {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) if (line !== '') yield JSON.parse(line) as JobResultLine;
    })();
  }

  async download(id: string, options?: JobCallOptions): Promise<JobDownload> {
    const job = await this.#job(id, options?.account ?? DEFAULT_ACCOUNT);
    if (job.status !== 'completed') throw batchInvalidState(job.status, 'downloaded');
    const path = this.#d.files.results(id);
    const { size } = await stat(path);
    return { stream: createReadStream(path), size };
  }

  async cancel(id: string, options?: JobCallOptions): Promise<JobInfo> {
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const job = await this.#job(id, account);
    const run = this.#runs.get(id);
    if (run) {
      run.cancel();
      await run.done;
    } else if (job.status !== 'processing' && job.status !== 'pending') {
      throw batchInvalidState(job.status, 'cancelled');
    } else if (!(await this.#d.store.finish(id, 'cancelled', this.#d.now()))) {
      throw batchInvalidState((await this.#job(id, account)).status, 'cancelled');
    }
    // Held by another engine: it sees the cancellation at its next checkpoint and stops.
    return this.get(id, options);
  }

  async delete(id: string, options?: JobCallOptions): Promise<{ job_id: string; deleted: true }> {
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const job = await this.#job(id, account);
    if (job.status === 'processing' || !(await this.#d.store.delete(id, account))) throw batchInvalidState('processing', 'deleted');
    await this.#d.files.remove(id);
    return { job_id: id, deleted: true };
  }

  async issueToken(id: string, purpose: TokenPurpose, options?: JobCallOptions): Promise<{ token: string; expires_at: string }> {
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const job = await this.#job(id, account);
    if (purpose === 'download' && job.status !== 'completed') throw batchInvalidState(job.status, 'downloaded');
    const expires = this.#d.now() + this.#d.options.tokenTtlMs;
    return { token: await this.#tokens.issue({ job_id: id, account }, purpose, expires), expires_at: new Date(expires).toISOString() };
  }

  verifyToken(id: string, purpose: TokenPurpose, token: string): Promise<TokenGrant> {
    return this.#tokens.verify(id, purpose, token, this.#d.now());
  }

  /**
   * Stops every running job at its last checkpoint and gives it up, so the next engine on the
   * data dir resumes it at once. Call before the stores close.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    const runs = [...this.#runs.entries()];
    for (const [, run] of runs) run.stop();
    await Promise.allSettled([...this.#uploads.values()]);
    for (const [id, run] of runs) if ((await run.done) === 'stopped') await this.#d.store.release(id, this.#runner).catch(() => {});
    LIVE_RUNNERS.delete(this.#runner);
    await this.#d.files.dispose().catch(() => {});
  }

  #launch(job: JobRecord): void {
    const run = new JobRun(job, { store: this.#d.store, files: this.#d.files, scoring: this.#d.scoring, options: this.#d.options, now: this.#d.now, runner: this.#runner });
    this.#runs.set(job.id, run);
    void run.done.finally(() => {
      if (this.#runs.get(job.id) === run) this.#runs.delete(job.id);
    });
  }

  #claim(): { runner: string; leaseUntil: number } {
    return { runner: this.#runner, leaseUntil: this.#d.now() + this.#d.options.leaseMs };
  }

  /** Whether no live engine holds a processing job: none named, its process gone, or its lease run out. */
  #orphaned(job: JobRecord): boolean {
    if (job.runner === null) return true;
    if (job.runner === this.#runner) return !this.#runs.has(job.id);
    const [host, pid] = job.runner.split(':');
    if (host === HOST) {
      if (Number(pid) === process.pid) return !LIVE_RUNNERS.has(job.runner);
      if (!processAlive(Number(pid))) return true;
    }
    return (job.lease_until ?? 0) < this.#d.now();
  }

  async #job(id: string, account: string): Promise<JobRecord> {
    if (typeof id !== 'string' || !JOB_ID.test(id)) throw batchNotFound(String(id));
    const job = await this.#d.store.get(id, account);
    if (!job) throw batchNotFound(id);
    return job;
  }

  #assertOpen(): void {
    if (this.#closed) throw engineClosed();
  }
}

/** Uploads replace the input of a job that is not running and not done. */
function uploadable(job: JobRecord, action: string): void {
  if (job.status === 'processing' || job.status === 'completed') throw batchInvalidState(job.status, action);
}

function newJobId(): string {
  const bytes = randomBytes(16);
  return `batch_${Array.from(bytes, (b) => ALPHABET[b % 36]).join('')}`;
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
