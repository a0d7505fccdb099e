/** Prices of spec §9 and the integer micro-dollar arithmetic every billing store uses. */
import type { PriceKind, Prices } from './types.js';

/** Spec §9 prices, USD per 1M tokens. */
export const DEFAULT_PRICES: Readonly<Prices> = Object.freeze({ standard: 0.2, fast: 0.6, batch: 0.08 });

/** Free tokens per account per calendar month (spec §9). */
export const FREE_TOKENS_MONTHLY = 10_000_000;

const MICROS_PER_USD = 1_000_000;

/** Micro-dollars of `usd`, rounded to the nearest micro-dollar. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** USD of integer micro-dollars (only ever for display: sums stay integers). */
export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/**
 * Cost in integer micro-dollars of `tokens` paid tokens of `kind`, rounded half up.
 *
 * A price of P USD per 1M tokens is P·10⁶ micro-dollars per 10⁶ tokens, so the cost is
 * `tokens · P·10⁶ / 10⁶`; computed on integers, exact while `tokens · P·10⁶ < 2⁵³`
 * (≈ 15 billion tokens at 0.60 USD).
 *
 * @example
 * ```ts
 * cost(1_000_000, 'standard'); // 200_000 (0.20 USD)
 * cost(14, 'fast');            // 8 (14 × 0.6 = 8.4 micro-dollars)
 * ```
 */
export function cost(tokens: number, kind: PriceKind, prices: Prices = DEFAULT_PRICES): number {
  const perMillion = usdToMicros(prices[kind]);
  return Math.floor((tokens * perMillion + 500_000) / 1_000_000);
}
