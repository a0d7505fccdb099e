/**
 * Q1 — classifyBatch of 1,000 texts vs raw onnxruntime-node on the same pre-tokenized texts with
 * the same budget of 2 threads. Two raw layouts are timed and the faster one is the reference.
 */
import { createEngine } from '../src/index.js';
import { LABELS_10, loadTexts } from './lib/data.js';
import { defaultModel, tokenizeAll } from './lib/model.js';
import { padBatches, rawSingle, rawWorkers } from './lib/raw-ort.js';
import { fmt, perSec, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

const N = 1000;

export async function throughput(): Promise<Row[]> {
  const { texts, source } = loadTexts(N);
  const model = await defaultModel();
  const tok = tokenizeAll(model.encode, texts);
  const batches = padBatches(tok.ids, 64);
  const engine = await createEngine(); // defaults: os.availableParallelism() workers × 1 thread
  const raw1x2 = await rawSingle(model.onnxPath, 2, batches);
  const raw2x1 = await rawWorkers(model.onnxPath, 2, batches);
  try {
    // Prototypes embedded once, outside the timing (the question is about text throughput).
    await engine.classify({ text: texts[0], labels: LABELS_10, cache: false });
    const tasks = {
      engine: async () => {
        const res = await engine.classifyBatch({ texts, labels: LABELS_10, cache: false });
        if (res.results.length !== N || res.results.some((r) => 'error' in r)) throw new Error('engine batch returned errors');
      },
      'raw 1 session × 2 threads': () => raw1x2.run(),
      'raw 2 sessions × 1 thread': () => raw2x1.run(),
    };
    // One iteration = all 1,000 texts (~2 s); rounds alternate the three so noise is shared.
    const stats = await interleave(tasks, { rounds: 4, time: 0, iterations: 1, warmupIterations: 1 });
    const rate = (k: keyof typeof tasks) => (N / stats[k].p50) * 1000;
    const eng = rate('engine');
    const rawName = rate('raw 1 session × 2 threads') >= rate('raw 2 sessions × 1 thread') ? 'raw 1 session × 2 threads' : 'raw 2 sessions × 1 thread';
    const raw = rate(rawName);
    const ratio = eng / raw;
    const other = rawName === 'raw 1 session × 2 threads' ? 'raw 2 sessions × 1 thread' : 'raw 1 session × 2 threads';
    return [
      {
        question: 'Q1',
        metric: `classifyBatch ${N} texts, 10 labels, cache off (engine / raw ORT)`,
        measured: perSec(eng),
        reference: `${perSec(raw)} (${rawName})`,
        ratio: fmt(ratio),
        target: '≥ 0.85',
        pass: ratio >= 0.85,
        notes:
          `median of ${stats.engine.n} interleaved runs each; other raw layout (${other}): ${perSec(rate(other))}. ` +
          `Texts: ${source}; mean ${fmt(tok.meanTokens, 1)} tokens, ${tok.clipped} over 128. Raw = same ONNX file and session options, ` +
          `pre-padded int64 tensors, batches of 64 sorted by length (the engine's own batch shape).`,
        data: { stats, engineRate: eng, rawRate: raw, reference: rawName, meanTokens: tok.meanTokens, source },
      },
    ];
  } finally {
    await Promise.all([engine.close(), raw1x2.close(), raw2x1.close()]);
  }
}
