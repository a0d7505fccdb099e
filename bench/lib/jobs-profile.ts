/**
 * Q9 diagnostics — where a batch job loses to classifyBatch, on the first M lines (run when the
 * throughput row misses, or BENCH_JOB_PARTS=profile): job variants of `jobs.chunkLines` and
 * `jobs.chunksInFlight` (one engine each, created through `createEngine({ jobs })`) beside
 * classifyBatch ×1, interleaved; CPU time per line (robust to stolen time) and cores kept busy
 * (CPU / wall: a pool left waiting shows as fewer); then one main-thread CPU profile of a job and
 * of classifyBatch, by source file (the main thread shares the 2 cores with the workers).
 */
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/index.js';
import { JOBS_DEFAULTS, type JobsOptions } from '../../src/jobs/options.js';
import { LABELS_10 } from './data.js';
import { writeJobFile } from './job-data.js';
import { runBatches, runJob, timed, type Timed } from './job-runs.js';
import { profileByFile } from './profile.js';
import { fmt, ms, type Row } from './report.js';
import { median } from './stats.js';

const VARIANTS: Record<string, Partial<JobsOptions>> = {
  [`job defaults (chunkLines ${JOBS_DEFAULTS.chunkLines}, chunksInFlight ${JOBS_DEFAULTS.chunksInFlight})`]: {},
  'job chunkLines 2048': { chunkLines: 2048 },
  'job chunksInFlight 4': { chunksInFlight: 4 },
  'job chunkLines 128': { chunkLines: 128 },
};
const REF = 'classifyBatch ×1';

export async function jobsProfile(dir: string, texts: string[], rounds: number): Promise<Row[]> {
  const input = join(dir, 'profile.ndjson');
  await writeJobFile(input, texts);
  const engines: Record<string, Engine> = {};
  try {
    for (const [name, jobs] of Object.entries(VARIANTS)) {
      engines[name] = await createEngine({ dataDir: join(dir, `profile-${Object.keys(engines).length}`), jobs });
      await engines[name].classifyBatch({ texts: texts.slice(0, 128), labels: LABELS_10, cache: false });
    }
    const first = engines[Object.keys(VARIANTS)[0]];
    const tasks: Record<string, () => Promise<Timed>> = {
      [REF]: () => timed(() => runBatches(first, texts, 1)),
      ...Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, () => runJob(engines[k], input, texts.length)])),
    };
    const names = Object.keys(tasks);
    const runs: Record<string, Timed[]> = Object.fromEntries(names.map((k) => [k, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of names.map((_, i) => names[(i + round) % names.length])) {
        process.stderr.write(`bench: jobs profile round ${round + 1}/${rounds}: ${name} …\n`);
        runs[name].push(await tasks[name]());
      }
    }
    const rate = (k: string) => (texts.length / Math.min(...runs[k].map((r) => r.ms))) * 1000;
    const cpu1k = (k: string) => (median(runs[k].map((r) => r.cpu)) / texts.length) * 1000;
    const cores = (k: string) => median(runs[k].map((r) => r.cpu / r.ms));
    const rows: Row[] = Object.keys(VARIANTS).map((k, i) => ({
      question: 'Q9',
      metric: `where: ${k}, ${texts.length.toLocaleString('en')} lines / classifyBatch ×1 (CPU per 1,000 lines)`,
      measured: `${fmt(rate(k), 0)} lines/s, CPU ${ms(cpu1k(k))}, ${fmt(cores(k))} cores busy`,
      reference: `${fmt(rate(REF), 0)} lines/s, CPU ${ms(cpu1k(REF))}, ${fmt(cores(REF))} cores busy`,
      ratio: `${fmt(rate(k) / rate(REF))} (CPU ${fmt(cpu1k(REF) / cpu1k(k))})`,
      target: '—',
      pass: null,
      notes: i > 0 ? undefined :
        `${rounds} interleaved round(s), best wall time; CPU = process CPU time of all threads, median. Ratio = job lines/s over classifyBatch lines/s, ` +
        `(CPU) = classifyBatch CPU per line over the job's: below 1 the job does more work per line, a wall ratio below the CPU ratio means idle cores.`,
      data: { runs: runs[k], reference: runs[REF], options: VARIANTS[k] },
    }));
    // The job's profile also covers its create and upload (a few % of stream code).
    const job = await profileByFile(() => runJob(first, input, texts.length), 8);
    const ref = await profileByFile(() => runBatches(first, texts, 1), 8);
    const per1k = (x: number) => (x / texts.length) * 1000;
    const list = (p: typeof job) => p.files.map((f) => `${f.where} ${fmt(f.pct, 0)}%`).join(', ');
    rows.push({
      question: 'Q9',
      metric: 'where: main-thread busy time per 1,000 lines, job / classifyBatch ×1 (V8 profile)',
      measured: ms(per1k(job.busyMs)),
      reference: ms(per1k(ref.busyMs)),
      ratio: fmt(job.busyMs / ref.busyMs),
      target: '—',
      pass: null,
      notes: `Self time by file. Job: ${list(job)}. classifyBatch: ${list(ref)}. Sampled every 200 µs; "(program)" is VM time not attributed to JS.`,
      data: { job, ref },
    });
    return rows;
  } finally {
    await Promise.all(Object.values(engines).map((e) => e.close()));
  }
}
