/** The batch job store (spec §7): job rows, their checkpoints, and the store's secrets. */
import type { UsageRow } from './usage-store.js';

export type StoredJobStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** A job row; times are epoch milliseconds. `config` is the validated job config (JSON). */
export interface JobRecord {
  id: string;
  account: string;
  status: StoredJobStatus;
  mode: 'single' | 'multi';
  config: Record<string, unknown>;
  /** The input file's name in the job's folder; null until an input was uploaded. */
  input_name: string | null;
  /** Null until an input was uploaded. */
  input_bytes: number | null;
  input_lines: number;
  estimated_tokens: number | null;
  /** Lines answered and committed; the next chunk starts at this line… */
  next_line: number;
  /** …at this byte of the input… */
  input_offset: number;
  /** …and its results are appended after this many committed bytes of the partial results file. */
  output_bytes: number;
  failed_lines: number;
  /** Tokens billed so far. */
  tokens: number;
  chunks: number;
  error_code: string | null;
  error_message: string | null;
  /** The engine running it (host:pid:nonce) while processing; null when none holds it. */
  runner: string | null;
  /** Until when the runner's claim holds without a checkpoint (epoch ms). */
  lease_until: number | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
}

/** One committed chunk: where the job is now, and what the chunk cost. */
export interface JobCheckpoint {
  next_line: number;
  input_offset: number;
  output_bytes: number;
  /** Failed lines in this chunk (added). */
  failed: number;
  /** Tokens of this chunk (added, and charged at the batch price). */
  tokens: number;
  /** The chunk's usage row (charged with it); absent when usage is not recorded. */
  usage?: UsageRow;
}

export interface JobStore {
  insert(job: Pick<JobRecord, 'id' | 'account' | 'mode' | 'config' | 'created_at'>): Promise<JobRecord>;
  /** The job of that account; undefined when absent (another account's job is absent too). */
  get(id: string, account: string): Promise<JobRecord | undefined>;
  /** The account's newest jobs first. */
  list(account: string, limit: number): Promise<JobRecord[]>;
  /** Every processing job of every account (to resume on start). */
  processing(): Promise<JobRecord[]>;
  /**
   * Records a finished upload and resets the checkpoint; only from `pending`, `failed` or
   * `cancelled` (→ `pending`). Returns the record and the replaced input's name, or undefined
   * when the job is in another state (or gone).
   */
  setInput(id: string, account: string, input: { name: string; bytes: number; lines: number }): Promise<{ job: JobRecord; replaced: string | null } | undefined>;
  /**
   * `pending`/`failed` → `processing`. Throws BATCH_CONCURRENCY_LIMIT when another job of the
   * account is processing (checked by the database), BATCH_INVALID_STATE / BATCH_INPUT_MISSING.
   */
  start(id: string, account: string, estimatedTokens: number, now: number, claim: { runner: string; leaseUntil: number }): Promise<JobRecord>;
  /**
   * Takes a processing job over for `runner` if its current runner is still `expected`
   * (compare-and-swap); false when someone else moved first or it is no longer processing.
   */
  claim(id: string, expected: string | null, claim: { runner: string; leaseUntil: number }): Promise<boolean>;
  /** Gives a processing job up (a clean shutdown), so the next engine resumes it at once. */
  release(id: string, runner: string): Promise<void>;
  /**
   * Commits a chunk and its charge in one transaction and renews the claim, only while the job
   * is processing and held by `runner`; false (nothing written) otherwise.
   */
  checkpoint(id: string, runner: string, checkpoint: JobCheckpoint, now: number, leaseUntil: number): Promise<boolean>;
  /** processing → completed/failed/cancelled (pending → cancelled too), releasing the claim; false when not allowed. */
  finish(id: string, status: 'completed' | 'failed' | 'cancelled', now: number, error?: { code: string; message: string }): Promise<boolean>;
  /** Removes the row unless processing; false when it is processing. */
  delete(id: string, account: string): Promise<boolean>;
  /** A random secret of ≥ 32 bytes, created on first use and kept in the database. */
  secret(name: string): Promise<Buffer>;
}
