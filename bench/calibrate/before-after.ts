// `npm run bench:calibration`: for every installed preset with a calibration artefact
// (CALIBRATION_MODELS=a,b picks some), held-out accuracy and ECE before (engine default
// calibration) and after (the model's artefact), names / descriptions / 8 examples, each model in
// its own process. Writes bench/results/calibration.md. Nothing is chosen from these numbers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CALIBRATIONS } from '../../src/engine/calibration/table.js';
import { resolveOptions } from '../../src/engine/options.js';
import { installedManifest, resolvePreset } from '../../src/model/hub/index.js';
import { DATA_DIR, loadDatasets } from '../accuracy/datasets.js';
import type { Scores } from '../accuracy/metrics.js';
import { runChild } from '../lib/child.js';
import { COMPARED, type Comparison, type TagComparison } from './heldout.js';

interface Result {
  model: string;
  calibration: Record<string, number>;
  scores: Comparison;
  tag: TagComparison;
}

const f3 = (x: number) => x.toFixed(3);
/** Issue #11's targets: ECE ≤ 0.10 zero-shot, ≤ 0.05 with examples. */
const target = (setting: string) => (setting === '8 examples' ? 0.05 : 0.1);

function report(results: Result[]): string {
  const rows = results.flatMap((r) =>
    Object.entries(r.scores).flatMap(([set, bySetting]) =>
      COMPARED.filter((s) => bySetting[s]).map((s) => {
        const { before, after } = bySetting[s]! as { before: Scores; after: Scores };
        const met = after.ece <= target(s) ? 'yes' : '**no**';
        return `| ${r.model} | ${set} | ${s} | ${f3(before.accuracy)} → ${f3(after.accuracy)} | ${f3(before.ece)} → ${f3(after.ece)} | ${f3(before.meanConfidence)} → ${f3(after.meanConfidence)} | ${met} |`;
      }),
    ),
  );
  const constants = results.map((r) => `| ${r.model} | ${Object.values(r.calibration).join(' | ')} |`);
  const pr = (x: { precision: number; recall: number }) => `${f3(x.precision)} / ${f3(x.recall)}`;
  const tags = results.flatMap((r) => Object.entries(r.tag).map(([set, t]) => `| ${r.model} | ${set} | ${pr(t.before)} | ${pr(t.after)} |`));
  return [
    `# Per-model calibration, held-out before/after (${new Date().toISOString().slice(0, 10)})`,
    '',
    'Rows scored: held-out (bench/accuracy/datasets.ts; never used to fit or choose anything). Before: the engine',
    'default calibration (fitted on use-lite). After: the model\'s artefact from `npm run calibrate -- --model NAME`',
    '(public rows only). Same vectors for both. 8 examples: one seeded draw (seed 13) per label. Target (issue #11):',
    'ECE ≤ 0.10 zero-shot, ≤ 0.05 with examples.',
    '',
    '| model | temperature | bias | scale | tagBias | tagSlope | headPrior | headScale |',
    '|---|---|---|---|---|---|---|---|',
    ...constants,
    '',
    '| model | set | setting | accuracy before → after | ECE before → after | mean confidence | ECE target met |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Tag (threshold 0.5) on 300 joined held-out pairs of two different classes per set, precision / recall:',
    '',
    '| model | set | before | after |',
    '|---|---|---|---|',
    ...tags,
  ].join('\n');
}

async function main(): Promise<void> {
  if (!loadDatasets()) {
    console.log(`calibration: skipped — no labeled data at ${DATA_DIR} (set LABELWISE_DATA_DIR)`);
    return;
  }
  const cacheDir = resolveOptions({}).cacheDir;
  const wanted = process.env.CALIBRATION_MODELS?.split(',').map((s) => s.trim()) ?? Object.keys(CALIBRATIONS);
  // Models measured earlier and not rerun now are kept (CALIBRATION_MODELS reruns some).
  const JSON_OUT = 'bench/results/calibration.json';
  const earlier = existsSync(JSON_OUT) ? (JSON.parse(readFileSync(JSON_OUT, 'utf8')) as Result[]).filter((r) => !wanted.includes(r.model) && Object.hasOwn(CALIBRATIONS, r.model)) : [];
  const results: Result[] = [...earlier];
  for (const name of wanted) {
    if (!(await installedManifest(cacheDir, resolvePreset(name)))) {
      console.log(`calibration: ${name} skipped — not installed (npx labelwise models pull ${name})`);
      continue;
    }
    console.log(`calibration: ${name} …`);
    const { result } = await runChild(['--import', 'tsx', 'bench/calibrate/heldout.ts', name]);
    results.push(result as unknown as Result);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(process.env.CALIBRATION_OUT ?? 'bench/results/calibration.md', `${report(results)}\n`);
    results.sort((a, b) => a.model.localeCompare(b.model));
    writeFileSync(JSON_OUT, `${JSON.stringify(results, null, 2)}\n`);
  }
  console.log(report(results));
}

await main();
