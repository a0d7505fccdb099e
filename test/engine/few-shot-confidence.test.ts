import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

// Few-shot confidence must say something (issue #8, defect 4): it was 0.7914 for every text with
// two labels × 3 examples and 1.0 with one example per label, because the head z-scored each
// text's scores (two values always standardise to ±1). Real model, real worker pool.

const TOPICS: Record<string, { examples: string[]; probes: string[] }> = {
  sports: {
    examples: ['The striker scored twice in the cup final', 'The team won the championship after extra time', 'She broke the world record in the 100 metres', 'The coach was fired after five straight defeats'],
    probes: ['The goalkeeper saved a penalty in the last minute', 'Tennis star withdraws from the tournament with an injury'],
  },
  politics: {
    examples: ['Parliament passed the budget after a long debate', 'The senator announced a run for president', 'Voters head to the polls in the general election', 'The minister resigned over the corruption scandal'],
    probes: ['The prime minister met opposition leaders to discuss the new law', 'A coalition government was formed after weeks of talks'],
  },
  cooking: {
    examples: ['Whisk the eggs and sugar until pale and fluffy', 'Simmer the sauce for twenty minutes, stirring often', 'Roast the chicken at 200 degrees for an hour', 'Add a pinch of salt and fresh basil before serving'],
    probes: ['Knead the dough and let it rise for two hours', 'Fry the onions in butter until golden'],
  },
  finance: {
    examples: ['Shares fell three percent after the earnings report', 'The central bank raised interest rates again', 'Investors fled to bonds as markets tumbled', 'The company reported record quarterly profits'],
    probes: ['Stock markets rallied on hopes of lower inflation', 'The bank cut its forecast for economic growth'],
  },
  travel: {
    examples: ['Our flight to Lisbon was delayed by three hours', 'The hotel had a beautiful view of the old harbour', 'Backpacking across Vietnam on a tight budget', 'Pack light and book trains well in advance'],
    probes: ['We spent a week exploring the islands by ferry', 'The airport lounge was crowded before our long-haul flight'],
  },
};
const GIBBERISH = ['asdf qwer', 'zxcv bnm lkj', 'qqq www eee rrr'];

function config(labels: string[], k: number) {
  return { labels, examples: Object.fromEntries(labels.map((l) => [l, TOPICS[l].examples.slice(0, k)])) };
}

describe('few-shot confidence', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ recordUsage: false, cache: false });
  });
  afterAll(() => engine.close());

  async function confidences(labels: string[], k: number, texts: string[]) {
    const res = await engine.classifyBatch({ ...config(labels, k), texts });
    return res.results.map((r) => ('confidence' in r ? { label: r.label, confidence: r.confidence } : { label: '', confidence: NaN }));
  }

  for (const [labels, k] of [
    [['sports', 'politics'], 3],
    [['sports', 'politics'], 1],
    [['sports', 'politics', 'cooking'], 1],
    [['sports', 'politics', 'cooking', 'finance', 'travel'], 1],
    [['sports', 'politics', 'cooking', 'finance', 'travel'], 4],
  ] as const) {
    it(`${labels.length} labels × ${k} example(s): confidence varies with the text, on-topic texts are right, gibberish is low`, async () => {
      const probes = labels.flatMap((l) => TOPICS[l].probes);
      const onTopic = await confidences([...labels], k, probes);
      const gibberish = await confidences([...labels], k, GIBBERISH);
      probes.forEach((_, i) => expect(onTopic[i].label).toBe(labels[Math.floor(i / 2)]));
      const all = [...onTopic, ...gibberish].map((r) => r.confidence);
      // Not one constant, not pinned at 1.
      expect(new Set(all).size).toBeGreaterThan(all.length / 2);
      expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(0.05);
      for (const c of all) expect(c).toBeLessThan(1);
      // Unrelated text: below every on-topic text's confidence, and near chance for two labels.
      const lowestOnTopic = Math.min(...onTopic.map((r) => r.confidence));
      for (const g of gibberish) expect(g.confidence).toBeLessThan(lowestOnTopic);
      // The case: "asdf qwer" near a coin flip with two labels (measured 0.587; other junk
      // strings reach 0.85 through the model's zero-shot name similarity, still below every real text).
      if (labels.length === 2) expect(gibberish[0].confidence).toBeLessThan(0.65);
    });
  }

  it('duplicated examples do not change the answer (classify and tag)', async () => {
    const labels = ['sports', 'politics', 'cooking'];
    const texts = [...TOPICS.sports.probes, ...TOPICS.cooking.probes, 'asdf qwer', 'The referee stopped the match to talk to the mayor'];
    const once = Object.fromEntries(labels.map((l) => [l, TOPICS[l].examples.slice(0, 2)]));
    // One label's examples repeated five times over: it must not gain weight.
    const repeated = { ...once, sports: Array.from({ length: 5 }, () => once.sports).flat() };
    // Answers only: tokens do count every example sent (spec §9).
    const answers = async (examples: Record<string, string[]>) => [
      ...(await engine.classifyBatch({ labels, examples, texts })).results.map((r) => ('label' in r ? [r.label, r.confidence] : r)),
      ...(await engine.tagBatch({ labels, examples, texts, threshold: 0 })).results.map((r) => ('labels' in r ? r.labels : r)),
    ];
    expect(await answers(repeated)).toEqual(await answers(once));
  });

  it('many labels (77) with one example each: answers stay within (1/labels, 1) and vary', async () => {
    const topics = Object.keys(TOPICS);
    const labels = Array.from({ length: 77 }, (_, i) => `${topics[i % 5]} ${i}`);
    const examples = Object.fromEntries(labels.map((l, i) => [l, [TOPICS[topics[i % 5]].examples[i % 4] + ` (case ${i})`]]));
    const texts = [...Object.values(TOPICS).flatMap((t) => t.probes), ...GIBBERISH];
    const res = await engine.classifyBatch({ labels, examples, texts });
    const all = res.results.map((r) => ('confidence' in r ? r.confidence : NaN));
    for (const c of all) {
      expect(c).toBeGreaterThanOrEqual(1 / 77);
      expect(c).toBeLessThan(1);
    }
    expect(new Set(all).size).toBeGreaterThan(all.length / 2);
  });
});
