/**
 * Q1 — classifyBatch of 1,000 texts vs raw onnxruntime-node on the same sequences with the same
 * budget of 2 threads. Both raw layouts are timed; the faster one is the reference. Diagnostics
 * split the engine's cost: CPU of its pool alone (pre-tokenized), of tokenization alone, and the
 * padding in the model runs it actually made.
 */
import { resolveOptions } from '../src/engine/options.js';
import { loadUseLite } from '../src/model/use-lite/index.js';
import { InferencePool } from '../src/pool/inference-pool.js';
import { createEngine } from '../src/index.js';
import { LABELS_10, loadTexts } from './lib/data.js';
import { recordEngineShapes, referenceShapes, type BatchShapes } from './lib/batch-shapes.js';
import { engineSequences } from './lib/model.js';
import { padBatches, rawSingle, rawWorkers } from './lib/raw-ort.js';
import { fmt, ms, perSec, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

const N = 1000;
const RAW_1X2 = 'raw ORT, 1 session × 2 threads';
const RAW_2X1 = 'raw ORT, 2 sessions × 1 thread (2 worker threads)';
const POOL = 'engine pool only (pre-tokenized)';

export async function throughput(): Promise<Row[]> {
  const { texts, source } = loadTexts(N);
  const options = resolveOptions({});
  const backend = await loadUseLite(options.cacheDir);
  const encode = (t: string) => backend.tokenizer.encode(t);
  const { seqs, windowed, meanTokens } = engineSequences(encode, texts);
  const batches = padBatches(seqs, 64);
  const engine = await createEngine(); // defaults: os.availableParallelism() workers × 1 thread
  const pool = new InferencePool(backend.spec, options.pool); // the engine's pool, fed token ids
  const raw1x2 = await rawSingle(backend.spec.onnxPath, 2, batches);
  const raw2x1 = await rawWorkers(backend.spec.onnxPath, 2, batches);
  try {
    // Warm-up outside timing: prototypes for the 10 labels, a session in every worker.
    await engine.classifyBatch({ texts: texts.slice(0, 128), labels: LABELS_10, cache: false });
    await pool.embed(seqs.slice(0, 128));
    await Promise.all([raw1x2.warm(), raw2x1.warm()]);
    const recorded: { shapes?: BatchShapes } = {};
    const tasks = {
      engine: async () => {
        // Shape recording (which model runs the pool made) costs ~nothing; the last run's is kept.
        const res = await recordEngineShapes(() => engine.classifyBatch({ texts, labels: LABELS_10, cache: false }), (s) => (recorded.shapes = s));
        if (res.results.length !== N || res.results.some((r) => 'error' in r)) throw new Error('engine batch returned errors');
      },
      [RAW_1X2]: () => raw1x2.run(),
      [RAW_2X1]: () => raw2x1.run(),
    };
    // One iteration = all 1,000 texts (~3 s); 3 rounds rotate the order so neighbours' noise is shared.
    const main = await interleave(tasks, { rounds: 3, time: 0, iterations: 1, cpu: true });
    // Diagnostics, once each: CPU time is robust to stolen time, so one run is enough.
    const diag = await interleave(
      { [POOL]: () => pool.embed(seqs), 'tokenize only (main thread)': () => texts.map(encode) },
      { rounds: 1, time: 0, iterations: 1, cpu: true },
    );
    const stats = { ...main, ...diag };
    const refShapes = referenceShapes(batches);
    // Best-of-N: neighbours only ever add time, so the fastest run is the least disturbed one.
    const rate = (k: string) => (N / stats[k].min) * 1000;
    const medRate = (k: string) => (N / stats[k].p50) * 1000;
    const refName = rate(RAW_1X2) >= rate(RAW_2X1) ? RAW_1X2 : RAW_2X1;
    const other = refName === RAW_1X2 ? RAW_2X1 : RAW_1X2;
    const eng = rate('engine');
    const ratio = eng / rate(refName);
    const tokMs = stats['tokenize only (main thread)'].min;
    const shapes = recorded.shapes;
    if (!shapes) throw new Error('no engine batch shapes recorded');
    const cpu = (k: string) => stats[k].cpuP50;
    return [
      {
        question: 'Q1',
        metric: `classifyBatch ${N} texts, 10 labels, cache off: engine / raw ORT`,
        measured: `${perSec(eng)} (median ${fmt(medRate('engine'), 0)})`,
        reference: `${perSec(rate(refName))} (median ${fmt(medRate(refName), 0)}; ${refName})`,
        ratio: fmt(ratio),
        target: '≥ 0.85',
        pass: ratio >= 0.85,
        notes:
          `best of ${stats.engine.n} interleaved runs (ratio of medians ${fmt(medRate('engine') / medRate(refName))}; ` +
          `noise-proof CPU-time ratio raw 2×1 / engine ${fmt(cpu(RAW_2X1) / cpu('engine'))}). ` +
          `CPU time per 1,000 texts (all threads): engine ${ms(cpu('engine'))}, ${RAW_2X1} ${ms(cpu(RAW_2X1))}, ${RAW_1X2} ${ms(cpu(RAW_1X2))} ` +
          `(includes ORT spin-waiting). Other raw layout: ${other} ${perSec(rate(other))}. Texts: ${source}; ${seqs.length} sequences ` +
          `(${windowed} texts over 128 tokens windowed exactly as the engine does), mean ${fmt(meanTokens, 1)} tokens. ` +
          `Raw = same ONNX file and session options, pre-padded int64 tensors, batches of 64 sorted by length.`,
        data: { stats, reference: refName, meanTokens, sequences: seqs.length, source },
      },
      {
        question: 'Q1',
        metric: 'where: CPU time per 1,000 texts (all threads), engine / raw ORT 2×1',
        measured: `${ms(cpu('engine'))} (pool fed pre-tokenized: ${ms(cpu(POOL))})`,
        reference: ms(cpu(RAW_2X1)),
        ratio: `${fmt(cpu('engine') / cpu(RAW_2X1))} (pool ${fmt(cpu(POOL) / cpu(RAW_2X1))})`,
        target: '—',
        pass: null,
        notes:
          `CPU time hardly moves when neighbours steal the cores, so it splits the gap reliably. Engine − pool = ` +
          `${ms(cpu('engine') - cpu(POOL))}, of which tokenizing the ${N} texts on the main thread is ${ms(tokMs)} ` +
          `(${fmt((tokMs / N) * 1000, 0)} µs/text); the rest is extra model work (padding, next row) ` +
          `and per-item scoring/keys. Pool − raw = piscina, padding and BigInt conversion in src/pool/worker.ts. ` +
          `Diagnostics run once after the timed rounds.`,
        data: { tokenizeMs: tokMs },
      },
      {
        question: 'Q1',
        metric: 'where: padding, real / computed tokens in the model runs (engine vs reference)',
        measured: `${fmt(shapes.efficiency * 100, 0)}% (${shapes.batches} runs, ${shapes.paddedTokens} tokens computed)`,
        reference: `${fmt(refShapes.efficiency * 100, 0)}% (${refShapes.batches} runs, ${refShapes.paddedTokens} tokens)`,
        ratio: fmt(shapes.paddedTokens / refShapes.paddedTokens),
        target: '—',
        pass: null,
        notes:
          `Recorded from the task shapes the engine's pool hands to piscina in the last timed classifyBatch ` +
          `(${shapes.realTokens} real tokens). The reference sorts all ${seqs.length} sequences by length before cutting ` +
          `batches of 64; ratio = engine computed tokens / reference computed tokens (model work scales with it).`,
        data: { engShapes: shapes, refShapes },
      },
    ];
  } finally {
    await Promise.all([engine.close(), pool.close(), raw1x2.close(), raw2x1.close()]);
  }
}
