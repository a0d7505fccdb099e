import type { PriceKind, Stores, UsageRow, LoggedLabel } from '../store/index.js';
import { isLabelwiseError, toErrorBody } from '../errors.js';
import { DEFAULT_ACCOUNT } from '../store/index.js';
import type { Tier } from '../vocabulary.js';

/** Who a call runs as and how it is logged; in-process calls default to the engine's account. */
export interface CallOptions {
  /** Account the call runs as. @default 'default' */
  account?: string;
  /** Key that made the call (the HTTP adapter passes it). */
  keyId?: string | null;
  /** Request id used as the log id; generated when absent. */
  requestId?: string;
  /** HTTP method for the log. @default 'CALL' for in-process calls */
  method?: string;
  /** Keep the input text in the log (the key's `log_inputs`). @default false */
  logInputs?: boolean;
  /**
   * Cancels the call: its queued model work leaves the queue and document downloads/OCR stop;
   * the call rejects with the signal's reason (e.g. the HTTP client went away).
   */
  signal?: AbortSignal;
  /** Caller tier: how long answers stay cached (spec §9). @default 'developer' */
  tier?: Tier;
}

/** What one finished (or failed) call reports for usage, logs and billing. */
export interface CallOutcome {
  endpoint: string;
  priority: string | null;
  status: number;
  /** Billed tokens (0 for cache hits and failures). */
  tokens: number;
  /** Visual tokens among them (images, rendered pages). */
  visualTokens?: number;
  cached: boolean;
  latencyMs: number;
  error?: unknown;
  label?: string;
  labels?: LoggedLabel[];
  input?: string;
  kind: PriceKind;
}

/**
 * Usage, logs and billing of engine calls. Durable (the default with billing, and in `serve`):
 * `record` resolves once the row and its charge are committed, group-committed with
 * concurrent calls, so an answered call survives a crash. Buffered: rows are written behind
 * (batched transactions in the store) and recording never waits on the disk. Either way a
 * billed call's ledger entry and usage row land in one transaction, so spend and usage cannot
 * disagree.
 */
export class Accounting {
  readonly #stores: Stores;
  readonly #enforce: boolean;
  readonly #enabled: boolean;
  readonly #durable: boolean;

  constructor(stores: Stores, options: { enforceBilling: boolean; recordUsage: boolean; durable: boolean }) {
    this.#stores = stores;
    this.#enforce = options.enforceBilling;
    this.#enabled = options.recordUsage;
    this.#durable = options.durable;
  }

  /** Refuses (402) before any work when billing is on and the estimate cannot be covered. */
  async authorize(options: CallOptions | undefined, estimatedTokens: number, kind: PriceKind): Promise<void> {
    if (!this.#enforce) return;
    await this.#stores.billing.authorize(options?.account ?? DEFAULT_ACCOUNT, estimatedTokens, kind, { enforce: true });
  }

  /**
   * Records one call. Durable: resolves once committed and rejects if the commit failed — the
   * caller then fails the call instead of answering it unrecorded (and unbilled). For a call
   * that failed anyway (`outcome.error`) its own error is what the caller reports, so a failed
   * commit is only warned about. Buffered: never rejects (failures are warned about).
   */
  async record(options: CallOptions | undefined, outcome: CallOutcome): Promise<void> {
    if (!this.#enabled) return;
    const error = outcome.error === undefined ? undefined : toErrorBody(outcome.error);
    const account = options?.account ?? DEFAULT_ACCOUNT;
    const row: UsageRow = {
      request_id: options?.requestId ?? newRequestId(),
      account,
      key_id: options?.keyId ?? null,
      endpoint: outcome.endpoint,
      method: options?.method ?? 'CALL',
      status: outcome.status,
      priority: outcome.priority,
      tokens: outcome.tokens,
      visual_tokens: outcome.visualTokens ?? 0,
      cached: outcome.cached,
      latency_ms: outcome.latencyMs,
      error_code: error?.code ?? null,
      label: outcome.label ?? null,
      labels: outcome.labels ?? null,
      input: options?.logInputs ? (outcome.input ?? null) : null,
    };
    if (this.#durable) {
      const written =
        outcome.tokens > 0
          ? this.#stores.billing.charge(account, outcome.tokens, outcome.kind, { request_id: row.request_id, usage: row, durable: true })
          : this.#stores.usage.commit(row);
      if (outcome.error === undefined) await written;
      else await written.catch(warn);
      return;
    }
    try {
      if (outcome.tokens > 0) void this.#stores.billing.charge(account, outcome.tokens, outcome.kind, { request_id: row.request_id, usage: row }).catch(warn);
      else this.#stores.usage.record(row);
    } catch (err) {
      // Accounting must never turn a served answer into a failure; surface it instead.
      warn(err);
    }
  }

  /**
   * Records a row the engine did not serve (the HTTP adapter's management calls). Durable:
   * the promise settles with the commit; it is returned with a handler already attached (a
   * warning), so a caller that does not await it cannot cause an unhandled rejection.
   */
  recordRaw(row: UsageRow): Promise<void> {
    if (!this.#enabled) return Promise.resolve();
    if (this.#durable) {
      const written = this.#stores.usage.commit(row);
      written.catch(warn);
      return written;
    }
    try {
      this.#stores.usage.record(row);
    } catch (err) {
      warn(err);
    }
    return Promise.resolve();
  }
}

export function statusOf(err: unknown): number {
  return isLabelwiseError(err) ? err.status : 500;
}

export function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll('-', '')}`;
}

function warn(err: unknown): void {
  process.emitWarning(`labelwise: could not record usage: ${err instanceof Error ? err.message : String(err)}`, { code: 'LABELWISE_USAGE' });
}
