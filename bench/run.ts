/**
 * Benchmark entry (`npm run bench`): runs every suite in sequence — or those named in
 * BENCH_ONLY=throughput,latency — prints one markdown table and writes bench/results/latest.{md,json}.
 * The host is shared and noisy: every suite compares side by side in one run and reports ratios.
 * BENCH_PROFILE=1 adds a CPU profile of the cache-hit path (otherwise only when Q5 misses its target).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { cacheHit } from './cache-hit.js';
import { coldStart } from './cold-start.js';
import { jobs } from './jobs.js';
import { labelsScaling } from './labels-scaling.js';
import { lanes } from './lanes.js';
import { latency } from './latency.js';
import { loadTexts } from './lib/data.js';
import { markdownNotes, markdownTable, type Row } from './lib/report.js';
import { memory } from './memory.js';
import { tfjs } from './tfjs.js';
import { throughput } from './throughput.js';
import { transformersJs } from './transformers.js';
import { modelSpeed } from './model-speed.js';

const SUITES: Record<string, () => Promise<Row[]>> = {
  throughput, // Q1
  tfjs, // Q2
  latency, // Q3
  'labels-scaling': labelsScaling, // Q4
  'cache-hit': cacheHit, // Q5
  memory, // Q6a
  'cold-start': coldStart, // Q6b
  transformers: transformersJs, // Q7
  models: modelSpeed, // Q8
  jobs, // Q9
  lanes, // L1, L2 (issue #10: the batch lane)
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((s) => !(s in SUITES)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY: unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
const selected = Object.keys(SUITES).filter((s) => !only || only.includes(s));

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const env = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  loadBefore: load(),
  texts: loadTexts(1000).source,
};
const started = performance.now();
const rows: Row[] = [];
const timings: Record<string, number> = {};
for (const name of selected) {
  const t = performance.now();
  process.stderr.write(`bench: ${name} …\n`);
  rows.push(...(await SUITES[name]()));
  timings[name] = Math.round(performance.now() - t);
  process.stderr.write(`bench: ${name} done in ${(timings[name] / 1000).toFixed(1)} s\n`);
}
const totalS = ((performance.now() - started) / 1000).toFixed(0);

const table = markdownTable(rows);
const md = [
  '# labelwise benchmarks',
  '',
  `${env.date} · Node ${env.node} · ${env.cpu} · load avg before ${env.loadBefore}, after ${load()} · ${totalS} s`,
  '',
  `Texts: ${env.texts}. Labels: 10 generic topics (Q4: 200 generated "domain facet" names).`,
  'Shared, noisy 2-core host: every row compares side by side in one run (tasks interleaved round by round); read the ratios, not the absolute times.',
  '',
  table,
  '',
  '## Notes',
  '',
  markdownNotes(rows),
  '',
].join('\n');

console.log(`\n${table}\n\n${markdownNotes(rows)}\n`);
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
await writeFile(new URL('latest.md', dir), md);
await writeFile(new URL('latest.json', dir), `${JSON.stringify({ env, timings, rows }, null, 2)}\n`);
process.stderr.write(`bench: wrote bench/results/latest.md and latest.json (${totalS} s)\n`);
