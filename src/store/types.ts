/**
 * The store interfaces (spec §1.1, §6, §9, §10). Callers depend on these only, so another
 * backend (e.g. a shared PostgreSQL) can implement them without touching callers; every
 * implementation runs the contract suite in `test/store/contract.ts`.
 *
 * Payloads keep the wire's snake_case (spec: "the library and the wire use the same field
 * names"); methods are camelCase. Every method is async except {@link UsageRecorder.record},
 * which only buffers.
 */

/** A key scope (spec §1.1). */
export type Scope = 'classify' | 'batch' | 'manage';
/** A rate-limit tier (spec §11). */
export type Tier = 'public' | 'developer' | 'production';
/** What a charge is priced as (spec §9). */
export type PriceKind = 'standard' | 'fast' | 'batch';
/** How {@link UsageStore.usage} groups rows. */
export type UsageGroupBy = 'day' | 'hour' | 'month' | 'endpoint' | 'key' | 'priority';
/** A point in time: an ISO-8601 string, epoch milliseconds or a `Date`. */
export type TimeInput = string | number | Date;

/** Names the account an operation runs as. */
export interface AccountOption {
  /** @default 'default' (the engine's default account, created on open) */
  account?: string;
}

// ── Keys ────────────────────────────────────────────────────────────────────────────────────

/** Body of `POST /v1/keys` (spec §10). Unknown fields are ignored. */
export interface KeyCreateInput {
  /** Free label, ≤ 100 characters. @default null */
  name?: string | null;
  /** Non-empty subset of the scopes. @default ['classify', 'batch', 'manage'] */
  scopes?: Scope[];
  /** @default 'developer' */
  tier?: Tier;
  /** ISO-8601 time in the future after which the key stops working. @default null (never) */
  expires_at?: string | null;
  /** Whether requests made with this key store their input text in the logs. @default false */
  log_inputs?: boolean;
  /** Days a logged input is kept, 1–3650. @default 30 */
  log_retention_days?: number;
}

/** A key as listed by `GET /v1/keys`: never the secret, never its hash. */
export interface KeyInfo {
  /** `key_` + 16 base62 characters. */
  id: string;
  name: string | null;
  /** First 12 characters of the secret, e.g. `lw_live_a1B2`, to recognise it. */
  prefix: string;
  scopes: Scope[];
  tier: Tier;
  created_at: string;
  expires_at: string | null;
  /** Updated on use, at most once a minute. */
  last_used_at: string | null;
  revoked: boolean;
  log_inputs: boolean;
  log_retention_days: number;
}

/** A freshly created key: the stored fields plus the secret, returned this once only. */
export interface CreatedKey extends KeyInfo {
  /** The secret (`lw_live_` + 40 base62 characters). Only its SHA-256 is stored. */
  key: string;
}

/** What a valid secret grants. */
export interface VerifiedKey {
  key_id: string;
  account: string;
  scopes: Scope[];
  tier: Tier;
  log_inputs: boolean;
  log_retention_days: number;
}

/** API keys of spec §1.1 and §10. */
export interface KeyStore {
  /**
   * Creates a key and returns its secret once.
   * @throws `VALIDATION_ERROR` with `details.field`.
   * @example
   * ```ts
   * const { key, id } = await stores.keys.create({ name: 'ci', scopes: ['classify'] });
   * ```
   */
  create(input?: KeyCreateInput, options?: AccountOption): Promise<CreatedKey>;
  /** The account's keys, oldest first, revoked ones included. */
  list(options?: AccountOption): Promise<{ keys: KeyInfo[] }>;
  /**
   * Revokes a key (idempotent) and returns it.
   * @throws `KEY_NOT_FOUND` for an unknown id or another account's key.
   */
  revoke(id: string, options?: AccountOption): Promise<KeyInfo>;
  /** What `secret` grants, or `null` when it is unknown, revoked or expired. */
  verify(secret: string, options?: { now?: TimeInput }): Promise<VerifiedKey | null>;
}

// ── Saved classifiers ───────────────────────────────────────────────────────────────────────

/** Body of `POST /v1/classifiers` (spec §6); label rules as spec §2. */
export interface ClassifierInput {
  /** `^[a-z0-9][a-z0-9_-]{0,63}$` */
  name: string;
  labels: string[];
  descriptions?: Record<string, string>;
  examples?: Record<string, string[]>;
  text_type?: string | null;
  /** 0–1, used by tag requests. */
  threshold?: number | null;
}

/** One immutable version of a saved classifier. */
export interface ClassifierVersion {
  name: string;
  /** `v1`, `v2`, … */
  version: string;
  labels: string[];
  descriptions: Record<string, string>;
  examples: Record<string, string[]>;
  text_type: string | null;
  threshold: number | null;
  created_at: string;
}

/** `GET /v1/classifiers/{name}`: a version in full plus every version name. */
export interface ClassifierDetail extends ClassifierVersion {
  /** Every version, oldest first. */
  versions: string[];
}

/** One entry of `GET /v1/classifiers`. */
export interface ClassifierSummary {
  name: string;
  latest_version: string;
  /** Every version, oldest first. */
  versions: string[];
  /** When v1 was created. */
  created_at: string;
  /** When the latest version was created. */
  updated_at: string;
}

/** Saved classifiers of spec §6, per account. */
export interface ClassifierStore {
  /**
   * Stores `input` as `v1` of a new name, or as the next version of an existing one.
   * Concurrent creators of one name always get distinct, contiguous versions.
   * @throws `VALIDATION_ERROR` with `details.field`.
   * @example
   * ```ts
   * await stores.classifiers.create({ name: 'support', labels: ['billing', 'shipping'] }); // v1
   * ```
   */
  create(input: ClassifierInput, options?: AccountOption): Promise<ClassifierVersion>;
  /** The account's classifiers, by name. */
  list(options?: AccountOption): Promise<{ classifiers: ClassifierSummary[] }>;
  /**
   * `name` (latest) or `name@vN`.
   * @throws `CLASSIFIER_NOT_FOUND` for an unknown name or version.
   */
  get(ref: string, options?: AccountOption): Promise<ClassifierDetail>;
  /**
   * Removes every version of `name`.
   * @throws `CLASSIFIER_NOT_FOUND`.
   */
  delete(name: string, options?: AccountOption): Promise<{ name: string; deleted: true }>;
}

// ── Usage and logs ──────────────────────────────────────────────────────────────────────────

/** A label and its confidence, as in tag responses. */
export interface LoggedLabel {
  label: string;
  confidence: number;
}

/** One request, as the engine records it. */
export interface UsageRow {
  /** The `X-Request-ID`; also the log id. */
  request_id: string;
  /** @default 'default' */
  account?: string;
  key_id?: string | null;
  /** e.g. `/v1/classify`. */
  endpoint: string;
  /** @default 'POST' */
  method?: string;
  /** HTTP status; ≥ 400 counts as an error. */
  status: number;
  priority?: string | null;
  tokens: number;
  /** @default 0 */
  visual_tokens?: number;
  /** @default false */
  cached?: boolean;
  latency_ms: number;
  /** Integer micro-dollars. Set by {@link BillingStore.charge} when passed there. @default 0 */
  cost_micros?: number;
  error_code?: string | null;
  label?: string | null;
  labels?: readonly LoggedLabel[] | null;
  /**
   * The input text; pass it only when the key logs inputs. It is kept for the key's
   * `log_retention_days` (30 without a key).
   */
  input?: string | null;
  /** @default now */
  created_at?: TimeInput;
}

/** The counters of `GET /v1/usage`. */
export interface UsageCounters {
  requests: number;
  tokens: number;
  visual_tokens: number;
  cached_requests: number;
  /** Requests with status ≥ 400. */
  errors: number;
  cost_usd: number;
}

/** One group of `GET /v1/usage`; exactly one of the grouping fields is present. */
export interface UsageBucket extends UsageCounters {
  /** Start of the UTC hour, day or month (ISO), for those groupings. */
  period?: string;
  endpoint?: string;
  key_id?: string | null;
  priority?: string | null;
}

/** Query of `GET /v1/usage`. The range is `[start, end)`. */
export interface UsageQuery extends AccountOption {
  /** @default start of the current UTC month */
  start?: TimeInput;
  /** @default start of the next UTC month */
  end?: TimeInput;
  /** @default 'day' */
  group_by?: UsageGroupBy;
  /** The clock the default range is taken from. @default Date.now() */
  now?: TimeInput;
}

/** Response of `GET /v1/usage`. Groups without requests are omitted. */
export interface UsageReport {
  start: string;
  end: string;
  group_by: UsageGroupBy;
  totals: UsageCounters;
  data: UsageBucket[];
}

/** Query of `GET /v1/logs`. */
export interface LogsQuery extends AccountOption {
  /** 1–1000. @default 50 */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
  start?: TimeInput;
  end?: TimeInput;
  endpoint?: string;
  status?: number;
  key_id?: string;
  request_id?: string;
  /** Inputs whose retention ended before `now` are not returned. @default Date.now() */
  now?: TimeInput;
}

/** One entry of `GET /v1/logs`. */
export interface LogEntry {
  request_id: string;
  created_at: string;
  endpoint: string;
  method: string;
  status: number;
  key_id: string | null;
  priority: string | null;
  tokens: number;
  visual_tokens: number;
  cached: boolean;
  latency_ms: number;
  cost_usd: number;
  error_code: string | null;
  /** Single-label requests. */
  label?: string;
  /** Multi-label requests. */
  labels?: LoggedLabel[];
  /** Only when logged and still within retention. */
  input?: string;
}

/** A page of `GET /v1/logs`, newest first. */
export interface LogsPage {
  data: LogEntry[];
  /** Opaque; `null` on the last page. */
  next_cursor: string | null;
}

/** Write-behind recording of usage rows. */
export interface UsageRecorder {
  /**
   * Buffers `row`; buffered rows are written in one transaction per batch (every 250 ms or
   * 500 rows). Throws `VALIDATION_ERROR` at once for a malformed row.
   */
  record(row: UsageRow): void;
  /** Writes everything buffered so far. */
  flush(): Promise<void>;
}

/** Usage rows and the queries over them (spec §10). */
export interface UsageStore extends UsageRecorder {
  /** Counters over `[start, end)`, grouped. Flushes the buffer first. */
  usage(query?: UsageQuery): Promise<UsageReport>;
  /** Request logs, newest first, keyset-paginated. Flushes the buffer first. */
  logs(query?: LogsQuery): Promise<LogsPage>;
  /** Drops logged inputs past their retention; returns how many. Runs on open and hourly. */
  purgeExpiredInputs(now?: TimeInput): Promise<number>;
}

// ── Billing ─────────────────────────────────────────────────────────────────────────────────

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
   * `kind` price. Write-behind, like usage rows.
   * @example
   * ```ts
   * await stores.billing.charge('default', 120, 'standard', { usage: row }); // row + charge, one transaction
   * ```
   */
  charge(account: string, tokens: number, kind: PriceKind, options?: ChargeOptions): Promise<Charge>;
}

/** Every store, over one database. */
export interface Stores {
  readonly keys: KeyStore;
  readonly classifiers: ClassifierStore;
  readonly usage: UsageStore;
  readonly billing: BillingStore;
  /** Writes every buffered usage row and charge. */
  flush(): Promise<void>;
  /** Stops timers, flushes, then closes the database. Idempotent. */
  close(): Promise<void>;
}
