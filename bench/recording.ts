import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/index.js';
import { openStores } from '../src/store/index.js';
import { loadTexts } from './lib/data.js';

/**
 * Issue #4 / #8: does recording usage slow classification? Throughput with recording off, on
 * write-behind ('buffered', SQLite file) and on durable (each call answered after its row and
 * charge committed, group commit), interleaved round by round on the same texts: classifyBatch
 * of 1,000 texts, and 500 concurrent single classify calls (one row each, where durability costs
 * a commit per call).
 */
const LABELS = ['world', 'sports', 'business', 'technology', 'science', 'health', 'politics', 'entertainment', 'travel', 'food'];
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const SIDES = ['off', 'buffered', 'durable'] as const;
type Side = (typeof SIDES)[number];

async function timeBatch(engine: Engine, texts: string[]): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < texts.length; i += 250) await engine.classifyBatch({ texts: texts.slice(i, i + 250), labels: LABELS, cache: false });
  return texts.length / ((performance.now() - t) / 1000);
}

async function timeSingles(engine: Engine, texts: string[]): Promise<number> {
  const t = performance.now();
  await Promise.all(texts.map((text) => engine.classify({ text, labels: LABELS, cache: false })));
  return texts.length / ((performance.now() - t) / 1000);
}

/** One caller, one call at a time: group commit cannot share a transaction (the worst case for durable). */
async function timeSequential(engine: Engine, texts: string[]): Promise<number> {
  const t = performance.now();
  for (const text of texts) await engine.classify({ text, labels: LABELS, cache: false });
  return texts.length / ((performance.now() - t) / 1000);
}

/** Store-level cost per usage row + charge: written behind, durable alone, durable 64 at a time. */
async function perRowCost(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-bench-row-'));
  const stores = await openStores({ dataDir: dir });
  let n = 0;
  const row = () => ({ request_id: `r${n++}`, endpoint: '/classify', method: 'POST', status: 200, priority: 'standard', tokens: 30, latency_ms: 5, label: 'a' });
  const ROWS = 4096;
  const time = async (run: () => Promise<void>) => {
    const best: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const t = performance.now();
      await run();
      best.push(((performance.now() - t) / ROWS) * 1000);
    }
    return Math.min(...best).toFixed(1);
  };
  try {
    const behind = await time(async () => {
      for (let i = 0; i < ROWS; i++) await stores.billing.charge('default', 30, 'standard', { usage: row() });
      await stores.flush();
    });
    const alone = await time(async () => {
      for (let i = 0; i < ROWS; i++) await stores.billing.charge('default', 30, 'standard', { usage: row(), durable: true });
    });
    const grouped = await time(async () => {
      for (let i = 0; i < ROWS; i += 64) await Promise.all(Array.from({ length: 64 }, () => stores.billing.charge('default', 30, 'standard', { usage: row(), durable: true })));
    });
    return `Per usage row + charge (store, best of 3 × ${ROWS}): written behind ${behind} µs; durable, one call at a time ${alone} µs; durable, 64 concurrent calls per commit ${grouped} µs.`;
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function recordingBench(): Promise<string[]> {
  const dirs = { buffered: mkdtempSync(join(tmpdir(), 'lw-bench-rec-')), durable: mkdtempSync(join(tmpdir(), 'lw-bench-dur-')) };
  const { texts, source } = loadTexts(1000);
  const engines: Record<Side, Engine> = {
    off: await createEngine({ recordUsage: false }),
    buffered: await createEngine({ dataDir: dirs.buffered, durability: 'buffered' }),
    durable: await createEngine({ dataDir: dirs.durable, durability: 'durable' }),
  };
  try {
    for (const side of SIDES) await timeBatch(engines[side], texts.slice(0, 100));
    const batch: Record<Side, number[]> = { off: [], buffered: [], durable: [] };
    const single: Record<Side, number[]> = { off: [], buffered: [], durable: [] };
    const sequential: Record<Side, number[]> = { off: [], buffered: [], durable: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate who goes first so drift on the shared machine hits every side equally.
      const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]);
      for (const side of order) batch[side].push(await timeBatch(engines[side], texts));
      for (const side of order) single[side].push(await timeSingles(engines[side], texts.slice(0, 500)));
      for (const side of order) sequential[side].push(await timeSequential(engines[side], texts.slice(500, 700)));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
    const ratio = (m: Record<Side, number[]>, side: Side) => (med(m[side]) / med(m.off)).toFixed(3);
    const rows = [];
    for (const side of ['buffered', 'durable'] as const) {
      rows.push(`| classifyBatch 1,000 texts: recording ${side} / off | ${med(batch[side]).toFixed(0)} texts/s | ${med(batch.off).toFixed(0)} texts/s | ${ratio(batch, side)} | ≥ 0.95 |`);
      rows.push(`| 500 concurrent single classify (one row each): ${side} / off | ${med(single[side]).toFixed(0)} calls/s | ${med(single.off).toFixed(0)} calls/s | ${ratio(single, side)} | ≥ 0.95 |`);
      rows.push(`| 200 sequential classify, one caller: ${side} / off | ${med(sequential[side]).toFixed(0)} calls/s | ${med(sequential.off).toFixed(0)} calls/s | ${ratio(sequential, side)} | — |`);
    }
    const usage = await engines.durable.usage({ group_by: 'endpoint' });
    const dbBytes = statSync(join(dirs.durable, 'labelwise.db')).size + safeSize(join(dirs.durable, 'labelwise.db-wal'));
    return [
      ...rows,
      ``,
      `Texts: ${source}; ${ROUNDS} interleaved rounds, medians. Durable rows recorded: ${usage.totals.requests}; DB ${(dbBytes / 1024).toFixed(0)} KiB.`,
      await perRowCost(),
    ];
  } finally {
    for (const side of SIDES) await engines[side].close();
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await recordingBench();
  console.log(['| question | on | off | ratio | target |', '|---|---|---|---|---|', ...rows].join('\n'));
}
