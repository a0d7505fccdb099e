import { modelNotInstalled } from '../../errors.js';
import { loadHfModel } from '../hf/index.js';
import type { ModelBackend } from '../types.js';
import { pullModel, type PullOptions } from './pull.js';
import type { ModelPreset } from './presets.js';
import { installedManifest, modelDir } from './store.js';

export { DEFAULT_HF_ENDPOINT, hubUrl, importModel, pullModel, type PullOptions } from './pull.js';
export { DEFAULT_MODEL, modelNames, PRESETS, resolvePreset, type ModelPreset, type PresetFile, type PresetName } from './presets.js';
export { installedManifest, listInstalled, MANIFEST, modelDir, modelsDir, type Manifest } from './store.js';

/**
 * The backend of an installed preset. Without `allowDownload` a missing model is a
 * VALIDATION_ERROR naming the pull command; with it, the preset is pulled first.
 */
export async function loadPreset(
  preset: ModelPreset,
  options: { cacheDir: string; allowDownload?: boolean } & Omit<PullOptions, 'cacheDir'>,
): Promise<ModelBackend> {
  if (!(await installedManifest(options.cacheDir, preset))) {
    if (!options.allowDownload) {
      throw modelNotInstalled(preset.name, modelDir(options.cacheDir, preset.name));
    }
    await pullModel(preset, options);
  }
  return loadHfModel(modelDir(options.cacheDir, preset.name), {
    pooling: preset.pooling,
    maxTokens: preset.maxTokens,
    prefix: preset.prefix,
    outputName: preset.outputName,
    // The pin of the weights is part of the id, so cache keys change when the weights do.
    id: `${preset.name}@${preset.files.onnx.sha256.slice(0, 12)}`,
  });
}
