// Worker of the raw reference (plain JS: on Node 20 a worker's ESM entry does not go through
// tsx). Owns one session and the prepared batches; runs batch k on request.
// Session options must match sessionOptions() in raw-ort.ts and src/pool/worker.ts.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

const { onnxPath, threads, batches } = workerData;
const session = await ort.InferenceSession.create(onnxPath, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});
const feeds = batches.map((b) => ({
  input_ids: new ort.Tensor('int64', b.ids, b.dims),
  attention_mask: new ort.Tensor('int64', b.mask, b.dims),
}));
parentPort.on('message', async (k) => {
  await session.run(feeds[k], ['embeddings']);
  parentPort.postMessage(k);
});
parentPort.postMessage('ready');
