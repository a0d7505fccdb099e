import { PooledEmbedder, type Embedder } from '../model/embedder.js';
import { loadHfModel } from '../model/hf/index.js';
import { loadPreset, resolvePreset } from '../model/hub/index.js';
import { loadUseLite } from '../model/use-lite/index.js';
import { DEFAULT_CALIBRATION, type ScorerCalibration } from '../scoring/scorer.js';
import type { ResolvedOptions } from './options.js';

/**
 * The calibration an engine scores with: the default, then the preset's fitted constants, then
 * whatever the caller gave explicitly (explicit options always win). Pass the caller's raw
 * `options.calibration` (not the resolved one, which already has the defaults merged in).
 */
export function calibrationFor(model: ResolvedOptions['model'], explicit?: Partial<ScorerCalibration>): Readonly<ScorerCalibration> {
  const preset = typeof model === 'string' && model !== 'use-lite' ? resolvePreset(model).calibration : undefined;
  return Object.freeze({ ...DEFAULT_CALIBRATION, ...preset, ...explicit });
}

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
