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
import type { CreatedJob, JobConfig, JobInfo, JobResultLine, JobSummary } from '../jobs/types.js';
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

/** `POST /v1/batch`'s answer: the new job and where to upload its input. */
export type RemoteCreatedJob = CreatedJob & { upload_url: string };

/**
 * What `jobs.upload` sends: the bytes, a string, or a `Blob` (e.g. `await fs.openAsBlob(path)`).
 * Node 20's `fetch` reads a request body into memory ahead of the socket (measured: +1 GB RSS
 * for a 1 GB file, Blob or stream alike), so for files of many GB upload with a streaming HTTP
 * client (`curl -T`, `node:http`) to `upload_url` instead.
 */
export type UploadBody = Blob | Uint8Array | string;

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

  /**
   * Asynchronous batch jobs (spec §7), mirroring `engine.jobs`: `create` → `upload` → `start` →
   * `get` (poll) → `download`. `upload` and `download` carry the job's short-lived tokens, not
   * the API key, and are not bounded by `timeoutMs` (they last as long as the data takes).
   */
  readonly jobs = {
    create: (config: JobConfig): Promise<RemoteCreatedJob> => this.#call('POST', '/batch', config),
    /** The presigned-style form upload to `job.upload_url`: every `upload_fields` entry, then the file. */
    upload: (job: Pick<RemoteCreatedJob, 'upload_url' | 'upload_fields'>, input: UploadBody): Promise<JobInfo> => {
      const form = new FormData();
      for (const [name, value] of Object.entries(job.upload_fields)) form.append(name, value);
      form.append('file', input instanceof Blob ? input : new Blob([input], { type: 'application/x-ndjson' }), 'input.ndjson');
      return this.#send('POST', job.upload_url, { body: form, key: false, timeout: false });
    },
    start: (id: string): Promise<{ job_id: string; status: 'processing' }> => this.#call('POST', `/batch/${encodeURIComponent(id)}/start`),
    get: (id: string): Promise<JobInfo> => this.#call('GET', `/batch/${encodeURIComponent(id)}`),
    list: (): Promise<JobSummary[]> => this.#call('GET', '/batch'),
    cancel: (id: string): Promise<JobInfo> => this.#call('POST', `/batch/${encodeURIComponent(id)}/cancel`),
    delete: (id: string): Promise<{ job_id: string; deleted: true }> => this.#call('DELETE', `/batch/${encodeURIComponent(id)}`),
    /** `GET /v1/batch/{id}/results`: a short-lived download URL (409 until the job completed). */
    results: (id: string): Promise<{ job_id: string; download_url: string; expires_at: string }> => this.#call('GET', `/batch/${encodeURIComponent(id)}/results`),
    /** The result lines of a completed job, parsed, in input order, streamed as they arrive. */
    download: async (id: string): Promise<AsyncIterable<JobResultLine>> => {
      const { download_url } = await this.jobs.results(id);
      const res = await this.#fetchOrThrow('GET', download_url, { key: false, timeout: false });
      if (!res.ok) await this.#parse(res);
      return ndjsonLines(res);
    },
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

  #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    return this.#send(method, `${this.#base}${path}`, { body: json, key: true, timeout: true });
  }

  async #send<T>(method: string, url: string, options: SendOptions): Promise<T> {
    return this.#parse<T>(await this.#fetchOrThrow(method, url, options));
  }

  async #fetchOrThrow(method: string, url: string, options: Omit<SendOptions, 'body'> & { body?: SendOptions['body'] }): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.key && this.#key) headers.authorization = `Bearer ${this.#key}`;
    if (typeof options.body === 'string') headers['content-type'] = 'application/json';
    try {
      // FormData sets its own multipart Content-Type (with the boundary).
      return await this.#fetch(url, { method, headers, body: options.body, signal: options.timeout ? AbortSignal.timeout(this.#timeout) : undefined });
    } catch (err) {
      // Network failures and timeouts come back as the same error type as API errors.
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw timedOut ? upstreamTimeout(this.#timeout, err) : upstreamUnreachable(this.#base, err);
    }
  }

  async #parse<T>(res: Response): Promise<T> {
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

interface SendOptions {
  body: string | FormData | undefined;
  /** Send the API key (not to the token-authorized upload and download URLs). */
  key: boolean;
  /** Bound the request by `timeoutMs`. */
  timeout: boolean;
}

/** The NDJSON lines of a streamed answer, parsed one by one (never the whole body at once). */
async function* ndjsonLines(res: Response): AsyncGenerator<JobResultLine> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of res.body ?? []) {
    rest += decoder.decode(chunk as Uint8Array, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim()) yield JSON.parse(line) as JobResultLine;
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield JSON.parse(rest) as JobResultLine;
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
