/**
 * What makes `batch run` resumable: a small file next to the output (`<out>.labelwise-job.json`)
 * naming the job that writes that output and the fingerprint of what it was started with. A
 * re-run whose fingerprint matches continues that job; any difference starts a new one.
 */
import { createHash } from 'node:crypto';
import { rename, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { fileUnreadable } from '../../errors.js';
import type { JobConfig } from '../../jobs/types.js';

/** Identifies one run: the input (path, size, mtime), the label config, the data dir. */
export interface RunFingerprint {
  /** Absolute path of the input file. */
  input: string;
  /** Input bytes. */
  size: number;
  /** Input mtime, ms since the epoch (sub-ms precision kept: an edit within the same ms is rare). */
  mtime_ms: number;
  /** sha256 of the canonical label config (descriptions and examples by content, not path). */
  config: string;
  /** Absolute data dir (another data dir holds other jobs). */
  data: string;
}

interface Sidecar {
  job_id: string;
  fingerprint: RunFingerprint;
}

export const sidecarPath = (output: string): string => `${output}.labelwise-job.json`;

export async function fingerprintOf(input: string, config: JobConfig, dataDir: string): Promise<RunFingerprint> {
  let info;
  try {
    info = await stat(input);
  } catch (err) {
    throw fileUnreadable('input', input, err);
  }
  if (!info.isFile()) throw fileUnreadable('input', input, new Error('not a regular file'));
  return { input, size: info.size, mtime_ms: info.mtimeMs, config: hashConfig(config), data: dataDir };
}

/** The job id recorded for this output when it was started with the same fingerprint. */
export async function matchingJob(output: string, fingerprint: RunFingerprint): Promise<string | undefined> {
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(await readFile(sidecarPath(output), 'utf8')) as Sidecar;
  } catch {
    return undefined; // absent or unreadable: nothing to resume
  }
  return typeof sidecar?.job_id === 'string' && isDeepStrictEqual(sidecar.fingerprint, fingerprint) ? sidecar.job_id : undefined;
}

/** Records the job for this output; written whole (temp + rename) so a crash never leaves half a file. */
export async function recordJob(output: string, jobId: string, fingerprint: RunFingerprint): Promise<void> {
  const path = sidecarPath(output);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify({ job_id: jobId, fingerprint } satisfies Sidecar, null, 2)}\n`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Key order does not matter: `{a, b}` and `{b, a}` are the same config. */
function hashConfig(config: JobConfig): string {
  return createHash('sha256').update(canonical(config)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
