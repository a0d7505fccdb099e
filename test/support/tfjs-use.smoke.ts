// Manual smoke check (not a vitest test):
//   node --import tsx test/support/tfjs-use.smoke.ts
import { createTfjsUse } from './tfjs-use.js';

const norm = (v: Float32Array) => Math.hypot(...v);
const cos = (a: Float32Array, b: Float32Array) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d / (norm(a) * norm(b));
};
// Deterministic pseudo-random ids within the 8k vocab, avoiding specials.
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 7000) + 100;
const seqOf = (n: number) => Array.from({ length: n }, rnd);

const t0 = performance.now();
const use = await createTfjsUse();
console.log(`load: ${(performance.now() - t0).toFixed(0)} ms`);

const batch = [[9, 10, 11], [500, 600, 700, 800, 12], [6], seqOf(150)];
const embs = await use.embed(batch);
embs.forEach((e, i) => {
  const head = Array.from(e.slice(0, 5), (x) => x.toFixed(5)).join(', ');
  console.log(`seq ${i} (len ${batch[i].length}): dim=${e.length} norm=${norm(e).toFixed(6)} first5=[${head}]`);
});
for (let i = 0; i < batch.length; i++) {
  const [alone] = await use.embed([batch[i]]);
  console.log(`cos(batched, alone) seq ${i}: ${cos(embs[i], alone).toFixed(7)}`);
}

// A second instance in the same process must work (backend initialised once).
const use2 = await createTfjsUse();
const [again] = await use2.embed([batch[1]]);
console.log(`second instance cos seq 1: ${cos(embs[1], again).toFixed(7)}`);
await use2.dispose();

const bench = Array.from({ length: 64 }, () => seqOf(38 + (rnd() % 5)));
await use.embed(bench); // warm-up
const runs = 3;
const t1 = performance.now();
for (let r = 0; r < runs; r++) await use.embed(bench);
const secs = (performance.now() - t1) / 1000;
console.log(`throughput: ${((64 * runs) / secs).toFixed(1)} seq/s (64 x ~40 ids, batch of 64, ${runs} runs)`);
await use.dispose();
