// Child process of bench/jobs.ts (Q9): one job or one upload in a fresh process, RSS sampled throughout
// (maxRSS is a lifetime high-water mark, so every measured run gets its own process).
//   run <dataDir> <input>     create → upload → start → wait, default engine options
//   upload <dataDir> <input>  engine.jobs.upload(id, path) only
//   put|form <dataDir> <input>  the same upload over HTTP on loopback (raw PUT / multipart POST); server and
//                             client in this process, so the RSS is the server's plus one file read stream
//   side <dataDir> <input> <job|batch1|batch2> <goDir>  side-by-side throughput: warms up, writes <goDir>/<who>.ready,
//                             starts when <goDir>/go exists, reports [epoch ms, lines done] at every step
//   copy <dir> <input>        reference: the same file streamed to disk by fs (createReadStream → createWriteStream)
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createEngine } from '../../src/index.js';
import { LABELS_10 } from './data.js';
import { httpUpload } from './http-upload.js';

const [mode, dir, input] = process.argv.slice(2);
const rss = () => process.memoryUsage.rss();
const baseline = rss();
let sampled = baseline;
// 10 ms sampling catches the shape; maxRSS (kernel high-water mark) catches any spike between samples.
const timer = setInterval(() => (sampled = Math.max(sampled, rss())), 10);
const out: Record<string, unknown> = { baseline };
const cpuMs = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

if (mode === 'copy') {
  mkdirSync(dir, { recursive: true });
  sampled = rss();
  out.ready = sampled;
  const [t, c] = [performance.now(), process.cpuUsage()];
  await pipeline(createReadStream(input), createWriteStream(join(dir, 'copy.ndjson')));
  out.ms = performance.now() - t;
  out.cpuMs = cpuMs(c);
} else if (mode === 'side') {
  const [who, goDir] = process.argv.slice(5);
  const engine = await createEngine({ dataDir: dir });
  await engine.classifyBatch({ texts: ['warm up the model', 'and every worker'], labels: LABELS_10, cache: false });
  const steps: [number, number][] = [];
  let run: () => Promise<unknown>;
  if (who === 'job') {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS_10 });
    out.lines = (await engine.jobs.upload(id, input)).requests_total;
    run = async () => {
      await engine.jobs.start(id);
      const poll = setInterval(() => void engine.jobs.get(id).then((i) => steps.push([Date.now(), i.requests_completed])), 250);
      const done = await engine.jobs.wait(id);
      clearInterval(poll);
      if (done.status !== 'completed' || done.requests_failed !== 0) throw new Error(`job ended ${done.status}, ${done.requests_failed} failed`);
      steps.push([Date.now(), done.requests_completed]);
    };
  } else {
    const texts = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
    out.lines = texts.length;
    let next = 0;
    let doneLines = 0;
    const lane = async () => {
      while (next < texts.length) {
        const slice = texts.slice(next, (next += 1000));
        const res = await engine.classifyBatch({ texts: slice, labels: LABELS_10, cache: false });
        if (res.results.some((r) => 'error' in r)) throw new Error('classifyBatch returned errors');
        steps.push([Date.now(), (doneLines += slice.length)]);
      }
    };
    run = () => Promise.all(Array.from({ length: who === 'batch2' ? 2 : 1 }, lane));
  }
  writeFileSync(join(goDir, `${who}.ready`), '');
  while (!existsSync(join(goDir, 'go'))) await new Promise((r) => setTimeout(r, 20));
  const [t, c] = [Date.now(), process.cpuUsage()];
  steps.push([t, 0]);
  await run();
  out.start = t;
  out.ms = Date.now() - t;
  out.cpuMs = cpuMs(c);
  out.steps = steps;
  await engine.close();
} else {
  const engine = await createEngine({ dataDir: dir });
  const created = await engine.jobs.create({ labels: LABELS_10 });
  const id = created.job_id;
  if (mode === 'put' || mode === 'form') {
    // Loaded only here: the HTTP batch routes come with the h-http branch.
    const { createHandler } = await import('../../src/http/index.js');
    const server = createServer(createHandler(engine));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch/${id}/upload`;
    sampled = rss();
    out.ready = sampled;
    const [t, c] = [performance.now(), process.cpuUsage()];
    const res = await httpUpload(url, created.upload_fields, input, mode);
    out.ms = performance.now() - t;
    out.cpuMs = cpuMs(c);
    if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
    out.lines = res.body.requests_total;
    server.close();
  } else if (mode === 'upload') {
    sampled = rss(); // the peak *during* the upload, against the RSS right before it
    out.ready = sampled;
    const [t, c] = [performance.now(), process.cpuUsage()];
    const info = await engine.jobs.upload(id, input);
    out.ms = performance.now() - t;
    out.cpuMs = cpuMs(c);
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
    // RSS against lines done, every 5 s on stderr (a long run shows its trend before it ends).
    const trace: [number, number, number][] = [];
    const progress = setInterval(() => {
      void engine.jobs.get(id).then((info) => {
        trace.push([info.requests_completed, rss(), sampled]);
        process.stderr.write(`${JSON.stringify({ progress: trace.at(-1), s: Math.round((performance.now() - t) / 1000) })}\n`);
      });
    }, 5000);
    const done = await engine.jobs.wait(id);
    out.ms = performance.now() - t;
    clearInterval(progress);
    out.trace = trace;
    if (done.status !== 'completed' || done.requests_completed !== out.lines || done.requests_failed !== 0) {
      throw new Error(`job ended ${done.status}: ${done.requests_completed}/${out.lines} lines, ${done.requests_failed} failed`);
    }
  }
  await engine.close();
}
clearInterval(timer);
console.log(JSON.stringify({ ...out, sampledPeak: sampled, maxRss: process.resourceUsage().maxRSS * 1024 }));
