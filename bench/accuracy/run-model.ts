// Child process of bench/accuracy.ts: every set × setting for ONE model (argv[2]) in a fresh
// process (so RSS is this model's), then its speed; prints one JSON line.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fittedCalibration } from '../../src/engine/calibration/index.js';
import { resolveOptions } from '../../src/engine/options.js';
import { createEngine, type Engine } from '../../src/index.js';
import type { Embedder } from '../../src/model/embedder.js';
import { InferencePool } from '../../src/pool/inference-pool.js';
import { PooledEmbedder } from '../../src/pool/pooled-embedder.js';
import { loadPreset, modelDir, resolvePreset } from '../../src/model/hub/index.js';
import { loadUseLite } from '../../src/model/use-lite/index.js';
import { LABELS_10, loadTexts, SHORT_TEXT } from '../lib/data.js';
import { memo } from '../lib/memo.js';
import { interleave } from '../lib/stats.js';
import { loadDatasets, sampleExamples, shuffle, splitOf, type Dataset, type Example, type Split } from './datasets.js';
import { precisionRecall, score, type Scores } from './metrics.js';

/** Zero-shot, and k examples per label (small shapes averaged over three seeded draws). */
const SETTING_SPECS = {
  names: { k: 0, seeds: [13] },
  descriptions: { k: 0, seeds: [13] },
  '8 examples': { k: 8, seeds: [13] },
  '3 examples': { k: 3, seeds: [13, 14, 15] },
  '1 example': { k: 1, seeds: [13, 14, 15] },
} as const;
export type Setting = keyof typeof SETTING_SPECS;
export const SETTINGS = Object.keys(SETTING_SPECS) as Setting[];
const CHUNK = 500;
/** Held-out rows by default (never used to choose anything); ACCURACY_SPLIT=public scores the tuning rows. */
export const SPLIT: Split = process.env.ACCURACY_SPLIT === 'public' ? 'public' : 'heldout';

export interface ModelResult {
  model: string;
  id: string;
  scores: Record<string, Partial<Record<Setting, Scores>>>;
  tag?: { precision: number; recall: number };
  textsPerS: number;
  p50Ms: number;
  maxRssBytes: number;
  sizeBytes: number;
  seconds: number;
}

export async function backendFor(name: string, cacheDir: string) {
  if (name === 'use-lite') {
    const b = await loadUseLite(cacheDir);
    return { backend: b, sizeBytes: statSync(b.spec.onnxPath).size };
  }
  const preset = resolvePreset(name);
  const backend = await loadPreset(preset, { cacheDir });
  const dir = modelDir(cacheDir, name);
  return { backend, sizeBytes: statSync(join(dir, preset.files.onnx.localPath)).size + statSync(join(dir, preset.files.tokenizer.localPath)).size };
}

export async function evaluate(engine: Engine, set: Dataset, setting: Setting): Promise<Scores> {
  const { test, pool } = splitOf(set, SPLIT);
  const { k, seeds } = SETTING_SPECS[setting];
  const runs: Scores[] = [];
  for (const seed of seeds) runs.push(await evaluateOnce(engine, set, test, setting === 'descriptions', k > 0 ? sampleExamples(pool, k, seed) : undefined));
  const avg = (f: (s: Scores) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  return { accuracy: avg((r) => r.accuracy), macroF1: avg((r) => r.macroF1), ece: avg((r) => r.ece), meanConfidence: avg((r) => r.meanConfidence) };
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
export async function tagCheck(engine: Engine, set: Dataset): Promise<{ precision: number; recall: number }> {
  const items = shuffle(splitOf(set, SPLIT).test, 21).slice(0, 600);
  const pairs: { text: string; gold: string[] }[] = [];
  for (let i = 0; i + 1 < items.length && pairs.length < 300; i += 2) {
    if (items[i].label === items[i + 1].label) continue;
    pairs.push({ text: `${items[i].text} ${items[i + 1].text}`, gold: [items[i].label, items[i + 1].label] });
  }
  const res = await engine.tagBatch({ labels: set.labels, text_type: set.textType, texts: pairs.map((p) => p.text), cache: false });
  return precisionRecall(pairs.map((p) => p.gold), res.results.map((r) => ('labels' in r ? r.labels.map((l) => l.label) : [])));
}

/** classifyBatch of 1,000 AG News texts (10 labels, cache off) and one short classify, default pool. */
async function speed(engine: Engine): Promise<{ textsPerS: number; p50Ms: number }> {
  const { texts } = loadTexts(1000);
  await engine.classifyBatch({ texts: texts.slice(0, 64), labels: LABELS_10, cache: false });
  const bulk = await interleave({ batch: () => engine.classifyBatch({ texts, labels: LABELS_10, cache: false }) }, { rounds: 2, time: 0, iterations: 1 });
  const one = await interleave({ one: () => engine.classify({ text: SHORT_TEXT, labels: LABELS_10, cache: false, priority: 'fast' }) }, { rounds: 1, time: 500, iterations: 30, warmupIterations: 5 });
  return { textsPerS: (texts.length / bulk.batch.min) * 1000, p50Ms: one.one.p50 };
}

async function main(name: string): Promise<ModelResult> {
  const started = performance.now();
  const sets = loadDatasets();
  if (!sets) throw new Error('no data');
  const only = process.env.ACCURACY_ONLY?.split(',');
  const options = resolveOptions({});
  const { backend, sizeBytes } = await backendFor(name, options.cacheDir);
  // A given embedder is not a named model to the engine, so its fitted calibration is passed as
  // the options `createEngine({ model: name })` would use (ACCURACY_CALIBRATION=default: without).
  const calibration = process.env.ACCURACY_CALIBRATION === 'default' ? {} : { ...fittedCalibration(name) };
  const engine = await createEngine({ embedder: memo(new PooledEmbedder(backend, new InferencePool(backend.spec, options.pool))), calibration });
  const scores: ModelResult['scores'] = {};
  let tag: ModelResult['tag'];
  try {
    for (const set of sets.filter((s) => !only || only.includes(s.name))) {
      for (const setting of SETTINGS) {
        if (setting === 'descriptions' && Object.keys(set.descriptions).length === 0) continue; // Banking77 has none
        (scores[set.name] ??= {})[setting] = await evaluate(engine, set, setting);
        process.stderr.write(`${name} ${set.name} ${setting} ${scores[set.name][setting]!.accuracy.toFixed(3)}\n`);
      }
      if (set.name === 'agnews') tag = await tagCheck(engine, set);
    }
  } finally {
    await engine.close();
  }
  // Speed on a plain engine (no memo), fresh prototypes.
  const timed = await createEngine({ model: name as 'use-lite', cacheDir: options.cacheDir });
  let fast: { textsPerS: number; p50Ms: number };
  try {
    fast = await speed(timed);
  } finally {
    await timed.close();
  }
  return { model: name, id: backend.id, scores, tag, ...fast, maxRssBytes: process.resourceUsage().maxRSS * 1024, sizeBytes, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1]?.endsWith('run-model.ts')) {
  const result = await main(process.argv[2] ?? 'use-lite');
  console.log(JSON.stringify(result));
}
