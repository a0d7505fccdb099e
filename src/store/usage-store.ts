/** Usage rows, reports and logs (spec §10). */
import type { AccountOption, TimeInput, UsageGroupBy } from './common.js';

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

/** Recording of usage rows: write-behind (`record`) or durable (`commit`). */
export interface UsageRecorder {
  /**
   * Buffers `row` (write-behind); buffered rows are written in one transaction per batch
   * (every 250 ms or 500 rows), so a process crash loses up to the last 250 ms of rows.
   * Throws `VALIDATION_ERROR` at once for a malformed row.
   */
  record(row: UsageRow): void;
  /**
   * Writes `row` durably: resolves once the transaction holding it committed. Rows committed
   * by concurrent callers in the same event-loop turn share one transaction (group commit).
   * Rejects with `VALIDATION_ERROR` for a malformed row; if the transaction fails, with
   * `OVERLOADED` (database busy or locked) or `INTERNAL_ERROR`, and the row is not written.
   * @example
   * ```ts
   * await stores.usage.commit(row); // on disk now: survives a SIGKILL of this process
   * ```
   */
  commit(row: UsageRow): Promise<void>;
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
