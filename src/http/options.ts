import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { invalidOption } from '../errors.js';
import type { BodyLimits } from './body.js';

/**
 * Builds one fixed-window limiter. The default keeps windows in this process; to share them
 * between processes pass another rate-limiter-flexible limiter with the same options, e.g.
 * `(o) => new RateLimiterRedis({ storeClient: redis, ...o })`.
 */
export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

/** Per-tier limits of spec §11: fixed one-minute windows plus a concurrency cap. */
export interface TierLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrent: number;
}

export type TierName = 'public' | 'developer' | 'production';

export interface HandlerOptions {
  /** Path prefix of the API. @default '/v1' */
  basePath?: string;
  /** Allow `/classify` and `/tag` without a key, limited per client IP by the public tier. @default false */
  publicMode?: boolean;
  /** Trust `X-Forwarded-For` for the client IP (only behind a proxy you control). @default false */
  trustProxy?: boolean;
  /** Body limits: size in bytes (@default 1 MB) and time to receive it (@default 10000 ms). */
  limits?: Partial<BodyLimits>;
  /** Per-tier rate limits; merged over the spec's defaults. Every value is a positive integer. */
  tiers?: Partial<Record<TierName, Partial<TierLimits>>>;
  /**
   * Requests per minute per client address that no valid key vouches for: 401s, 404/405 and
   * the OpenAPI document fetched without a key (IPv6 clients are counted per /64). Over it
   * they get 429. Such requests write no usage or log row; they are only counted in
   * `handler.stats()`.
   * @default 60
   */
  unauthenticatedPerMinute?: number;
  /**
   * Where rate-limit windows are kept: a rate-limiter-flexible limiter per window, e.g.
   * `(o) => new RateLimiterRedis({ storeClient: redis, ...o })` to share them across processes.
   * @default in-process memory
   */
  rateLimiter?: LimiterFactory;
}

export interface ResolvedHandlerOptions {
  rateLimiter?: LimiterFactory;
  basePath: string;
  publicMode: boolean;
  trustProxy: boolean;
  limits: BodyLimits;
  tiers: Record<TierName, TierLimits>;
  unauthenticatedPerMinute: number;
}

export const TIER_DEFAULTS: Readonly<Record<TierName, TierLimits>> = Object.freeze({
  public: { requestsPerMinute: 1, tokensPerMinute: 10_000, concurrent: 1 },
  developer: { requestsPerMinute: 60, tokensPerMinute: 500_000, concurrent: 5 },
  production: { requestsPerMinute: 1_000, tokensPerMinute: 10_000_000, concurrent: 50 },
});

/**
 * A limit that can never be met would answer every request with a 429 whose Retry-After
 * promises a success that never comes; refuse such options when the handler is made.
 */
function positiveInteger(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw invalidOption(field, `option ${field} must be a positive integer (got ${String(value)})`);
  }
  return value as number;
}

export function resolveHandlerOptions(options: HandlerOptions = {}): ResolvedHandlerOptions {
  const basePath = `/${(options.basePath ?? '/v1').replace(/^\/+|(?<!\/)\/+$/g, '')}`;
  const tiers = {} as Record<TierName, TierLimits>;
  for (const name of Object.keys(options.tiers ?? {})) {
    if (!(name in TIER_DEFAULTS)) throw invalidOption(`tiers.${name}`, `unknown tier "${name}" in option tiers; known: public, developer, production`);
  }
  for (const name of Object.keys(TIER_DEFAULTS) as TierName[]) {
    const merged = { ...TIER_DEFAULTS[name], ...options.tiers?.[name] };
    for (const k of ['requestsPerMinute', 'tokensPerMinute', 'concurrent'] as const) positiveInteger(merged[k], `tiers.${name}.${k}`);
    tiers[name] = merged;
  }
  return {
    rateLimiter: options.rateLimiter,
    basePath: basePath === '/' ? '' : basePath,
    publicMode: options.publicMode ?? false,
    trustProxy: options.trustProxy ?? false,
    limits: { maxBytes: options.limits?.maxBytes ?? 1_048_576, timeoutMs: options.limits?.timeoutMs ?? 10_000 },
    tiers,
    unauthenticatedPerMinute: positiveInteger(options.unauthenticatedPerMinute ?? 60, 'unauthenticatedPerMinute'),
  };
}
