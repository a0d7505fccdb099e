import type { BodyLimits } from './body.js';
import type { LimiterFactory } from './rate-limits.js';

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
  /** Per-tier rate limits; merged over the spec's defaults. */
  tiers?: Partial<Record<TierName, Partial<TierLimits>>>;
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
}

export const TIER_DEFAULTS: Readonly<Record<TierName, TierLimits>> = Object.freeze({
  public: { requestsPerMinute: 1, tokensPerMinute: 10_000, concurrent: 1 },
  developer: { requestsPerMinute: 60, tokensPerMinute: 500_000, concurrent: 5 },
  production: { requestsPerMinute: 1_000, tokensPerMinute: 10_000_000, concurrent: 50 },
});

export function resolveHandlerOptions(options: HandlerOptions = {}): ResolvedHandlerOptions {
  const basePath = `/${(options.basePath ?? '/v1').replace(/^\/+|(?<!\/)\/+$/g, '')}`;
  const tiers = {} as Record<TierName, TierLimits>;
  for (const name of Object.keys(TIER_DEFAULTS) as TierName[]) tiers[name] = { ...TIER_DEFAULTS[name], ...options.tiers?.[name] };
  return {
    rateLimiter: options.rateLimiter,
    basePath: basePath === '/' ? '' : basePath,
    publicMode: options.publicMode ?? false,
    trustProxy: options.trustProxy ?? false,
    limits: { maxBytes: options.limits?.maxBytes ?? 1_048_576, timeoutMs: options.limits?.timeoutMs ?? 10_000 },
    tiers,
  };
}
