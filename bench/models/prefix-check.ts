/**
 * Checks the prefix each preset uses (src/model/hub/presets.ts) against the alternatives, on
 * rows the accuracy table never scores: the few-shot pool (the other half of AG News and SST-2,
 * the train splits of Banking77 and Emotion; up to 1,000 per set, seeded), names setting only.
 * `node --import tsx bench/models/prefix-check.ts` → bench/results/prefix-check.md.
 */
import { writeFileSync } from 'node:fs';
import { resolveOptions } from '../../src/engine/options.js';
import { createEngine } from '../../src/index.js';
import { installedManifest, modelDir, PRESETS, type PresetName } from '../../src/model/hub/index.js';
import { loadDatasets, shuffle } from '../accuracy/datasets.js';
import { score } from '../accuracy/metrics.js';

const VARIANTS: [PresetName, string[]][] = [
  ['e5-small-v2-int8', ['query: ', 'passage: ', '']],
  ['bge-small-en-v1.5-int8', ['', 'Represent this sentence for searching relevant passages: ']],
];
const sets = loadDatasets();
if (!sets) throw new Error('no data (set LABELWISE_DATA_DIR)');
const cacheDir = resolveOptions({}).cacheDir;
const lines = ['| model | prefix | ' + sets.map((s) => s.name).join(' | ') + ' | mean |', '|---|---|' + sets.map(() => '---|').join('') + '---|'];
for (const [name, prefixes] of VARIANTS) {
  const preset = PRESETS[name];
  if (!(await installedManifest(cacheDir, preset))) {
    console.log(`${name} skipped — not installed`);
    continue;
  }
  for (const prefix of prefixes) {
    const engine = await createEngine({ model: { type: 'hf-onnx', path: modelDir(cacheDir, name), pooling: preset.pooling, maxTokens: preset.maxTokens, prefix } });
    const accs: number[] = [];
    try {
      for (const set of sets) {
        const rows = shuffle(set.public, 5).slice(0, 1000); // the tuning rows: never the held-out rows reported
        const res = await engine.classifyBatch({ labels: set.labels, text_type: set.textType, texts: rows.map((r) => r.text), cache: false });
        const predicted = res.results.map((r) => ('label' in r ? r.label : ''));
        accs.push(score(rows.map((r) => r.label), predicted, predicted.map(() => 1), set.labels).accuracy);
      }
    } finally {
      await engine.close();
    }
    const line = `| ${name} | ${JSON.stringify(prefix)} | ${accs.map((a) => a.toFixed(3)).join(' | ')} | ${(accs.reduce((s, a) => s + a, 0) / accs.length).toFixed(3)} |`;
    console.log(line);
    lines.push(line);
  }
}
const md = ['# Prefix check (names, accuracy on pool rows the accuracy table never scores)', '', ...lines, ''].join('\n');
writeFileSync('bench/results/prefix-check.md', md);
