import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/index.js';
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
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate who goes first so drift on the shared machine hits every side equally.
      const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]);
      for (const side of order) batch[side].push(await timeBatch(engines[side], texts));
      for (const side of order) single[side].push(await timeSingles(engines[side], texts.slice(0, 500)));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
    const ratio = (m: Record<Side, number[]>, side: Side) => (med(m[side]) / med(m.off)).toFixed(3);
    const rows = [];
    for (const side of ['buffered', 'durable'] as const) {
      rows.push(`| classifyBatch 1,000 texts: recording ${side} / off | ${med(batch[side]).toFixed(0)} texts/s | ${med(batch.off).toFixed(0)} texts/s | ${ratio(batch, side)} | ≥ 0.95 |`);
      rows.push(`| 500 concurrent single classify (one row each): ${side} / off | ${med(single[side]).toFixed(0)} calls/s | ${med(single.off).toFixed(0)} calls/s | ${ratio(single, side)} | ≥ 0.95 |`);
    }
    const usage = await engines.durable.usage({ group_by: 'endpoint' });
    const dbBytes = statSync(join(dirs.durable, 'labelwise.db')).size + safeSize(join(dirs.durable, 'labelwise.db-wal'));
    return [
      ...rows,
      ``,
      `Texts: ${source}; ${ROUNDS} interleaved rounds, medians. Durable rows recorded: ${usage.totals.requests}; DB ${(dbBytes / 1024).toFixed(0)} KiB.`,
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
