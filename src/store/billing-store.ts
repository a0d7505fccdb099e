/** Balance, free tokens, spend limit and charges (spec §9). */
import type { PriceKind, TimeInput } from './common.js';
import type { UsageRow } from './usage-store.js';

/** Prices in USD per 1M tokens (spec §9). */
export interface Prices {
  /** @default 0.20 */
  standard: number;
  /** @default 0.60 */
  fast: number;
  /** @default 0.08 */
  batch: number;
}

/** Response of `GET /v1/balance`. */
export interface Balance {
  balance_usd: number;
  currency: 'usd';
  free_tokens_monthly: number;
  free_tokens_used: number;
  free_tokens_remaining: number;
  /** Start of the current UTC calendar month. */
  period_start: string;
  /** Start of the next UTC calendar month (exclusive end). */
  period_end: string;
  /** Spend this period. */
  spend_usd: number;
  spend_limit_usd: number | null;
}

/** What {@link BillingStore.authorize} found. */
export interface Authorization {
  /** Price of the estimate after the remaining free tokens. */
  estimated_cost_usd: number;
  free_tokens_remaining: number;
  balance_usd: number;
}

/** A recorded charge. */
export interface Charge {
  account: string;
  kind: PriceKind;
  tokens: number;
  /** Tokens covered by this month's free allowance. */
  free_tokens: number;
  paid_tokens: number;
  cost_micros: number;
  cost_usd: number;
}

/** Options of {@link BillingStore.charge}. */
export interface ChargeOptions {
  /** Links the ledger entry to a request or batch job. */
  request_id?: string;
  /**
   * The request's usage row. It is written in the same transaction as the charge, with
   * `cost_micros` set to the charge's, so usage and ledger cannot disagree.
   */
  usage?: UsageRow;
  /** @default Date.now() */
  now?: TimeInput;
  /**
   * Resolve only once the charge (and its usage row) committed, sharing one transaction with
   * concurrent durable callers (group commit); if it fails, reject and write nothing.
   * Otherwise the charge is written behind (within 250 ms). @default false
   */
  durable?: boolean;
}

/** Balance, free tokens, spend limit and charges of spec §9. Money is integer micro-dollars. */
export interface BillingStore {
  /** Adds a top-up of `usd` (> 0) and returns the new balance. */
  credit(account: string, usd: number, options?: { now?: TimeInput }): Promise<Balance>;
  /** Balance and this calendar month's free tokens and spend. */
  balance(account?: string, now?: TimeInput): Promise<Balance>;
  /** Sets (or with `null` removes) the hard monthly spend limit. */
  setSpendLimit(account: string, usd: number | null): Promise<Balance>;
  /**
   * Checks a request of `estimatedTokens` before it runs. Refuses only when `enforce` is true:
   * `SPENDING_LIMIT_REACHED` if its cost would take this month's spend over the limit,
   * `INSUFFICIENT_BALANCE` if balance and free tokens cannot cover it.
   */
  authorize(
    account: string,
    estimatedTokens: number,
    kind: PriceKind,
    options?: { enforce?: boolean; now?: TimeInput },
  ): Promise<Authorization>;
  /**
   * Records spend for `tokens` (always, enforced or not): free tokens first, the rest at the
   * `kind` price. Write-behind like usage rows, or durable with `options.durable`.
   * @example
   * ```ts
   * await stores.billing.charge('default', 120, 'standard', { usage: row }); // row + charge, one transaction
   * ```
   */
  charge(account: string, tokens: number, kind: PriceKind, options?: ChargeOptions): Promise<Charge>;
}
