// Child of bench/calibrate/before-after.ts: ONE model (argv[2]) on the HELD-OUT rows, scored twice
// with the same embedded vectors — the engine default calibration (before) and the model's
// fitted artefact (after) — for names / descriptions / 8 examples. Prints one JSON line.
import { fittedCalibration } from '../../src/engine/calibration/index.js';
import { resolveOptions } from '../../src/engine/options.js';
import { createEngine } from '../../src/index.js';
import { InferencePool } from '../../src/pool/inference-pool.js';
import { PooledEmbedder } from '../../src/pool/pooled-embedder.js';
import { loadDatasets } from '../accuracy/datasets.js';
import type { Scores } from '../accuracy/metrics.js';
import { memo } from '../lib/memo.js';
import { backendFor, evaluate, SPLIT, tagCheck, type Setting } from '../accuracy/run-model.js';

export const COMPARED: Setting[] = ['names', 'descriptions', '8 examples'];
export type Comparison = Record<string, Partial<Record<Setting, { before: Scores; after: Scores }>>>;
/** Tag precision / recall on joined held-out pairs of two classes, per set. */
export type TagComparison = Record<string, { before: { precision: number; recall: number }; after: { precision: number; recall: number } }>;

async function main(name: string): Promise<{ model: string; split: string; calibration: unknown; scores: Comparison; tag: TagComparison }> {
  if (SPLIT !== 'heldout') throw new Error('before/after is reported on the held-out rows only (unset ACCURACY_SPLIT)');
  const sets = loadDatasets();
  if (!sets) throw new Error('no data (set LABELWISE_DATA_DIR)');
  const options = resolveOptions({});
  const { backend } = await backendFor(name, options.cacheDir);
  const embedder = memo(new PooledEmbedder(backend, new InferencePool(backend.spec, options.pool)));
  const fitted = fittedCalibration(name);
  // Two engines on one memoised embedder (each engine's close leaves it open): every text is embedded once for both.
  const shared = { ...embedder, embed: embedder.embed.bind(embedder), countTokens: embedder.countTokens.bind(embedder), close: async () => {} };
  const before = await createEngine({ embedder: shared });
  const after = await createEngine({ embedder: shared, calibration: { ...fitted } });
  const scores: Comparison = {};
  const tag: TagComparison = {};
  try {
    for (const set of sets) {
      for (const setting of COMPARED) {
        if (setting === 'descriptions' && Object.keys(set.descriptions).length === 0) continue;
        const b = await evaluate(before, set, setting);
        const a = await evaluate(after, set, setting);
        (scores[set.name] ??= {})[setting] = { before: b, after: a };
        process.stderr.write(`${name} ${set.name} ${setting}: acc ${b.accuracy.toFixed(3)} → ${a.accuracy.toFixed(3)}, ECE ${b.ece.toFixed(3)} → ${a.ece.toFixed(3)}\n`);
      }
      tag[set.name] = { before: await tagCheck(before, set), after: await tagCheck(after, set) };
    }
  } finally {
    await after.close();
    await before.close();
    await embedder.close();
  }
  return { model: name, split: SPLIT, calibration: fitted ?? null, scores, tag };
}

if (process.argv[1]?.endsWith('heldout.ts')) console.log(JSON.stringify(await main(process.argv[2] ?? 'bge-small-en-v1.5-int8')));
