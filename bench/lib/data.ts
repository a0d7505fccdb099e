import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Project root (bench/lib → ../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Same folder the accuracy harness reads (LABELWISE_DATA_DIR overrides it there too).
const AGNEWS = process.env.LABELWISE_DATA_DIR
  ? `${process.env.LABELWISE_DATA_DIR}/agnews_test.jsonl`
  : fileURLToPath(new URL('../../../shared/data/agnews_test.jsonl', import.meta.url));

export interface TextSet {
  texts: string[];
  source: string;
}

/**
 * `n` texts of ~30–40 words: AG News test rows when the shared data is present (evaluation
 * data beside the project, never copied into it), otherwise deterministic generated sentences.
 */
export function loadTexts(n: number): TextSet {
  if (existsSync(AGNEWS)) {
    const rows = readFileSync(AGNEWS, 'utf8').split('\n').filter(Boolean);
    const texts = rows.slice(0, n).map((l) => (JSON.parse(l) as { text: string }).text);
    // Repeat only if the file is shorter than asked (it has 1,900 rows).
    while (texts.length < n) texts.push(texts[texts.length % rows.length]);
    return { texts, source: `../shared/data/agnews_test.jsonl (first ${n} rows)` };
  }
  return { texts: generated(n, 30), source: `generated (${n} deterministic ~30-word sentences; agnews absent)` };
}

const WORDS = (
  'the market company government team players season report research new study city officials said on ' +
  'monday tuesday growth prices shares quarter profit election minister talks security network software ' +
  'users launch space mission scientists climate energy oil bank rates league coach match final win ' +
  'record health hospital patients school students police court law internet mobile phone service'
).split(' ');

/** Deterministic pseudo-random sentences (LCG) of `words` words, lazily, one seed one sequence. */
export function* sentences(n: number, words: number, seed = 42): Generator<string> {
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % WORDS.length;
  for (let i = 0; i < n; i++) {
    const w = Array.from({ length: words }, () => WORDS[next()]);
    yield `${w[0][0].toUpperCase()}${w.join(' ').slice(1)}.`;
  }
}

/** Deterministic pseudo-random sentences (LCG) of `words` words. */
export function generated(n: number, words: number): string[] {
  return [...sentences(n, words)];
}

/** 10 generic topic labels. */
export const LABELS_10 = [
  'World', 'Sports', 'Business', 'Science and technology', 'Politics',
  'Health', 'Entertainment', 'Travel', 'Education', 'Weather',
];

const DOMAINS = [
  'banking', 'insurance', 'travel', 'football', 'tennis', 'elections', 'climate', 'software', 'hardware', 'space',
  'medicine', 'nutrition', 'movies', 'music', 'real estate', 'retail', 'automotive', 'energy', 'agriculture', 'education',
];
const FACETS = ['news', 'pricing', 'complaints', 'regulation', 'research', 'careers', 'reviews', 'events', 'security', 'outlook'];

/** 200 distinct, plausible label names: every domain × facet ("banking pricing", "space research" …). */
export function labels200(): string[] {
  return DOMAINS.flatMap((d) => FACETS.map((f) => `${d} ${f}`));
}

/** A short support-style text for single-request latency. */
export const SHORT_TEXT = 'My card was charged twice for the same order, please refund one of the payments.';
