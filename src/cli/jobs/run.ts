/**
 * `labelwise batch run`: input file → job in the data dir → results file, resumable. The job
 * is the engine's (checkpointed per chunk in SQLite); this file only finds or creates it, shows
 * its progress, and writes its results once it completes.
 */
import { access, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isLabelwiseError, missingArgument, validationError } from '../../errors.js';
import type { JobConfig, JobInfo, JobMode, JobsApi } from '../../jobs/types.js';
import { DEFAULT_ACCOUNT, openStores } from '../../store/index.js';
import { readJsonFile } from '../request.js';
import { writeFileAtomic } from './atomic-file.js';
import { accountOption, openJobsEngine, type JobsEngine } from './engine.js';
import { catchInterrupts, SIGNAL_EXIT, type Interrupt } from './interrupt.js';
import { BATCH_USAGE, type BatchRunValues } from './options.js';
import { showProgress } from './progress.js';
import { fingerprintOf, matchingJob, recordJob, type RunFingerprint } from './sidecar.js';

const note = (text: string) => process.stderr.write(`labelwise: ${text}\n`);

export async function batchRun(values: BatchRunValues, positionals: string[]): Promise<number> {
  const usage = BATCH_USAGE.split('\n')[0];
  if (positionals.length !== 1) throw missingArgument('input', `exactly one input file is required; usage: ${usage}`);
  if (!values.output) throw missingArgument('output', `-o/--output FILE is required; usage: ${usage}`);
  const input = resolve(positionals[0] as string);
  const output = resolve(values.output);
  await checkOutput(input, output);
  const config = await jobConfigFromFlags(values);
  const fingerprint = await fingerprintOf(input, config, resolve(values.data));
  const began = performance.now();

  const interrupt = catchInterrupts((signal) => note(`${signal}: stopping at the last checkpoint… (again to exit at once)`));
  try {
    const engine = await openJobsEngine(values);
    const account = accountOption(values);
    let jobId: string | undefined;
    let outcome: Outcome;
    try {
      const found = await findOrStartJob(engine.jobs, { config, input, output, fingerprint, account, interrupt });
      jobId = found?.job_id;
      outcome = found ? await finish(engine, found, { output, account, interrupt }) : { interrupted: true };
    } finally {
      await engine.close();
    }
    if (outcome.interrupted) return interrupted(interrupt, jobId ? await standing(fingerprint.data, jobId, account) : undefined);
    const job = outcome.job as JobInfo;
    const summary = { job_id: job.job_id, status: job.status, lines: job.requests_total, failed: job.requests_failed, tokens: job.actual_tokens ?? 0, seconds: Number(((performance.now() - began) / 1000).toFixed(2)), resumed: outcome.resumed ?? false };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (job.status === 'completed') return 0;
    process.stderr.write(`${JSON.stringify({ job_id: job.job_id, status: job.status, error: job.error })}\n`);
    return 1;
  } finally {
    interrupt.dispose();
  }
}

interface Outcome {
  interrupted?: boolean;
  resumed?: boolean;
  job?: JobInfo;
}

interface Found {
  job_id: string;
  resumed: boolean;
}

interface Context {
  config: JobConfig;
  input: string;
  output: string;
  fingerprint: RunFingerprint;
  account: { account?: string };
  interrupt: Interrupt;
}

/**
 * The job recorded for this output with the same fingerprint, continued where it stands, or a
 * new one (created, recorded, uploaded, started). Undefined when interrupted before it started.
 */
async function findOrStartJob(jobs: JobsApi, ctx: Context): Promise<Found | undefined> {
  const known = await matchingJob(ctx.output, ctx.fingerprint);
  const job = known ? await jobs.get(known, ctx.account).catch(absentAsUndefined) : undefined;
  // Interrupted while the engine opened: change nothing, say where the known job stands.
  if (ctx.interrupt.signal.aborted) return job ? { job_id: job.job_id, resumed: true } : undefined;
  if (job) {
    const at = `${job.requests_completed}/${job.requests_total} lines`;
    switch (job.status) {
      case 'processing': // the engine resumed it when it opened
        note(`resuming job ${job.job_id} at ${at}`);
        return { job_id: job.job_id, resumed: true };
      case 'completed':
        note(`job ${job.job_id} already completed; writing its results again`);
        return { job_id: job.job_id, resumed: true };
      case 'failed': // start resumes a failed job from its checkpoint
        note(`retrying failed job ${job.job_id} from ${at} (it failed: ${job.error?.message ?? 'unknown error'})`);
        await startJob(jobs, job.job_id, ctx);
        return { job_id: job.job_id, resumed: true };
      case 'pending': // interrupted before or during its upload
        return (await uploadAndStart(jobs, job.job_id, ctx)) ? { job_id: job.job_id, resumed: true } : undefined;
      case 'cancelled':
        note(`job ${job.job_id} was cancelled; starting a new job`);
    }
  }
  const created = await jobs.create(ctx.config, ctx.account);
  // Recorded before the upload: a Ctrl-C from here on continues this job instead of leaving it behind.
  await recordJob(ctx.output, created.job_id, ctx.fingerprint);
  return (await uploadAndStart(jobs, created.job_id, ctx)) ? { job_id: created.job_id, resumed: false } : undefined;
}

async function uploadAndStart(jobs: JobsApi, id: string, ctx: Context): Promise<boolean> {
  try {
    await jobs.upload(id, ctx.input, { ...ctx.account, signal: ctx.interrupt.signal });
  } catch (err) {
    if (ctx.interrupt.signal.aborted) return false; // nothing of an aborted upload is kept
    throw err;
  }
  if (ctx.interrupt.signal.aborted) return false;
  await startJob(jobs, id, ctx);
  return true;
}

async function startJob(jobs: JobsApi, id: string, ctx: Context): Promise<void> {
  try {
    await jobs.start(id, ctx.account);
  } catch (err) {
    if (isLabelwiseError(err) && err.code === 'BATCH_CONCURRENCY_LIMIT') {
      // Usually a job of an earlier, interrupted run that the engine resumed on opening.
      const busy = (await jobs.list(ctx.account)).find((j) => j.status === 'processing');
      if (busy) note(`job ${busy.job_id} (${busy.requests_completed}/${busy.requests_total} lines) is processing in ${ctx.fingerprint.data}; finish it with its own command, or stop it: labelwise batch cancel ${busy.job_id}`);
    }
    throw err;
  }
  const job = await jobs.get(id, ctx.account);
  note(`job ${id} started: ${job.requests_total} lines${job.requests_completed ? ` (${job.requests_completed} done before)` : ''}; Ctrl-C stops it, the same command resumes it`);
}

/** Waits for the job (with a progress bar on a terminal), then writes its results when it completed. */
async function finish(engine: JobsEngine, found: Found, ctx: Pick<Context, 'output' | 'account' | 'interrupt'>): Promise<Outcome> {
  const { signal } = ctx.interrupt;
  const stopBar = showProgress(() => engine.jobs.get(found.job_id, ctx.account));
  let job: JobInfo;
  try {
    job = await engine.jobs.wait(found.job_id, { ...ctx.account, signal });
  } catch (err) {
    stopBar();
    if (signal.aborted) return { interrupted: true };
    throw err;
  }
  stopBar(job);
  if (job.status === 'completed') {
    try {
      const { stream } = await engine.jobs.download(found.job_id, ctx.account);
      await writeFileAtomic(ctx.output, stream, signal);
    } catch (err) {
      if (signal.aborted) return { interrupted: true };
      throw err;
    }
  }
  return { job, resumed: found.resumed };
}

/**
 * Where the job stands once the engine has closed: read from the store, since a chunk can still
 * commit while the engine stops (the engine itself is closed by now).
 */
async function standing(dataDir: string, id: string, account: { account?: string }): Promise<Standing> {
  const stores = await openStores({ dataDir });
  try {
    const job = await stores.jobs.get(id, account.account ?? DEFAULT_ACCOUNT);
    return job ? { job_id: id, status: job.status, done: job.next_line, total: job.input_lines } : { job_id: id };
  } finally {
    await stores.close();
  }
}

interface Standing {
  job_id: string;
  status?: string;
  done?: number;
  total?: number;
}

/** Says where the job stands and how to resume it; exits 128 + the signal's number. */
function interrupted(interrupt: Interrupt, job: Standing | undefined): number {
  const command = ['labelwise', ...process.argv.slice(2)].map(shellQuote).join(' ');
  if (!job) note('stopped before a job was created; run the same command again to start');
  else if (job.status === 'processing') note(`stopped; job ${job.job_id} stays processing at ${job.done}/${job.total} lines (its last checkpoint)`);
  else note(`stopped; job ${job.job_id} is ${job.status ?? 'gone'}`);
  process.stderr.write(`Resume with the same command:\n  ${command}\n`);
  return SIGNAL_EXIT[interrupt.received ?? 'SIGINT'];
}

/** Refused before any work: the results would be written only at the end of the job. */
async function checkOutput(input: string, output: string): Promise<void> {
  if (output === input) throw validationError('output', 'the output file must not be the input file');
  try {
    await access(dirname(output), constants.W_OK);
  } catch (err) {
    throw validationError('output', `cannot write the output file into ${dirname(output)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
}

async function jobConfigFromFlags(values: BatchRunValues): Promise<JobConfig> {
  if (!values.labels && !values.classifier) throw missingArgument('labels', '--labels (comma-separated) or --classifier NAME is required');
  const config: JobConfig = {};
  if (values.labels) config.labels = values.labels.split(',').map((l) => l.trim());
  if (values.classifier) config.classifier = values.classifier;
  if (values.descriptions) config.descriptions = (await readJsonFile(values.descriptions, 'descriptions')) as JobConfig['descriptions'];
  if (values.examples) config.examples = (await readJsonFile(values.examples, 'examples')) as JobConfig['examples'];
  if (values['text-type']) config.text_type = values['text-type'];
  if (values.mode) config.mode = values.mode as JobMode; // checked by jobs.create
  if (values.threshold !== undefined) config.threshold = Number(values.threshold);
  return config;
}

function absentAsUndefined(err: unknown): undefined {
  if (isLabelwiseError(err) && err.code === 'BATCH_NOT_FOUND') return undefined;
  throw err;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
