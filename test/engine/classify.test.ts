import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, LabelwiseError } from '../../src/index.js';

const TOPICS = ['sports', 'politics', 'technology', 'cooking', 'finance'];

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ pool: { workers: 2 } });
});
afterAll(async () => {
  await engine.close();
});

describe('classify', () => {
  it('picks the label that matches the text', async () => {
    const cases: [string, string][] = [
      ['The striker scored twice and the team won the cup final.', 'sports'],
      ['Parliament voted on the new election law after a long debate.', 'politics'],
      ['The new smartphone chip doubles battery life and speeds up apps.', 'technology'],
      ['Whisk the eggs with sugar, fold in flour and bake for twenty minutes.', 'cooking'],
      ['The central bank raised interest rates and bond yields climbed.', 'finance'],
    ];
    for (const [text, expected] of cases) {
      const res = await engine.classify({ text, labels: TOPICS });
      expect(res.label, text).toBe(expected);
    }
  });

  it('returns the response shape of spec §3 with 4-decimal confidence', async () => {
    const res = await engine.classify({ text: 'Rain is expected tomorrow afternoon.', labels: ['weather', 'sports'] });
    expect(Object.keys(res).sort()).toEqual(['cached', 'confidence', 'label', 'latency_ms', 'tokens']);
    expect(res.confidence).toBeGreaterThanOrEqual(0);
    expect(res.confidence).toBeLessThanOrEqual(1);
    expect(Math.round(res.confidence * 10_000) / 10_000).toBe(res.confidence);
    expect(Number.isInteger(res.latency_ms)).toBe(true);
  });

  it('gives the same label and confidence whatever the label order', async () => {
    const text = 'Shares of the chipmaker jumped after strong quarterly earnings.';
    const a = await engine.classify({ text, labels: TOPICS, cache: false });
    const b = await engine.classify({ text, labels: [...TOPICS].reverse(), cache: false });
    const c = await engine.classify({ text, labels: [TOPICS[2], TOPICS[0], TOPICS[4], TOPICS[1], TOPICS[3]], cache: false });
    expect(b.label).toBe(a.label);
    expect(c.label).toBe(a.label);
    expect(b.confidence).toBeCloseTo(a.confidence, 4);
    expect(c.confidence).toBeCloseTo(a.confidence, 4);
  });

  it('in detection mode (one label) scores unrelated text low and related text high', async () => {
    const related = await engine.classify({ text: 'Preheat the oven and bake the bread for forty minutes.', labels: ['cooking'] });
    const unrelated = await engine.classify({ text: 'The senator resigned after the corruption scandal.', labels: ['cooking'] });
    expect(related.label).toBe('cooking');
    expect(unrelated.confidence).toBeLessThan(0.5);
    expect(related.confidence).toBeGreaterThan(unrelated.confidence + 0.3);
  });

  it('uses examples (few-shot) to separate labels the names alone cannot', async () => {
    const labels = ['alpha', 'beta'];
    const examples = {
      alpha: ['My parcel has not arrived yet', 'Where is my delivery?', 'The package is late'],
      beta: ['I was charged twice', 'Refund my payment please', 'Wrong amount on my card statement'],
    };
    const shipping = await engine.classify({ text: 'My order still has not been delivered', labels, examples });
    const billing = await engine.classify({ text: 'There is a duplicate charge on my credit card', labels, examples });
    expect(shipping.label).toBe('alpha');
    expect(billing.label).toBe('beta');
  });

  it('handles non-ASCII and punctuation-only text without failing', async () => {
    for (const text of ['¿Dónde está la estación de tren?', '東京の天気は晴れです', '?!…', '🙂🙂🙂']) {
      const res = await engine.classify({ text, labels: TOPICS });
      expect(TOPICS).toContain(res.label);
    }
  });

  it('answers 100 concurrent calls, each correctly', async () => {
    const sports = 'The goalkeeper saved a penalty in the last minute of the match.';
    const cooking = 'Simmer the tomato sauce with garlic and basil for an hour.';
    const calls = Array.from({ length: 100 }, (_, i) =>
      engine.classify({ text: `${i % 2 ? sports : cooking} (${i})`, labels: TOPICS, priority: i % 3 === 0 ? 'fast' : 'standard' }),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => expect(r.label, `call ${i}`).toBe(i % 2 ? 'sports' : 'cooking'));
  });

  it('gives the same answer for priority fast and standard', async () => {
    const text = 'The court ruled the new tax unconstitutional.';
    const fast = await engine.classify({ text, labels: TOPICS, priority: 'fast', cache: false });
    const standard = await engine.classify({ text, labels: TOPICS, priority: 'standard', cache: false });
    expect(fast.label).toBe(standard.label);
    expect(fast.confidence).toBeCloseTo(standard.confidence, 3);
  });
});

describe('validation through the engine', () => {
  const invalid: [string, object, string][] = [
    ['no labels', { text: 'x', labels: [] }, 'labels'],
    ['201 labels', { text: 'x', labels: Array.from({ length: 201 }, (_, i) => `l${i}`) }, 'labels'],
    ['duplicate labels', { text: 'x', labels: ['a', ' a '] }, 'labels'],
    ['an over-long label', { text: 'x', labels: ['a', 'b'.repeat(101)] }, 'labels.1'],
    ['empty text', { text: '   ', labels: ['a', 'b'] }, 'text'],
    ['labels and classifier', { text: 'x', labels: ['a'], classifier: 'c' }, 'classifier'],
  ];
  for (const [name, request, field] of invalid) {
    it(`rejects ${name} with VALIDATION_ERROR on ${field}`, async () => {
      const err = await engine.classify(request as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabelwiseError);
      expect((err as LabelwiseError).code).toBe('VALIDATION_ERROR');
      expect((err as LabelwiseError).status).toBe(422);
      expect((err as LabelwiseError).details?.field).toBe(field);
    });
  }

  it('accepts exactly 200 labels', async () => {
    const labels = Array.from({ length: 200 }, (_, i) => `topic number ${i}`);
    const res = await engine.classify({ text: 'topic number 17', labels });
    expect(labels).toContain(res.label);
  });

  it('refuses an unknown saved classifier with CLASSIFIER_NOT_FOUND', async () => {
    const err = await engine.classify({ text: 'x', classifier: 'nope' }).catch((e: unknown) => e);
    expect((err as LabelwiseError).code).toBe('CLASSIFIER_NOT_FOUND');
    expect((err as LabelwiseError).status).toBe(404);
  });
});
