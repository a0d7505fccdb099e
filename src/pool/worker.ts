import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { Piscina } from 'piscina';
import type { WorkerModelSpec } from '../model/types.js';
import { normalizeRows } from '../vector/index.js';
import type { EmbedResult, EmbedTask, TaskCall } from './protocol.js';

// One session per model file per worker thread; created on the first task, kept for the worker's life.
const sessions = new Map<string, Promise<Ort.InferenceSession>>();

/**
 * onnxruntime-node is loaded on the first task, not when the thread starts: a pool closed soon
 * after it was created (a short CLI command) then stops threads that never entered the native
 * addon — terminating one while the addon initialises aborted the whole process.
 */
let ort: typeof Ort;

async function session(spec: WorkerModelSpec): Promise<Ort.InferenceSession> {
  ort ??= await import('onnxruntime-node');
  let s = sessions.get(spec.onnxPath);
  if (!s) {
    s = ort.InferenceSession.create(spec.onnxPath, {
      intraOpNumThreads: spec.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
    sessions.set(spec.onnxPath, s);
  }
  return s;
}

/** Piscina entry point: pads the batch, runs the model, pools and returns vectors (transferred, not copied). */
export default async function embed(task: EmbedTask): Promise<EmbedResult> {
  const { spec, ids, lengths } = task;
  const model = await session(spec);
  const count = lengths.length;
  const width = Math.max(1, ...lengths);
  const inputIds = new BigInt64Array(count * width).fill(BigInt(spec.padId));
  const mask = new BigInt64Array(count * width);
  let offset = 0;
  for (let row = 0; row < count; row++) {
    for (let j = 0; j < lengths[row]; j++) {
      inputIds[row * width + j] = BigInt(ids[offset + j]);
      mask[row * width + j] = 1n;
    }
    offset += lengths[row];
  }
  const feeds: Record<string, Ort.Tensor> = {};
  const dims = [count, width];
  feeds[spec.inputNames.ids] = new ort.Tensor('int64', inputIds, dims);
  if (model.inputNames.includes(spec.inputNames.mask)) feeds[spec.inputNames.mask] = new ort.Tensor('int64', mask, dims);
  if (model.inputNames.includes(spec.inputNames.typeIds)) feeds[spec.inputNames.typeIds] = new ort.Tensor('int64', new BigInt64Array(count * width), dims);
  const outputs = await model.run(feeds, [spec.outputName]);
  const output = outputs[spec.outputName];
  const vectors = pool(output.data as Float32Array, output.dims as number[], lengths, spec);
  for (const t of Object.values(outputs)) t.dispose();
  return Piscina.move(vectors) as EmbedResult;
}

function pool(data: Float32Array, dims: number[], lengths: Int32Array, spec: WorkerModelSpec): Float32Array {
  const count = lengths.length;
  let out: Float32Array;
  if (spec.pooling === 'none') {
    out = Float32Array.from(data);
  } else {
    const [, seq, dim] = dims;
    out = new Float32Array(count * dim);
    for (let row = 0; row < count; row++) {
      const take = spec.pooling === 'cls' ? 1 : lengths[row];
      for (let t = 0; t < take; t++) {
        const base = (row * seq + t) * dim;
        for (let d = 0; d < dim; d++) out[row * dim + d] += data[base + d];
      }
      for (let d = 0; d < dim; d++) out[row * dim + d] /= Math.max(1, take);
    }
  }
  if (spec.normalize) normalizeRows(out, out.length / count);
  return out;
}

/**
 * Piscina entry `runTask`: runs a caller-named function of an ES module (e.g. the few-shot
 * head fit: up to ~2 s of linear algebra for the largest label configs, which would otherwise
 * stall every other request on the caller's thread). Modules are cached by the loader.
 */
export async function runTask(call: TaskCall): Promise<unknown> {
  const module = await load(call.module);
  const fn = module[call.name];
  if (typeof fn !== 'function') throw new TypeError(`worker task ${call.name} is not a function exported by ${call.module}`);
  return (fn as (input: unknown) => unknown)(call.input);
}

async function load(url: string): Promise<Record<string, unknown>> {
  // Running the TypeScript sources (tests, benchmarks), piscina loaded this file through tsx's
  // require hook, and in a worker thread on Node 20 dynamic import() does not see tsx: a `.ts`
  // task module is loaded the way this file was. Built code imports plain `.js`.
  if (url.endsWith('.ts')) return createRequire(import.meta.url)(fileURLToPath(url)) as Record<string, unknown>;
  return (await import(url)) as Record<string, unknown>;
}
