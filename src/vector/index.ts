/**
 * Dense-vector math over Float32Array, written once for every layer (model windows, pool
 * workers, prototypes, the few-shot head). A leaf: imports nothing of labelwise.
 */

/** Guards the division of a zero vector: it stays zero instead of becoming NaN. */
const MIN_NORM = 1e-12;

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** A unit-length copy of `v` (L2); a zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  const out = Float32Array.from(v);
  normalizeRows(out, out.length);
  return out;
}

/** L2-normalizes, in place, each `dim`-long row of a row-major matrix. */
export function normalizeRows(matrix: Float32Array, dim: number): void {
  for (let start = 0; start < matrix.length; start += dim) {
    let sum = 0;
    for (let d = start; d < start + dim; d++) sum += matrix[d] * matrix[d];
    const scale = 1 / Math.max(Math.sqrt(sum), MIN_NORM);
    for (let d = start; d < start + dim; d++) matrix[d] *= scale;
  }
}

/** Weighted sum of vectors, normalized (a direction, so only the weights' ratios matter). */
export function blend(parts: readonly { vector: Float32Array; weight: number }[]): Float32Array {
  const out = new Float32Array(parts[0].vector.length);
  for (const { vector, weight } of parts) for (let i = 0; i < out.length; i++) out[i] += vector[i] * weight;
  normalizeRows(out, out.length);
  return out;
}

/** The normalized mean direction of `vectors`. */
export function mean(vectors: readonly Float32Array[]): Float32Array {
  return blend(vectors.map((vector) => ({ vector, weight: 1 / vectors.length })));
}

/** Row-major concatenation of equal-length vectors (to send them to a worker as one buffer). */
export function flatten(vectors: readonly Float32Array[], dim: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}

/** The `dim`-long rows of a row-major matrix, as views (no copy). */
export function rows(matrix: Float32Array, dim: number): Float32Array[] {
  return Array.from({ length: matrix.length / dim }, (_, i) => matrix.subarray(i * dim, (i + 1) * dim));
}
