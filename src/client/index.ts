/**
 * labelwise/client — a typed fetch client for a labelwise (or Classer-compatible) `/v1` API.
 * Its methods mirror the in-process engine's, with the same request and response shapes, so an
 * app can move between `createEngine()` and a remote server without other changes.
 */
import { ERROR_TABLE, remoteError, upstreamBadAnswer, upstreamTimeout, upstreamUnreachable, type ErrorCode } from '../errors.js';
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
import type {
  Balance,
  ClassifierDetail,
  ClassifierInput,
  ClassifierSummary,
  ClassifierVersion,
  CreatedKey,
  KeyCreateInput,
  KeyInfo,
  LogsPage,
  LogsQuery,
  UsageQuery,
  UsageReport,
} from '../store/index.js';

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080/v1` (the API's base URL, including its base path). */
  baseUrl: string;
  /** API key sent as `Authorization: Bearer <key>`; omit for public mode. */
  apiKey?: string;
  /** Per-request timeout in ms. @default 60000 */
  timeoutMs?: number;
  /** A fetch implementation (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What the last response said beyond its body (cache and rate-limit headers, request id). */
export interface ResponseMeta {
  requestId: string | null;
  status: number;
  headers: Headers;
}

/**
 * @example
 * ```ts
 * import { createClient } from 'labelwise/client';
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080/v1', apiKey: process.env.LABELWISE_KEY });
 * const { label } = await client.classify({ text: 'Where is my parcel?', labels: ['shipping', 'billing'] });
 * ```
 */
export function createClient(options: ClientOptions): LabelwiseClient {
  return new LabelwiseClient(options);
}

export class LabelwiseClient {
  readonly #base: string;
  readonly #key: string | undefined;
  readonly #timeout: number;
  readonly #fetch: typeof fetch;
  /** Metadata of the most recent response. */
  lastResponse: ResponseMeta | undefined;

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl.replace(/(?<!\/)\/+$/, '');
    this.#key = options.apiKey;
    this.#timeout = options.timeoutMs ?? 60_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  classify(request: ClassifyRequest): Promise<ClassifyResponse> {
    return this.#call('POST', '/classify', request);
  }

  tag(request: TagRequest): Promise<TagResponse> {
    return this.#call('POST', '/tag', request);
  }

  classifyBatch(request: ClassifyBatchRequest): Promise<ClassifyBatchResponse> {
    return this.#call('POST', '/classify/batch', request);
  }

  tagBatch(request: TagBatchRequest): Promise<TagBatchResponse> {
    return this.#call('POST', '/tag/batch', request);
  }

  readonly classifiers = {
    create: (input: ClassifierInput): Promise<ClassifierVersion> => this.#call('POST', '/classifiers', input),
    list: (): Promise<{ classifiers: ClassifierSummary[] }> => this.#call('GET', '/classifiers'),
    get: (ref: string): Promise<ClassifierDetail> => this.#call('GET', `/classifiers/${encodeURIComponent(ref)}`),
    delete: (name: string): Promise<{ name: string; deleted: true }> => this.#call('DELETE', `/classifiers/${encodeURIComponent(name)}`),
  };

  readonly keys = {
    create: (input: KeyCreateInput = {}): Promise<CreatedKey> => this.#call('POST', '/keys', input),
    list: (): Promise<{ keys: KeyInfo[] }> => this.#call('GET', '/keys'),
    revoke: (id: string): Promise<KeyInfo> => this.#call('DELETE', `/keys/${encodeURIComponent(id)}`),
  };

  balance(): Promise<Balance> {
    return this.#call('GET', '/balance');
  }

  usage(query: Omit<UsageQuery, 'account' | 'now'> = {}): Promise<UsageReport> {
    return this.#call('GET', `/usage${queryString(query)}`);
  }

  logs(query: Omit<LogsQuery, 'account' | 'now'> = {}): Promise<LogsPage> {
    return this.#call('GET', `/logs${queryString(query)}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#key) headers.authorization = `Bearer ${this.#key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeout),
      });
    } catch (err) {
      // Network failures and timeouts come back as the same error type as API errors.
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw timedOut ? upstreamTimeout(this.#timeout, err) : upstreamUnreachable(this.#base, err);
    }
    this.lastResponse = { requestId: res.headers.get('x-request-id'), status: res.status, headers: res.headers };
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw upstreamBadAnswer(res.status);
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as { code?: string; message?: string; detail?: string; details?: Record<string, unknown> };
      const retryAfter = res.headers.get('retry-after');
      // Like the server's error: no `details` at all when the body had none and there is no Retry-After.
      const details = err.details || retryAfter ? { ...err.details, ...(retryAfter ? { retry_after: Number(retryAfter) } : {}) } : undefined;
      const code = err.code && err.code in ERROR_TABLE ? (err.code as ErrorCode) : codeForStatus(res.status);
      throw remoteError(code, err.message ?? err.detail ?? `HTTP ${res.status}`, details);
    }
    return parsed as T;
  }
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, v instanceof Date ? v.toISOString() : String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** An error code for a status when the body carries none we know (a proxy's 502, another API's code). */
function codeForStatus(status: number): ErrorCode {
  if (status === 429) return 'RATE_LIMIT_EXCEEDED';
  if (status === 502 || status === 503 || status === 504) return 'OVERLOADED';
  const match = (Object.entries(ERROR_TABLE) as [ErrorCode, { status: number }][]).find(([, v]) => v.status === status);
  return match ? match[0] : 'INTERNAL_ERROR';
}
