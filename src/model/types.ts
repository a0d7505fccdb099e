/** Turns text into model token ids (runs on the caller's thread: cheap, and needed for billing). */
export interface Tokenizer {
  encode(text: string): number[];
}

/** Everything a pool worker needs to run a model: plain data, so it can cross thread boundaries. */
export interface WorkerModelSpec {
  /** Absolute path of the ONNX file. */
  onnxPath: string;
  /** Name of the graph output to read. */
  outputName: string;
  /**
   * How token vectors become one sentence vector: `none` when the graph already pools
   * (output [batch, dim]); `mean` (masked) or `cls` (first token) over [batch, seq, dim].
   */
  pooling: 'none' | 'mean' | 'cls';
  /** L2-normalize the pooled vector in the worker. */
  normalize: boolean;
  /** Graph input names; the mask and token type inputs are fed only when the graph has them. */
  inputNames: { ids: string; mask: string; typeIds: string };
  /** Id used for padding positions (masked out, so only needs to be a valid id). */
  padId: number;
  /** Intra-op threads of this worker's session. */
  threads: number;
}

/** A model ready to be served by the inference pool. */
export interface ModelBackend {
  /** Stable id of model + version; part of cache keys. */
  readonly id: string;
  readonly dimension: number;
  /** Longest token sequence one model run accepts; longer texts are split into windows. */
  readonly maxTokens: number;
  readonly tokenizer: Tokenizer;
  /** Special ids the model expects around every sequence ([CLS] … [SEP]); none for USE lite. */
  readonly specials?: { prefix: number[]; suffix: number[] };
  readonly spec: Omit<WorkerModelSpec, 'threads'>;
}
