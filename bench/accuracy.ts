import { mkdirSync, writeFileSync } from 'node:fs';
import { resolveOptions } from '../src/engine/options.js';
import { installedManifest, PRESETS, resolvePreset } from '../src/model/hub/index.js';
import { DATA_DIR, loadDatasets } from './accuracy/datasets.js';
import { SETTINGS, SPLIT, type ModelResult } from './accuracy/run-model.js';
import { runChild } from './lib/child.js';
import { mergeMeasured } from './lib/measured.js';

/**
 * Accuracy harness (`npm run bench:accuracy`): for every installed model (the embedded use-lite
 * and each preset under `<cacheDir>/models`; ACCURACY_MODELS=a,b picks some), zero-shot names,
 * names + descriptions, and 8 examples per label on the public sets in ../shared/data, plus the
 * model's speed, peak RSS and size — each model in its own process. Writes
 * bench/results/accuracy.md and models/measured.json (what `labelwise models list` shows).
 * Scores are on the harness's test rows only (see bench/accuracy/datasets.ts); nothing here
 * chooses anything from them.
 */
async function main(): Promise<void> {
  if (!loadDatasets()) {
    console.log(`accuracy: skipped — no labeled data at ${DATA_DIR} (set LABELWISE_DATA_DIR)`);
    return;
  }
  const cacheDir = resolveOptions({}).cacheDir;
  const wanted = process.env.ACCURACY_MODELS?.split(',').map((s) => s.trim()) ?? ['use-lite', ...Object.keys(PRESETS)];
  const results: ModelResult[] = [];
  const started = performance.now();
  for (const name of wanted) {
    if (name !== 'use-lite' && !(await installedManifest(cacheDir, resolvePreset(name)))) {
      console.log(`accuracy: ${name} skipped — not installed (npx labelwise models pull ${name}, or bash bench/models/fetch.sh)`);
      continue;
    }
    console.log(`accuracy: ${name} …`);
    const { result } = await runChild(['--import', 'tsx', 'bench/accuracy/run-model.ts', name]);
    results.push(result as unknown as ModelResult);
    console.log(`accuracy: ${name} done in ${(result.seconds as number).toFixed(0)} s`);
    // Written after every model, so a long run that is stopped keeps what it measured.
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(process.env.ACCURACY_OUT ?? 'bench/results/accuracy.md', `${report(results, (performance.now() - started) / 1000)}\n`);
    writeMeasured([results[results.length - 1]]);
  }
  console.log(report(results, (performance.now() - started) / 1000));
}

const f3 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));

function report(results: ModelResult[], seconds: number): string {
  const sets = [...new Set(results.flatMap((r) => Object.keys(r.scores)))];
  const table = results.flatMap((r) =>
    sets.flatMap((set) =>
      SETTINGS.filter((s) => r.scores[set]?.[s]).map((s) => {
        const x = r.scores[set][s]!;
        return `| ${r.model} | ${set} | ${s} | ${f3(x.accuracy)} | ${f3(x.macroF1)} | ${f3(x.ece)} | ${f3(x.meanConfidence)} |`;
      }),
    ),
  );
  const wide = results.map((r) => {
    const cell = (set: string) => SETTINGS.map((s) => f3(r.scores[set]?.[s]?.accuracy)).join(' / ');
    return `| ${r.model} | ${sets.map(cell).join(' | ')} |`;
  });
  const speed = results.map(
    (r) => `| ${r.model} | ${r.textsPerS.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${(r.maxRssBytes / 2 ** 20).toFixed(0)} | ${(r.sizeBytes / 1e6).toFixed(0)} | ${r.tag ? `${f3(r.tag.precision)} / ${f3(r.tag.recall)}` : '—'} |`,
  );
  return [
    `# Accuracy (${new Date().toISOString().slice(0, 10)}, every installed model)`,
    '',
    `Data: ../shared/data (not part of the project). Rows scored: ${SPLIT === 'heldout' ? 'held-out (never used to choose anything)' : 'public (the rows constants are chosen on)'}.`,
    'Examples per label are seeded draws from the train split (AG News, SST-2: from the public half); 1 and 3 examples',
    'average three draws. Scoring constants are each model\'s own calibration artefact (src/engine/calibration, fitted on',
    'the public rows by `npm run calibrate`; use-lite and unfitted presets: the engine default); templates are use-lite\'s.',
    '',
    `Accuracy, ${SETTINGS.join(' / ')}:`,
    '',
    `| model | ${sets.join(' | ')} |`,
    `|---|${sets.map(() => '---|').join('')}`,
    ...wide,
    '',
    'Speed (default pool: one worker per core × 1 thread; classifyBatch of 1,000 AG News texts, 10 labels, cache off,',
    "best of 2; one short classify, 'fast', p50), peak RSS of the model's bench process, size of the model files, tag on",
    'AG News pairs (precision / recall):',
    '',
    '| model | texts/s | 1 text p50 ms | peak RSS MB | size MB | tag P / R |',
    '|---|---|---|---|---|---|',
    ...speed,
    '',
    '| model | set | setting | accuracy | macro-F1 | ECE | mean confidence |',
    '|---|---|---|---|---|---|---|',
    ...table,
    '',
    `Run time: ${seconds.toFixed(0)} s`,
  ].join('\n');
}

/** What `labelwise models list` shows (speed here is this run's; `npm run bench` Q8 overwrites it side by side). */
function writeMeasured(results: ModelResult[]): void {
  mergeMeasured(
    Object.fromEntries(
      results.map((r) => [
        r.model,
        {
          id: r.id,
          accuracy: Object.fromEntries(Object.entries(r.scores).map(([set, s]) => [set, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(v!.accuracy.toFixed(4))]))])),
          texts_per_s: Math.round(r.textsPerS),
          p50_ms: Number(r.p50Ms.toFixed(2)),
          size_bytes: r.sizeBytes,
          peak_rss_bytes: r.maxRssBytes,
        },
      ]),
    ),
    { accuracy_source: 'npm run bench:accuracy' },
  );
}

await main();
