// Child process of bench/memory.ts: one batch run in a fresh process, RSS sampled throughout.
// argv[2] = 'engine' (createEngine defaults) | 'raw' (2 raw ORT sessions in worker threads).
import { createEngine } from '../../src/index.js';
import { LABELS_10, loadTexts } from './data.js';
import { defaultModel, engineSequences } from './model.js';
import { padBatches, rawWorkers } from './raw-ort.js';

const mode = process.argv[2];
const { texts } = loadTexts(1000);
const baseline = process.memoryUsage.rss();
let sampled = baseline;
// 10 ms sampling catches the shape; maxRSS (kernel high-water mark) catches any spike between samples.
const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 10);
let ready: number;
if (mode === 'engine') {
  const engine = await createEngine();
  ready = process.memoryUsage.rss();
  const res = await engine.classifyBatch({ texts, labels: LABELS_10, cache: false });
  if (res.results.length !== texts.length) throw new Error('short batch');
  await engine.close();
} else {
  const model = await defaultModel();
  const raw = await rawWorkers(model.onnxPath, 2, padBatches(engineSequences(model.encode, texts).seqs, 64));
  ready = process.memoryUsage.rss();
  await raw.run();
  await raw.close();
}
clearInterval(timer);
console.log(JSON.stringify({ baseline, ready, sampledPeak: sampled, maxRss: process.resourceUsage().maxRSS * 1024 }));
