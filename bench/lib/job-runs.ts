/** Timed runs shared by the Q9 parts: one job, and classifyBatch over the same texts. */
import type { Engine } from '../../src/index.js';
import { LABELS_10 } from './data.js';

/** Texts per classifyBatch call of the reference. */
export const BATCH = 1000;

export interface Timed {
  ms: number;
  /** Process CPU time, all threads (main, pool workers, ORT), ms. */
  cpu: number;
}

export const since = (t: number): number => performance.now() - t;
export const cpuMs = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

/** One measured run: wall and process CPU time (all threads) of `fn`. */
export async function timed(fn: () => Promise<void>): Promise<Timed> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  return { ms: since(t), cpu: cpuMs(c) };
}

/** create → upload (untimed) → start → wait → delete; only start → completed is timed. */
export async function runJob(engine: Engine, input: string, lines: number): Promise<Timed> {
  const { job_id: id } = await engine.jobs.create({ labels: LABELS_10 });
  await engine.jobs.upload(id, input);
  const r = await timed(async () => {
    await engine.jobs.start(id);
    const done = await engine.jobs.wait(id);
    if (done.status !== 'completed' || done.requests_completed !== lines || done.requests_failed !== 0) {
      throw new Error(`job ended ${done.status}: ${done.requests_completed}/${lines} lines, ${done.requests_failed} failed`);
    }
  });
  await engine.jobs.delete(id);
  return r;
}

/** classifyBatch over `texts`, `BATCH` per call, `concurrency` calls in flight. */
export async function runBatches(engine: Engine, texts: string[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < texts.length) {
      const from = next;
      next += BATCH;
      const res = await engine.classifyBatch({ texts: texts.slice(from, from + BATCH), labels: LABELS_10, cache: false });
      if (res.results.some((r) => 'error' in r)) throw new Error('classifyBatch returned errors');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Lines done at epoch ms `t`, interpolated between the recorded steps. */
export function linesAt(steps: [number, number][], t: number): number {
  const s = [...steps].sort((a, b) => a[0] - b[0]);
  const i = s.findIndex(([at]) => at >= t);
  if (i === -1) return s.at(-1)![1];
  if (i === 0) return s[0][1];
  const [[t0, l0], [t1, l1]] = [s[i - 1], s[i]];
  return t1 === t0 ? l1 : l0 + ((l1 - l0) * (t - t0)) / (t1 - t0);
}
