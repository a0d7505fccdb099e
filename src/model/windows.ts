import { blend } from '../vector/index.js';

/**
 * Splits a token sequence longer than `size` into windows of `size` tokens that overlap by
 * `overlap`, so every token is embedded at least once and none loses all of its context.
 * The last window ends at the last token (it may overlap its predecessor by more).
 */
export function splitWindows(ids: number[], size: number, overlap: number): number[][] {
  if (ids.length <= size) return [ids];
  const stride = Math.max(1, size - overlap);
  const windows: number[][] = [];
  for (let start = 0; ; start += stride) {
    if (start + size >= ids.length) {
      windows.push(ids.slice(Math.max(0, ids.length - size)));
      return windows;
    }
    windows.push(ids.slice(start, start + size));
  }
}

/**
 * Combines window vectors into one text vector: the mean weighted by window length (so a
 * short tail window does not count as much as a full one), then L2-normalized.
 */
export function aggregateWindows(vectors: Float32Array[], lengths: number[]): Float32Array {
  if (vectors.length === 1) return vectors[0];
  return blend(vectors.map((vector, i) => ({ vector, weight: lengths[i] })));
}
