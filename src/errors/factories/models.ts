/** Errors of model presets: not installed, unknown, a bad import folder, the hub's answers. */
import type { LabelwiseError } from '../error.js';
import { make } from '../make.js';

/** 422 on `model`: the preset is not installed and downloading is not allowed. */
export function modelNotInstalled(name: string, dir: string): LabelwiseError {
  return make(
    'model_not_installed',
    `model "${name}" is not installed in ${dir}: run \`npx labelwise models pull ${name}\` (same cacheDir / LABELWISE_CACHE_DIR), or pass allowDownload: true`,
    { field: 'model' },
  );
}

/** 422: no preset of that name; `message` carries the "did you mean" and the known names. */
export function unknownModel(field: string, message: string): LabelwiseError {
  return make('unknown_model', message, { field });
}

/** 422 on `dir`: an offline import folder lacks (or holds wrong) model files. */
export function modelImportInvalid(message: string, details?: Record<string, unknown>): LabelwiseError {
  return make('model_import_invalid', message, { field: 'dir', ...details });
}

/** 422: an installed or imported preset's files do not load or do not match the preset. */
export function presetInvalid(field: string, message: string, cause?: unknown): LabelwiseError {
  return make('preset_invalid', message, { field }, cause);
}

/** 503: a hub download was interrupted on every attempt; running again resumes it. */
export function hubDownloadInterrupted(url: string, attempts: number, cause?: unknown): LabelwiseError {
  return make('hub_download_interrupted', `download of ${url} was interrupted ${attempts} times; run the command again to resume`, { url }, cause);
}

/** 500: a downloaded file's SHA-256 is not the preset's pin (the partial file is deleted). */
export function hubChecksumMismatch(url: string, expected: string, actual: string): LabelwiseError {
  return make('hub_checksum_mismatch', `checksum mismatch for ${url}: expected sha256 ${expected}, got ${actual}; the partial file was deleted`, { url, expected, actual });
}

/** 404: the hub has no such file. */
export function hubNotFound(url: string, status: number): LabelwiseError {
  return make('hub_not_found', `${url} was not found on the hub (404): check the repository, revision and HF_ENDPOINT`, { url, status });
}

/** 403: the hub refused the file (401/403); a token is needed. */
export function hubDenied(url: string, status: number): LabelwiseError {
  return make('hub_denied', `the hub refused ${url} (${status}): set HF_TOKEN to a token that can read this repository`, { url, status });
}

/** 500: any other final answer of the hub. */
export function hubError(url: string, status: number): LabelwiseError {
  return make('hub_error', `the hub answered ${status} for ${url}`, { url, status });
}
