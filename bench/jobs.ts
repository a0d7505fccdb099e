/**
 * Q9 — async batch jobs (issue #10), each part side by side with its reference in one run:
 *   side        an N-line NDJSON job vs classifyBatch over the same texts (1,000 per call, 1 and 2
 *               calls in flight, the faster is the reference), all three at the same time, one
 *               process each (every side gets the same share of a noisy host — but since the batch
 *               lane's workers run at nice 19, the job yields to the references: a lane check, not
 *               the throughput ratio);
 *   throughput  the same one after the other in one engine (BENCH_JOB_ROUNDS): the ratio row;
 *   latency     single classify p50, sequential, idle vs while a job runs (same engine);
 *   memory      peak RSS of a fresh process running a 100k-line vs a 1M-line job;
 *   upload      a 1 GB file through engine.jobs.upload vs a plain fs copy, MB/s and RSS during.
 * Env: BENCH_JOB_LINES (N, default 100000), BENCH_JOB_ROUNDS (throughput rounds, default 1),
 * BENCH_JOB_PARTS (default throughput,latency,memory,upload; also side, profile), BENCH_JOB_MEM_LINES (default 100000,1000000),
 * BENCH_JOB_MEM_TEXTS (auto | realistic | short), BENCH_JOB_MEM_PARALLEL=1, BENCH_JOB_UPLOAD_MB (default 1024),
 * BENCH_JOB_OPTIONS (JSON `jobs` options for the throughput/latency engine, to try other values);
 * BENCH_JOB_PARTS=profile (automatic when the throughput row misses): lib/jobs-profile.ts on the
 * first BENCH_JOB_PROFILE_LINES (default 5000) lines, BENCH_JOB_PROFILE_ROUNDS (default 2).
 * Every generated file lives in a temporary folder, removed at the end.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/index.js';
import { JOBS_DEFAULTS, type JobsOptions } from '../src/jobs/options.js';
import { runChild } from './lib/child.js';
import { LABELS_10, SHORT_TEXT } from './lib/data.js';
import { linesAt, runBatches, runJob, since, timed, type Timed } from './lib/job-runs.js';
import { jobsProfile } from './lib/jobs-profile.js';
import { jobTexts, tempFolder, writeBigFile, writeJobFile, type JobTextKind } from './lib/job-data.js';
import { fmt, mb, ms, type Row } from './lib/report.js';
import { median, summarize } from './lib/stats.js';

const int = (name: string, def: number) => {
  const v = process.env[name];
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: a positive integer, not ${v}`);
  return n;
};
const N = int('BENCH_JOB_LINES', 100_000);
const ROUNDS = int('BENCH_JOB_ROUNDS', 1);
const PARTS = (process.env.BENCH_JOB_PARTS ?? 'throughput,latency,memory,upload').split(',').map((s) => s.trim());
const MEM_LINES = (process.env.BENCH_JOB_MEM_LINES ?? '100000,1000000').split(',').map(Number);
const PARALLEL_MEM = process.env.BENCH_JOB_MEM_PARALLEL === '1';
const UPLOAD_MB = int('BENCH_JOB_UPLOAD_MB', 1024);
/** Diagnostics (lib/jobs-profile.ts): lines and rounds. */
const PROFILE_LINES = int('BENCH_JOB_PROFILE_LINES', Math.min(N, 5000));
const PROFILE_ROUNDS = int('BENCH_JOB_PROFILE_ROUNDS', 2);
const JOB_OPTIONS = JSON.parse(process.env.BENCH_JOB_OPTIONS ?? '{}') as Partial<JobsOptions>;
/** Over this estimate for the largest memory run, both memory runs use short texts. */
const MEM_BUDGET_MS = 15 * 60_000;

const lps = (x: number) => `${fmt(x, 0)} lines/s`;
interface Throughput {
  rows: Row[];
  jobRate: number;
}

async function throughput(engine: Engine, input: string, texts: string[], fileBytes: number): Promise<Throughput> {
  // Round 0 runs the job between the two references, later rounds rotate the order.
  const tasks: Record<string, () => Promise<Timed>> = {
    'classifyBatch ×1': () => timed(() => runBatches(engine, texts, 1)),
    job: () => runJob(engine, input, texts.length), // times start → completed only
    'classifyBatch ×2': () => timed(() => runBatches(engine, texts, 2)),
  };
  const names = Object.keys(tasks);
  const runs: Record<string, { ms: number; cpu: number }[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      process.stderr.write(`bench: jobs throughput round ${round + 1}/${ROUNDS}: ${name} …\n`);
      runs[name].push(await tasks[name]());
    }
  }
  // Best of the rounds: neighbours only ever add time.
  const best = (k: string) => Math.min(...runs[k].map((r) => r.ms));
  const rate = (k: string) => (texts.length / best(k)) * 1000;
  const cpuPer1k = (k: string) => (median(runs[k].map((r) => r.cpu)) / texts.length) * 1000;
  const ref = rate('classifyBatch ×1') >= rate('classifyBatch ×2') ? 'classifyBatch ×1' : 'classifyBatch ×2';
  const other = ref === 'classifyBatch ×1' ? 'classifyBatch ×2' : 'classifyBatch ×1';
  const ratio = rate('job') / rate(ref);
  const opts = { ...JOBS_DEFAULTS, ...JOB_OPTIONS };
  return {
    jobRate: rate('job'),
    rows: [
      {
        question: 'Q9',
        metric: `batch job ${texts.length.toLocaleString('en')} lines, 10 labels / classifyBatch same texts (1,000 per call)`,
        measured: lps(rate('job')),
        reference: `${lps(rate(ref))} (${ref.replace('×', '× ')} in flight)`,
        ratio: fmt(ratio),
        target: '≥ 0.9',
        pass: ratio >= 0.9,
        notes:
          `best of ${ROUNDS} round(s), run one after the other in one engine (default workers, dataDir on disk). ` +
          `Job timed from start() to completed (the upload is not in it), chunkLines ${opts.chunkLines}, chunksInFlight ${opts.chunksInFlight}; ` +
          `input ${mb(fileBytes)} NDJSON, {"id","text"} per line, texts: AG News rows, varied past row 1,900 by rotating their words (no two equal). ` +
          `Other reference: ${other} ${lps(rate(other))}. CPU per 1,000 lines (all threads): job ${ms(cpuPer1k('job'))}, ` +
          `${ref} ${ms(cpuPer1k(ref))}, ${other} ${ms(cpuPer1k(other))}.`,
        data: { runs, reference: ref, options: opts, lines: texts.length, fileBytes },
      },
    ],
  };
}

type Side = { start: number; ms: number; cpuMs: number; lines: number; steps: [number, number][] };
const SIDES = { job: 'job', batch1: 'classifyBatch ×1', batch2: 'classifyBatch ×2' } as const;

/**
 * The job and both references at the same time, each in its own process with its own engine
 * (default options): on a host whose neighbours come and go, running them one after the other
 * hands each a different share of the cores; running them together hands them the same one. Rates
 * are taken over the window in which all three run (from "go" until the first one finishes).
 */
async function sideBySide(dir: string, input: string, lines: number, fileBytes: number): Promise<Row[]> {
  const goDir = join(dir, 'go');
  await mkdir(goDir, { recursive: true });
  const whos = Object.keys(SIDES) as (keyof typeof SIDES)[];
  process.stderr.write(`bench: jobs side by side: ${whos.join(', ')} on ${lines} lines …\n`);
  const running = whos.map((w) => child(['side', join(dir, `side-${w}`), input, w, goDir]) as unknown as Promise<Side>);
  let failed: unknown;
  running.forEach((p) => p.catch((err) => (failed ??= err)));
  while (!whos.every((w) => existsSync(join(goDir, `${w}.ready`)))) {
    if (failed) throw failed;
    await new Promise((r) => setTimeout(r, 100));
  }
  await writeFile(join(goDir, 'go'), '');
  const res = Object.fromEntries((await Promise.all(running)).map((r, i) => [whos[i], r])) as Record<keyof typeof SIDES, Side>;
  const from = Math.max(...whos.map((w) => res[w].start));
  const to = Math.min(...whos.map((w) => res[w].start + res[w].ms));
  const rate = (w: keyof typeof SIDES) => ((linesAt(res[w].steps, to) - linesAt(res[w].steps, from)) / (to - from)) * 1000;
  const cpu1k = (w: keyof typeof SIDES) => (res[w].cpuMs / res[w].lines) * 1000;
  const ref = rate('batch1') >= rate('batch2') ? 'batch1' : 'batch2';
  const other = ref === 'batch1' ? 'batch2' : 'batch1';
  const ratio = rate('job') / rate(ref);
  for (const w of whos) await rm(join(dir, `side-${w}`), { recursive: true, force: true });
  return [
    {
      question: 'Q9',
      metric: `batch job ${lines.toLocaleString('en')} lines, 10 labels / classifyBatch same texts (1,000 per call), side by side`,
      measured: lps(rate('job')),
      reference: `${lps(rate(ref))} (${SIDES[ref].replace('×', '× ')} in flight)`,
      ratio: fmt(ratio),
      target: '≥ 0.9',
      pass: ratio >= 0.9,
      notes:
        `The job, classifyBatch ×1 and ×2 ran at the same time, one process and engine each (default options, 2 workers), over the same ` +
        `${mb(fileBytes)} NDJSON file; rates over the ${fmt((to - from) / 1000, 0)} s all three ran (lines done interpolated between each one's steps: ` +
        `a chunk of the job, a call of the references). Other reference: ${SIDES[other]} ${lps(rate(other))}. CPU per 1,000 lines ` +
        `(whole run, all threads): job ${ms(cpu1k('job'))}, ${SIDES[ref]} ${ms(cpu1k(ref))}, ${SIDES[other]} ${ms(cpu1k(other))}. ` +
        `Texts: AG News rows, varied past row 1,900 by rotating their words.`,
      data: { res: Object.fromEntries(whos.map((w) => [w, { ...res[w], steps: res[w].steps.length }])), window: [from, to] },
    },
  ];
}

/** Sequential classify calls for `durationMs` (or until `stop()`); latency samples, ms. */
async function sample(engine: Engine, durationMs: number, stop: () => boolean = () => false): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end && !stop()) {
    const t = performance.now();
    await engine.classify({ text: SHORT_TEXT, labels: LABELS_10, cache: false });
    if (!stop()) out.push(since(t));
  }
  return out;
}

async function latency(engine: Engine, input: string, lines: number): Promise<Row[]> {
  const PHASE_MS = 5000;
  const idle: number[] = [];
  const busy: number[] = [];
  const progress: number[] = [];
  await sample(engine, 500); // warm the classify path
  for (let round = 0; round < 3; round++) {
    idle.push(...(await sample(engine, PHASE_MS)));
    const { job_id: id } = await engine.jobs.create({ labels: LABELS_10 });
    await engine.jobs.upload(id, input);
    await engine.jobs.start(id);
    let finished = false;
    void engine.jobs.wait(id).then(() => (finished = true));
    // Let the job fill the pool before sampling.
    while (!finished && (await engine.jobs.get(id)).requests_completed === 0) await new Promise((r) => setTimeout(r, 50));
    const before = (await engine.jobs.get(id)).requests_completed;
    const t = performance.now();
    busy.push(...(await sample(engine, PHASE_MS, () => finished)));
    const after = await engine.jobs.get(id);
    progress.push(((after.requests_completed - before) / since(t)) * 1000);
    if (after.status === 'processing') await engine.jobs.cancel(id);
    await engine.jobs.wait(id);
    await engine.jobs.delete(id);
  }
  const i = summarize(idle);
  const b = summarize(busy);
  const ratio = b.p50 / i.p50;
  return [
    {
      question: 'Q9',
      metric: 'classify 1 short text, 10 labels, cache off, sequential: p50 while a job runs / idle',
      measured: `${ms(b.p50)} (p99 ${ms(b.p99)}, n=${b.n})`,
      reference: `${ms(i.p50)} idle (p99 ${ms(i.p99)}, n=${i.n})`,
      ratio: fmt(ratio),
      target: '≤ 2',
      pass: ratio <= 2,
      notes:
        `3 rounds of ${PHASE_MS / 1000} s idle then ${PHASE_MS / 1000} s with a ${lines.toLocaleString('en')}-line job running (cancelled after), same engine, ` +
        `default priority. The job went on at ${progress.map((p) => fmt(p, 0)).join(', ')} lines/s during the busy phases. Text: "${SHORT_TEXT}".`,
      data: { idle: i, busy: b, progress },
    },
  ];
}

type Mem = {
  baseline: number;
  ready: number;
  sampledPeak: number;
  maxRss: number;
  ms: number;
  cpuMs?: number;
  uploadMs?: number;
  lines: number;
  /** [lines done, RSS, sampled peak so far] every 5 s of a job run. */
  trace?: [number, number, number][];
};
const child = async (args: string[], onStderr?: (s: string) => void) =>
  (await runChild(['--import', 'tsx', 'bench/lib/jobs-child.ts', ...args], { onStderr })).result as unknown as Mem;

async function memory(dir: string, jobRate: number | undefined): Promise<Row[]> {
  const sizes = [...MEM_LINES].sort((a, b) => a - b);
  const largest = sizes.at(-1)!;
  let kind: JobTextKind = (process.env.BENCH_JOB_MEM_TEXTS as JobTextKind | 'auto' | undefined) === 'short' ? 'short' : 'realistic';
  let why = kind === 'short' ? 'BENCH_JOB_MEM_TEXTS=short. ' : '';
  const probes: string[] = [];
  if ((process.env.BENCH_JOB_MEM_TEXTS ?? 'auto') === 'auto') {
    let rate = jobRate;
    if (rate === undefined) {
      // No throughput part in this run: time the smallest size with realistic texts first.
      const file = join(dir, 'probe.ndjson');
      await writeJobFile(file, jobTexts(sizes[0], 'realistic'));
      const m = await child(['run', join(dir, 'probe-data'), file]);
      rate = (m.lines / m.ms) * 1000;
      probes.push(`probe: ${sizes[0].toLocaleString('en')} realistic lines took ${fmt(m.ms / 1000, 0)} s, peak RSS ${mb(m.maxRss)}`);
      await rm(join(dir, 'probe-data'), { recursive: true, force: true });
      await rm(file);
    }
    const est = (largest / rate) * 1000;
    if (est > MEM_BUDGET_MS) {
      kind = 'short';
      why = `realistic texts run at ${lps(rate)}, so ${largest.toLocaleString('en')} lines would take ~${fmt(est / 60_000, 0)} min (> 15): both sizes use short texts. `;
    }
  }
  const one = async (n: number): Promise<Mem & { bytes: number }> => {
    const file = join(dir, `mem-${n}.ndjson`);
    const bytes = await writeJobFile(file, jobTexts(n, kind));
    process.stderr.write(`bench: jobs memory: ${n} ${kind} lines (${mb(bytes)}) …\n`);
    // Progress every 5 s: lines done, RSS now, peak so far (a run cut short still shows its trend).
    const progress = (s: string) => {
      for (const line of s.split('\n').filter((l) => l.startsWith('{"progress"'))) {
        const { progress: [lines, now, peak], s: secs } = JSON.parse(line) as { progress: [number, number, number]; s: number };
        process.stderr.write(`bench: jobs memory ${n}: ${lines} lines in ${secs} s, RSS ${mb(now)}, peak ${mb(peak)}\n`);
      }
    };
    const m = await child(['run', join(dir, `mem-${n}-data`), file], progress);
    await rm(join(dir, `mem-${n}-data`), { recursive: true, force: true });
    await rm(file);
    return { ...m, bytes };
  };
  // BENCH_JOB_MEM_PARALLEL=1: all sizes at once, each in its own process (RSS does not depend on
  // the neighbours; the durations then do, and are not compared).
  const results: (Mem & { bytes: number })[] = [];
  if (PARALLEL_MEM) results.push(...(await Promise.all(sizes.map(one))));
  else for (const n of sizes) results.push(await one(n));
  const [small, big] = [results[0], results.at(-1)!];
  const ratio = big.maxRss / small.maxRss;
  // RSS (sampled peak so far) when a tenth, half and all of the lines were done: flat or growing.
  const at = (m: Mem, share: number) => m.trace?.find(([lines]) => lines >= share * m.lines)?.[2];
  const detail = (n: number, m: Mem & { bytes: number }) =>
    `${n.toLocaleString('en')} lines: ${mb(m.bytes)} input, ${fmt(m.ms / 1000, 0)} s (${lps((m.lines / m.ms) * 1000)}), ` +
    `RSS at start ${mb(m.baseline)}, model loaded ${mb(m.ready)}, sampled peak at 10% / 50% of the lines ${[at(m, 0.1), at(m, 0.5)].map((x) => (x === undefined ? 'n/a' : mb(x))).join(' / ')}, at the end ${mb(m.sampledPeak)}`;
  return [
    {
      question: 'Q9',
      metric: `peak RSS of a batch job, ${largest.toLocaleString('en')} / ${sizes[0].toLocaleString('en')} lines (fresh process each)`,
      measured: mb(big.maxRss),
      reference: `${mb(small.maxRss)} (${sizes[0].toLocaleString('en')} lines)`,
      ratio: fmt(ratio),
      target: '≤ 1.2',
      pass: ratio <= 1.2,
      notes:
        `${why}${PARALLEL_MEM ? 'Sizes ran at the same time, each in its own process (BENCH_JOB_MEM_PARALLEL=1): their durations are not comparable. ' : ''}Texts: ${kind === 'short' ? '6-word generated sentences' : 'AG News rows, varied by rotating words'}. maxRSS of the whole child process (model, 2 workers), default options. ` +
        `${results.map((m, i) => detail(sizes[i], m)).join('; ')}.${probes.length ? ` ${probes.join('; ')}.` : ''}`,
      data: { sizes, kind, results },
    },
  ];
}

/** The HTTP upload routes (spec §7) are there once the h-http branch is merged. */
const HTTP_UPLOAD = existsSync(new URL('../src/http/routes/batch.ts', import.meta.url));
const WAYS = {
  upload: 'engine.jobs.upload(id, path)',
  put: 'HTTP PUT application/x-ndjson, loopback',
  form: 'HTTP multipart form POST, loopback',
} as const;
type Way = keyof typeof WAYS;

async function upload(dir: string): Promise<Row[]> {
  const file = join(dir, 'big.ndjson');
  const small = join(dir, 'small.ndjson');
  const bytes = await writeBigFile(file, UPLOAD_MB * 2 ** 20);
  // 1/16 of the size: RSS that stays flat is the same for both, RSS that grows is 16× apart.
  const smallBytes = await writeBigFile(small, (UPLOAD_MB * 2 ** 20) / 16);
  const ways: Way[] = HTTP_UPLOAD ? ['upload', 'put', 'form'] : ['upload'];
  const tasks = [...ways.flatMap((w) => [w, `${w} small`]), 'copy'];
  const runs: Record<string, Mem[]> = Object.fromEntries(tasks.map((k) => [k, []]));
  for (let round = 0; round < 2; round++) {
    for (const task of tasks.map((_, i) => tasks[(i + round) % tasks.length])) {
      const where = join(dir, `${task.replace(' ', '-')}-${round}`);
      process.stderr.write(`bench: jobs upload round ${round + 1}/2: ${task} …\n`);
      runs[task].push(await child([task.split(' ')[0], where, task.endsWith('small') ? small : file]));
      await rm(where, { recursive: true, force: true });
    }
  }
  const mbps = (m: Mem) => bytes / 2 ** 20 / (m.ms / 1000);
  const fastest = (xs: Mem[]) => xs.reduce((a, b) => (a.ms <= b.ms ? a : b));
  const peak = (xs: Mem[]) => Math.max(...xs.map((m) => m.sampledPeak));
  const growth = (xs: Mem[]) => Math.max(...xs.map((m) => m.sampledPeak - m.ready));
  const cpu = (xs: Mem[]) => ms(median(xs.map((m) => m.cpuMs!)));
  const size = (b: number) => `${fmt(b / 2 ** 20, 0)} MiB`;
  const c = fastest(runs.copy);
  const rows: Row[] = ways.map((w, i) => ({
    question: 'Q9',
    metric: `upload ${size(bytes)} NDJSON, ${WAYS[w]} / fs stream copy`,
    measured: `${fmt(mbps(fastest(runs[w])), 0)} MB/s`,
    reference: `${fmt(mbps(c), 0)} MB/s (createReadStream → createWriteStream)`,
    ratio: fmt(mbps(fastest(runs[w])) / mbps(c)),
    target: '— (report)',
    pass: null,
    notes:
      (i === 0 && !HTTP_UPLOAD ? 'Library path only: the HTTP PUT/multipart routes are not on main yet. ' : '') +
      `Best of 2 runs, fresh process each, alternated with the others; MB = MiB, same disk for source and target; ` +
      `${runs[w][0].lines.toLocaleString('en')} lines counted on the way, renamed into place. CPU time (all threads, median): ${cpu(runs[w])}, copy ${cpu(runs.copy)}` +
      (w === 'upload' ? '' : '; server and client in one process (the client adds one file read stream)') + '.',
    data: { bytes, runs: runs[w] },
  }));
  for (const w of ways) {
    const ratio = peak(runs[w]) / peak(runs[`${w} small`]);
    rows.push({
      question: 'Q9',
      metric: `RSS during an upload (${WAYS[w]}): sampled peak, ${size(bytes)} / ${size(smallBytes)} file`,
      measured: `${mb(peak(runs[w]))} (growth during upload ${mb(growth(runs[w]))})`,
      reference: `${mb(peak(runs[`${w} small`]))} (growth ${mb(growth(runs[`${w} small`]))})`,
      ratio: fmt(ratio),
      target: '≤ 1.2 (flat)',
      pass: ratio <= 1.2,
      notes:
        w !== 'upload' ? undefined :
        `RSS sampled every 10 ms in the uploading process (engine open, model not loaded: ${mb(runs[w][0].ready)} before the upload); ` +
        `growth = peak − RSS right before the upload, stream buffers V8 has not collected yet. fs copy of the big file for scale: ` +
        `${mb(c.ready)} before, ${mb(c.sampledPeak)} peak.`,
      data: { ratio, small: runs[`${w} small`] },
    });
  }
  return rows;
}

export async function jobs(): Promise<Row[]> {
  const tmp = await tempFolder('jobs');
  const rows: Row[] = [];
  try {
    let jobRate: number | undefined;
    if (['side', 'throughput', 'latency', 'profile'].some((p) => PARTS.includes(p))) {
      const texts = [...jobTexts(N, 'realistic')];
      const input = join(tmp.dir, 'job.ndjson');
      const fileBytes = await writeJobFile(input, texts);
      const engine = await createEngine({ dataDir: join(tmp.dir, 'data'), jobs: JOB_OPTIONS });
      try {
        await engine.classifyBatch({ texts: texts.slice(0, 128), labels: LABELS_10, cache: false }); // model, prototypes, every worker
        if (PARTS.includes('side')) rows.push(...(await sideBySide(tmp.dir, input, N, fileBytes)));
        if (PARTS.includes('throughput')) {
          const t = await throughput(engine, input, texts, fileBytes);
          jobRate = t.jobRate;
          rows.push(...t.rows);
        }
        if (PARTS.includes('latency')) rows.push(...(await latency(engine, input, N)));
      } finally {
        await engine.close();
      }
      if (PARTS.includes('profile') || rows.some((r) => r.pass === false && r.metric.startsWith('batch job'))) {
        rows.push(...(await jobsProfile(tmp.dir, texts.slice(0, PROFILE_LINES), PROFILE_ROUNDS)));
      }
    }
    if (PARTS.includes('memory')) rows.push(...(await memory(tmp.dir, jobRate)));
    if (PARTS.includes('upload')) rows.push(...(await upload(tmp.dir)));
  } finally {
    await tmp.remove();
  }
  return rows;
}
