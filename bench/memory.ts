/**
 * Q6a — peak RSS of a fresh process running the 1,000-text classifyBatch with default workers,
 * beside a fresh process running the raw 2-session ORT reference on the same sequences.
 * Children, not this process: maxRSS is a lifetime high-water mark, and this one has run TF.js.
 */
import { runChild } from './lib/child.js';
import { fmt, mb, type Row } from './lib/report.js';

type Mem = { baseline: number; ready: number; sampledPeak: number; maxRss: number };

const child = async (mode: 'engine' | 'raw') =>
  (await runChild(['--import', 'tsx', 'bench/lib/memory-child.ts', mode])).result as unknown as Mem;

export async function memory(): Promise<Row[]> {
  const engine = await child('engine');
  const raw = await child('raw');
  const ratio = engine.maxRss / raw.maxRss;
  const detail = (m: Mem) => `process start ${mb(m.baseline)}, ready ${mb(m.ready)}, sampled peak ${mb(m.sampledPeak)}`;
  return [
    {
      question: 'Q6',
      metric: 'peak RSS, classifyBatch 1,000 texts, default workers (fresh process)',
      measured: mb(engine.maxRss),
      reference: `${mb(raw.maxRss)} (raw ORT, 2 sessions in worker threads)`,
      ratio: fmt(ratio),
      target: '— (report)',
      pass: null,
      notes:
        `maxRSS of the whole process (all threads), both children run through tsx. Engine: ${detail(engine)}. ` +
        `Raw: ${detail(raw)}.`,
      data: { engine, raw },
    },
  ];
}
