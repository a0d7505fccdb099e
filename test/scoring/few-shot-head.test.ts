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

describe('FewShotHead', () => {
  const truth = [seededUnit(DIM, 1), seededUnit(DIM, 2), seededUnit(DIM, 3)];

  it('leans on the examples when they are crisp and the names are uninformative', () => {
    const names = [seededUnit(DIM, 50), seededUnit(DIM, 51), seededUnit(DIM, 52)];
    const examples = truth.flatMap((c, label) => Array.from({ length: 8 }, (_, k) => ({ vector: around(c, 0.3, 100 + label * 10 + k), label })));
    const head = new FewShotHead(names, fitFewShotHead(names, examples));
    expect(head.fusion).toBeGreaterThan(0.5);
    truth.forEach((c, label) => expect(argmax(head.scores(around(c, 0.3, 999 + label)))).toBe(label));
  });

  it('leans on the names when the examples are noise', () => {
    const names = truth;
    const examples = [0, 1, 2].flatMap((label) => Array.from({ length: 8 }, (_, k) => ({ vector: seededUnit(DIM, 300 + label * 10 + k), label })));
    const head = new FewShotHead(names, fitFewShotHead(names, examples));
    expect(head.fusion).toBeLessThan(0.5);
    truth.forEach((c, label) => expect(argmax(head.scores(around(c, 0.2, 777 + label)))).toBe(label));
  });

  it('fits a positive softmax temperature from the examples', () => {
    const examples = truth.flatMap((c, label) => Array.from({ length: 4 }, (_, k) => ({ vector: around(c, 0.5, 500 + label * 10 + k), label })));
    const head = new FewShotHead(truth, fitFewShotHead(truth, examples));
    expect(head.temperature).toBeGreaterThan(0);
  });
});

function argmax(v: number[]): number {
  return v.indexOf(Math.max(...v));
}
