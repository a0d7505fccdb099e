/**
 * Issue #8, defect 1: a small hostile document must not freeze the server. Pathological files
 * go through the real HTTP adapter while a second client measures `classify` latency; the
 * document requests are read on the document pool's worker threads, each under a time budget,
 * so they get a correct answer or 422 `DOCUMENT_ERROR`, the text requests stay fast, and the
 * server is healthy afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { blankRunDocx, blankRunPdf, deepDocx, tinyRunsDocx } from '../support/documents-hostile.js';
import { buildDocx } from '../support/documents-files.js';
import { expectError, serveApi, startEngine, type ApiCall, type ApiResponse } from '../support/http-server.js';

const LABELS = ['billing', 'shipping'];
const BUDGET_MS = 3_000;
/**
 * Bounds on text classify latency while a hostile document is read: the 100 ms on the
 * p95, and a generous 250 ms on the p99 (one scheduling hiccup on a shared, loaded 2-core box
 * must not fail the run). When the machine is already slower than that with no document at all
 * (other jobs), the bounds become twice its own p95/p99. Before the fix one such document
 * stalled every request for seconds to minutes (measured: 8.4 s for the first case), far past
 * any of these.
 */
const P95_BOUND_MS = 100;
const P99_BOUND_MS = 250;

const cases: Array<[string, () => Buffer]> = [
  ['DOCX: a word, 100,000 spaces, a word (583 bytes once held the server 4 s)', () => blankRunDocx('refund', ' ', 100_000, 'invoice')],
  ['DOCX: 1,000,000 spaces and tabs between two words', () => blankRunDocx('refund', ' \t', 500_000, 'invoice')],
  ['DOCX: 150 MB of spaces, under the unpacked cap', () => blankRunDocx('refund', ' ', 150 * 1024 * 1024, 'invoice')],
  ['DOCX: 4,000,000 one-letter runs', () => tinyRunsDocx(4_000_000)],
  ['DOCX: 200,000 nested elements', () => deepDocx(200_000)],
  // A real text layer (not a "scan"), so this case reads the blank run rather than OCRing a page.
  ['PDF: a line of 300,000 spaces and tabs', () => blankRunPdf('please refund my invoice', ' \t', 150_000, 'twice charged')],
];
const files = new Map<string, string>();

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
// Built before any request: building it blocks the event loop for seconds, and a kept-alive
// socket the server closed meanwhile (its 5 s keep-alive) would be reused and reset.
let overBudgetFile: string;
let call: ApiCall;
let key: string;
/** p95/p99 of a text classify on this machine right now, with no document being read. */
let baselineP95: number;
let baselineP99: number;

beforeAll(async () => {
  // Built before the server starts: building 150 MB on this thread would stall the server too.
  for (const [name, build] of cases) files.set(name, build().toString('base64'));
  overBudgetFile = tinyRunsDocx(8_000_000).toString('base64');
  engine = await startEngine({ documents: { budgetMs: BUDGET_MS, workers: 1 } });
  key = (await engine.keys.create({ name: 'hostile-documents', tier: 'production' })).key;
  srv = await serveApi(engine, { tiers: { production: { requestsPerMinute: 1_000_000 } } });
  call = srv.api;
  // Warm up the model, the label prototypes and the document worker (pdfjs, mammoth).
  expect((await classify()).status).toBe(200);
  const warm = await call('POST', '/classify', { key, body: { file: buildDocx(['a refund for my invoice']).toString('base64'), labels: LABELS } });
  expect(warm.status, warm.text).toBe(200);
  const baseline = await measureWhile(new Promise((r) => setTimeout(r, 2_000)));
  baselineP95 = quantile(baseline, 0.95);
  baselineP99 = quantile(baseline, 0.99);
  console.log(`baseline: ${baseline.length} classifies, p50 ${quantile(baseline, 0.5).toFixed(1)} ms, p95 ${baselineP95.toFixed(1)} ms, p99 ${baselineP99.toFixed(1)} ms`);
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

const classify = () => call('POST', '/classify', { key, body: { text: 'Where is my parcel? It has not arrived yet.', labels: LABELS, cache: false } });

/**
 * Text classifies one after another (10 ms apart) until `done` settles, at least 60 (so a p95
 * is not simply the single worst sample); the latency of each, in ms.
 */
async function measureWhile(done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  done.finally(() => (finished = true)).catch(() => {});
  const latencies: number[] = [];
  while (!finished || latencies.length < 60) {
    const started = performance.now();
    const res = await classify();
    latencies.push(performance.now() - started);
    expect(res.status, res.text).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** A correct answer within the budget, or 422 DOCUMENT_ERROR on `file`. */
function expectAnsweredOrRefused(res: ApiResponse, elapsedMs: number, name: string) {
  if (res.status === 200) {
    expect(LABELS, name).toContain(res.body.label);
    expect(elapsedMs, `${name}: answered after the budget`).toBeLessThan(BUDGET_MS * 3);
  } else {
    expectError(res, 422, 'DOCUMENT_ERROR', 'file');
  }
}

describe('pathological documents', () => {
  for (const [name] of cases) {
    it(`${name}: answered or 422, text classify p95 stays under ${P95_BOUND_MS} ms, server healthy after`, async () => {
      const file = files.get(name) as string;
      expect(file.length).toBeLessThan(1024 * 1024); // fits the 1 MB body limit
      const started = performance.now();
      let elapsed = 0;
      const hostile = call('POST', '/classify', { key, body: { file, labels: LABELS, cache: false } }).then((res) => {
        elapsed = performance.now() - started;
        return res;
      });
      const latencies = await measureWhile(hostile);
      const res = await hostile;
      const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => quantile(latencies, q));
      const max = Math.max(...latencies);
      console.log(
        `${name}: ${res.status} ${res.body?.code ?? res.body?.label} after ${Math.round(elapsed)} ms; ${latencies.length} classifies meanwhile, ` +
          `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
      );
      expectAnsweredOrRefused(res, elapsed, name);
      expect(p95, `p95 of classify during "${name}" (baseline p95 ${baselineP95.toFixed(1)} ms)`).toBeLessThan(Math.max(P95_BOUND_MS, 2 * baselineP95));
      expect(p99, `p99 of classify during "${name}" (baseline p99 ${baselineP99.toFixed(1)} ms)`).toBeLessThan(Math.max(P99_BOUND_MS, 2 * baselineP99));
      // Healthy afterwards: a text classify and an ordinary document both succeed.
      expect((await classify()).status).toBe(200);
      const ok = await call('POST', '/classify', { key, body: { file: buildDocx(['my parcel is late']).toString('base64'), labels: LABELS, cache: false } });
      expect(ok.status, ok.text).toBe(200);
    });
  }

  it('a document far over the budget (or the worker heap) is stopped with a clear 422', async () => {
    const file = overBudgetFile; // 11 KB of 4 M runs took 5.4 s; this is twice that
    const started = performance.now();
    const res = await call('POST', '/classify', { key, body: { file, labels: LABELS } });
    const elapsed = performance.now() - started;
    expectError(res, 422, 'DOCUMENT_ERROR', 'file');
    expect(res.body.message).toMatch(/budget exceeded|more than \d+ characters|too much memory/);
    expect(elapsed).toBeLessThan(BUDGET_MS + 5_000);
  });
});
