/**
 * Q8 — every installed model side by side in one process: embed the same 1,000 texts (default
 * pool: one worker per core × 1 thread) and one short text ('fast'), interleaved round by round
 * so the neighbours' noise is shared; ratios against use-lite. Models that are not installed
 * are skipped with a message.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOptions } from '../src/engine/options.js';
import { InferencePool } from '../src/pool/inference-pool.js';
import { PooledEmbedder } from '../src/pool/pooled-embedder.js';
import { installedManifest, loadPreset, modelDir, PRESETS } from '../src/model/hub/index.js';
import { loadUseLite } from '../src/model/use-lite/index.js';
import { loadTexts, SHORT_TEXT } from './lib/data.js';
import { fmt, mb, ms, perSec, type Row } from './lib/report.js';
import { mergeMeasured } from './lib/measured.js';
import { interleave } from './lib/stats.js';

const N = 1000;

export async function modelSpeed(): Promise<Row[]> {
  const options = resolveOptions({});
  const { texts, source } = loadTexts(N);
  const embedders: Record<string, PooledEmbedder> = {};
  const sizes: Record<string, number> = {};
  const base = await loadUseLite(options.cacheDir);
  embedders['use-lite'] = new PooledEmbedder(base, new InferencePool(base.spec, options.pool));
  sizes['use-lite'] = statSync(base.spec.onnxPath).size;
  for (const preset of Object.values(PRESETS)) {
    if (!(await installedManifest(options.cacheDir, preset))) {
      process.stderr.write(`bench: ${preset.name} skipped — not installed (npx labelwise models pull ${preset.name})\n`);
      continue;
    }
    const backend = await loadPreset(preset, { cacheDir: options.cacheDir });
    embedders[preset.name] = new PooledEmbedder(backend, new InferencePool(backend.spec, options.pool));
    sizes[preset.name] = statSync(join(modelDir(options.cacheDir, preset.name), preset.files.onnx.localPath)).size;
  }
  try {
    for (const e of Object.values(embedders)) await e.embed(texts.slice(0, 64)); // a session in every worker
    const names = Object.keys(embedders);
    const bulk = await interleave(Object.fromEntries(names.map((n) => [n, () => embedders[n].embed(texts)])), { rounds: 2, time: 0, iterations: 1, cpu: true });
    const one = await interleave(Object.fromEntries(names.map((n) => [n, () => embedders[n].embed([SHORT_TEXT], { priority: 'fast' })])), {
      rounds: 3,
      time: 300,
      iterations: 20,
      warmupIterations: 5,
    });
    const rate = (n: string) => (N / bulk[n].min) * 1000;
    mergeMeasured(Object.fromEntries(names.map((n) => [n, { texts_per_s: Math.round(rate(n)), p50_ms: Number(one[n].p50.toFixed(2)) }])), { speed_source: 'npm run bench (Q8, side by side)' });
    return names.map((n) => ({
      question: 'Q8',
      metric: `embed ${N} texts (and 1 text p50), ${n} / use-lite`,
      measured: `${perSec(rate(n))}, 1 text ${ms(one[n].p50)}`,
      reference: `${perSec(rate('use-lite'))}, 1 text ${ms(one['use-lite'].p50)} (use-lite)`,
      ratio: fmt(rate(n) / rate('use-lite')),
      target: '—',
      pass: null,
      notes: `model file ${mb(sizes[n])}; CPU per 1,000 texts ${ms(bulk[n].cpuP50)}; best of ${bulk[n].n} interleaved runs. Texts: ${source}.`,
      data: { bulk: bulk[n], one: one[n], sizeBytes: sizes[n] },
    }));
  } finally {
    await Promise.all(Object.values(embedders).map((e) => e.close()));
  }
}
