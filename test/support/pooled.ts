import type { ModelBackend } from '../../src/model/types.js';
import { InferencePool, POOL_DEFAULTS, type PoolOptions } from '../../src/pool/inference-pool.js';
import { PooledEmbedder } from '../../src/pool/pooled-embedder.js';

/** The engine's own embedder over `backend`, on one worker unless told otherwise (closing it closes the pool). */
export function pooledEmbedder(backend: ModelBackend, options: Partial<PoolOptions> = {}): PooledEmbedder {
  return new PooledEmbedder(backend, new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 1, ...options }));
}
