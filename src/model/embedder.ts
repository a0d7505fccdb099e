import type { Lane, Priority } from '../vocabulary.js';

/** One embedded text: a unit vector and its model tokens (the whole text, overlaps counted once). */
export interface EmbeddedText {
  vector: Float32Array;
  tokens: number;
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
  /** `lane: 'batch'` (batch jobs) runs below real-time calls; an embedder may ignore it. */
  embed(texts: string[], options?: { priority?: Priority; signal?: AbortSignal; lane?: Lane }): Promise<EmbeddedText[]>;
  close(): Promise<void>;
}
