/**
 * Async batch jobs (spec §7): the payloads (the wire's snake_case, like the rest of the engine)
 * and the `engine.jobs` interface. The HTTP adapter and the CLI are written against this file.
 */
import type { Readable } from 'node:stream';
import type { LabelScore } from '../schema/index.js';

export const JOB_STATUSES = Object.freeze(['pending', 'processing', 'completed', 'failed', 'cancelled'] as const);
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_MODES = Object.freeze(['single', 'multi'] as const);
/** `single`: one label per line (classify); `multi`: every label that applies (tag). */
export type JobMode = (typeof JOB_MODES)[number];

/** `POST /v1/batch` body (spec §7.1): the label config shared by every line. */
export interface JobConfig {
  labels?: string[];
  classifier?: string;
  descriptions?: Record<string, string>;
  examples?: Record<string, string[]>;
  text_type?: string;
  /** @default 'single' */
  mode?: JobMode;
  /** `multi` only: a label is returned when its confidence ≥ threshold. @default 0.5 */
  threshold?: number;
}

/** A new job (spec §7.1). The HTTP adapter adds `upload_url` (absolute) to it. */
export interface CreatedJob {
  job_id: string;
  status: 'pending';
  /** Where the input lives, relative to the engine's jobs directory (`<job_id>/input.ndjson`). */
  input_key: string;
  /** Form fields of the presigned-style upload: `key` (= input_key) and the short-lived `token`. */
  upload_fields: { key: string; token: string };
  /** When the upload token expires (ISO-8601 UTC). */
  expires_at: string;
}

/** `GET /v1/batch/{id}` (spec §7.4). */
export interface JobInfo {
  job_id: string;
  status: JobStatus;
  mode: JobMode;
  /** Input lines (known once uploaded; 0 before). */
  requests_total: number;
  /** Lines answered so far, failed lines included. */
  requests_completed: number;
  /** Lines answered with an error. */
  requests_failed: number;
  /** Known once the job starts (null before). */
  estimated_tokens: number | null;
  /** Tokens billed; null until the job is done. */
  actual_tokens: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** Why the job failed (null otherwise). */
  error: { code: string; message: string } | null;
}

/** One entry of `GET /v1/batch` (spec §7.3). */
export type JobSummary = Pick<JobInfo, 'job_id' | 'status' | 'requests_total' | 'requests_completed' | 'created_at'>;

/** One line of the results file (spec §7.5), in input order. */
export type JobResultLine =
  | { index: number; id?: unknown; label: string; confidence: number; tokens: number }
  | { index: number; id?: unknown; labels: LabelScore[]; tokens: number }
  | { index: number; id?: unknown; error: string; code: string; tokens: 0 };

/** Input of `upload`: a file path, the bytes, or a stream of bytes. */
export type JobInput = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

export interface JobCallOptions {
  /** Account the job belongs to. @default 'default' */
  account?: string;
}

export interface UploadOptions extends JobCallOptions {
  /** Aborts the upload: nothing of it is kept. */
  signal?: AbortSignal;
}

/** The raw results file, for streaming it (the HTTP download). */
export interface JobDownload {
  stream: Readable;
  /** Bytes. */
  size: number;
}

/** What a verified upload/download token grants. */
export interface TokenGrant {
  job_id: string;
  account: string;
}

/** `engine.jobs`: create → upload → start → get/list → results → delete (spec §7). */
export interface JobsApi {
  /** The engine's job limits (the HTTP adapter sizes its upload route by them). */
  readonly limits: { readonly maxUploadBytes: number; readonly maxLineBytes: number; readonly tokenTtlMs: number };
  /** A new pending job; 422 VALIDATION_ERROR for a bad config, CLASSIFIER_NOT_FOUND for an unknown classifier. */
  create(config: JobConfig | unknown, options?: JobCallOptions): Promise<CreatedJob>;
  /**
   * Streams the input to disk (never held in memory), replacing any earlier upload; counts its
   * lines. 413 PAYLOAD_TOO_LARGE past `jobs.maxUploadBytes`; 409 BATCH_INVALID_STATE unless pending
   * or failed. Nothing of a failed or aborted upload is kept.
   */
  upload(id: string, input: JobInput, options?: UploadOptions): Promise<JobInfo>;
  /**
   * Starts (or, from `failed`, resumes) processing in the background; resolves at once with
   * `{job_id, status: 'processing'}`. 409 BATCH_INPUT_MISSING, BATCH_CONCURRENCY_LIMIT,
   * BATCH_INVALID_STATE; 402 when billing is on and the balance cannot cover the estimate.
   */
  start(id: string, options?: JobCallOptions): Promise<{ job_id: string; status: 'processing' }>;
  get(id: string, options?: JobCallOptions): Promise<JobInfo>;
  /** The 20 newest jobs of the account, newest first. */
  list(options?: JobCallOptions & { limit?: number }): Promise<JobSummary[]>;
  /** Resolves once the job is no longer processing (or the signal aborts). */
  wait(id: string, options?: JobCallOptions & { signal?: AbortSignal }): Promise<JobInfo>;
  /** The result lines, parsed, in input order; 409 BATCH_INVALID_STATE unless completed. */
  results(id: string, options?: JobCallOptions): Promise<AsyncIterable<JobResultLine>>;
  /** The raw results file (NDJSON bytes); 409 unless completed. */
  download(id: string, options?: JobCallOptions): Promise<JobDownload>;
  /** Stops a processing (or pending) job; what was answered stays counted. 409 when already done. */
  cancel(id: string, options?: JobCallOptions): Promise<JobInfo>;
  /** Removes the job and its files; 409 BATCH_INVALID_STATE while processing. */
  delete(id: string, options?: JobCallOptions): Promise<{ job_id: string; deleted: true }>;
  /** A new short-lived token for `upload` or `download` of the job (the adapter's URLs carry it). */
  issueToken(id: string, purpose: 'upload' | 'download', options?: JobCallOptions): Promise<{ token: string; expires_at: string }>;
  /** Checks a token; 401 INVALID_API_KEY when unknown, tampered or expired (reason says which). */
  verifyToken(id: string, purpose: 'upload' | 'download', token: string): Promise<TokenGrant>;
}
