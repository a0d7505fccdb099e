import { resolveOptions } from '../src/engine/options.js';
import { createModel } from '../src/engine/model-loader.js';
import type { Embedder } from '../src/model/embedder.js';
import { fitFewShotHead, type HeadFitOptions, type LabeledVector } from '../src/scoring/few-shot-head.js';
import { PrototypeBuilder } from '../src/scoring/prototypes.js';
import { DEFAULT_CALIBRATION, classifyScores } from '../src/scoring/scorer.js';
import { argmax } from '../src/scoring/few-shot-head.js';
import { DATA_DIR, loadDatasets, sampleExamples, splitOf } from './accuracy/datasets.js';
import { ece } from './accuracy/metrics.js';

/**
 * Chooses the few-shot head's constants (`node --import tsx bench/accuracy-tune.ts`) on the
 * PUBLIC rows only: examples drawn from the train split (or one half of the public rows), scored
 * on the public rows (or the other half), for 1, 3 and 8 examples per label over several draws.
 * The candidate with the lowest mean log-loss wins; the held-out rows are never read here.
 */
const CANDIDATES: { name: string; options: Partial<HeadFitOptions> }[] = [];
for (const features of [['name', 'ridge', 'centroid'], ['name', 'ridge'], ['name', 'centroid']] as const) {
  for (const priorStrength of [0.3, 1, 3, 10, 30]) CANDIDATES.push({ name: `${features.join('+')} κ=${priorStrength}`, options: { features, priorStrength } });
}
const SHAPES = [
  { k: 1, seeds: [13, 14, 15] },
  { k: 3, seeds: [13, 14, 15] },
  { k: 8, seeds: [13, 14] },
];

async function main(): Promise<void> {
  const sets = loadDatasets();
  if (!sets) return console.log(`tune: skipped — no labeled data at ${DATA_DIR}`);
  const only = process.env.TUNE_CANDIDATES?.split(',');
  const { embedder: base } = await createModel(resolveOptions({ pool: { maxQueue: 200_000 } }));
  // Sentences embedded once for every candidate.
  const memo = new Map<string, Float32Array>();
  const embed: Embedder['embed'] = async (texts) => {
    const missing = [...new Set(texts.filter((t) => !memo.has(t)))];
    if (missing.length) (await base.embed(missing)).forEach((e, i) => memo.set(missing[i], e.vector));
    return texts.map((t) => ({ vector: memo.get(t) as Float32Array, tokens: 0 }));
  };
  const results = new Map<string, { nll: number[]; acc: number[]; ece: number[] }>();
  try {
    for (const set of sets.filter((s) => !process.env.TUNE_SETS || process.env.TUNE_SETS.split(',').includes(s.name))) {
      const { test, pool } = splitOf(set, 'public');
      const vectors = (await embed(test.map((e) => e.text))).map((e) => e.vector);
      const gold = test.map((e) => set.labels.indexOf(e.label));
      for (const candidate of CANDIDATES.filter((c) => !only || only.includes(c.name))) {
        const embedder: Embedder = { id: base.id, dimension: base.dimension, countTokens: (t) => base.countTokens(t), embed, close: async () => {} };
        const fitHead = async (n: Float32Array[], e: LabeledVector[]) => fitFewShotHead(n, e, candidate.options);
        const builder = new PrototypeBuilder(embedder, { maxSentences: 100_000, maxConfigs: 10, fitHead });
        for (const shape of SHAPES.filter((s) => !process.env.TUNE_K || process.env.TUNE_K.split(',').includes(String(s.k)))) {
          for (const seed of shape.seeds) {
            const examples = sampleExamples(pool, shape.k, seed);
            const prototypes = await builder.build({ labels: set.labels, descriptions: {}, examples, text_type: set.textType });
            let nll = 0;
            const correct: boolean[] = [];
            const conf: number[] = [];
            vectors.forEach((v, i) => {
              const z = (prototypes.head as NonNullable<typeof prototypes.head>).logits(v);
              const max = Math.max(...z);
              const lse = max + Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0));
              nll += lse - z[gold[i]];
              correct.push(argmax(z) === gold[i]);
              conf.push(classifyScores(v, prototypes, DEFAULT_CALIBRATION).confidence);
            });
            const r = results.get(candidate.name) ?? { nll: [], acc: [], ece: [] };
            // Log-loss relative to chance (log L), so 2-label and 77-label sets weigh alike.
            r.nll.push(nll / vectors.length / Math.log(set.labels.length));
            r.acc.push(correct.filter(Boolean).length / correct.length);
            r.ece.push(ece(correct, conf));
            results.set(candidate.name, r);
            const theta = prototypes.head?.theta.map((t) => t.toFixed(2)).join('/');
            console.log(`${set.name} k=${shape.k} seed=${seed} ${candidate.name}: nll/logL ${r.nll.at(-1)?.toFixed(3)} acc ${r.acc.at(-1)?.toFixed(3)} ece ${r.ece.at(-1)?.toFixed(3)} θ ${theta}`);
          }
        }
      }
    }
  } finally {
    await base.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log('\n| candidate | mean log-loss / log L | mean accuracy | mean ECE |\n|---|---|---|---|');
  for (const [name, r] of [...results].sort((a, b) => mean(a[1].nll) - mean(b[1].nll))) {
    console.log(`| ${name} | ${mean(r.nll).toFixed(4)} | ${mean(r.acc).toFixed(4)} | ${mean(r.ece).toFixed(4)} |`);
  }
}

await main();
