import type {
  ClassifyBatchRequest,
  ClassifyBatchResponse,
  ClassifyRequest,
  ClassifyResponse,
  TagBatchRequest,
  TagBatchResponse,
  TagRequest,
  TagResponse,
} from '../schema/index.js';
import type { Balance, BillingStore, ClassifierStore, KeyStore, LogsPage, LogsQuery, Stores, UsageQuery, UsageReport } from '../store/index.js';
import type { CallOptions } from './accounting.js';
import { CLASSIFY, TAG } from './endpoints.js';
import type { Detailed, Pipeline } from './pipeline.js';
import type { Jobs, JobsApi } from '../jobs/index.js';

export { DEFAULT_ACCOUNT } from '../store/index.js';
export type { CallOptions } from './accounting.js';
export type { Detailed } from './pipeline.js';

/**
 * The classification engine: one per process is typical, several never interfere.
 * Create with {@link createEngine}; always `close()` it to stop its worker threads.
 */
export class Engine {
  readonly #stores: Stores;
  readonly #pipeline: Pipeline;
  readonly #jobs: Jobs;

  /** @internal use {@link createEngine} */
  constructor(stores: Stores, pipeline: Pipeline, jobs: Jobs) {
    this.#stores = stores;
    this.#pipeline = pipeline;
    this.#jobs = jobs;
  }

  /** Async batch jobs of spec §7: create → upload → start → get/wait → results → delete. */
  get jobs(): JobsApi {
    return this.#jobs;
  }

  /** API keys of spec §1.1/§10: create (secret shown once), list, revoke, verify. */
  get keys(): KeyStore {
    return this.#stores.keys;
  }

  /** Saved, versioned classifiers of spec §6. */
  get classifiers(): ClassifierStore {
    return this.#stores.classifiers;
  }

  /** Top-ups and the monthly spend limit, for the host app (billing is off unless enabled). */
  get billing(): Pick<BillingStore, 'credit' | 'setSpendLimit'> {
    return this.#stores.billing;
  }

  /** Balance, free tokens and spend of the current month (spec §10). */
  balance(options?: { account?: string }): Promise<Balance> {
    return this.#stores.billing.balance(options?.account);
  }

  /** Usage totals grouped by time, endpoint, key or priority (spec §10). */
  usage(query?: UsageQuery): Promise<UsageReport> {
    return this.#stores.usage.usage(query); // the store flushes buffered rows first
  }

  /** Request logs, newest first (spec §10). */
  logs(query?: LogsQuery): Promise<LogsPage> {
    return this.#stores.usage.logs(query); // the store flushes buffered rows first
  }

  /** Id of the model answers come from (part of every cache key). */
  get modelId(): string {
    return this.#pipeline.modelId;
  }

  /** Exactly one label for `text` (spec §3). */
  async classify(request: ClassifyRequest, options?: CallOptions): Promise<ClassifyResponse> {
    return (await this.classifyDetailed(request, options)).response;
  }

  /** Every label that applies to `text` (spec §4). */
  async tag(request: TagRequest, options?: CallOptions): Promise<TagResponse> {
    return (await this.tagDetailed(request, options)).response;
  }

  /** {@link classify} with the cache outcome and the tokens billed (the HTTP adapter's headers). */
  classifyDetailed(request: ClassifyRequest | unknown, options?: CallOptions): Promise<Detailed<ClassifyResponse>> {
    return this.#pipeline.one(CLASSIFY, request, options);
  }

  /** {@link tag} with the cache outcome and the tokens billed. */
  tagDetailed(request: TagRequest | unknown, options?: CallOptions): Promise<Detailed<TagResponse>> {
    return this.#pipeline.one(TAG, request, options);
  }

  /** Synchronous batch of `classify` (spec §5): one bad item never fails the rest. */
  classifyBatch(request: ClassifyBatchRequest, options?: CallOptions): Promise<ClassifyBatchResponse> {
    return this.#pipeline.many(CLASSIFY, request, options);
  }

  /** Synchronous batch of `tag` (spec §5). */
  tagBatch(request: TagBatchRequest, options?: CallOptions): Promise<TagBatchResponse> {
    return this.#pipeline.many(TAG, request, options);
  }

  /**
   * Stops every worker thread and drops caches; calls made afterwards fail with OVERLOADED.
   * Running batch jobs stop at their last checkpoint (the next engine on the data dir resumes
   * them). Calls in flight finish recording first, then the stores close. Each part is closed
   * even if an earlier one fails; the first failure is reported.
   */
  async close(): Promise<void> {
    const stopping = this.#jobs.close();
    const closing = stopping.catch(() => {}).then(() => this.#pipeline.close());
    const parts = await Promise.allSettled([closing, closing.catch(() => {}).then(() => this.#stores.close())]);
    const failed = parts.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
