// Worker of the raw reference: owns one session and the prepared batches; runs batch k on request.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { sessionOptions, type PaddedBatch } from './raw-ort.js';

const { onnxPath, threads, batches } = workerData as { onnxPath: string; threads: number; batches: PaddedBatch[] };
const session = await ort.InferenceSession.create(onnxPath, sessionOptions(threads));
const feeds = batches.map((b) => ({
  input_ids: new ort.Tensor('int64', b.ids, b.dims),
  attention_mask: new ort.Tensor('int64', b.mask, b.dims),
}));
parentPort!.on('message', async (k: number) => {
  await session.run(feeds[k], ['embeddings']);
  parentPort!.postMessage(k);
});
parentPort!.postMessage('ready');
