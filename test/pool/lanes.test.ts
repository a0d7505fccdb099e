// The embedder's two lanes: `batch` calls (async jobs) run on a twin pool of the lowest CPU
// priority, so real-time calls are answered while a job keeps those workers busy. Real model,
// real worker threads.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createModel } from '../../src/engine/model-loader.js';
import { resolveOptions } from '../../src/engine/options.js';
import { createEngine } from '../../src/index.js';
import type { EmbedOptions, EmbeddedText, Embedder } from '../../src/model/embedder.js';
import type { ModelBackend } from '../../src/model/types.js';
import { loadUseLite } from '../../src/model/use-lite/index.js';
import { InferencePool, POOL_DEFAULTS } from '../../src/pool/inference-pool.js';
import { PooledEmbedder } from '../../src/pool/pooled-embedder.js';
import type { Priority } from '../../src/vocabulary.js';
import { embedderContract } from '../support/embedder-contract.js';
import { pooledEmbedder } from '../support/pooled.js';

/** The engine's default model cache, so the converted model is shared with the other test files. */
const cacheDir = process.env.LABELWISE_CACHE_DIR ?? fileURLToPath(new URL('../../models/.cache', import.meta.url));

const WORDS = 'the market team season report research city officials growth prices shares profit election network software launch space climate energy bank league match record health school police court phone'.split(' ');
/** `n` distinct sentences of 20–40 words (deterministic). */
function sentences(n: number): string[] {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  return Array.from({ length: n }, (_, i) => Array.from({ length: 20 + (next() % 21) }, () => WORDS[next() % WORDS.length]).join(' ') + ` ${i}.`);
}

/** Nice value of each thread of this process, by thread id (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended between listing and reading
    }
  }
  return nices;
}

/** Every call of `inner` in the batch lane, so the whole Embedder contract runs through it. */
function batchLaneOf(inner: Embedder): Embedder {
  return {
    id: inner.id,
    dimension: inner.dimension,
    countTokens: (text) => inner.countTokens(text),
    embed: (texts, options) => inner.embed(texts, { ...options, lane: 'batch' }),
    close: () => inner.close(),
  };
}

let backend: ModelBackend;
beforeAll(async () => {
  backend = await loadUseLite(cacheDir);
});

embedderContract('use-lite, batch lane', async () => batchLaneOf(pooledEmbedder(await loadUseLite(cacheDir))));

describe('PooledEmbedder lanes', () => {
  let embedder: PooledEmbedder | undefined;
  afterAll(async () => {
    await embedder?.close();
  });
  const fresh = async (workers: number) => {
    await embedder?.close();
    embedder = pooledEmbedder(backend, { workers });
    return embedder;
  };

  it('gives the same vectors and tokens in the batch lane as in the real-time lane', async () => {
    const e = await fresh(1);
    const texts = [...sentences(40), 'a short one', Array.from({ length: 400 }, (_, i) => WORDS[i % WORDS.length]).join(' ')];
    const realtime = await e.embed(texts);
    const batch = await e.embed(texts, { lane: 'batch' });
    expect(batch.map((r) => r.tokens)).toEqual(realtime.map((r) => r.tokens));
    batch.forEach((r, i) => expect(Array.from(r.vector), texts[i].slice(0, 30)).toEqual(Array.from(realtime[i].vector)));
  });

  it.skipIf(process.platform !== 'linux')('starts the batch lane on the first batch call, on threads of nice 19, leaving every other thread as it was', async () => {
    const base = threadNices();
    const own = base.get(process.pid);
    const e = await fresh(2);
    await e.embed(['warm the real-time workers']);
    const before = threadNices();
    await e.embed(['the first batch-lane call'], { lane: 'batch' });
    const after = threadNices();
    const added = (from: Map<number, number>, to: Map<number, number>) => [...to].filter(([tid]) => !from.has(tid)).map(([, nice]) => nice);
    // Two piscina workers (and whatever threads they started, which inherit their priority).
    const batchThreads = added(before, after);
    expect(batchThreads.length).toBeGreaterThanOrEqual(2);
    expect(batchThreads).toEqual(batchThreads.map(() => 19));
    // The real-time workers run at the process's priority, and no thread changed its own.
    expect(own).not.toBe(19);
    const realtimeThreads = added(base, before);
    expect(realtimeThreads.length).toBeGreaterThanOrEqual(2);
    expect(realtimeThreads).toEqual(realtimeThreads.map(() => own));
    for (const [tid, nice] of before) if (after.has(tid)) expect(after.get(tid), `thread ${tid}`).toBe(nice);
  });

  it('answers real-time calls while a large batch-lane call is running', async () => {
    const e = await fresh(1);
    await e.embed(['warm']);
    await e.embed(['warm'], { lane: 'batch' });
    const texts = sentences(3000);
    let batchDone = false;
    const batch = e.embed(texts, { lane: 'batch' }).then((r) => ((batchDone = true), r));
    // The batch call has tokenized and reached the batch workers…
    await vi.waitFor(() => expect(e.batchLoad).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    // …and real-time calls are answered before it ends (one pool for both would run them after it).
    for (const q of ['refund my order', 'the match ended in a draw', 'new phone launch']) {
      const [answer] = await e.embed([q]);
      expect(answer.vector).toHaveLength(e.dimension);
      expect(batchDone).toBe(false);
    }
    expect(await batch).toHaveLength(texts.length);
  });

  it('fails a batch-lane call cleanly when the embedder closes during its model runs', async () => {
    const e = await fresh(1);
    const batch = e.embed(sentences(3000), { lane: 'batch' });
    const settled = batch.catch((err: unknown) => err);
    await vi.waitFor(() => expect(e.batchLoad).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    await e.close(); // waits for the run on the worker, then stops the threads
    expect(await settled).toMatchObject({ code: 'OVERLOADED', details: { reason: 'engine_closed' } });
    await expect(e.embed(['after close'], { lane: 'batch' })).rejects.toMatchObject({ code: 'OVERLOADED' });
    await expect(e.embed(['after close'])).rejects.toMatchObject({ code: 'OVERLOADED' });
  });

  it('fails a batch-lane call cleanly when the embedder closes while it is still tokenizing', async () => {
    const e = await fresh(1);
    const batch = e.embed(sentences(3000), { lane: 'batch' }).catch((err: unknown) => err);
    await e.close();
    expect(await batch).toMatchObject({ code: 'OVERLOADED', details: { reason: 'engine_closed' } });
    expect(e.batchLoad).toBe(0); // the batch lane was never started
  });

  it('stops a batch-lane call that is aborted while it is tokenizing', async () => {
    const e = await fresh(1);
    const controller = new AbortController();
    const batch = e.embed(sentences(3000), { lane: 'batch', signal: controller.signal }).catch((err: unknown) => err);
    controller.abort(new Error('job cancelled'));
    expect(await batch).toMatchObject({ message: 'job cancelled' });
    await expect(e.embed(['still serving'])).resolves.toHaveLength(1);
  });
});

describe('closing the engine during a batch-lane call', () => {
  it('fails the call with OVERLOADED (engine_closed), lets the process live and refuses later calls', async () => {
    // The engine's own model and pool, as createEngine builds them, handed in so the test reaches the batch lane.
    const { embedder } = await createModel(resolveOptions({ pool: { workers: 1 } }));
    const pooled = embedder as PooledEmbedder;
    const engine = await createEngine({ embedder });
    const batch = embedder.embed(sentences(3000), { lane: 'batch' }).catch((err: unknown) => err);
    await vi.waitFor(() => expect(pooled.batchLoad).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    await engine.close();
    expect(await batch).toMatchObject({ code: 'OVERLOADED', details: { reason: 'engine_closed' } });
    await expect(engine.classify({ text: 'still there?', labels: ['yes', 'no'] })).rejects.toMatchObject({ code: 'OVERLOADED' });
    await expect(embedder.embed(['a late job chunk'], { lane: 'batch' })).rejects.toMatchObject({ code: 'OVERLOADED' });
  });
});

describe('a caller-given embedder without lanes', () => {
  it('still serves the engine, and a batch-lane call reaches it as a plain call', async () => {
    const inner = pooledEmbedder(backend);
    const seen: unknown[] = [];
    // Written against the interface before lanes existed: its options type has no `lane`.
    const legacy: Embedder = {
      id: `legacy:${inner.id}`,
      dimension: inner.dimension,
      countTokens: (text) => inner.countTokens(text),
      embed(texts: string[], options?: { priority?: Priority; signal?: AbortSignal }): Promise<EmbeddedText[]> {
        seen.push(options);
        return inner.embed(texts, { priority: options?.priority, signal: options?.signal });
      },
      close: () => inner.close(),
    };
    const engine = await createEngine({ embedder: legacy });
    try {
      const answer = await engine.classify({ text: 'my parcel never arrived', labels: ['shipping', 'cooking'] });
      expect(answer.label).toBe('shipping');
      const options: EmbedOptions = { lane: 'batch' };
      await expect(legacy.embed(['a job line'], options)).resolves.toHaveLength(1);
      expect(seen.at(-1)).toEqual({ lane: 'batch' });
    } finally {
      await engine.close();
    }
  });
});

describe('batch-lane tokenizing on the caller’s thread', () => {
  it('yields the event loop between slices, and concurrent batch calls tokenize one after the other', async () => {
    const order: string[] = [];
    // The real tokenizer, recording which text it encodes when.
    const recording: ModelBackend = { ...backend, tokenizer: { ...backend.tokenizer, encode: (text: string) => (order.push(text), backend.tokenizer.encode(text)) } };
    const e = new PooledEmbedder(recording, new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 1 }));
    try {
      const a = sentences(600).map((t) => `a ${t}`);
      const b = sentences(600).map((t) => `b ${t}`);
      const batches = Promise.all([e.embed(a, { lane: 'batch' }), e.embed(b, { lane: 'batch' })]);
      await new Promise((resolve) => setImmediate(resolve));
      const [realtime] = await e.embed(['r: a real-time call in between']);
      expect(realtime.vector).toHaveLength(e.dimension);
      await batches;
      const where = (prefix: string) => order.flatMap((t, i) => (t.startsWith(prefix) ? [i] : []));
      const [inA, inB, inR] = [where('a '), where('b '), where('r: ')];
      // The real-time text was tokenized while the first batch call was still tokenizing…
      expect(inR).toHaveLength(1);
      expect(inR[0]).toBeGreaterThan(inA[0]);
      expect(inR[0]).toBeLessThan(inA.at(-1)!);
      // …and the second batch call began only after the first had finished.
      expect(inB[0]).toBeGreaterThan(inA.at(-1)!);
    } finally {
      await e.close();
    }
  });
});

describe('the idle batch lane', () => {
  it('stops its workers once no batch call has run for batchIdleMs, never under a running call, and starts again on the next', async () => {
    const e = new PooledEmbedder(backend, new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 1 }), { batchIdleMs: 1 });
    try {
      const texts = sentences(1500);
      // Two overlapping calls: the lane stays up from the first call's start to the last one's end.
      const first = e.embed(texts, { lane: 'batch' });
      const second = e.embed(texts.slice(0, 500), { lane: 'batch' });
      await expect(second).resolves.toHaveLength(500);
      expect(e.batchLaneRunning).toBe(true);
      await expect(first).resolves.toHaveLength(1500);
      await vi.waitFor(() => expect(e.batchLaneRunning).toBe(false), { timeout: 10_000, interval: 5 });
      const again = await e.embed(texts.slice(0, 3), { lane: 'batch' });
      expect(Array.from(again[0].vector)).toEqual(Array.from((await e.embed(texts.slice(0, 3)))[0].vector));
    } finally {
      await e.close();
    }
  });
});
