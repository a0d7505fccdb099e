import { Piscina } from 'piscina';
import type { PaddedBatch } from './raw-ort.js';

/** How much of a set of model runs is real tokens rather than padding. */
export interface BatchShapes {
  batches: number;
  /** Sequences embedded (rows over all runs). */
  sequences: number;
  realTokens: number;
  /** Σ rows × width: what the model actually computes over. */
  paddedTokens: number;
  /** realTokens / paddedTokens (1 = no padding). */
  efficiency: number;
}

function shapes(runs: { rows: number; width: number; real: number }[]): BatchShapes {
  const realTokens = runs.reduce((n, r) => n + r.real, 0);
  const paddedTokens = runs.reduce((n, r) => n + r.rows * r.width, 0);
  return { batches: runs.length, sequences: runs.reduce((n, r) => n + r.rows, 0), realTokens, paddedTokens, efficiency: realTokens / paddedTokens };
}

export const referenceShapes = (batches: PaddedBatch[]): BatchShapes =>
  shapes(batches.map((b) => ({ rows: b.dims[0], width: b.dims[1], real: b.mask.reduce((n, m) => n + Number(m), 0) })));

/**
 * Records the shape of every model run the engine's pool sends to its piscina workers while
 * `fn` runs: Piscina.prototype.run is wrapped (a length scan per run, ~µs), then restored.
 * The worker pads each run to its longest sequence, so rows × max(length) is the work done.
 */
export async function recordEngineShapes<T>(fn: () => Promise<T>, report: (s: BatchShapes) => void): Promise<T> {
  const runs: { rows: number; width: number; real: number }[] = [];
  const proto = Piscina.prototype as unknown as { run(task: unknown, opts?: unknown): Promise<unknown> };
  const original = proto.run;
  proto.run = function (this: unknown, task: unknown, opts?: unknown) {
    const lengths = (task as { lengths?: Int32Array }).lengths;
    if (lengths) runs.push({ rows: lengths.length, width: Math.max(1, ...lengths), real: lengths.reduce((a, b) => a + b, 0) });
    return original.call(this, task, opts);
  };
  try {
    return await fn();
  } finally {
    proto.run = original;
    report(shapes(runs));
  }
}
