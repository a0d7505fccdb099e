/**
 * The request pipeline: one step sequence for one text or many, for any endpoint spec —
 * validate → resolve config → documents → cache lookup → authorize → embed ‖ prototypes →
 * score → accounting → cache store. `prepare` + `runMany` are the reusable core (batch jobs
 * run chunks of a stream through them); `one` and `many` wrap them into the synchronous calls.
 */
import type { LoadedDocuments } from '../documents/index.js';
import { engineClosed, isLabelwiseError, type LabelwiseError } from '../errors.js';
import type { Embedder } from '../model/embedder.js';
import { batchItemError, type NormalizedRequest } from '../schema/index.js';
import type { PrototypeBuilder } from '../scoring/prototypes.js';
import type { ScorerCalibration } from '../scoring/scorer.js';
import { DEFAULT_ACCOUNT } from '../store/index.js';
import { statusOf, type Accounting, type CallOptions, type CallOutcome } from './accounting.js';
import { checkCallOptions } from './call-options.js';
import { joinText, type DocumentStep } from './documents-step.js';
import type { AnyScored, ClassifyBody, EndpointSpec, Scored, TagBody } from './endpoints.js';
import type { LabelConfigResolver, ResolvedConfig } from './label-config.js';
import { canonicalKey, type CacheMeta, type ResponseCache } from './response-cache.js';
import { estimateTokens } from './token-estimate.js';
import type { Lane } from '../vocabulary.js';

type Body = ClassifyBody | TagBody;

/** A single answer with what the HTTP adapter needs for its headers. */
export interface Detailed<T> {
  response: T;
  cache: CacheMeta;
  /** Tokens billed: 0 on a cache hit. */
  billedTokens: number;
}

/** A single call's answer: the scored body, its latency and whether it came from the cache. */
export type Single<B> = B & { tokens: number; visual_tokens?: number; latency_ms: number; cached: boolean };

interface ItemMeta {
  tokens: number;
  cached: boolean;
  cache: { hit: boolean; age?: number };
}
/** One batch result (spec §5): the answer without `visual_tokens`, or that text's own error. */
export type BatchItem<B> = (Omit<Scored<B>, 'visual_tokens'> & ItemMeta) | ({ error: string; code: string } & ItemMeta);
export interface BatchResponse<B> {
  results: BatchItem<B>[];
  total_tokens: number;
  latency_ms: number;
}

/** A call ready to run items through: its request, resolved label config and loaded documents. */
export interface Prepared {
  request: NormalizedRequest;
  config: ResolvedConfig;
  documents: LoadedDocuments | undefined;
  /** A single call's own text: read together with its documents (absent for batches). */
  ownText?: string;
  /** One item's text, or its own error when it cannot be answered (it then costs nothing). */
  textOf(item: unknown): string | LabelwiseError;
}

/** One item's outcome; `body` is the caller's own copy. */
export type ItemResult<B> = { ok: true; body: Scored<B>; cache: CacheMeta; billed: number } | { ok: false; error: LabelwiseError };

/** Items in, results out in the same order, with what they cost. */
export interface ChunkResult<B> {
  /** `results[i]` answers `items[i]`. */
  results: ItemResult<B>[];
  /** Tokens billed: cache misses only (hits and bad items cost nothing). */
  billedTokens: number;
  /** Visual tokens among them. */
  visualTokens: number;
  /** Fresh answers by cache key, for {@link Pipeline.store} once the chunk is recorded. */
  fresh: [string, Scored<B>][];
}

/** How {@link Pipeline.runMany} runs a chunk beyond the request: batch jobs run below real-time calls. */
export interface RunOptions {
  /** @default 'realtime' */
  lane?: Lane;
  /** The caller authorized the chunk itself (batch jobs, at the batch price). */
  authorized?: boolean;
}

export interface PipelineParts {
  embedder: Embedder;
  prototypes: PrototypeBuilder;
  configs: LabelConfigResolver;
  documents: DocumentStep;
  cache: ResponseCache<AnyScored>;
  calibration: ScorerCalibration;
  accounting: Accounting;
}

type Success = Omit<CallOutcome, 'endpoint' | 'status' | 'kind' | 'error' | 'priority'>;
interface CallState {
  started: number;
  request?: NormalizedRequest;
}

export class Pipeline {
  readonly #p: PipelineParts;
  readonly #inFlight = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;

  constructor(parts: PipelineParts) {
    this.#p = parts;
  }

  get modelId(): string {
    return this.#p.embedder.id;
  }

  /** One text (spec §3, §4). */
  one<B extends Body>(spec: EndpointSpec<B>, raw: unknown, options?: CallOptions): Promise<Detailed<Single<B>>> {
    return this.#call(`/${spec.name}`, raw, options, async (call) => {
      const request = (call.request = spec.parseOne(raw));
      const prepared = await this.prepare(request, options, { ownText: request.text, textOf: String });
      const chunk = await this.runMany(spec, [request.text ?? ''], prepared, options);
      const [item] = chunk.results;
      if (!item.ok) throw item.error;
      const response: Single<B> = { ...item.body, latency_ms: elapsed(call), cached: item.cache.hit };
      const logged = spec.logged(item.body);
      const outcome = { tokens: item.billed, visualTokens: chunk.visualTokens, cached: item.cache.hit, latencyMs: response.latency_ms, ...logged, input: request.text ?? '' };
      return { result: { response, cache: item.cache, billedTokens: item.billed }, chunk, outcome };
    });
  }

  /** A synchronous batch (spec §5): one bad item never fails the rest. */
  many<B extends Body>(spec: EndpointSpec<B>, raw: unknown, options?: CallOptions): Promise<BatchResponse<B>> {
    return this.#call(`/${spec.name}/batch`, raw, options, async (call) => {
      const request = (call.request = spec.parseMany(raw));
      const prepared = await this.prepare(request, options, { textOf: (item) => batchItemError(item) ?? String(item) });
      const chunk = await this.runMany(spec, request.texts ?? [], prepared, options);
      const response: BatchResponse<B> = { results: chunk.results.map(batchItem), total_tokens: chunk.billedTokens, latency_ms: elapsed(call) };
      const cached = chunk.results.every((r) => r.ok && r.cache.hit);
      return { result: response, chunk, outcome: { tokens: chunk.billedTokens, visualTokens: chunk.visualTokens, cached, latencyMs: response.latency_ms } };
    });
  }

  /** Resolves the label config and loads (not reads) the documents shared by every item. */
  async prepare(request: NormalizedRequest, options: CallOptions | undefined, items: Pick<Prepared, 'ownText' | 'textOf'>): Promise<Prepared> {
    const config = await this.#p.configs.resolve(request, options?.account ?? DEFAULT_ACCOUNT);
    const documents = await this.#p.documents.load(request, options?.signal);
    return { request, config, documents, ...items };
  }

  /**
   * Runs items through validation, the cache, authorization, the model and the scorer. Nothing
   * is recorded or cached here: the caller records the chunk, then {@link store}s it, so a
   * chunk whose charge failed cannot be retried into a free cache hit.
   */
  async runMany<B extends Body>(spec: EndpointSpec<B>, items: readonly unknown[], prepared: Prepared, options?: CallOptions, run: RunOptions = {}): Promise<ChunkResult<B>> {
    const { request, config, documents } = prepared;
    const results: ItemResult<B>[] = new Array(items.length);
    const misses: { index: number; text: string; key: string }[] = [];
    items.forEach((item, index) => {
      const text = prepared.textOf(item);
      if (isLabelwiseError(text)) {
        results[index] = { ok: false, error: text };
        return;
      }
      const key = this.#key(spec, text, config, options, documents?.contentHash);
      const hit = request.cache ? this.#p.cache.get(key) : undefined;
      const cached = hit && spec.own(hit.body);
      if (hit && cached) results[index] = { ok: true, body: spec.copy(cached), cache: hit.meta, billed: 0 };
      else misses.push({ index, text, key });
    });
    if (misses.length === 0) return { results, billedTokens: 0, visualTokens: 0, fresh: [] };

    const estimate = estimateTokens(request, { configTokens: config.tokens, texts: misses.map((m) => m.text) });
    if (!run.authorized) await this.#p.accounting.authorize(options, estimate, request.priority);
    // Documents are read (PDF text, OCR) once, and only now that some item needs the model.
    const shared = await this.#p.documents.read(documents, prepared.ownText, options?.signal);
    const inputs = misses.map((m) => (prepared.ownText === undefined ? joinText(m.text, shared.text) : shared.text));
    const [embedded, prototypes] = await Promise.all([
      this.#p.embedder.embed(inputs, { priority: request.priority, signal: options?.signal, lane: run.lane }),
      this.#p.prototypes.build(config, request.priority, config.hash),
    ]);
    const fresh: [string, Scored<B>][] = [];
    let billedTokens = 0;
    for (const [i, miss] of misses.entries()) {
      const tokens = embedded[i].tokens + config.tokens + shared.visualTokens;
      const body: Scored<B> = { ...spec.score(embedded[i].vector, prototypes, config, this.#p.calibration), tokens };
      if (documents) body.visual_tokens = shared.visualTokens;
      fresh.push([miss.key, body]);
      results[miss.index] = { ok: true, body: spec.copy(body), cache: { hit: false, keyPrefix: miss.key.slice(0, 16) }, billed: tokens };
      billedTokens += tokens;
    }
    return { results, billedTokens, visualTokens: shared.visualTokens * misses.length, fresh };
  }

  /** Caches a recorded chunk's fresh answers for the caller's tier. */
  store<B extends Body>(chunk: ChunkResult<B>, tier?: CallOptions['tier']): void {
    for (const [key, body] of chunk.fresh) this.#p.cache.set(key, body, tier);
  }

  /**
   * Refuses new calls, stops the model and document workers (queued work fails, running work
   * finishes), then waits until every call in flight has recorded its outcome.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#p.cache.clear();
      const results = await Promise.allSettled([this.#p.embedder.close(), this.#p.documents.close()]);
      await Promise.all([...this.#inFlight]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return this.#closing;
  }

  /** Every call: options checked, the outcome recorded (success or failure), then cached. */
  #call<R, B extends Body>(
    endpoint: string,
    raw: unknown,
    options: CallOptions | undefined,
    run: (call: CallState) => Promise<{ result: R; chunk: ChunkResult<B>; outcome: Success }>,
  ): Promise<R> {
    // Before any recording: a call with bad options is not recorded as anyone, and a closed
    // engine has no stores left to record into.
    try {
      checkCallOptions(options);
      if (this.#closing) throw engineClosed();
    } catch (err) {
      return Promise.reject(err);
    }
    const call: CallState = { started: performance.now() };
    const running = (async () => {
      try {
        const { result, chunk, outcome } = await run(call);
        const priority = call.request?.priority ?? 'standard';
        // Durable: answered only once recorded; cached only after that.
        await this.#p.accounting.record(options, { endpoint, priority, kind: priority, status: 200, ...outcome });
        this.store(chunk, options?.tier);
        return result;
      } catch (err) {
        const priority = call.request?.priority ?? 'standard';
        await this.#p.accounting.record(options, {
          endpoint, priority, kind: priority, status: statusOf(err), tokens: 0, cached: false,
          latencyMs: elapsed(call), error: err, input: call.request?.text ?? rawText(raw),
        });
        throw err;
      }
    })();
    const settled = running.then(noop, noop);
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    return running;
  }

  #key<B extends Body>(spec: EndpointSpec<B>, text: string, config: ResolvedConfig, options?: CallOptions, documents?: string): string {
    return canonicalKey({
      account: options?.account ?? DEFAULT_ACCOUNT,
      endpoint: spec.name,
      text,
      config: config.answerHash,
      classifier: config.classifier ?? null,
      threshold: spec.keyThreshold(config),
      model: this.#p.embedder.id,
      documents: documents ?? null,
    });
  }
}

/** Batch items carry `tokens` only (spec §5); `visual_tokens` stays on single answers. */
function batchItem<B>(r: ItemResult<B>): BatchItem<B> {
  if (!r.ok) return { error: r.error.message, code: r.error.code, tokens: 0, cached: false, cache: { hit: false } };
  const { visual_tokens: _visual, ...body } = r.body;
  return { ...body, cached: r.cache.hit, cache: r.cache.hit ? { hit: true, age: r.cache.age } : { hit: false } };
}

/** The raw body's `text` when the request failed validation (for the log, with `logInputs`). */
function rawText(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && 'text' in raw && typeof raw.text === 'string' ? raw.text : undefined;
}

const elapsed = (call: CallState) => Math.round(performance.now() - call.started);
const noop = () => {};

