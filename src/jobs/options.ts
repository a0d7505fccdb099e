/** Options of async batch jobs (`EngineOptions.jobs`) and their defaults. */
import { integer, object, string } from '../options/index.js';

export interface JobsOptions {
  /** Largest accepted input file. @default 5368709120 (bytes, 5 GiB) */
  maxUploadBytes: number;
  /** Longest input line; a longer one is a failed result line (`PAYLOAD_TOO_LARGE`), the job goes on. @default 1048576 (bytes, 1 MiB) */
  maxLineBytes: number;
  /** Most lines per chunk: the unit of scoring, writing, checkpointing and charging. @default 512 (lines) */
  chunkLines: number;
  /** Most input bytes per chunk (bounds memory when lines are long). @default 8388608 (bytes, 8 MiB) */
  chunkBytes: number;
  /** Chunks scored at once: one is written while the next is on the model, so the workers never wait. @default 2 (chunks) */
  chunksInFlight: number;
  /** How long an upload or download token is valid. @default 3600000 (ms, 1 hour) */
  tokenTtlMs: number;
  /**
   * How long a running job's claim lasts without a checkpoint before another engine on the same
   * data dir may take it over (an engine on this host takes over at once when the claimant's
   * process is gone). @default 60000 (ms)
   */
  leaseMs: number;
  /** Where inputs and results live. @default `<dataDir>/jobs`, or a fresh temporary folder for an in-memory engine */
  dir: string | undefined;
}

export const JOBS_DEFAULTS: Readonly<JobsOptions> = Object.freeze({
  maxUploadBytes: 5 * 1024 ** 3,
  maxLineBytes: 1024 * 1024,
  chunkLines: 512,
  chunkBytes: 8 * 1024 * 1024,
  chunksInFlight: 2,
  tokenTtlMs: 60 * 60_000,
  leaseMs: 60_000,
  dir: undefined,
});

const J = JOBS_DEFAULTS;

/** The spec of {@link JobsOptions}; `createEngine` checks its `jobs` option with it. */
export const JOBS_SPEC = object({
  maxUploadBytes: integer({ min: 1, unit: 'bytes', default: J.maxUploadBytes }),
  maxLineBytes: integer({ min: 16, unit: 'bytes', default: J.maxLineBytes }),
  chunkLines: integer({ min: 1, unit: 'lines', default: J.chunkLines }),
  chunkBytes: integer({ min: 1, unit: 'bytes', default: J.chunkBytes }),
  chunksInFlight: integer({ min: 1, unit: 'chunks', default: J.chunksInFlight }),
  tokenTtlMs: integer({ min: 1, unit: 'ms', default: J.tokenTtlMs }),
  leaseMs: integer({ min: 1, unit: 'ms', default: J.leaseMs }),
  dir: string({ nonEmpty: true }),
});
