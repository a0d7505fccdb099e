import { engineClosed, isLabelwiseError } from '../errors.js';
import type { Embedder } from '../model/embedder.js';
import {
  batchItemError,
  parseBatchRequest,
  parseClassifyRequest,
  parseTagRequest,
  type ClassifyBatchItem,
  type ClassifyBatchRequest,
  type ClassifyBatchResponse,
  type ClassifyRequest,
  type ClassifyResponse,
  type NormalizedRequest,
  type TagBatchItem,
  type TagBatchRequest,
  type TagBatchResponse,
  type TagRequest,
  type TagResponse,
} from '../schema/index.js';
import type { HeadFitter } from '../scoring/head-task.js';
import { PrototypeBuilder, type LabelPrototypes } from '../scoring/prototypes.js';
import { classifyScores, similarities, tagScores, type ScorerCalibration } from '../scoring/scorer.js';
import type {
  Balance,
  BillingStore,
  ClassifierStore,
  KeyStore,
  LogsPage,
  LogsQuery,
  PriceKind,
  Stores,
  UsageReport,
  UsageQuery,
  UsageRow,
} from '../store/index.js';
import { DEFAULT_ACCOUNT, openStores } from '../store/index.js';
import { Accounting, statusOf, type CallOptions } from './accounting.js';
import { checkCallOptions } from './call-options.js';
import { LabelConfigResolver, type ResolvedConfig } from './label-config.js';
import { DocumentStep, joinText } from './documents-step.js';
import { createModel } from './model-loader.js';
import { registerAccounting } from './ports.js';
import { resolveOptions, type EngineOptions } from './options.js';
import { canonicalKey, ResponseCache, type CacheMeta } from './response-cache.js';

type Endpoint = 'classify' | 'tag';
type SingleBody = Omit<ClassifyResponse, 'latency_ms' | 'cached'> | Omit<TagResponse, 'latency_ms' | 'cached'>;

/** A single answer with what the HTTP adapter needs for its headers. */
export interface Detailed<T> {
  response: T;
  cache: CacheMeta;
  /** Tokens billed: 0 on a cache hit. */
  billedTokens: number;
}

export { DEFAULT_ACCOUNT } from '../store/index.js';
export type { CallOptions } from './accounting.js';

/**
 * The classification engine: one per process is typical, several never interfere.
 * Create with {@link createEngine}; always `close()` it to stop its worker threads.
 */
export class Engine {
  readonly #embedder: Embedder;
  readonly #prototypes: PrototypeBuilder;
  readonly #configs: LabelConfigResolver;
  readonly #cache: ResponseCache<SingleBody>;
  readonly #calibration: ScorerCalibration;
  readonly #stores: Stores;
  readonly #accounting: Accounting;
  readonly #documents: DocumentStep;
  #closed = false;

  /** @internal use {@link createEngine} */
  constructor(parts: { embedder: Embedder; fitHead?: HeadFitter; cache: ResponseCache<SingleBody>; calibration: ScorerCalibration; stores: Stores; enforceBilling: boolean; recordUsage: boolean; durable: boolean; documents: DocumentStep }) {
    this.#documents = parts.documents;
    this.#embedder = parts.embedder;
    this.#stores = parts.stores;
    this.#prototypes = new PrototypeBuilder(parts.embedder, { maxSentences: 50_000, maxConfigs: 1_000, fitHead: parts.fitHead });
    this.#configs = new LabelConfigResolver(parts.embedder, (ref, account) => resolveSaved(parts.stores.classifiers, ref, account));
    this.#cache = parts.cache;
    this.#calibration = parts.calibration;
    this.#accounting = new Accounting(parts.stores, { enforceBilling: parts.enforceBilling, recordUsage: parts.recordUsage, durable: parts.durable });
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

  /**
   * Records a request the engine did not serve itself (the HTTP adapter's keyed
   * 403/404/405s and management calls). With `durability: 'durable'` the promise resolves once the row is
   * committed (await it before answering) and rejects if the commit failed; ignoring it is
   * safe (a failure is then only warned about).
   */
  recordRequest(row: UsageRow): Promise<void> {
    return this.#accounting.recordRaw(row);
  }

  /** Id of the model answers come from (part of every cache key). */
  get modelId(): string {
    return this.#embedder.id;
  }

  /** Exactly one label for `text` (spec §3). */
  async classify(request: ClassifyRequest, options?: CallOptions): Promise<ClassifyResponse> {
    return (await this.classifyDetailed(request, options)).response;
  }

  /** Every label that applies to `text` (spec §4). */
  async tag(request: TagRequest, options?: CallOptions): Promise<TagResponse> {
    return (await this.tagDetailed(request, options)).response;
  }

  async classifyDetailed(request: ClassifyRequest | unknown, options?: CallOptions): Promise<Detailed<ClassifyResponse>> {
    return this.#single('classify', parseClassifyRequest, request, options) as Promise<Detailed<ClassifyResponse>>;
  }

  async tagDetailed(request: TagRequest | unknown, options?: CallOptions): Promise<Detailed<TagResponse>> {
    return this.#single('tag', parseTagRequest, request, options) as Promise<Detailed<TagResponse>>;
  }

  /** Synchronous batch of `classify` (spec §5): one bad item never fails the rest. */
  classifyBatch(request: ClassifyBatchRequest, options?: CallOptions): Promise<ClassifyBatchResponse> {
    return this.#batch('classify', request, options) as Promise<ClassifyBatchResponse>;
  }

  /** Synchronous batch of `tag` (spec §5). */
  tagBatch(request: TagBatchRequest, options?: CallOptions): Promise<TagBatchResponse> {
    return this.#batch('tag', request, options) as Promise<TagBatchResponse>;
  }

  /** Stops every worker thread and drops caches. Calls made afterwards fail with OVERLOADED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    // Each part is closed even if an earlier one fails; the first failure is reported.
    const results = await Promise.allSettled([
      // After the pool: every call that finished has recorded its row; flush them, then close.
      this.#embedder.close().then(() => this.#stores.close()),
      this.#documents.close(), // the OCR worker thread, if one was started
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async #single(endpoint: Endpoint, parse: (raw: unknown) => NormalizedRequest, raw: unknown, options?: CallOptions): Promise<Detailed<ClassifyResponse | TagResponse>> {
    const started = performance.now();
    let req: NormalizedRequest | undefined;
    checkCallOptions(options); // before the try: a call with bad options is not recorded as anyone
    try {
      this.#assertOpen();
      req = parse(raw);
      const config = await this.#resolve(req, raw, options);
      const text = req.text ?? '';
      const docs = await this.#documents.load(req, options?.signal);
      const key = this.#key(endpoint, text, config, options, docs?.contentHash);
      const hit = req.cache ? this.#cache.get(key) : undefined;
      let result: Detailed<ClassifyResponse | TagResponse> & { toCache?: SingleBody };
      if (hit) {
        result = { response: finish(hit.body, started, true), cache: hit.meta, billedTokens: 0 };
      } else {
        await this.#accounting.authorize(options, estimateTokens([text], config), req.priority);
        const input = await this.#documents.read(docs, req.text, options?.signal);
        const [embedded] = await this.#embedder.embed([input.text], { priority: req.priority, signal: options?.signal });
        const prototypes = await this.#prototypes.build(config, req.priority, config.hash);
        const body = this.#score(endpoint, embedded.vector, embedded.tokens + config.tokens + input.visualTokens, config, prototypes);
        if (docs) body.visual_tokens = input.visualTokens;
        result = { response: finish(body, started, false), cache: { hit: false, keyPrefix: key.slice(0, 16) }, billedTokens: body.tokens, toCache: body };
      }
      const r = result.response as Partial<ClassifyResponse & TagResponse>;
      // Durable: answered only once recorded. Cached only after that, so a call whose charge
      // failed cannot be retried into a free cache hit.
      await this.#accounting.record(options, {
        endpoint: `/${endpoint}`, priority: req.priority, kind: req.priority, status: 200, tokens: result.billedTokens, cached: result.cache.hit,
        visualTokens: result.cache.hit ? 0 : (r.visual_tokens ?? 0),
        latencyMs: result.response.latency_ms, label: r.label, labels: endpoint === 'tag' ? r.labels : undefined, input: text,
      });
      if (result.toCache) this.#cache.set(key, result.toCache, options?.tier);
      return { response: result.response, cache: result.cache, billedTokens: result.billedTokens };
    } catch (err) {
      await this.#recordFailure(endpoint, req, raw, options, started, err);
      throw err;
    }
  }

  async #batch(endpoint: Endpoint, raw: unknown, options?: CallOptions): Promise<ClassifyBatchResponse | TagBatchResponse> {
    const started = performance.now();
    let req: NormalizedRequest | undefined;
    checkCallOptions(options);
    try {
      this.#assertOpen();
      req = parseBatchRequest(raw, endpoint);
      const { response, visualTokens, toCache } = await this.#runBatch(endpoint, req, raw, options, started);
      await this.#accounting.record(options, {
        endpoint: `/${endpoint}/batch`, priority: req.priority, kind: req.priority, status: 200, tokens: response.total_tokens,
        visualTokens, cached: response.results.every((r) => r.cache.hit), latencyMs: response.latency_ms,
      });
      for (const [key, body] of toCache) this.#cache.set(key, body, options?.tier);
      return response;
    } catch (err) {
      await this.#recordFailure(`${endpoint}/batch`, req, raw, options, started, err);
      throw err;
    }
  }

  async #runBatch(
    endpoint: Endpoint,
    req: NormalizedRequest,
    raw: unknown,
    options: CallOptions | undefined,
    started: number,
  ): Promise<{ response: ClassifyBatchResponse | TagBatchResponse; visualTokens: number; toCache: [string, SingleBody][] }> {
    const config = await this.#resolve(req, raw, options);
    // Shared documents are loaded once for the whole batch and read only if an item misses.
    const docs = await this.#documents.load(req, options?.signal);
    const texts = req.texts ?? [];
    const results: (ClassifyBatchItem | TagBatchItem)[] = new Array(texts.length);
    const toEmbed: { index: number; text: string; key: string }[] = [];
    texts.forEach((text, index) => {
      const error = batchItemError(text);
      if (error) {
        results[index] = { error: error.message, code: error.code, tokens: 0, cached: false, cache: { hit: false } };
        return;
      }
      const key = this.#key(endpoint, text as string, config, options, docs?.contentHash);
      const hit = req.cache ? this.#cache.get(key) : undefined;
      if (hit) results[index] = { ...withoutVisual(copyBody(hit.body)), cached: true, cache: { hit: true, age: hit.meta.age } } as ClassifyBatchItem;
      else toEmbed.push({ index, text: text as string, key });
    });
    await this.#accounting.authorize(options, estimateTokens(toEmbed.map((t) => t.text), config), req.priority);
    const shared = toEmbed.length > 0 && docs ? await this.#documents.read(docs, undefined, options?.signal) : { text: '', visualTokens: 0 };
    const withDocs = (text: string) => joinText(text, shared.text);
    const embedded = await this.#embedder.embed(toEmbed.map((t) => withDocs(t.text)), { priority: req.priority, signal: options?.signal });
    const prototypes = toEmbed.length > 0 ? await this.#prototypes.build(config, req.priority, config.hash) : undefined;
    const toCache: [string, SingleBody][] = []; // cached by the caller once the batch is recorded
    for (const [i, item] of toEmbed.entries()) {
      const body = this.#score(endpoint, embedded[i].vector, embedded[i].tokens + config.tokens + shared.visualTokens, config, prototypes as LabelPrototypes);
      if (docs) body.visual_tokens = shared.visualTokens;
      toCache.push([item.key, body]);
      results[item.index] = { ...withoutVisual(copyBody(body)), cached: false, cache: { hit: false } } as ClassifyBatchItem;
    }
    // Billed tokens: cache hits and bad items cost nothing.
    const total = toEmbed.reduce((sum, t) => sum + (results[t.index] as { tokens: number }).tokens, 0);
    const response = { results, total_tokens: total, latency_ms: Math.round(performance.now() - started) } as ClassifyBatchResponse;
    return { response, visualTokens: shared.visualTokens * toEmbed.length, toCache };
  }

  #score(endpoint: Endpoint, vector: Float32Array, tokens: number, config: ResolvedConfig, prototypes: LabelPrototypes): SingleBody {
    if (endpoint === 'classify') return { ...classifyScores(vector, prototypes, this.#calibration), tokens };
    return { labels: tagScores(similarities(vector, prototypes), prototypes.labels, config.threshold, this.#calibration), tokens };
  }

  #resolve(req: NormalizedRequest, raw: unknown, options?: CallOptions): Promise<ResolvedConfig> {
    const thresholdGiven = typeof (raw as { threshold?: unknown } | null)?.threshold === 'number';
    return this.#configs.resolve(req, thresholdGiven, options?.account ?? DEFAULT_ACCOUNT);
  }

  #recordFailure(endpoint: string, req: NormalizedRequest | undefined, raw: unknown, options: CallOptions | undefined, started: number, err: unknown): Promise<void> {
    const priority = req?.priority ?? 'standard';
    const text = req?.text ?? (typeof (raw as { text?: unknown } | null)?.text === 'string' ? (raw as { text: string }).text : undefined);
    return this.#accounting.record(options, {
      endpoint: `/${endpoint}`, priority, kind: priority, status: statusOf(err), tokens: 0, cached: false,
      latencyMs: Math.round(performance.now() - started), error: err, input: text,
    });
  }

  #key(endpoint: Endpoint, text: string, config: ResolvedConfig, options?: CallOptions, documents?: string): string {
    return canonicalKey({
      account: options?.account ?? DEFAULT_ACCOUNT,
      endpoint,
      text,
      config: config.answerHash,
      classifier: config.classifier ?? null,
      threshold: endpoint === 'tag' ? config.threshold : null,
      model: this.#embedder.id,
      documents: documents ?? null,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw engineClosed();
  }
}

/**
 * Creates an engine: loads (and on first use converts) the model and starts its worker pool.
 *
 * @example
 * ```ts
 * import { createEngine } from 'labelwise';
 * const engine = await createEngine();
 * const { label, confidence } = await engine.classify({ text: 'My card was charged twice', labels: ['billing', 'shipping'] });
 * await engine.close();
 * ```
 */
export async function createEngine(options?: EngineOptions): Promise<Engine> {
  const resolved = resolveOptions(options);
  const stores = await openStores({ dataDir: resolved.dataDir, prices: resolved.billing.prices, freeTokensMonthly: resolved.billing.freeTokensMonthly });
  try {
    const { embedder, fitHead } = await createModel(resolved);
    const documents = new DocumentStep(resolved.documents);
    const engine = new Engine({ embedder, fitHead, stores, documents, cache: new ResponseCache<SingleBody>(resolved.cache), calibration: resolved.calibration, enforceBilling: resolved.billing.enabled, recordUsage: resolved.recordUsage, durable: resolved.durability === 'durable' });
    registerAccounting(engine, { recordRaw: (row) => engine.recordRequest(row) });
    return engine;
  } catch (err) {
    await stores.close();
    throw err;
  }
}

/** A response built from a (possibly cached) body: copied, so callers can never edit the cache. */
function finish<T extends SingleBody>(body: T, started: number, cached: boolean): ClassifyResponse & TagResponse {
  return { ...copyBody(body), latency_ms: Math.round(performance.now() - started), cached } as ClassifyResponse & TagResponse;
}

function copyBody(body: SingleBody): SingleBody {
  return 'labels' in body ? { ...body, labels: body.labels.map((l) => ({ ...l })) } : { ...body };
}

/** A cheap upper-ish estimate for billing authorization (≈ 4 characters per token). */
function estimateTokens(texts: string[], config: ResolvedConfig): number {
  return texts.reduce((sum, t) => sum + Math.ceil(t.length / 4) + config.tokens, 0);
}

/** Reads a saved classifier of the account; `undefined` (→ CLASSIFIER_NOT_FOUND) when absent. */
async function resolveSaved(store: ClassifierStore, ref: string, account: string) {
  try {
    const c = await store.get(ref, { account });
    return { labels: c.labels, descriptions: c.descriptions, examples: c.examples, text_type: c.text_type ?? undefined, threshold: c.threshold ?? undefined, ref: `${c.name}@${c.version}` };
  } catch (err) {
    if (isLabelwiseError(err) && err.code === 'CLASSIFIER_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Batch items carry `tokens` only (spec §5); `visual_tokens` stays on single answers. */
function withoutVisual(body: SingleBody): SingleBody {
  const { visual_tokens: _visual, ...rest } = body as SingleBody & { visual_tokens?: number };
  return rest as SingleBody;
}
