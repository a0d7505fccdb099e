/** Scalar types shared by the store interfaces. */
export type { PriceKind, Scope, Tier, UsageGroupBy } from '../vocabulary.js';
/** A point in time: an ISO-8601 string, epoch milliseconds or a `Date`. */
export type TimeInput = string | number | Date;

/** Names the account an operation runs as. */
export interface AccountOption {
  /** @default 'default' (the engine's default account, created on open) */
  account?: string;
}
