// Embeds the PUBLIC rows of one labeled set (never the held-out rows) and records, per row, the
// cosine similarity to each label prototype the engine would build: label names, and names +
// descriptions where the set has them. The fit (./fit.ts) then runs on these numbers alone.
import type { Embedder } from '../../src/model/embedder.js';
import { PrototypeBuilder } from '../../src/scoring/prototypes.js';
import { similarities } from '../../src/scoring/scorer.js';
import { shuffle, splitOf, type Dataset } from '../accuracy/datasets.js';
import type { SetSims, SimRow } from './fit.js';

/** Public rows scored per set (a seeded sample; the fit is cheap, embedding is not). */
export const ROWS_PER_SET = 1500;
/** Joined pairs of different classes per set (the tag fit's rows). */
const PAIRS_PER_SET = 300;

async function embedAll(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 256) out.push(...(await embedder.embed(texts.slice(i, i + 256))).map((e) => e.vector));
  return out;
}

/** Similarities of a set's public rows (names and, where present, descriptions) and of joined public pairs. */
export async function setSims(embedder: Embedder, set: Dataset, rowsPerSet = ROWS_PER_SET): Promise<SetSims> {
  const publicRows = splitOf(set, 'public').test;
  const rows = shuffle(publicRows, 5).slice(0, rowsPerSet);
  // Two texts of different classes joined, as the tag check in bench/accuracy/run-model.ts builds them.
  const items = shuffle(publicRows, 21).slice(0, 2 * PAIRS_PER_SET);
  const pairs: { text: string; gold: string[] }[] = [];
  for (let i = 0; i + 1 < items.length && pairs.length < PAIRS_PER_SET; i += 2) {
    if (items[i].label !== items[i + 1].label) pairs.push({ text: `${items[i].text} ${items[i + 1].text}`, gold: [items[i].label, items[i + 1].label] });
  }
  const builder = new PrototypeBuilder(embedder, { maxSentences: 10_000, maxConfigs: 10 });
  const base = { labels: set.labels, examples: {}, text_type: set.textType };
  const names = await builder.build({ ...base, descriptions: {} });
  const described = Object.keys(set.descriptions).length ? await builder.build({ ...base, descriptions: set.descriptions }) : undefined;
  const index = new Map(set.labels.map((l, i) => [l, i]));
  const rowVecs = await embedAll(embedder, rows.map((r) => r.text));
  const pairVecs = await embedAll(embedder, pairs.map((p) => p.text));
  const scored = (prototypes: typeof names): SimRow[] => rows.map((r, i) => ({ sims: similarities(rowVecs[i], prototypes), gold: [index.get(r.label)!] }));
  return {
    name: set.name,
    rows: scored(names),
    ...(described ? { described: scored(described) } : {}),
    pairs: pairs.map((p, i) => ({ sims: similarities(pairVecs[i], names), gold: p.gold.map((g) => index.get(g)!) })),
  };
}
