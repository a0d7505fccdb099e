// The few-shot part of the fit: on each set's PUBLIC rows, 8 examples per label drawn from the
// public example pool (disjoint from the rows scored), the few-shot head fitted with each candidate
// prior temperature, and the head's logits per row kept. ./fit.ts then picks the prior and fits
// the logit scale by the same leave-one-set-out rule as the zero-shot parts.
import type { Embedder } from '../../src/model/embedder.js';
import { PrototypeBuilder } from '../../src/scoring/prototypes.js';
import { sampleExamples, shuffle, splitOf, type Dataset } from '../accuracy/datasets.js';
import type { HeadRows } from './fit.js';
import { ROWS_PER_SET } from './sims.js';

/** Examples per label (the README's few-shot setting). */
export const SHOTS = 8;
/** Seed of the example draw (not the held-out runs' 13: the draw is from a different pool anyway). */
const SEED = 31;

/** Head logits (as `sims`) of a set's public rows, one entry per candidate prior temperature. */
export async function headRows(embedder: Embedder, set: Dataset, priors: number[], rowsPerSet = ROWS_PER_SET): Promise<HeadRows[]> {
  const { test, pool } = splitOf(set, 'public');
  const rows = shuffle(test, 5).slice(0, rowsPerSet);
  const examples = sampleExamples(pool, SHOTS, SEED);
  const index = new Map(set.labels.map((l, i) => [l, i]));
  const vectors: Float32Array[] = [];
  for (let i = 0; i < rows.length; i += 256) vectors.push(...(await embedder.embed(rows.slice(i, i + 256).map((r) => r.text))).map((e) => e.vector));
  const out: HeadRows[] = [];
  for (const prior of priors) {
    const builder = new PrototypeBuilder(embedder, { maxSentences: 20_000, maxConfigs: 2, head: { zeroShotTemperature: prior } });
    const { head } = await builder.build({ labels: set.labels, descriptions: {}, examples, text_type: set.textType });
    if (!head) throw new Error(`${set.name}: no few-shot head was fitted`);
    out.push({ name: set.name, prior, rows: rows.map((r, i) => ({ sims: head.logits(vectors[i]), gold: [index.get(r.label)!] })) });
  }
  return out;
}
