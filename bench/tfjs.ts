/**
 * Q2 — the engine vs the original TF.js graph (wasm backend, single thread) on the same texts.
 * TF.js runs ~30 texts/s, so a 200-text subset keeps the run bounded.
 */
import { createTfjsUse } from '../test/support/tfjs-use.js';
import { createEngine } from '../src/index.js';
import { LABELS_10, loadTexts } from './lib/data.js';
import { defaultModel, engineSequences } from './lib/model.js';
import { fmt, perSec, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

const N = 200;

export async function tfjs(): Promise<Row[]> {
  const { texts, source } = loadTexts(N);
  const model = await defaultModel();
  // TF.js gets the same pre-tokenized sequences, sorted and in batches of 64, so it only does model work.
  const seqs = engineSequences(model.encode, texts).seqs.sort((a, b) => a.length - b.length);
  const batches = Array.from({ length: Math.ceil(seqs.length / 64) }, (_, i) => seqs.slice(i * 64, i * 64 + 64));
  const use = await createTfjsUse();
  const engine = await createEngine();
  const engine1 = await createEngine({ pool: { workers: 1 } });
  try {
    await use.embed(batches[0]);
    for (const e of [engine, engine1]) await e.classifyBatch({ texts: texts.slice(0, 128), labels: LABELS_10, cache: false });
    const tasks = {
      'tfjs-wasm (1 thread)': async () => {
        for (const b of batches) await use.embed(b);
      },
      'engine (default: 2 workers)': () => engine.classifyBatch({ texts, labels: LABELS_10, cache: false }),
      'engine (1 worker)': () => engine1.classifyBatch({ texts, labels: LABELS_10, cache: false }),
    };
    // ≥ 1 run per round and up to 1.5 s of runs: TF.js runs once (~8 s), the engine several times.
    const stats = await interleave(tasks, { rounds: 2, time: 1500, iterations: 1 });
    const rate = (k: keyof typeof tasks) => (N / stats[k].min) * 1000;
    const tf = rate('tfjs-wasm (1 thread)');
    const ratio = rate('engine (default: 2 workers)') / tf;
    const ratio1 = rate('engine (1 worker)') / tf;
    return [
      {
        question: 'Q2',
        metric: `classifyBatch ${N} texts: engine (default) / TF.js-wasm`,
        measured: perSec(rate('engine (default: 2 workers)')),
        reference: `${perSec(tf)} (tfjs-wasm, 1 thread)`,
        ratio: `${fmt(ratio)}×`,
        target: '≥ 5×',
        pass: ratio >= 5,
        notes:
          `best of ${stats['tfjs-wasm (1 thread)'].n} TF.js runs and ${stats['engine (default: 2 workers)'].n} engine runs, interleaved; TF.js fed the same token ids (batches of 64 sorted by length) ` +
          `through test/support/tfjs-use.ts. Texts: ${source}. TF.js-wasm in Node is single-threaded, the engine uses 2 workers.`,
        data: { stats, source },
      },
      {
        question: 'Q2',
        metric: 'same, per thread: engine with 1 worker / TF.js-wasm',
        measured: perSec(rate('engine (1 worker)')),
        reference: perSec(tf),
        ratio: `${fmt(ratio1)}×`,
        target: '—',
        pass: null,
      },
    ];
  } finally {
    await Promise.all([engine.close(), engine1.close(), use.dispose()]);
  }
}
