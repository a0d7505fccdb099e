/** One sequence waiting for a model run, and where its vector goes. */
export interface Entry {
  request: PendingRequest;
  index: number;
  ids: number[];
  /** Set when the call is fed in slices: counts its waiting sequences. */
  feeder?: Feeder;
}

/** A call admitted in slices: what is left to queue and how much of it waits now. */
export interface Feeder {
  request: PendingRequest;
  sequences: number[][];
  /** Index of the first sequence not yet queued. */
  next: number;
  /** Sequences of this call waiting in the queue (not yet on a worker). */
  queued: number;
  fast: boolean;
}

export interface PendingRequest {
  results: Float32Array[];
  remaining: number;
  failed: boolean;
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
}

/** Most entries looked at when choosing one run (bounds the sort on huge queues). */
const MAX_WINDOW = 4096;

/**
 * Sequences waiting for a worker, and which of them form the next model run. Requests are
 * served in arrival order (`fast` ones jump the queue); within the window — the oldest request
 * in full, or at least one run's worth of the oldest entries — the shortest sequences go
 * together, so a big batch is padded as if sorted globally while small concurrent calls still
 * coalesce.
 */
export class RunQueue {
  #entries: Entry[] = [];

  get length(): number {
    return this.#entries.length;
  }

  /** Whether a `fast` request is waiting (it should not wait for a batch to fill). */
  get hasFast(): boolean {
    return this.#fastCount > 0;
  }

  #fastCount = 0;

  add(entries: Entry[], fast: boolean): void {
    if (fast) {
      this.#entries.splice(this.#fastCount, 0, ...entries);
      this.#fastCount += entries.length;
    } else this.#entries.push(...entries);
  }

  /** Removes and returns the next run of at most `size` sequences. */
  take(size: number): Entry[] {
    if (this.#fastCount > 0) {
      // Fast requests run on their own, unpadded by anything slower.
      const run = this.#entries.splice(0, Math.min(size, this.#fastCount));
      this.#fastCount -= run.length;
      return run;
    }
    const first = this.#entries[0];
    let window = 0;
    while (window < this.#entries.length && window < MAX_WINDOW && (window < size || this.#entries[window].request === first?.request)) window++;
    const order = Array.from({ length: window }, (_, i) => i).sort((a, b) => this.#entries[a].ids.length - this.#entries[b].ids.length || a - b);
    const chosen = new Set(order.slice(0, size));
    const run: Entry[] = [];
    const rest: Entry[] = [];
    this.#entries.forEach((e, i) => (chosen.has(i) ? run : rest).push(e));
    this.#entries = rest;
    return run;
  }

  /** Removes a request's waiting entries (its call was aborted). */
  remove(request: PendingRequest): void {
    const fastRemoved = this.#entries.slice(0, this.#fastCount).filter((e) => e.request === request).length;
    this.#entries = this.#entries.filter((e) => e.request !== request);
    this.#fastCount -= fastRemoved;
  }

  /** Removes everything (on close). */
  drain(): Entry[] {
    const all = this.#entries;
    this.#entries = [];
    this.#fastCount = 0;
    return all;
  }
}
