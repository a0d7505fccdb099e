import type { Lane, Priority } from '../vocabulary.js';

/** One embedded text: a unit vector and its model tokens (the whole text, overlaps counted once). */
export interface EmbeddedText {
  vector: Float32Array;
  tokens: number;
}

/** How one `Embedder.embed` call is run. */
export interface EmbedOptions {
  /** `fast` skips micro-batching. @default 'standard' */
  priority?: Priority;
  /** Aborting it fails the call at once; model runs already started finish unseen. */
  signal?: AbortSignal;
  /**
   * `batch` runs the call below real-time calls (async jobs): the default embedder serves it on a
   * second worker pool of the lowest CPU priority, created on the first such call. An embedder
   * without lanes may ignore it. @default 'realtime'
   */
  lane?: Lane;
}

/**
 * The one interface the engine embeds text through. The default implementation runs an ONNX
 * model in a worker pool (`src/pool`); any other (a remote service, a test double) can be
 * passed to `createEngine({ embedder })`.
 */
export interface Embedder {
  /** Stable id of model and version; part of every cache key. */
  readonly id: string;
  readonly dimension: number;
  /** Model tokens of `text`, deterministic; what billing counts. */
  countTokens(text: string): number;
  embed(texts: string[], options?: EmbedOptions): Promise<EmbeddedText[]>;
  close(): Promise<void>;
}
