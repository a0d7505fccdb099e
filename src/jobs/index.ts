/**
 * Async batch jobs (spec §7): streaming NDJSON in, NDJSON out, checkpoints, resume. Sits below
 * the engine: scoring is injected through {@link JobScoring}.
 */
export { Jobs, type JobsDeps } from './jobs.js';
export { JobFiles } from './files.js';
export { jobRequest, type StoredJobConfig } from './config.js';
export { JOBS_DEFAULTS, JOBS_SPEC, type JobsOptions } from './options.js';
export type { JobScoring, PreparedScoring, ScoredItem } from './ports.js';
export { JOB_MODES, JOB_STATUSES } from './types.js';
export type * from './types.js';
