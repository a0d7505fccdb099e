import { Bench } from 'tinybench';

export interface Stats {
  n: number;
  /** Process CPU time (all threads: main, pool workers, ORT threads) per call, median, ms; NaN unless measured. */
  cpuP50: number;
  mean: number;
  p50: number;
  p99: number;
  min: number;
}

/** Linear-interpolated percentile of ascending-sorted samples (same rule as tinybench). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

export function summarize(samples: number[], cpu: number[] = []): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, cpuP50: median(cpu), mean: s.reduce((a, b) => a + b, 0) / s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), min: s[0] };
}

export interface InterleaveOptions {
  /** How many times every task gets its turn; turns alternate A B C A B C. */
  rounds: number;
  /** tinybench time budget per task per round, ms. */
  time: number;
  /** tinybench minimum iterations per task per round. */
  iterations: number;
  /** Warm-up iterations per task, first round only. */
  warmupIterations?: number;
  /** Also measure process CPU time per call (two syscalls: leave off for µs-scale tasks). */
  cpu?: boolean;
}

/**
 * Runs tasks side by side with tinybench: `rounds` Bench runs of all tasks, so noise from
 * neighbours on this shared machine spreads over every task instead of hitting one of them.
 * Returns each task's latency samples (ms) merged over rounds, plus its CPU time per call:
 * stolen time slows wall clock but barely moves CPU time, so CPU ratios survive a noisy host.
 */
export async function interleave(tasks: Record<string, () => Promise<unknown> | unknown>, o: InterleaveOptions): Promise<Record<string, Stats>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  const timed = (name: string) => async () => {
    const start = process.cpuUsage();
    await tasks[name]();
    const d = process.cpuUsage(start);
    cpu[name].push((d.user + d.system) / 1000);
  };
  for (let round = 0; round < o.rounds; round++) {
    const warm = round === 0 && (o.warmupIterations ?? 0) > 0;
    const bench = new Bench({
      time: o.time,
      iterations: o.iterations,
      warmup: warm,
      warmupIterations: o.warmupIterations ?? 0,
      warmupTime: 0,
      retainSamples: true,
      throws: true,
    });
    // Rotate the order each round so no task always runs right after the same neighbour.
    const names = Object.keys(tasks);
    const order = names.map((_, i) => names[(i + round) % names.length]);
    // Always an AsyncFunction: for a plain function tinybench calls it once to see whether it
    // returns a promise and does not await that call, which then overlaps the first timed run.
    for (const name of order) bench.add(name, o.cpu ? timed(name) : async () => void (await tasks[name]()));
    await bench.run();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`bench task ${task.name}: ${r.state}`);
      for (const x of r.latency.samples ?? []) samples[task.name].push(x);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v, cpu[k])]));
}

export const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 0.5);
