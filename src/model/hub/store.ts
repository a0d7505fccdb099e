import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { presetInvalid } from '../../errors.js';
import type { ModelPreset, PresetFile } from './presets.js';

/**
 * Installed models live in `<cacheDir>/models/<preset name>/`, one folder each, laid out like a
 * hub snapshot so `loadHfModel` (and other HF-layout readers) open it as is:
 *
 * ```
 * tokenizer.json          pinned
 * onnx/model.onnx         pinned (the int8 presets keep their quantized export under this name)
 * config.json             generated from the preset (model_type, hidden_size, …)
 * tokenizer_config.json   generated from the preset
 * labelwise-model.json    manifest: preset, pins, source, install time
 * ```
 *
 * A folder appears only complete: it is assembled in a staging folder beside it and renamed.
 */
export const MANIFEST = 'labelwise-model.json';

export interface Manifest {
  name: string;
  repo: string;
  revision: string;
  source: 'hub' | 'import';
  files: Record<string, { sha256: string; size: number }>;
  installed_at: string;
}

/** Where installed models live under a cache dir. */
export function modelsDir(cacheDir: string): string {
  return join(cacheDir, 'models');
}

/** The folder of one installed preset. */
export function modelDir(cacheDir: string, name: string): string {
  return join(modelsDir(cacheDir), name);
}

/** The manifest of an installed preset whose pins still match, else `undefined`. */
export async function installedManifest(cacheDir: string, preset: ModelPreset): Promise<Manifest | undefined> {
  const manifest = await readManifest(modelDir(cacheDir, preset.name));
  if (!manifest) return undefined;
  for (const file of presetFiles(preset)) {
    const pinned = manifest.files[file.localPath];
    if (pinned?.sha256 !== file.sha256) return undefined;
    // Sizes are checked on every open (cheap); hashes were checked when installed.
    if ((await sizeOf(join(modelDir(cacheDir, preset.name), file.localPath))) !== file.size) return undefined;
  }
  return manifest;
}

/** Every installed model folder's manifest (any name, current pins or not). */
export async function listInstalled(cacheDir: string): Promise<(Manifest & { dir: string; bytes: number })[]> {
  let names: string[];
  try {
    names = await readdir(modelsDir(cacheDir));
  } catch {
    return [];
  }
  const out: (Manifest & { dir: string; bytes: number })[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(modelsDir(cacheDir), name);
    const manifest = await readManifest(dir);
    if (!manifest) continue;
    let bytes = 0;
    for (const path of Object.keys(manifest.files)) bytes += await sizeOf(join(dir, path));
    out.push({ ...manifest, dir, bytes });
  }
  return out;
}

export function presetFiles(preset: ModelPreset): PresetFile[] {
  return [preset.files.tokenizer, preset.files.onnx];
}

/**
 * Installs `preset` from verified local files: copies (or moves) them into a staging folder,
 * writes the generated config files, checks that the tokenizer loads and that the ONNX graph has
 * the inputs and output the backend feeds and reads, writes the manifest and renames the folder
 * into place (replacing an older install).
 */
export async function installFiles(
  cacheDir: string,
  preset: ModelPreset,
  sources: Record<'tokenizer' | 'onnx', string>,
  options: { source: Manifest['source']; move?: boolean },
): Promise<string> {
  const final = modelDir(cacheDir, preset.name);
  const staging = join(modelsDir(cacheDir), `.staging-${preset.name}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const key of ['tokenizer', 'onnx'] as const) {
      const target = join(staging, preset.files[key].localPath);
      await mkdir(dirname(target), { recursive: true });
      if (options.move) await rename(sources[key], target);
      else await copyFile(sources[key], target);
    }
    await writeFile(join(staging, 'config.json'), `${JSON.stringify(configJson(preset), null, 2)}\n`);
    await writeFile(join(staging, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfigJson(preset), null, 2)}\n`);
    await validateFolder(staging, preset);
    const manifest: Manifest = {
      name: preset.name,
      repo: preset.repo,
      revision: preset.revision,
      source: options.source,
      files: Object.fromEntries(presetFiles(preset).map((f) => [f.localPath, { sha256: f.sha256, size: f.size }])),
      installed_at: new Date().toISOString(),
    };
    await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const old = `${final}.old-${randomBytes(4).toString('hex')}`;
    const hadOld = await rename(final, old).then(
      () => true,
      () => false,
    );
    await rename(staging, final);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return final;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** What a BERT-style HF reader needs besides the weights (the jars ship no config.json). */
function configJson(preset: ModelPreset): Record<string, unknown> {
  return {
    _generated_by: 'labelwise',
    _name_or_path: preset.upstream,
    architectures: ['BertModel'],
    model_type: preset.modelType,
    hidden_size: preset.dimension,
    max_position_embeddings: 512,
  };
}

function tokenizerConfigJson(preset: ModelPreset): Record<string, unknown> {
  return {
    _generated_by: 'labelwise',
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: preset.maxTokens,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
}

/** The tokenizer loads and encodes; the graph takes input_ids + attention_mask and yields last_hidden_state of the preset's width. */
async function validateFolder(dir: string, preset: ModelPreset): Promise<void> {
  const field = 'model';
  try {
    const json = JSON.parse(await readFile(join(dir, preset.files.tokenizer.localPath), 'utf8')) as Record<string, unknown>;
    const tokenizer = new Tokenizer(json, {});
    if (tokenizer.encode('hello world', { add_special_tokens: false }).ids.length === 0) throw new Error('encodes text to no tokens');
  } catch (err) {
    throw presetInvalid(field, `${preset.name}: tokenizer.json does not load (${(err as Error).message})`, err);
  }
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(join(dir, preset.files.onnx.localPath), { intraOpNumThreads: 1 });
  } catch (err) {
    throw presetInvalid(field, `${preset.name}: the ONNX file is not a loadable model`, err);
  }
  try {
    const missing = ['input_ids', 'attention_mask'].filter((n) => !session.inputNames.includes(n));
    if (missing.length) throw presetInvalid(field, `${preset.name}: the ONNX graph lacks the input(s) ${missing.join(', ')} (has ${session.inputNames.join(', ')})`);
    const output = preset.outputName ?? 'last_hidden_state';
    const index = session.outputNames.indexOf(output);
    if (index < 0) throw presetInvalid(field, `${preset.name}: the ONNX graph has no ${output} output (has ${session.outputNames.join(', ')})`);
    const shape = (session.outputMetadata?.[index] as { shape?: (number | string)[] } | undefined)?.shape;
    const width = shape?.[shape.length - 1];
    if (typeof width === 'number' && width !== preset.dimension) {
      throw presetInvalid(field, `${preset.name}: ${output} is ${width} wide, the preset says ${preset.dimension}`);
    }
  } finally {
    await session.release();
  }
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    return typeof m.name === 'string' && m.files && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
