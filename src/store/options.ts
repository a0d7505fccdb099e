/** Options of `openStores` and the price fields the engine's `billing.prices` shares. */
import { isLabelwiseError } from '../errors.js';
import { custom, describeValue, integer, invalid, LabelwiseOptionsError, object, optionName, perKey, string, type Field, type Resolved } from '../options/index.js';
import { PRICE_KINDS, type PriceKind } from '../vocabulary.js';
import { DEFAULT_PRICES, FREE_TOKENS_MONTHLY, MAX_USD, parseUsdMicros } from './pricing.js';
import type { Prices } from './types.js';

/** Options of {@link openStores}. */
export interface OpenStoresOptions {
  /**
   * Directory of `labelwise.db` (created if missing). `':memory:'` or undefined: a private
   * in-memory database, gone on close.
   * @default undefined
   */
  dataDir?: string;
  /** How long a write waits for another connection's lock, in ms. @default 5000 (ms) */
  busyTimeoutMs?: number;
  /**
   * Longest time a written-behind usage row or charge waits in memory, in ms (what a crash can
   * lose). Durable writes (`usage.commit`, `charge({ durable })`) wait only for the end of the
   * current event-loop turn. @default 250 (ms)
   */
  flushIntervalMs?: number;
  /** Buffered rows that trigger a flush at once. @default 500 (rows) */
  flushMaxRows?: number;
  /** How often logged inputs past retention are purged, in ms. @default 3_600_000 (ms, 1 h) */
  purgeIntervalMs?: number;
  /** USD per 1M tokens, per price kind. @default { standard: 0.20, fast: 0.60, batch: 0.08 } (USD per 1M tokens) */
  prices?: Partial<Prices>;
  /** Free tokens per account per calendar month. @default 10_000_000 (tokens) */
  freeTokensMonthly?: number;
}

/** A price: USD per 1M tokens, exact to the micro-dollar like every other amount of money. */
function price(kind: PriceKind): Field<number> {
  const expected = `a non-negative amount of USD per 1M tokens with at most 6 decimals, ≤ ${MAX_USD}`;
  return custom(
    expected,
    (v, path) => {
      try {
        parseUsdMicros(v, path);
        return v as number;
      } catch (err) {
        if (!isLabelwiseError(err)) throw err;
        // Keep the parser's precise reason ("has more than 6 decimal places: …") under the option's name.
        if (err.message.startsWith(`${path} `)) throw new LabelwiseOptionsError(path, `${optionName(path)}${err.message.slice(path.length)} (got ${describeValue(v)})`);
        throw invalid(path, expected, v);
      }
    },
    { default: DEFAULT_PRICES[kind] },
  );
}

/** Prices per kind over the spec's defaults (spec §9); shared by `openStores` and `createEngine`. */
export const PRICES_SPEC = object(perKey(PRICE_KINDS, price));

/** Free tokens per account per month (spec §9). */
export const FREE_TOKENS_SPEC = integer({ min: 0, unit: 'tokens', default: FREE_TOKENS_MONTHLY });

const STORES_SPEC = object({
  dataDir: string({ nonEmpty: true }),
  busyTimeoutMs: integer({ min: 1, unit: 'ms', default: 5000 }),
  flushIntervalMs: integer({ min: 1, unit: 'ms', default: 250 }),
  flushMaxRows: integer({ min: 1, unit: 'rows', default: 500 }),
  purgeIntervalMs: integer({ min: 1, unit: 'ms', default: 3_600_000 }),
  prices: PRICES_SPEC,
  freeTokensMonthly: FREE_TOKENS_SPEC,
});

/** Resolved, frozen {@link OpenStoresOptions}. */
export type ResolvedStoresOptions = Resolved<typeof STORES_SPEC>;

/**
 * Defaults filled in and every value checked.
 * @throws {@link LabelwiseOptionsError} naming the option, e.g. `unknown option "datadir"; did you mean "dataDir"?`
 */
export function resolveStoresOptions(options: OpenStoresOptions = {}): ResolvedStoresOptions {
  return STORES_SPEC.resolve(options, '');
}
