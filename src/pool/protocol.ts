import type { WorkerModelSpec } from '../model/types.js';

/** One model run: `lengths.length` sequences, token ids flattened back to back. */
export interface EmbedTask {
  spec: WorkerModelSpec;
  ids: Int32Array;
  lengths: Int32Array;
}

/** The reply: `count × dimension` floats, row-major (transferred, not copied). */
export type EmbedResult = Float32Array;

/**
 * A function a worker runs off the caller's thread: the export `name` of the ES module at
 * `module` (a file URL). The pool knows nothing of what it computes; callers (the scoring
 * layer's few-shot fit) name their own modules.
 */
export interface WorkerTask {
  module: string;
  name: string;
}

/** One task run: the function's single argument travels by structured clone (or transfer). */
export interface TaskCall extends WorkerTask {
  input: unknown;
}
