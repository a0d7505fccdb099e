import type { WorkerModelSpec } from '../model/types.js';

/** One model run: `lengths.length` sequences, token ids flattened back to back. */
export interface EmbedTask {
  spec: WorkerModelSpec;
  ids: Int32Array;
  lengths: Int32Array;
}

/** The reply: `count × dimension` floats, row-major (transferred, not copied). */
export type EmbedResult = Float32Array;

/** A few-shot head to fit: name prototypes and labeled example vectors, flattened. */
export interface FitHeadTask {
  dim: number;
  names: Float32Array;
  examples: Float32Array;
  labels: Int32Array;
}
