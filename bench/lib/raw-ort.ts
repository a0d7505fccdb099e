/**
 * Raw onnxruntime-node reference: the same ONNX file and session options as the engine's
 * workers, fed pre-padded int64 tensors, so it measures model work and nothing else.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

export interface PaddedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  dims: [number, number];
}

/** Sorts sequences by length (as the engine does) and pads them into batches of `size`. */
export function padBatches(seqs: number[][], size = 64): PaddedBatch[] {
  const sorted = [...seqs].sort((a, b) => a.length - b.length);
  const out: PaddedBatch[] = [];
  for (let start = 0; start < sorted.length; start += size) {
    const rows = sorted.slice(start, start + size);
    const width = Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width);
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((r, i) => r.forEach((id, j) => ((ids[i * width + j] = BigInt(id)), (mask[i * width + j] = 1n))));
    out.push({ ids, mask, dims: [rows.length, width] });
  }
  return out;
}

/** Same options as src/pool/worker.ts, so only the threading layout differs. */
export const sessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

export interface RawRunner {
  /** Embeds every prepared batch once. */
  run(): Promise<void>;
  /** Runs the first batch on every session (first runs allocate; keep them out of timing). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** One session with `threads` intra-op threads on the main thread, batches run back to back. */
export async function rawSingle(onnxPath: string, threads: number, batches: PaddedBatch[]): Promise<RawRunner & { session: ort.InferenceSession }> {
  const session = await ort.InferenceSession.create(onnxPath, sessionOptions(threads));
  // Tensors built once: the reference pays no padding or tensor-creation cost.
  const feeds = batches.map((b) => ({
    input_ids: new ort.Tensor('int64', b.ids, b.dims),
    attention_mask: new ort.Tensor('int64', b.mask, b.dims),
  }));
  return {
    session,
    async run() {
      for (const f of feeds) await session.run(f, ['embeddings']);
    },
    warm: async () => void (await session.run(feeds[0], ['embeddings'])),
    close: () => session.release(),
  };
}

/**
 * `workers` worker threads, each with its own 1-thread session (session.run is synchronous in
 * onnxruntime-node, so concurrency needs threads). Batches are handed out on demand.
 */
export async function rawWorkers(onnxPath: string, workers: number, batches: PaddedBatch[]): Promise<RawRunner> {
  const url = new URL('./raw-ort-worker.mjs', import.meta.url);
  const pool = await Promise.all(
    Array.from({ length: workers }, async () => {
      const w = new Worker(url, { execArgv: [], workerData: { onnxPath, threads: 1, batches } });
      await new Promise<void>((resolve, reject) => (w.once('message', () => resolve()), w.once('error', reject)));
      return w;
    }),
  );
  return {
    run: () =>
      new Promise<void>((resolve, reject) => {
        let next = 0;
        let done = 0;
        const feed = (w: Worker) => (next < batches.length ? w.postMessage(next++) : undefined);
        for (const w of pool) {
          w.removeAllListeners('message').removeAllListeners('error');
          w.on('message', () => (++done === batches.length ? resolve() : feed(w)));
          w.on('error', reject);
          feed(w);
        }
      }),
    warm: async () => {
      for (const w of pool) {
        w.removeAllListeners('message').removeAllListeners('error');
        await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject), w.postMessage(0)));
      }
    },
    close: async () => void (await Promise.all(pool.map((w) => w.terminate()))),
  };
}
