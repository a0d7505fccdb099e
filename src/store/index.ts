/**
 * Durable stores: API keys, saved classifiers, usage rows and logs, balance and billing
 * (spec §1.1, §6, §9, §10). Callers use the interfaces only; `openStores` returns the SQLite
 * implementation (one file, WAL, safe under concurrent writers in one or several processes).
 */

// Opening
export { openStores } from './sqlite/open.js';
export type { OpenStoresOptions } from './options.js';

// Interfaces
export type {
  AccountOption,
  BillingStore,
  ClassifierStore,
  JobStore,
  KeyStore,
  Stores,
  UsageRecorder,
  UsageStore,
} from './types.js';

// Payloads
export type {
  Authorization,
  Balance,
  Charge,
  ChargeOptions,
  ClassifierDetail,
  ClassifierInput,
  ClassifierSummary,
  ClassifierVersion,
  JobCheckpoint,
  JobRecord,
  StoredJobStatus,
  CreatedKey,
  KeyCreateInput,
  KeyCreateOptions,
  KeyGrant,
  KeyInfo,
  LogEntry,
  LoggedLabel,
  LogsPage,
  LogsQuery,
  PriceKind,
  Prices,
  Scope,
  Tier,
  TimeInput,
  UsageBucket,
  UsageCounters,
  UsageGroupBy,
  UsageQuery,
  UsageReport,
  UsageRow,
  VerifiedKey,
} from './types.js';

// Pricing
export { cost, DEFAULT_PRICES, FREE_TOKENS_MONTHLY, microsToUsd, usdToMicros } from './pricing.js';
export { DEFAULT_ACCOUNT, SCOPES, TIERS } from './validate.js';
