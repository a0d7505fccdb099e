/** Scalar types shared by the store interfaces. */
/** A key scope (spec §1.1). */
export type Scope = 'classify' | 'batch' | 'manage';
/** A rate-limit tier (spec §11). */
export type Tier = 'public' | 'developer' | 'production';
/** What a charge is priced as (spec §9). */
export type PriceKind = 'standard' | 'fast' | 'batch';
/** How `UsageStore.usage` groups rows. */
export type UsageGroupBy = 'day' | 'hour' | 'month' | 'endpoint' | 'key' | 'priority';
/** A point in time: an ISO-8601 string, epoch milliseconds or a `Date`. */
export type TimeInput = string | number | Date;

/** Names the account an operation runs as. */
export interface AccountOption {
  /** @default 'default' (the engine's default account, created on open) */
  account?: string;
}
