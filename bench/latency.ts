/**
 * Q3 — one short classify, 10 labels, warm, cache off per request: p50/p99 for priority 'fast'
 * and 'standard', beside a raw 1-thread ORT run of the same text (the floor the engine sits on).
 */
import { createEngine } from '../src/index.js';
import { POOL_DEFAULTS } from '../src/pool/inference-pool.js';
import { LABELS_10, SHORT_TEXT } from './lib/data.js';
import { defaultModel } from './lib/model.js';
import { padBatches, rawSingle } from './lib/raw-ort.js';
import { fmt, ms, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

export async function latency(): Promise<Row[]> {
  const model = await defaultModel();
  const raw = await rawSingle(model.onnxPath, 1, padBatches([model.encode(SHORT_TEXT)]));
  const engine = await createEngine();
  try {
    const req = (priority: 'fast' | 'standard') => ({ text: SHORT_TEXT, labels: LABELS_10, priority, cache: false });
    await engine.classify(req('fast')); // builds the 10 prototypes
    const tasks = {
      'raw ORT, 1 text, 1 thread': () => raw.run(),
      'engine fast': () => engine.classify(req('fast')),
      'engine standard': () => engine.classify(req('standard')),
    };
    const stats = await interleave(tasks, { rounds: 3, time: 700, iterations: 50, warmupIterations: 20 });
    const rawP50 = stats['raw ORT, 1 text, 1 thread'].p50;
    return (['fast', 'standard'] as const).map((p) => {
      const s = stats[`engine ${p}`];
      return {
        question: 'Q3',
        metric: `classify 1 short text, 10 labels, cache off, priority '${p}': p50 (p99)`,
        measured: `${ms(s.p50)} (p99 ${ms(s.p99)})`,
        reference: `${ms(rawP50)} (raw ORT run, p99 ${ms(stats['raw ORT, 1 text, 1 thread'].p99)})`,
        ratio: fmt(s.p50 / rawP50),
        target: 'p50 ≤ 5 ms',
        pass: s.p50 <= 5,
        notes:
          p === 'standard'
            ? `'standard' waits up to pool.maxWaitMs (default ${POOL_DEFAULTS.maxWaitMs} ms) for others to share its model run; alone it pays that wait. n=${s.n} samples over 3 interleaved rounds.`
            : `'fast' skips the micro-batch wait. ${s.n} samples over 3 interleaved rounds. Text: "${SHORT_TEXT}".`,
        data: { stats },
      };
    });
  } finally {
    await Promise.all([engine.close(), raw.close()]);
  }
}
