/** Small dense-vector helpers over Float32Array (unit vectors unless stated). */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale;
  return out;
}

/** Weighted sum of vectors, normalized. */
export function blend(parts: { vector: Float32Array; weight: number }[]): Float32Array {
  const out = new Float32Array(parts[0].vector.length);
  for (const { vector, weight } of parts) for (let i = 0; i < out.length; i++) out[i] += vector[i] * weight;
  return normalize(out);
}

export function mean(vectors: Float32Array[]): Float32Array {
  return blend(vectors.map((vector) => ({ vector, weight: 1 / vectors.length })));
}

/** Rounds a confidence to the 4 decimals of the wire format, clamped to [0, 1]. */
export function round4(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 10_000) / 10_000;
}
