import { describe, expect, it } from 'vitest';
import { FewShotHead, fitFewShotHead } from '../../src/scoring/few-shot-head.js';
import { seededUnit } from '../support/vectors.js';

// Synthetic geometry makes the head's choices checkable: names and examples are built so that
// one of them carries the signal and the other is noise.
const DIM = 32;

function around(center: Float32Array, noise: number, seed: number): Float32Array {
  const n = seededUnit(DIM, seed);
  const v = center.map((c, i) => c + noise * n[i]);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

describe('FewShotHead', () => {
  const truth = [seededUnit(DIM, 1), seededUnit(DIM, 2), seededUnit(DIM, 3)];

  it('leans on the examples when they are crisp and the names are uninformative', () => {
    const names = [seededUnit(DIM, 50), seededUnit(DIM, 51), seededUnit(DIM, 52)];
    const examples = truth.flatMap((c, label) => Array.from({ length: 8 }, (_, k) => ({ vector: around(c, 0.3, 100 + label * 10 + k), label })));
    const head = new FewShotHead(names, fitFewShotHead(names, examples));
    expect(head.theta[1] + head.theta[2]).toBeGreaterThan(0);
    truth.forEach((c, label) => expect(argmax(head.logits(around(c, 0.3, 999 + label)))).toBe(label));
  });

  it('leans on the names when the examples are noise', () => {
    const names = truth;
    const examples = [0, 1, 2].flatMap((label) => Array.from({ length: 8 }, (_, k) => ({ vector: seededUnit(DIM, 300 + label * 10 + k), label })));
    const head = new FewShotHead(names, fitFewShotHead(names, examples));
    truth.forEach((c, label) => expect(argmax(head.logits(around(c, 0.2, 777 + label)))).toBe(label));
  });

  it('two labels with one example each: confidence varies with the text and is not pinned to 1 (was ±1 after z-scoring two scores)', () => {
    const names = [truth[0], truth[1]];
    const examples = [0, 1].map((label) => ({ vector: around(truth[label], 0.3, 40 + label), label }));
    // T₀ suited to this synthetic geometry (cosines here span far more than a real model's).
    const head = new FewShotHead(names, fitFewShotHead(names, examples, { zeroShotTemperature: 0.5 }));
    const confidences = Array.from({ length: 12 }, (_, i) => Math.max(...softmax(head.logits(around(truth[i % 2], 0.2 + 0.2 * i, 600 + i)))));
    expect(new Set(confidences.map((c) => c.toFixed(3))).size).toBeGreaterThan(6);
    for (const c of confidences) expect(c).toBeLessThan(0.99999);
    // A text unrelated to either label is close to a coin flip.
    const unrelated = Math.max(...softmax(head.logits(seededUnit(DIM, 4242))));
    expect(unrelated).toBeLessThan(Math.max(...confidences));
  });

  it('with no information in the examples, the fit stays at the zero-shot prior (1/T₀ on the names)', () => {
    const names = truth;
    const examples = [0, 1, 2].map((label) => ({ vector: names[label], label }));
    const head = new FewShotHead(names, fitFewShotHead(names, examples, { zeroShotTemperature: 0.05, priorStrength: 1e6 }));
    expect(head.theta[0]).toBeCloseTo(20, 3);
    expect(head.theta[1]).toBeCloseTo(0, 3);
    expect(head.theta[2]).toBeCloseTo(0, 3);
  });
});

function argmax(v: number[]): number {
  return v.indexOf(Math.max(...v));
}
