import { mkdirSync, writeFileSync } from 'node:fs';
import { createEngine, type Engine } from '../src/index.js';
import { DATA_DIR, loadDatasets, sampleExamples, shuffle, splitOf, type Dataset, type Example, type Split } from './accuracy/datasets.js';
import { precisionRecall, score, type Scores } from './accuracy/metrics.js';

/**
 * Accuracy harness (`npm run bench:accuracy`): zero-shot names, names + descriptions, and
 * 1, 3 and 8 examples per label on the public sets in ../shared/data; writes
 * bench/results/accuracy.md. Scores the held-out rows (`ACCURACY_SPLIT=public` scores the rows
 * constants are chosen on instead). Small shapes are averaged over three example draws.
 */
const SETTINGS = [
  { name: 'names', k: 0, seeds: [13] },
  { name: 'descriptions', k: 0, seeds: [13] },
  { name: '8 examples', k: 8, seeds: [13] },
  { name: '3 examples', k: 3, seeds: [13, 14, 15] },
  { name: '1 example', k: 1, seeds: [13, 14, 15] },
] as const;
type Setting = (typeof SETTINGS)[number];
const CHUNK = 500;
const SPLIT: Split = process.env.ACCURACY_SPLIT === 'public' ? 'public' : 'heldout';

async function evaluate(engine: Engine, set: Dataset, setting: Setting): Promise<Scores> {
  const { test, pool } = splitOf(set, SPLIT);
  const runs: Scores[] = [];
  for (const seed of setting.seeds) runs.push(await evaluateOnce(engine, set, test, setting.name === 'descriptions', setting.k > 0 ? sampleExamples(pool, setting.k, seed) : undefined));
  const avg = (f: (s: Scores) => number) => runs.reduce((a, s) => a + f(s), 0) / runs.length;
  return { accuracy: avg((s) => s.accuracy), macroF1: avg((s) => s.macroF1), ece: avg((s) => s.ece), meanConfidence: avg((s) => s.meanConfidence) };
}

async function evaluateOnce(engine: Engine, set: Dataset, test: Example[], descriptions: boolean, examples?: Record<string, string[]>): Promise<Scores> {
  const base = { labels: set.labels, text_type: set.textType, ...(descriptions ? { descriptions: set.descriptions } : {}), ...(examples ? { examples } : {}) };
  const predicted: string[] = [];
  const confidence: number[] = [];
  for (let i = 0; i < test.length; i += CHUNK) {
    const res = await engine.classifyBatch({ ...base, texts: test.slice(i, i + CHUNK).map((e) => e.text), cache: false });
    for (const r of res.results) {
      if ('error' in r) throw new Error(r.error);
      predicted.push(r.label);
      confidence.push(r.confidence);
    }
  }
  return score(test.map((e) => e.label), predicted, confidence, set.labels);
}

/** Multi-label check: two texts of different classes joined must get both labels (and only those). */
async function tagCheck(engine: Engine, set: Dataset): Promise<{ precision: number; recall: number }> {
  const items = shuffle(splitOf(set, SPLIT).test, 21).slice(0, 600);
  const pairs: { text: string; gold: string[] }[] = [];
  for (let i = 0; i + 1 < items.length && pairs.length < 300; i += 2) {
    if (items[i].label === items[i + 1].label) continue;
    pairs.push({ text: `${items[i].text} ${items[i + 1].text}`, gold: [items[i].label, items[i + 1].label] });
  }
  const res = await engine.tagBatch({ labels: set.labels, text_type: set.textType, texts: pairs.map((p) => p.text), cache: false });
  return precisionRecall(pairs.map((p) => p.gold), res.results.map((r) => ('labels' in r ? r.labels.map((l) => l.label) : [])));
}

async function main(): Promise<void> {
  const sets = loadDatasets();
  if (!sets) {
    console.log(`accuracy: skipped — no labeled data at ${DATA_DIR} (set LABELWISE_DATA_DIR)`);
    return;
  }
  const only = process.env.ACCURACY_ONLY?.split(',');
  const engine = await createEngine();
  const rows: string[] = [];
  const started = performance.now();
  try {
    for (const set of sets.filter((s) => !only || only.includes(s.name))) {
      for (const setting of SETTINGS) {
        if (setting.name === 'descriptions' && Object.keys(set.descriptions).length === 0) continue;
        const s = await evaluate(engine, set, setting);
        const row = `| ${set.name} | ${setting.name} | ${s.accuracy.toFixed(3)} | ${s.macroF1.toFixed(3)} | ${s.ece.toFixed(3)} | ${s.meanConfidence.toFixed(3)} |`;
        console.log(row);
        rows.push(row);
      }
    }
    const agnews = sets.find((s) => s.name === 'agnews');
    const tag = agnews && (!only || only.includes('agnews')) ? await tagCheck(engine, agnews) : undefined;
    const md = [
      `# Accuracy (${new Date().toISOString().slice(0, 10)}, model ${engine.modelId})`,
      '',
      `Data: ../shared/data (not part of the project). Rows scored: ${SPLIT === 'heldout' ? 'held-out (never used to choose anything)' : 'public (the rows constants are chosen on)'}.`,
      'Examples per label are seeded draws from the train split (AG News, SST-2: from the public half); 1 and 3 examples average three draws.',
      '',
      '| set | setting | accuracy | macro-F1 | ECE | mean confidence |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      tag ? `Tag (AG News ${SPLIT} rows, 300 joined pairs of different classes, threshold 0.5): precision ${tag.precision.toFixed(3)}, recall ${tag.recall.toFixed(3)}` : '',
      '',
      `Run time: ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n');
    console.log(md);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(process.env.ACCURACY_OUT ?? 'bench/results/accuracy.md', `${md}\n`);
  } finally {
    await engine.close();
  }
}

await main();
