/**
 * Q7 — labelwise vs @huggingface/transformers 4.x on the same installed model folder: embedding
 * the same 1,000 texts (throughput) and one short text (latency), with the same budget of 2
 * threads (labelwise: 2 pool workers × 1 thread; transformers.js: 1 session × 2 intra-op
 * threads, which is how it runs), no network (`env.allowRemoteModels = false`), for an int8
 * preset and its fp32 original. Skips (with a message) the models that are not installed.
 * BENCH_MODELS=bge-small-en-v1.5-int8,bge-small-en-v1.5 picks them (default: those two).
 */
import { resolveOptions } from '../src/engine/options.js';
import { loadPreset, modelsDir, PRESETS, resolvePreset, type ModelPreset } from '../src/model/hub/index.js';
import { InferencePool, POOL_DEFAULTS } from '../src/pool/inference-pool.js';
import { PooledEmbedder } from '../src/pool/pooled-embedder.js';
import { loadTexts, SHORT_TEXT } from './lib/data.js';
import { fmt, ms, perSec, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

const N = 1000;
/** transformers.js pads every call's inputs to its longest; users feed it in chunks like this. */
const CHUNK = 64;

export async function transformersJs(): Promise<Row[]> {
  const names = (process.env.BENCH_MODELS ?? 'bge-small-en-v1.5-int8,bge-small-en-v1.5').split(',').map((s) => s.trim());
  const cacheDir = resolveOptions({}).cacheDir;
  const rows: Row[] = [];
  const rates: Record<string, number> = {};
  for (const name of names) {
    const preset = resolvePreset(name);
    let row: Row[];
    try {
      row = await compare(preset, cacheDir, rates);
    } catch (err) {
      if ((err as { code?: string }).code !== 'VALIDATION_ERROR') throw err;
      process.stderr.write(`bench: ${name} skipped — ${(err as Error).message}\n`);
      continue;
    }
    rows.push(...row);
  }
  for (const [int8, fp32] of Object.entries(PRESETS).filter(([n]) => n.endsWith('-int8')).map(([n]) => [n, n.slice(0, -5)])) {
    if (rates[int8] && rates[fp32]) {
      rows.push({
        question: 'Q7',
        metric: `int8 / fp32, labelwise embed ${N} texts: ${int8} / ${fp32}`,
        measured: perSec(rates[int8]),
        reference: perSec(rates[fp32]),
        ratio: fmt(rates[int8] / rates[fp32]),
        target: '—',
        pass: null,
        notes: 'Accuracy of both: bench/results/accuracy.md (npm run bench:accuracy).',
      });
    }
  }
  return rows;
}

async function compare(preset: ModelPreset, cacheDir: string, rates: Record<string, number>): Promise<Row[]> {
  const { texts, source } = loadTexts(N);
  const backend = await loadPreset(preset, { cacheDir });
  const embedder = new PooledEmbedder(backend, new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 2, threadsPerWorker: 1 }));
  const tf = await import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.localModelPath = `${modelsDir(cacheDir)}/`;
  const extractor = await tf.pipeline('feature-extraction', preset.name, {
    dtype: 'fp32', // the installed folder keeps either export as onnx/model.onnx
    device: 'cpu',
    session_options: { intraOpNumThreads: 2, interOpNumThreads: 1 },
  });
  const pooling = preset.pooling;
  const withPrefix = (t: string) => preset.prefix + t;
  const tfEmbed = async (batch: string[]) => (await extractor(batch.map(withPrefix), { pooling, normalize: true })).tolist() as number[][];
  try {
    // Same vectors? (a check that both run the same model the same way; not timed)
    const probe = texts.slice(0, 16);
    const [ours, theirs] = [await embedder.embed(probe), await tfEmbed(probe)];
    const cos = ours.map((o, i) => o.vector.reduce((s, x, d) => s + x * theirs[i][d], 0));
    const minCos = Math.min(...cos);
    const tasks = {
      labelwise: async () => void (await embedder.embed(texts)),
      'transformers.js': async () => {
        for (let i = 0; i < texts.length; i += CHUNK) await tfEmbed(texts.slice(i, i + CHUNK));
      },
    };
    await tasks.labelwise(); // warm: a session in every worker
    const bulk = await interleave(tasks, { rounds: 2, time: 0, iterations: 1, cpu: true });
    const single = await interleave(
      { labelwise: () => embedder.embed([SHORT_TEXT], { priority: 'fast' }), 'transformers.js': () => tfEmbed([SHORT_TEXT]) },
      { rounds: 3, time: 500, iterations: 30, warmupIterations: 10 },
    );
    const rate = (k: string) => (N / bulk[k].min) * 1000;
    rates[preset.name] = rate('labelwise');
    const ratio = rate('labelwise') / rate('transformers.js');
    return [
      {
        question: 'Q7',
        metric: `embed ${N} texts, 2 threads, ${preset.name}: labelwise / transformers.js`,
        measured: `${perSec(rate('labelwise'))} (median ${fmt((N / bulk.labelwise.p50) * 1000, 0)})`,
        reference: `${perSec(rate('transformers.js'))} (median ${fmt((N / bulk['transformers.js'].p50) * 1000, 0)}; feature-extraction, chunks of ${CHUNK})`,
        ratio: fmt(ratio),
        target: '≥ 1.5',
        pass: ratio >= 1.5,
        notes:
          `@huggingface/transformers 4.x pipeline on the same folder (${modelsDir(cacheDir)}/${preset.name}), allowRemoteModels=false, ` +
          `pooling ${pooling}, normalize, prefix ${JSON.stringify(preset.prefix)}. Best of ${bulk.labelwise.n} interleaved runs; ` +
          `CPU per 1,000 texts labelwise ${ms(bulk.labelwise.cpuP50)}, transformers.js ${ms(bulk['transformers.js'].cpuP50)}. ` +
          `Min cosine between the two on 16 texts: ${minCos.toFixed(6)}. Texts: ${source}. labelwise sorts all windows by length ` +
          `into runs of ≤ 64 (less padding); transformers.js pads each call to its longest input.`,
        data: { bulk, minCos },
      },
      {
        question: 'Q7',
        metric: `embed 1 short text, ${preset.name}: p50 labelwise ('fast') / transformers.js`,
        measured: `${ms(single.labelwise.p50)} (p99 ${ms(single.labelwise.p99)})`,
        reference: `${ms(single['transformers.js'].p50)} (p99 ${ms(single['transformers.js'].p99)})`,
        ratio: fmt(single.labelwise.p50 / single['transformers.js'].p50),
        target: '—',
        pass: null,
        notes: `Text: "${SHORT_TEXT}". labelwise runs it on one worker thread (1 intra-op thread); transformers.js on its 2-thread session.`,
        data: { single },
      },
    ];
  } finally {
    await Promise.all([embedder.close(), extractor.dispose()]);
  }
}
