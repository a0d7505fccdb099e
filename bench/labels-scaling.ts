/**
 * Q4 — 200 labels vs 10 once both prototype sets are cached: single classify, cache off,
 * priority 'fast' (no micro-batch wait, so the per-label work is not hidden behind 2 ms).
 */
import { createEngine } from '../src/index.js';
import { recordEngineShapes, type BatchShapes } from './lib/batch-shapes.js';
import { LABELS_10, SHORT_TEXT, labels200 } from './lib/data.js';
import { fmt, ms, type Row } from './lib/report.js';
import { interleave } from './lib/stats.js';

export async function labelsScaling(): Promise<Row[]> {
  const engine = await createEngine();
  const many = labels200();
  try {
    const req = (labels: string[]) => ({ text: SHORT_TEXT, labels, priority: 'fast' as const, cache: false });
    // Prototype builds happen here, outside the timing; the shapes tell how many sentences they embed.
    let built: BatchShapes | undefined;
    const coldStart = performance.now();
    await recordEngineShapes(() => engine.classify(req(many)), (s) => (built = s));
    const cold200 = performance.now() - coldStart;
    await engine.classify(req(LABELS_10));
    const stats = await interleave(
      { '10 labels': () => engine.classify(req(LABELS_10)), '200 labels': () => engine.classify(req(many)) },
      { rounds: 3, time: 700, iterations: 50, warmupIterations: 20 },
    );
    const a = stats['10 labels'];
    const b = stats['200 labels'];
    const ratio = b.p50 / a.p50;
    return [
      {
        question: 'Q4',
        metric: "classify, 200 vs 10 labels, prototypes cached, cache off, 'fast': p50 latency",
        measured: `${ms(b.p50)} (p99 ${ms(b.p99)})`,
        reference: `${ms(a.p50)} (10 labels, p99 ${ms(a.p99)})`,
        ratio: fmt(ratio),
        target: '≤ 1.5',
        pass: ratio <= 1.5,
        notes:
          `${b.n}/${a.n} samples over 3 interleaved rounds; 200 labels = 20 domains × 10 facets ("banking pricing" …). ` +
          `First (uncached) 200-label call: ${ms(cold200)}, ${built?.sequences ?? '?'} sequences embedded in ${built?.batches ?? '?'} model runs.`,
        data: { stats, cold200, built },
      },
    ];
  } finally {
    await engine.close();
  }
}
