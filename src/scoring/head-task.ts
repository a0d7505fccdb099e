/**
 * The few-shot fit as a worker task: the scoring layer hands its own module and function to
 * whatever runs CPU work off the caller's thread (the inference pool), which knows nothing of
 * heads. Vectors travel as flat buffers (transferred, not copied).
 */
import { flatten, rows } from '../vector/index.js';
import { fitFewShotHead, type HeadFitOptions, type HeadParams, type LabeledVector } from './few-shot-head.js';

/** Fits a head for `names` from labeled `examples` (with the model's fit choices); inline or on another thread. */
export type HeadFitter = (names: Float32Array[], examples: LabeledVector[], options?: Partial<HeadFitOptions>) => Promise<HeadParams>;

/** Runs an exported function of an ES module on a worker thread (the pool's `runTask`, structurally). */
export interface TaskRunner {
  runTask<Result>(task: { module: string; name: string }, input: unknown, transfer?: ArrayBuffer[]): Promise<Result>;
}

/** What crosses the thread boundary: name prototypes and example vectors, flattened row-major. */
export interface FitHeadInput {
  dim: number;
  names: Float32Array<ArrayBuffer>;
  examples: Float32Array<ArrayBuffer>;
  labels: Int32Array<ArrayBuffer>;
  /** Plain data (numbers and a feature list), so it crosses the thread boundary as is. */
  options?: Partial<HeadFitOptions>;
}

/** This module and its task function, as a worker imports them. */
const FIT_HEAD_TASK = { module: import.meta.url, name: 'fitHeadTask' };

/** Worker side: rebuilds the vectors and fits. */
export function fitHeadTask(input: FitHeadInput): HeadParams {
  const vectors = rows(input.examples, input.dim);
  return fitFewShotHead(rows(input.names, input.dim), vectors.map((vector, i) => ({ vector, label: input.labels[i] })), input.options);
}

/** A `HeadFitter` that fits on `runner`'s worker threads. */
export function fitHeadOn(runner: TaskRunner): HeadFitter {
  return (names, examples, options) => {
    const dim = names[0].length;
    const input: FitHeadInput = {
      dim,
      options,
      names: flatten(names, dim),
      examples: flatten(examples.map((e) => e.vector), dim),
      labels: Int32Array.from(examples, (e) => e.label),
    };
    return runner.runTask<HeadParams>(FIT_HEAD_TASK, input, [input.names.buffer, input.examples.buffer, input.labels.buffer]);
  };
}

/** The fit on the caller's thread (an `Embedder` without a pool, e.g. a remote service). */
export const fitHeadInline: HeadFitter = async (names, examples, options) => fitFewShotHead(names, examples, options);
