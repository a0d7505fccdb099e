import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, inverseDiagonal } from '../../src/scoring/linalg.js';
import { seededUnit } from '../support/vectors.js';

/** A ridge Gram matrix K + λI of n seeded vectors (symmetric positive definite). */
function gram(n: number, dim: number, lambda: number): Float64Array {
  const x = Array.from({ length: n }, (_, i) => seededUnit(dim, 10 + i));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[i].reduce((s, v, k) => s + v * x[j][k], 0) + (i === j ? lambda : 0);
  return a;
}

describe('linalg', () => {
  it('inverseDiagonal is the diagonal of the full inverse (it used to sum the wrong index: diag of L⁻¹L⁻ᵀ)', () => {
    const n = 9;
    const a = gram(n, 4, 0.1);
    const l = cholesky(a, n);
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const inverse = choleskySolve(l, n, identity, n);
    const diag = inverseDiagonal(l, n);
    for (let i = 0; i < n; i++) expect(diag[i]).toBeCloseTo(inverse[i * n + i], 9);
  });

  it('gives exact leave-one-out ridge predictions: y_i − α_i / [(K + λI)⁻¹]_ii equals a refit without point i', () => {
    const n = 7;
    const lambda = 0.1;
    const a = gram(n, 3, lambda);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1));
    const l = cholesky(a, n);
    const alpha = choleskySolve(l, n, y, 1);
    const diag = inverseDiagonal(l, n);
    for (let out = 0; out < n; out++) {
      const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i !== out);
      const m = keep.length;
      const sub = new Float64Array(m * m);
      keep.forEach((i, r) => keep.forEach((j, c) => (sub[r * m + c] = a[i * n + j])));
      const beta = choleskySolve(cholesky(sub, m), m, Float64Array.from(keep, (i) => y[i]), 1);
      // Prediction for the left-out point: its kernel row (without the ridge term) times β.
      const refit = keep.reduce((s, j, c) => s + a[out * n + j] * beta[c], 0);
      expect(y[out] - alpha[out] / diag[out]).toBeCloseTo(refit, 9);
    }
  });
});
