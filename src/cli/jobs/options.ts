/** Flags of `labelwise batch …` (async batch jobs, spec §7), shared by the files that read them. */

export const BATCH_USAGE = `labelwise batch run INPUT.ndjson --labels a,b,c -o OUT.ndjson [options]
labelwise batch list [--data DIR] [--account A]
labelwise batch status JOB_ID [--data DIR] [--account A]
labelwise batch results JOB_ID [-o FILE] [--data DIR] [--account A]
labelwise batch cancel JOB_ID [--data DIR] [--account A]
labelwise batch delete JOB_ID [--data DIR] [--account A]

batch run classifies a file of {"text": …, "id": …} lines as a job of the engine in DIR and
writes one result line per input line, in input order, to OUT (atomically, when the job
completes); a one-line JSON summary goes to stdout. Ctrl-C stops at the last checkpoint; the
same command (same input file, labels and output) resumes that job. A second Ctrl-C exits at once.

  --labels        comma-separated candidate labels (or --classifier)
  --classifier    a saved classifier, NAME or NAME@vN, instead of --labels
  --mode          single (one label per line, default) or multi (every label that applies)
  --threshold     multi: a label applies when its confidence ≥ threshold (default 0.5)
  --descriptions  JSON file {label: description}
  --examples      JSON file {label: [example, …]} (few-shot)
  --text-type     what kind of text this is, e.g. "support ticket"
  -o, --output    run: the results file (required); results: write there instead of stdout
  --data          the engine's data dir: jobs, keys, usage (default ./labelwise-data)
  --account       the account the jobs belong to (default "default")
  --cache-dir     where the converted model is cached`;

/** Flags every `batch` action takes. */
const COMMON = {
  data: { type: 'string', default: 'labelwise-data' },
  account: { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

/** `batch run`. */
export const BATCH_RUN_OPTIONS = {
  ...COMMON,
  labels: { type: 'string' },
  classifier: { type: 'string' },
  mode: { type: 'string' },
  threshold: { type: 'string' },
  descriptions: { type: 'string' },
  examples: { type: 'string' },
  'text-type': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

/** `batch list|status|results|cancel|delete` (`-o` only for results). */
export const BATCH_ADMIN_OPTIONS = {
  ...COMMON,
  output: { type: 'string', short: 'o' },
} as const;

/** Every flag of `batch` (what `batch --help` must name). */
export const BATCH_OPTIONS = { ...BATCH_RUN_OPTIONS, ...BATCH_ADMIN_OPTIONS } as const;

type Values<T extends Record<string, { type: 'string' | 'boolean' }>> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string;
};

export type BatchRunValues = Values<typeof BATCH_RUN_OPTIONS> & { data: string };
export type BatchAdminValues = Values<typeof BATCH_ADMIN_OPTIONS> & { data: string };
