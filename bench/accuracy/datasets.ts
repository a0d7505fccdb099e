import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The public labeled sets beside the project (`../shared/data`). They are read in place, never
 * copied into the project. Descriptions are written once here and never tuned per run.
 */
export const DATA_DIR = process.env.LABELWISE_DATA_DIR ?? join(process.cwd(), '..', 'shared', 'data');

export interface Example {
  text: string;
  label: string;
}

export interface Dataset {
  name: string;
  labels: string[];
  /** Rows scored for the reported numbers, never used to choose anything. */
  heldout: Example[];
  /** The only rows any mechanism or constant is chosen on. */
  public: Example[];
  /** The train split less the held-out rows, where there is one (few-shot examples come from it). */
  train?: Example[];
  descriptions: Record<string, string>;
  textType?: string;
}

/** Which rows a run scores: `heldout` for reported numbers, `public` for choosing constants. */
export type Split = 'heldout' | 'public';

/**
 * The rows scored and the pool few-shot examples are drawn from. Held-out rows draw examples
 * from the train split, or (AG News, SST-2: none) from the public half; public runs without a
 * train split score one seeded half of the public rows and draw examples from the other half.
 */
export function splitOf(set: Dataset, split: Split): { test: Example[]; pool: Example[] } {
  if (split === 'heldout') return { test: set.heldout, pool: set.train ?? set.public };
  if (set.train) return { test: set.public, pool: set.train };
  const mixed = shuffle(set.public, 3);
  return { test: mixed.slice(mixed.length >> 1), pool: mixed.slice(0, mixed.length >> 1) };
}

const DESCRIPTIONS: Record<string, Record<string, string>> = {
  agnews: {
    World: 'International news about countries, governments, wars, diplomacy and world events.',
    Sports: 'News about sports, games, athletes, teams, matches and tournaments.',
    Business: 'News about companies, markets, the economy, trade, earnings and finance.',
    'Sci/Tech': 'News about science, technology, computers, software, the internet and space.',
  },
  sst2: {
    negative: 'The reviewer dislikes the movie; criticism, disappointment, boredom.',
    positive: 'The reviewer likes the movie; praise, enjoyment, admiration.',
  },
  emotion: {
    sadness: 'Feeling sad, unhappy, lonely, hurt, miserable or depressed.',
    joy: 'Feeling happy, glad, cheerful, delighted, pleased or content.',
    love: 'Feeling love, affection, tenderness, caring or romantic warmth.',
    anger: 'Feeling angry, annoyed, irritated, furious, bitter or resentful.',
    fear: 'Feeling afraid, scared, anxious, nervous, worried or terrified.',
    surprise: 'Feeling surprised, amazed, astonished, shocked or curious.',
  },
};

const TEXT_TYPES: Record<string, string> = { agnews: 'news article', sst2: 'movie review', emotion: 'message', banking77: 'customer support message' };

function readJsonl(file: string): Example[] {
  return readFileSync(join(DATA_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Example);
}

/** Deterministic PRNG (mulberry32) so samples are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], seed: number): T[] {
  const rand = seeded(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Loads every set; `undefined` when the data folder is absent. */
export function loadDatasets(): Dataset[] | undefined {
  if (!existsSync(join(DATA_DIR, 'datasets.json'))) return undefined;
  const meta = JSON.parse(readFileSync(join(DATA_DIR, 'datasets.json'), 'utf8')) as Record<string, { labels: string[] }>;
  const sets: Dataset[] = [];
  for (const [name, testFile, trainFile] of [
    ['agnews', 'agnews_test.jsonl', undefined],
    ['banking77', 'banking77_test.jsonl', 'banking77_train.jsonl'],
    ['sst2', 'sst2_dev.jsonl', undefined],
    ['emotion', 'emotion_test.jsonl', 'emotion_train.jsonl'],
  ] as const) {
    // Held-out rows are rows no earlier run here ever scored (so nothing was tuned on them): the
    // half of AG News / SST-2 that used to serve only as the example pool, and for Banking77 /
    // Emotion as many train rows as the test file has (left out of the example pool). The rows
    // earlier runs scored are the public rows.
    const test = readJsonl(testFile);
    let heldout: Example[];
    let publicRows: Example[];
    let train: Example[] | undefined;
    if (trainFile) {
      const mixed = shuffle(readJsonl(trainFile), 7);
      heldout = mixed.slice(0, test.length);
      train = mixed.slice(test.length);
      publicRows = test;
    } else {
      const mixed = shuffle(test, 7);
      heldout = mixed.slice(0, mixed.length >> 1);
      publicRows = mixed.slice(mixed.length >> 1);
    }
    sets.push({ name, labels: meta[name].labels, heldout, public: publicRows, train, descriptions: DESCRIPTIONS[name] ?? {}, textType: TEXT_TYPES[name] });
  }
  return sets;
}

/** k examples per label from the pool, seeded. */
export function sampleExamples(pool: Example[], k: number, seed = 13): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ex of shuffle(pool, seed)) {
    const list = (out[ex.label] ??= []);
    if (list.length < k) list.push(ex.text);
  }
  return out;
}
