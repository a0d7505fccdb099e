import { LabelwiseError } from '../errors.js';
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
import { PrototypeBuilder } from '../scoring/prototypes.js';
import { classifyScores, similarities, tagScores, type ScorerCalibration } from '../scoring/scorer.js';
import { LabelConfigResolver, type ResolvedConfig } from './label-config.js';
import { createEmbedder } from './model-loader.js';
import { resolveOptions, type EngineOptions } from './options.js';
import { canonicalKey, ResponseCache, type CacheMeta } from './response-cache.js';

type Endpoint = 'classify' | 'tag';
type SingleBody = Omit<ClassifyResponse, 'latency_ms' | 'cached'> | Omit<TagResponse, 'latency_ms' | 'cached'>;

/** Per-call context: which account the call runs as (in-process calls use the default). */
export interface CallOptions {
  account?: string;
}

/** A single answer with what the HTTP adapter needs for its headers. */
export interface Detailed<T> {
  response: T;
  cache: CacheMeta;
  /** Tokens billed: 0 on a cache hit. */
  billedTokens: number;
}

export const DEFAULT_ACCOUNT = 'default';

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
  #closed = false;

  /** @internal use {@link createEngine} */
  constructor(embedder: Embedder, cache: ResponseCache<SingleBody>, calibration: ScorerCalibration) {
    this.#embedder = embedder;
    this.#prototypes = new PrototypeBuilder(embedder, { maxSentences: 50_000, maxConfigs: 1_000 });
    this.#configs = new LabelConfigResolver(embedder);
    this.#cache = cache;
    this.#calibration = calibration;
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
    return this.#single('classify', parseClassifyRequest(request), request, options) as Promise<Detailed<ClassifyResponse>>;
  }

  async tagDetailed(request: TagRequest | unknown, options?: CallOptions): Promise<Detailed<TagResponse>> {
    return this.#single('tag', parseTagRequest(request), request, options) as Promise<Detailed<TagResponse>>;
  }

  /** Synchronous batch of `classify` (spec §5): one bad item never fails the rest. */
  classifyBatch(request: ClassifyBatchRequest, options?: CallOptions): Promise<ClassifyBatchResponse> {
    return this.#batch('classify', parseBatchRequest(request, 'classify'), request, options) as Promise<ClassifyBatchResponse>;
  }

  /** Synchronous batch of `tag` (spec §5). */
  tagBatch(request: TagBatchRequest, options?: CallOptions): Promise<TagBatchResponse> {
    return this.#batch('tag', parseBatchRequest(request, 'tag'), request, options) as Promise<TagBatchResponse>;
  }

  /** Stops every worker thread and drops caches. Calls made afterwards fail with OVERLOADED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    await this.#embedder.close();
  }

  async #single(endpoint: Endpoint, req: NormalizedRequest, raw: unknown, options?: CallOptions): Promise<Detailed<ClassifyResponse | TagResponse>> {
    const started = performance.now();
    this.#assertOpen();
    rejectDocuments(req);
    const config = await this.#resolve(req, raw);
    const text = req.text as string;
    const key = this.#key(endpoint, text, config, options);
    const hit = req.cache ? this.#cache.get(key) : undefined;
    if (hit) return { response: finish(hit.body, started, true), cache: hit.meta, billedTokens: 0 };
    const [embedded] = await this.#embedder.embed([text], { priority: req.priority });
    const body = await this.#score(endpoint, embedded.vector, embedded.tokens + config.tokens, config, req);
    this.#cache.set(key, body);
    return { response: finish(body, started, false), cache: { hit: false, keyPrefix: key.slice(0, 16) }, billedTokens: body.tokens };
  }

  async #batch(endpoint: Endpoint, req: NormalizedRequest, raw: unknown, options?: CallOptions): Promise<ClassifyBatchResponse | TagBatchResponse> {
    const started = performance.now();
    this.#assertOpen();
    rejectDocuments(req);
    const config = await this.#resolve(req, raw);
    const texts = req.texts ?? [];
    const results: (ClassifyBatchItem | TagBatchItem)[] = new Array(texts.length);
    const toEmbed: { index: number; text: string; key: string }[] = [];
    texts.forEach((text, index) => {
      const error = batchItemError(text);
      if (error) {
        results[index] = { error: error.message, code: error.code, tokens: 0, cached: false, cache: { hit: false } };
        return;
      }
      const key = this.#key(endpoint, text as string, config, options);
      const hit = req.cache ? this.#cache.get(key) : undefined;
      if (hit) results[index] = { ...hit.body, cached: true, cache: { hit: true, age: hit.meta.age } } as ClassifyBatchItem;
      else toEmbed.push({ index, text: text as string, key });
    });
    const embedded = await this.#embedder.embed(toEmbed.map((t) => t.text), { priority: req.priority });
    for (const [i, item] of toEmbed.entries()) {
      const body = await this.#score(endpoint, embedded[i].vector, embedded[i].tokens + config.tokens, config, req);
      this.#cache.set(item.key, body);
      results[item.index] = { ...body, cached: false, cache: { hit: false } } as ClassifyBatchItem;
    }
    // Billed tokens: cache hits and bad items cost nothing.
    const total = toEmbed.reduce((sum, t) => sum + (results[t.index] as { tokens: number }).tokens, 0);
    return { results, total_tokens: total, latency_ms: Math.round(performance.now() - started) } as ClassifyBatchResponse;
  }

  async #score(endpoint: Endpoint, vector: Float32Array, tokens: number, config: ResolvedConfig, req: NormalizedRequest): Promise<SingleBody> {
    const prototypes = await this.#prototypes.build(config, req.priority);
    if (endpoint === 'classify') return { ...classifyScores(vector, prototypes, this.#calibration), tokens };
    return { labels: tagScores(similarities(vector, prototypes), prototypes.labels, config.threshold, this.#calibration), tokens };
  }

  #resolve(req: NormalizedRequest, raw: unknown): Promise<ResolvedConfig> {
    const thresholdGiven = typeof (raw as { threshold?: unknown } | null)?.threshold === 'number';
    return this.#configs.resolve(req, thresholdGiven);
  }

  #key(endpoint: Endpoint, text: string, config: ResolvedConfig, options?: CallOptions): string {
    return canonicalKey({
      account: options?.account ?? DEFAULT_ACCOUNT,
      endpoint,
      text,
      // Labels sorted: their order never changes the answer, so it must not split the cache.
      labels: [...config.labels].sort(),
      descriptions: config.descriptions,
      examples: config.examples,
      text_type: config.text_type ?? null,
      classifier: config.classifier ?? null,
      threshold: endpoint === 'tag' ? config.threshold : null,
      model: this.#embedder.id,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new LabelwiseError('OVERLOADED', 'the engine is closed');
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
  const embedder = await createEmbedder(resolved);
  return new Engine(embedder, new ResponseCache<SingleBody>(resolved.cache), resolved.calibration);
}

function finish<T extends SingleBody>(body: T, started: number, cached: boolean): ClassifyResponse & TagResponse {
  return { ...body, latency_ms: Math.round(performance.now() - started), cached } as ClassifyResponse & TagResponse;
}

function rejectDocuments(req: NormalizedRequest): void {
  // Documents and images (spec §8) are a separate capability not built yet: refuse clearly.
  if (req.image) throw new LabelwiseError('VALIDATION_ERROR', 'image inputs are not supported by this build yet', { field: 'image' });
  if (req.file) throw new LabelwiseError('VALIDATION_ERROR', 'file inputs are not supported by this build yet', { field: 'file' });
}
