// Child process of bench/jobs.ts (Q9): one job or one upload in a fresh process, RSS sampled throughout
// (maxRSS is a lifetime high-water mark, so every measured run gets its own process).
//   run <dataDir> <input>     create → upload → start → wait, default engine options
//   upload <dataDir> <input>  engine.jobs.upload(id, path) only
//   copy <dir> <input>        reference: the same file streamed to disk by fs (createReadStream → createWriteStream)
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createEngine } from '../../src/index.js';
import { LABELS_10 } from './data.js';

const [mode, dir, input] = process.argv.slice(2);
const rss = () => process.memoryUsage.rss();
const baseline = rss();
let sampled = baseline;
// 10 ms sampling catches the shape; maxRSS (kernel high-water mark) catches any spike between samples.
const timer = setInterval(() => (sampled = Math.max(sampled, rss())), 10);
const out: Record<string, number> = { baseline };

if (mode === 'copy') {
  mkdirSync(dir, { recursive: true });
  out.ready = rss();
  sampled = out.ready;
  const t = performance.now();
  await pipeline(createReadStream(input), createWriteStream(join(dir, 'copy.ndjson')));
  out.ms = performance.now() - t;
} else {
  const engine = await createEngine({ dataDir: dir });
  const { job_id: id } = await engine.jobs.create({ labels: LABELS_10 });
  if (mode === 'upload') {
    out.ready = rss();
    sampled = out.ready; // the peak *during* the upload, against the RSS right before it
    const t = performance.now();
    const info = await engine.jobs.upload(id, input);
    out.ms = performance.now() - t;
    out.lines = info.requests_total;
  } else {
    // The model loads on the first call: warm it (and the 10 prototypes) so `ready` includes it.
    await engine.classify({ text: 'warm up', labels: LABELS_10, cache: false });
    let t = performance.now();
    out.lines = (await engine.jobs.upload(id, input)).requests_total;
    out.uploadMs = performance.now() - t;
    out.ready = rss();
    t = performance.now();
    await engine.jobs.start(id);
    const done = await engine.jobs.wait(id);
    out.ms = performance.now() - t;
    if (done.status !== 'completed' || done.requests_completed !== out.lines || done.requests_failed !== 0) {
      throw new Error(`job ended ${done.status}: ${done.requests_completed}/${out.lines} lines, ${done.requests_failed} failed`);
    }
  }
  await engine.close();
}
clearInterval(timer);
console.log(JSON.stringify({ ...out, sampledPeak: sampled, maxRss: process.resourceUsage().maxRSS * 1024 }));
