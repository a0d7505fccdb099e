import { describe, expect, it } from 'vitest';
import { blend, dot, flatten, mean, normalize, normalizeRows, rows } from '../../src/vector/index.js';

const f = (...xs: number[]) => Float32Array.from(xs);

describe('vector math', () => {
  it('dot multiplies element-wise and sums', () => {
    expect(dot(f(1, 2, 3), f(4, -5, 6))).toBe(12);
  });

  it('normalize returns a unit-length copy and keeps a zero vector zero (no NaN)', () => {
    const v = f(3, 4);
    expect(Array.from(normalize(v))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(v)).toEqual([3, 4]);
    expect(Array.from(normalize(f(0, 0)))).toEqual([0, 0]);
  });

  it('normalizeRows scales each row of a row-major matrix on its own, in place', () => {
    const m = f(3, 4, 0, 0, 0, 2);
    normalizeRows(m, 2);
    expect(Array.from(m)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, 0, 1]);
  });

  it('blend weighs, sums and normalizes; mean is the equal-weight blend', () => {
    const b = blend([
      { vector: f(1, 0), weight: 3 },
      { vector: f(0, 1), weight: 4 },
    ]);
    expect(Array.from(b)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    const m = mean([f(1, 0), f(0, 1)]);
    expect(m[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(m[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('flatten and rows are inverse', () => {
    const vs = [f(1, 2), f(3, 4), f(5, 6)];
    const flat = flatten(vs, 2);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows(flat, 2).map((r) => Array.from(r))).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});
