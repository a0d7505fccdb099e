import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/index.js';
import { loadTexts } from './lib/data.js';

/**
 * Issue #4: does recording usage slow classification? classifyBatch throughput with recording
 * on (SQLite file, write-behind) vs off, interleaved round by round on the same texts; plus
 * per-call recording cost with 2,000 single classify calls (one usage row each).
 */
const LABELS = ['world', 'sports', 'business', 'technology', 'science', 'health', 'politics', 'entertainment', 'travel', 'food'];
const ROUNDS = 4;

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
  const dir = mkdtempSync(join(tmpdir(), 'lw-bench-rec-'));
  const { texts, source } = loadTexts(1000);
  const on = await createEngine({ dataDir: dir });
  const off = await createEngine({ recordUsage: false });
  try {
    await timeBatch(on, texts.slice(0, 100));
    await timeBatch(off, texts.slice(0, 100));
    const batch = { on: [] as number[], off: [] as number[] };
    const single = { on: [] as number[], off: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first so drift on the shared machine hits both sides equally.
      const order = r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const side of order) batch[side].push(await timeBatch(side === 'on' ? on : off, texts));
      for (const side of order) single[side].push(await timeSingles(side === 'on' ? on : off, texts.slice(0, 500)));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
    const usage = await on.usage({ group_by: 'endpoint' });
    const dbBytes = statSync(join(dir, 'labelwise.db')).size + safeSize(join(dir, 'labelwise.db-wal'));
    return [
      `| classifyBatch 1,000 texts: recording on / off | ${med(batch.on).toFixed(0)} texts/s | ${med(batch.off).toFixed(0)} texts/s | ${(med(batch.on) / med(batch.off)).toFixed(3)} | ≥ 0.95 |`,
      `| 500 concurrent single classify (one row each): on / off | ${med(single.on).toFixed(0)} calls/s | ${med(single.off).toFixed(0)} calls/s | ${(med(single.on) / med(single.off)).toFixed(3)} | — |`,
      ``,
      `Texts: ${source}; ${ROUNDS} interleaved rounds, medians. Rows recorded: ${usage.totals.requests}; DB ${(dbBytes / 1024).toFixed(0)} KiB.`,
    ];
  } finally {
    await on.close();
    await off.close();
    rmSync(dir, { recursive: true, force: true });
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
