/**
 * The write path shared by usage rows and charges. Entries are written in one transaction per
 * batch; an entry holding a usage row and its charge is written whole, so the two never
 * disagree. Two ways in:
 *
 * - `push` (write-behind): the batch is written when `maxRows` are waiting or `intervalMs`
 *   after the first one. A process crash loses what is waiting (up to `intervalMs`).
 * - `commit` (durable, group commit): the entry joins the batch written at the end of the
 *   current event-loop turn, and the promise settles with that transaction. Concurrent callers
 *   share one transaction, so committing per call costs about as little as writing behind.
 */
import { isLabelwiseError, storesClosed, usageBacklogFull, usageDbBusy, usageNotRecorded, type LabelwiseError } from '../../errors.js';
import type { UsageRecord } from '../validate.js';

/** Most rows kept in memory while flushes keep failing. */
const MAX_BACKLOG = 100_000;

/** A charge in storage form. */
export interface ChargeRecord {
  account: string;
  kind: string;
  tokens: number;
  free_tokens: number;
  amount_micros: number;
  request_id: string | null;
  created_at: number;
  /** `YYYY-MM` of `created_at`. */
  period: string;
}

export interface BufferedEntry {
  usage?: UsageRecord;
  charge?: ChargeRecord;
}

export interface WriteBufferOptions {
  intervalMs: number;
  maxRows: number;
  /** Writes `entries` in one transaction, or throws having written nothing. */
  write: (entries: BufferedEntry[]) => void;
  /** Called after `entries` committed. */
  committed: (entries: BufferedEntry[]) => void;
  /** Called for durable entries whose transaction failed: they are dropped, never retried. */
  dropped: (entries: BufferedEntry[]) => void;
}

interface Waiter {
  entry: BufferedEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriteBuffer {
  #entries: BufferedEntry[] = [];
  /** Callers of `commit` waiting on the next transaction. */
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  /** After a failed flush, only the timer retries, so record() does not retry on every call. */
  #failing = false;
  #closed = false;
  readonly #options: WriteBufferOptions;

  constructor(options: WriteBufferOptions) {
    this.#options = options;
  }

  /** Number of entries waiting. */
  get size(): number {
    return this.#entries.length;
  }

  /** Write-behind: buffers `entry`. */
  push(entry: BufferedEntry): void {
    this.#assertOpen();
    // While the database refuses writes, the backlog is bounded: beyond it new rows are refused
    // (the caller warns) instead of memory growing until the process dies.
    if (this.#failing && this.#entries.length >= MAX_BACKLOG) {
      throw usageBacklogFull(MAX_BACKLOG);
    }
    this.#entries.push(entry);
    if (this.#entries.length >= this.#options.maxRows && !this.#failing) this.#tryFlush();
    else this.#schedule();
  }

  /**
   * Durable: resolves once `entry` is committed, together with every entry that arrived in the
   * same event-loop turn. If that transaction fails, rejects (`OVERLOADED` when the database is
   * busy or locked, else `INTERNAL_ERROR`) and the entry is dropped, so a caller told "failed"
   * is never charged later by a retry.
   */
  commit(entry: BufferedEntry): Promise<void> {
    if (this.#closed) {
      this.#options.dropped([entry]);
      return Promise.reject(storesClosed());
    }
    return new Promise<void>((resolve, reject) => {
      this.#entries.push(entry);
      this.#waiters.push({ entry, resolve, reject });
      if (this.#entries.length >= this.#options.maxRows) this.#tryFlush();
      else this.#soon ??= setImmediate(() => {
        this.#soon = undefined;
        this.#tryFlush();
      });
    });
  }

  /** Writes every waiting entry now; on failure buffered entries stay, durable ones are rejected, and the error is thrown. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#soon !== undefined) clearImmediate(this.#soon);
    this.#soon = undefined;
    if (this.#entries.length === 0) return;
    const batch = this.#entries;
    const waiters = this.#waiters;
    this.#entries = [];
    this.#waiters = [];
    try {
      this.#options.write(batch);
    } catch (err) {
      let kept = batch;
      if (waiters.length > 0) {
        const durable = new Set(waiters.map((w) => w.entry));
        kept = batch.filter((e) => !durable.has(e));
        this.#options.dropped([...durable]);
        const reason = commitError(err);
        for (const w of waiters) w.reject(reason);
      }
      this.#entries = kept.concat(this.#entries);
      this.#schedule();
      throw err;
    }
    this.#failing = false;
    this.#options.committed(batch);
    for (const w of waiters) w.resolve();
  }

  /** Flushes, then refuses further entries. Throws (still open) if the flush fails. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw storesClosed();
  }

  #tryFlush(): void {
    try {
      this.flush();
    } catch (err) {
      // Once per failing streak; durable callers also got the error, but without the database's
      // own message (that stays here, for the operator).
      if (!this.#failing) {
        const retry = this.#entries.length > 0 ? 'will retry' : 'the calls failed';
        process.emitWarning(`labelwise: writing usage rows failed, ${retry}: ${(err as Error).message}`, {
          code: 'LABELWISE_STORE_FLUSH_FAILED',
        });
      }
      this.#failing = true;
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#entries.length === 0 || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tryFlush();
    }, this.#options.intervalMs);
    // A pending flush must not keep the process alive; close() flushes on a clean shutdown.
    this.#timer.unref();
  }
}

/** What a durable caller is told when its transaction failed; the database's error is the `cause`. */
function commitError(err: unknown): LabelwiseError {
  if (isLabelwiseError(err)) return err;
  const code = String((err as { code?: unknown })?.code ?? '');
  // Another connection holding the write lock past the busy timeout is transient; the rest
  // (disk full, I/O error, read-only file, a broken schema) needs an operator.
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return usageDbBusy(err);
  }
  return usageNotRecorded(err);
}
