/** A job row as the API shows it (spec §7.3, §7.4). */
import type { JobRecord } from '../store/index.js';
import type { JobInfo, JobSummary } from './types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const DONE = new Set(['completed', 'failed', 'cancelled']);

export function jobInfo(r: JobRecord): JobInfo {
  return {
    job_id: r.id,
    status: r.status,
    mode: r.mode,
    requests_total: r.input_lines,
    requests_completed: r.next_line,
    requests_failed: r.failed_lines,
    estimated_tokens: r.estimated_tokens,
    actual_tokens: DONE.has(r.status) && r.started_at !== null ? r.tokens : null,
    created_at: iso(r.created_at) as string,
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  };
}

export function jobSummary(r: JobRecord): JobSummary {
  const { job_id, status, requests_total, requests_completed, created_at } = jobInfo(r);
  return { job_id, status, requests_total, requests_completed, created_at };
}
