/**
 * Write-behind buffer shared by usage rows and charges: entries are kept in memory and
 * written in one transaction per batch, when `maxRows` are waiting or `intervalMs` after the
 * first one, whichever comes first. An entry holding a usage row and its charge is written
 * whole, so the two never disagree.
 */
import { LabelwiseError } from '../../errors.js';
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
}

export class WriteBuffer {
  #entries: BufferedEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
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

  push(entry: BufferedEntry): void {
    if (this.#closed) throw new LabelwiseError('OVERLOADED', 'the stores are closed');
    // While the database refuses writes, the backlog is bounded: beyond it new rows are refused
    // (the caller warns) instead of memory growing until the process dies.
    if (this.#failing && this.#entries.length >= MAX_BACKLOG) {
      throw new LabelwiseError('OVERLOADED', `usage backlog full (${MAX_BACKLOG} rows): the database is not accepting writes`);
    }
    this.#entries.push(entry);
    if (this.#entries.length >= this.#options.maxRows && !this.#failing) this.#tryFlush();
    else this.#schedule();
  }

  /** Writes every waiting entry now; on failure they stay buffered and the error is thrown. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#entries.length === 0) return;
    const batch = this.#entries;
    this.#entries = [];
    try {
      this.#options.write(batch);
    } catch (err) {
      this.#entries = batch.concat(this.#entries);
      this.#schedule();
      throw err;
    }
    this.#failing = false;
    this.#options.committed(batch);
  }

  /** Flushes, then refuses further entries. Throws (still open) if the flush fails. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #tryFlush(): void {
    try {
      this.flush();
    } catch (err) {
      if (!this.#failing) {
        process.emitWarning(`labelwise: writing usage rows failed, will retry: ${(err as Error).message}`, {
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
