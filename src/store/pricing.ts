/** Prices of spec §9 and the integer micro-dollar arithmetic every billing store uses. */
import { validationError } from '../errors.js';
import type { PriceKind, Prices } from './types.js';

/** Spec §9 prices, USD per 1M tokens. */
export const DEFAULT_PRICES: Readonly<Prices> = Object.freeze({ standard: 0.2, fast: 0.6, batch: 0.08 });

/** Free tokens per account per calendar month (spec §9). */
export const FREE_TOKENS_MONTHLY = 10_000_000;

const MICROS_PER_USD = 1_000_000;

/**
 * Largest amount one credit or spend limit may carry, and the largest balance: 10⁹ USD. With
 * at most 6 decimals that is ≤ 15 significant digits, so every accepted amount survives a
 * round trip through a double exactly, and sums of them stay far below 2⁵³ micro-dollars.
 */
export const MAX_USD = 1_000_000_000;
export const MAX_MICROS = MAX_USD * MICROS_PER_USD;

// Linear-time (no nested quantifiers); the length cap keeps BigInt work bounded.
const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d{1,4}))?$/;

/**
 * Integer micro-dollars of a USD amount given as a decimal string (`"20"`, `"0.000001"`,
 * `"1e3"`) or a number (read as its shortest decimal form, so `0.1` is exactly 100,000),
 * computed on the decimal digits, never through floating-point multiplication.
 *
 * @throws `VALIDATION_ERROR` with `details.field === field` when the amount is not a number,
 * negative (or zero with `positive`), finer than one micro-dollar, or above {@link MAX_USD}.
 * @example
 * ```ts
 * parseUsdMicros('9.999999', 'usd'); // 9_999_999
 * parseUsdMicros('0.0000001', 'usd'); // throws: more than 6 decimal places
 * ```
 */
export function parseUsdMicros(value: unknown, field: string, { positive = false }: { positive?: boolean } = {}): number {
  const kind = positive ? 'a positive' : 'a non-negative';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
  const m = text.length <= 100 ? DECIMAL.exec(text) : null;
  if (!m) throw validationError(field, `${field} must be ${kind} amount of USD, e.g. 20 or 0.5`);
  const [, sign, int = '', frac = '', fracOnly = '', exp = '0'] = m;
  const digits = BigInt((int || '0') + (fracOnly || frac));
  // value = digits · 10^-(decimals - exp); micro-dollars = digits · 10^(6 - decimals + exp)
  const shift = 6 - (fracOnly || frac).length + Number(exp);
  let micros: bigint;
  if (digits === 0n) micros = 0n;
  else if (shift >= 0) micros = shift > 30 ? BigInt(MAX_MICROS) + 1n : digits * 10n ** BigInt(shift);
  else {
    const unit = 10n ** BigInt(-shift);
    if (digits % unit !== 0n) {
      throw validationError(field, `${field} has more than 6 decimal places: money is kept in whole micro-dollars (0.000001 USD)`);
    }
    micros = digits / unit;
  }
  if (sign === '-' && micros > 0n) throw validationError(field, `${field} must be ${kind} amount of USD`);
  if (positive && micros === 0n) throw validationError(field, `${field} must be ${kind} amount of USD`);
  if (micros > BigInt(MAX_MICROS)) throw validationError(field, `${field} must be at most ${MAX_USD} USD`);
  return Number(micros);
}

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
