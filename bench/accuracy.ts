import { mkdirSync, writeFileSync } from 'node:fs';
import { createEngine, type Engine } from '../src/index.js';
import { DATA_DIR, loadDatasets, sampleExamples, shuffle, type Dataset } from './accuracy/datasets.js';
import { precisionRecall, score, type Scores } from './accuracy/metrics.js';

/**
 * Accuracy harness (`npm run bench:accuracy`): zero-shot names, names + descriptions, and
 * 8 examples per label on the public sets in ../shared/data; writes bench/results/accuracy.md.
 */
const SETTINGS = ['names', 'descriptions', 'examples'] as const;
type Setting = (typeof SETTINGS)[number];
const CHUNK = 500;

async function evaluate(engine: Engine, set: Dataset, setting: Setting): Promise<Scores> {
  const base = {
    labels: set.labels,
    text_type: set.textType,
    ...(setting === 'descriptions' ? { descriptions: set.descriptions } : {}),
    ...(setting === 'examples' ? { examples: sampleExamples(set, 8) } : {}),
  };
  const predicted: string[] = [];
  const confidence: number[] = [];
  for (let i = 0; i < set.test.length; i += CHUNK) {
    const res = await engine.classifyBatch({ ...base, texts: set.test.slice(i, i + CHUNK).map((e) => e.text), cache: false });
    for (const r of res.results) {
      if ('error' in r) throw new Error(r.error);
      predicted.push(r.label);
      confidence.push(r.confidence);
    }
  }
  return score(set.test.map((e) => e.label), predicted, confidence, set.labels);
}

/** Multi-label check: two texts of different classes joined must get both labels (and only those). */
async function tagCheck(engine: Engine, set: Dataset): Promise<{ precision: number; recall: number }> {
  const items = shuffle(set.test, 21).slice(0, 600);
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
        const s = await evaluate(engine, set, setting);
        const row = `| ${set.name} | ${setting} | ${s.accuracy.toFixed(3)} | ${s.macroF1.toFixed(3)} | ${s.ece.toFixed(3)} | ${s.meanConfidence.toFixed(3)} |`;
        console.log(row);
        rows.push(row);
      }
    }
    const agnews = sets.find((s) => s.name === 'agnews');
    const tag = agnews && (!only || only.includes('agnews')) ? await tagCheck(engine, agnews) : undefined;
    const md = [
      `# Accuracy (${new Date().toISOString().slice(0, 10)}, model ${engine.modelId})`,
      '',
      'Data: ../shared/data (not part of the project). `examples` = 8 per label, seeded; sets without a train split',
      'draw examples from one seeded half of the test file and are scored on the other half.',
      '',
      '| set | setting | accuracy | macro-F1 | ECE | mean confidence |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      tag ? `Tag (AG News, 300 joined pairs of different classes, threshold 0.5): precision ${tag.precision.toFixed(3)}, recall ${tag.recall.toFixed(3)}` : '',
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
