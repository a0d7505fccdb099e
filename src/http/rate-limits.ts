import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { concurrencyLimited, overTokenBudget, rateLimited } from '../errors.js';
import type { LimiterFactory, TierLimits, TierName } from './options.js';

/**
 * What the X-RateLimit-* headers report; also `details.rate_limit` of a 429, hence the wire's
 * snake_case.
 */
export interface LimitState {
  limit_requests: number;
  remaining_requests: number;
  limit_tokens: number;
  remaining_tokens: number;
  /** Unix seconds when the current window ends. */
  reset: number;
}

/**
 * Spec §11 limits per key (or per IP for public calls): fixed one-minute windows on requests
 * and tokens via rate-limiter-flexible, plus an in-process concurrency cap. Windows live in
 * this process unless a `LimiterFactory` for a shared store (Redis, PostgreSQL) is given.
 * Tokens are estimated before a request runs and corrected after; cache hits give them back.
 */
export class RateLimits {
  readonly #tiers: Record<TierName, TierLimits>;
  readonly #requests = new Map<TierName, RateLimiterAbstract>();
  readonly #tokens = new Map<TierName, RateLimiterAbstract>();
  readonly #inFlight = new Map<string, number>();
  readonly #repeats = new WeakSet<object>();
  readonly #anonymous: RateLimiterAbstract;
  readonly #anonymousPerMinute: number;

  constructor(tiers: Record<TierName, TierLimits>, createLimiter: LimiterFactory = (o) => new RateLimiterMemory(o), anonymousPerMinute = 60) {
    this.#tiers = tiers;
    this.#anonymousPerMinute = anonymousPerMinute;
    this.#anonymous = createLimiter({ keyPrefix: 'lw_anon', points: anonymousPerMinute, duration: 60 });
    for (const [name, t] of Object.entries(tiers) as [TierName, TierLimits][]) {
      this.#requests.set(name, createLimiter({ keyPrefix: `lw_req_${name}`, points: t.requestsPerMinute, duration: 60 }));
      this.#tokens.set(name, createLimiter({ keyPrefix: `lw_tok_${name}`, points: t.tokensPerMinute, duration: 60 }));
    }
  }

  /** Counts one request; throws RATE_LIMIT_EXCEEDED (with the state for headers) when over. */
  async consumeRequest(subject: string, tier: TierName): Promise<LimitState> {
    const limiter = this.#requests.get(tier) as RateLimiterAbstract;
    try {
      const res = await limiter.consume(subject, 1);
      return this.#state(tier, res, await this.#tokenState(subject, tier));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const state = this.#state(tier, rejection, await this.#tokenState(subject, tier));
      const err = rateLimited('requests_per_minute', this.#tiers[tier].requestsPerMinute, rejection.msBeforeNext, state);
      if (rejection.consumedPoints > this.#tiers[tier].requestsPerMinute + 1) this.#repeats.add(err);
      throw err;
    }
  }

  /**
   * Whether `err` is a request-limit refusal after the first one of its window: a client
   * retrying in a tight loop gets each answered, but only the first is worth a log row.
   */
  isRepeatRefusal(err: unknown): boolean {
    return typeof err === 'object' && err !== null && this.#repeats.has(err);
  }

  /**
   * Counts one request that no key vouches for (401s, keyless 404/405, the keyless OpenAPI
   * document) against its client address; RATE_LIMIT_EXCEEDED when over.
   */
  async consumeAnonymous(address: string): Promise<void> {
    try {
      await this.#anonymous.consume(address, 1);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw rateLimited('anonymous_per_minute', this.#anonymousPerMinute, rejection.msBeforeNext);
    }
  }

  /**
   * Reserves an estimate of tokens. A request whose estimate exceeds the whole window can never
   * fit, so it is PAYLOAD_TOO_LARGE (413, not retryable) naming the limit; one that only
   * exceeds what is left of this window is RATE_LIMIT_EXCEEDED with the time until it resets.
   */
  async reserveTokens(subject: string, tier: TierName, estimate: number): Promise<void> {
    if (estimate <= 0) return;
    const budget = this.#tiers[tier].tokensPerMinute;
    if (estimate > budget) {
      throw overTokenBudget(estimate, budget, tier);
    }
    const limiter = this.#tokens.get(tier) as RateLimiterAbstract;
    try {
      await limiter.consume(subject, estimate);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Give back what the failed reservation counted, so a refused request costs nothing.
      await limiter.reward(subject, estimate);
      throw rateLimited('tokens_per_minute', this.#tiers[tier].tokensPerMinute, rejection.msBeforeNext);
    }
  }

  /** Corrects a reservation once the real token count is known (0 for cache hits). */
  async settleTokens(subject: string, tier: TierName, estimate: number, actual: number): Promise<void> {
    const limiter = this.#tokens.get(tier) as RateLimiterAbstract;
    if (actual < estimate) await limiter.reward(subject, estimate - actual);
    else if (actual > estimate) await limiter.penalty(subject, actual - estimate);
  }

  /** Takes a concurrency slot; the returned function frees it (call exactly once). */
  enter(subject: string, tier: TierName): () => void {
    const current = this.#inFlight.get(subject) ?? 0;
    const cap = this.#tiers[tier].concurrent;
    if (current >= cap) {
      throw concurrencyLimited(cap);
    }
    this.#inFlight.set(subject, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#inFlight.get(subject) ?? 1) - 1;
      if (n <= 0) this.#inFlight.delete(subject);
      else this.#inFlight.set(subject, n);
    };
  }

  /** Current state without consuming (for headers after the request ran). */
  async peek(subject: string, tier: TierName): Promise<LimitState> {
    const res = await (this.#requests.get(tier) as RateLimiterAbstract).get(subject);
    return this.#state(tier, res, await this.#tokenState(subject, tier));
  }

  async #tokenState(subject: string, tier: TierName): Promise<{ remaining: number }> {
    const res = await (this.#tokens.get(tier) as RateLimiterAbstract).get(subject);
    return { remaining: Math.max(0, this.#tiers[tier].tokensPerMinute - (res?.consumedPoints ?? 0)) };
  }

  #state(tier: TierName, res: RateLimiterRes | null, tokens: { remaining: number }): LimitState {
    const t = this.#tiers[tier];
    return {
      limit_requests: t.requestsPerMinute,
      remaining_requests: Math.max(0, t.requestsPerMinute - (res?.consumedPoints ?? 0)),
      limit_tokens: t.tokensPerMinute,
      remaining_tokens: tokens.remaining,
      reset: Math.ceil((Date.now() + (res?.msBeforeNext ?? 60_000)) / 1000),
    };
  }
}

export function limitHeaders(state: LimitState): Record<string, number> {
  return {
    'X-RateLimit-Limit-Requests': state.limit_requests,
    'X-RateLimit-Remaining-Requests': state.remaining_requests,
    'X-RateLimit-Limit-Tokens': state.limit_tokens,
    'X-RateLimit-Remaining-Tokens': state.remaining_tokens,
    'X-RateLimit-Reset': state.reset,
  };
}
