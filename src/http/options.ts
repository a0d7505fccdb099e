/** Options of `createHandler`: the public shape, its spec, and the resolved frozen form. */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { boolean, custom, integer, object, perKey, string, type Resolved } from '../options/index.js';
import { TIERS, type Tier } from '../vocabulary.js';
import type { BodyLimits } from './body.js';

/** Per-tier limits of spec §11: fixed one-minute windows plus a concurrency cap. */
export interface TierLimits {
  /** Requests per one-minute window. */
  requestsPerMinute: number;
  /** Estimated tokens per one-minute window. */
  tokensPerMinute: number;
  /** Requests in flight at once. */
  concurrent: number;
}

/** A rate-limit tier (spec §11). */
export type TierName = Tier;

/**
 * Builds one fixed-window limiter. The default keeps windows in this process; to share them
 * between processes pass another rate-limiter-flexible limiter with the same options, e.g.
 * `(o) => new RateLimiterRedis({ storeClient: redis, ...o })`.
 */
export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

export interface HandlerOptions {
  /** Path prefix of the API. @default '/v1' */
  basePath?: string;
  /** Allow `/classify` and `/tag` without a key, limited per client IP by the public tier. @default false */
  publicMode?: boolean;
  /**
   * Trust the proxy headers (only behind a proxy you control): `X-Forwarded-For` for the client
   * IP, `X-Forwarded-Proto` and `X-Forwarded-Host` for the absolute batch upload and download
   * URLs (unless {@link HandlerOptions.publicUrl} is set). @default false
   */
  trustProxy?: boolean;
  /**
   * The absolute URL of the base path as clients reach it, e.g. `https://api.example.com/v1`:
   * what the batch upload and download URLs (spec §7) start with. Set it behind a proxy.
   * @default the request's scheme and `Host` header, the host's mount path and `basePath`
   */
  publicUrl?: string;
  /** Batch job uploads (spec §7); their size limit is the engine's `jobs.maxUploadBytes`. */
  uploads?: {
    /**
     * Longest an upload may send nothing before it is cut off (400, nothing kept), in ms.
     * @default 30000
     */
    idleTimeoutMs?: number;
  };
  /** Body limits: size in bytes (@default 1048576 bytes, 1 MB) and time to receive it (@default 10000 ms). */
  limits?: Partial<BodyLimits>;
  /**
   * Per-tier rate limits, merged over the spec's defaults ({@link TIER_DEFAULTS}). Every value
   * is a positive integer (requests or tokens per minute, requests in flight).
   * @default TIER_DEFAULTS
   */
  tiers?: Partial<Record<TierName, Partial<TierLimits>>>;
  /**
   * Requests per minute per client address that no valid key vouches for: 401s, 404/405 and
   * the OpenAPI document fetched without a key (IPv6 clients are counted per /64). Over it
   * they get 429. Such requests write no usage or log row; they are only counted in
   * `handler.stats()`.
   * @default 60 (requests per minute)
   */
  unauthenticatedPerMinute?: number;
  /**
   * Where rate-limit windows are kept: a rate-limiter-flexible limiter per window, e.g.
   * `(o) => new RateLimiterRedis({ storeClient: redis, ...o })` to share them across processes.
   * @default in-process memory
   */
  rateLimiter?: LimiterFactory;
}

export const TIER_DEFAULTS: Readonly<Record<TierName, Readonly<TierLimits>>> = Object.freeze({
  public: Object.freeze({ requestsPerMinute: 1, tokensPerMinute: 10_000, concurrent: 1 }),
  developer: Object.freeze({ requestsPerMinute: 60, tokensPerMinute: 500_000, concurrent: 5 }),
  production: Object.freeze({ requestsPerMinute: 1_000, tokensPerMinute: 10_000_000, concurrent: 50 }),
});

// A limit that can never be met would answer every request with a 429 whose Retry-After
// promises a success that never comes: every limit is a positive integer.
const tierLimits = (tier: TierName) =>
  object({
    requestsPerMinute: integer({ min: 1, unit: 'requests per minute', default: TIER_DEFAULTS[tier].requestsPerMinute }),
    tokensPerMinute: integer({ min: 1, unit: 'tokens per minute', default: TIER_DEFAULTS[tier].tokensPerMinute }),
    concurrent: integer({ min: 1, unit: 'requests', default: TIER_DEFAULTS[tier].concurrent }),
  });

const HANDLER = object({
  basePath: string({ default: '/v1' }),
  publicMode: boolean({ default: false }),
  trustProxy: boolean({ default: false }),
  publicUrl: custom<string>('an absolute http(s) URL without query or fragment', absoluteUrl),
  uploads: object({ idleTimeoutMs: integer({ min: 1, unit: 'ms', default: 30_000 }) }),
  limits: object({
    maxBytes: integer({ min: 1, unit: 'bytes', default: 1_048_576 }),
    timeoutMs: integer({ min: 1, unit: 'ms', default: 10_000 }),
  }),
  tiers: object(perKey(TIERS, tierLimits)),
  unauthenticatedPerMinute: integer({ min: 1, unit: 'requests per minute', default: 60 }),
  rateLimiter: custom<LimiterFactory>('a function', (v) => (typeof v === 'function' ? (v as LimiterFactory) : undefined)),
});

/** `publicUrl` without its trailing slashes, or undefined when it is not an http(s) URL. */
function absoluteUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) return undefined;
  return `${url.origin}${url.pathname.replace(/(?<!\/)\/+$/, '')}`;
}

/** {@link HandlerOptions} with every default filled in, checked and deeply frozen. */
export type ResolvedHandlerOptions = Resolved<typeof HANDLER>;

/**
 * Resolves `createHandler`'s options; `basePath` is normalised to `''` or `/segment…`.
 * @throws {@link LabelwiseOptionsError} naming the option (unknown keys at any depth, wrong types, limits below 1).
 */
export function resolveHandlerOptions(options: HandlerOptions = {}): ResolvedHandlerOptions {
  const resolved = HANDLER.resolve(options, '');
  const basePath = `/${resolved.basePath.replace(/^\/+|(?<!\/)\/+$/g, '')}`;
  return Object.freeze({ ...resolved, basePath: basePath === '/' ? '' : basePath });
}
