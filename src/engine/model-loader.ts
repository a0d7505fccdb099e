import { PooledEmbedder, type Embedder } from '../model/embedder.js';
import { loadHfModel } from '../model/hf/index.js';
import { loadUseLite } from '../model/use-lite/index.js';
import type { ResolvedOptions } from './options.js';

/** Builds the engine's embedder from resolved options: a given one, a local HF model, or the default. */
export async function createEmbedder(options: ResolvedOptions): Promise<Embedder> {
  if (options.embedder) return options.embedder;
  const backend =
    options.model === 'use-lite'
      ? await loadUseLite(options.cacheDir)
      : await loadHfModel(options.model.path, { pooling: options.model.pooling, maxTokens: options.model.maxTokens, id: options.model.id });
  return new PooledEmbedder(backend, options.pool);
}
