import type { Embedder } from '../model/embedder.js';
import { loadHfModel } from '../model/hf/index.js';
import { loadPreset, resolvePreset } from '../model/hub/index.js';
import { loadUseLite } from '../model/use-lite/index.js';
import { InferencePool } from '../pool/inference-pool.js';
import { PooledEmbedder } from '../pool/pooled-embedder.js';
import { fitHeadOn, type HeadFitter } from '../scoring/head-task.js';
import type { ResolvedOptions } from './options.js';

/** The engine's embedder and, when it runs on a worker pool, a few-shot fit on those workers. */
export interface EngineModel {
  embedder: Embedder;
  /** Absent for a caller-given embedder: heads are then fitted inline. */
  fitHead?: HeadFitter;
}

/** Builds the engine's model from resolved options: a given embedder, a preset, a local HF model, or the default. */
export async function createModel(options: ResolvedOptions): Promise<EngineModel> {
  if (options.embedder) return { embedder: options.embedder };
  const { model } = options;
  const backend =
    model === 'use-lite'
      ? await loadUseLite(options.cacheDir)
      : typeof model === 'string'
        ? await loadPreset(resolvePreset(model), { cacheDir: options.cacheDir, allowDownload: options.allowDownload })
        : await loadHfModel(model.path, { pooling: model.pooling, maxTokens: model.maxTokens, id: model.id, prefix: model.prefix });
  const pool = new InferencePool(backend.spec, options.pool);
  return { embedder: new PooledEmbedder(backend, pool), fitHead: fitHeadOn(pool) };
}
