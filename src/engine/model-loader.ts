import { PooledEmbedder, type Embedder } from '../model/embedder.js';
import { loadHfModel } from '../model/hf/index.js';
import { loadPreset, resolvePreset } from '../model/hub/index.js';
import { loadUseLite } from '../model/use-lite/index.js';
import type { ResolvedOptions } from './options.js';

/** Builds the engine's embedder from resolved options: a given one, a preset, a local HF model, or the default. */
export async function createEmbedder(options: ResolvedOptions): Promise<Embedder> {
  if (options.embedder) return options.embedder;
  const { model } = options;
  const backend =
    model === 'use-lite'
      ? await loadUseLite(options.cacheDir)
      : typeof model === 'string'
        ? await loadPreset(resolvePreset(model), { cacheDir: options.cacheDir, allowDownload: options.allowDownload })
        : await loadHfModel(model.path, { pooling: model.pooling, maxTokens: model.maxTokens, id: model.id, prefix: model.prefix });
  return new PooledEmbedder(backend, options.pool);
}
