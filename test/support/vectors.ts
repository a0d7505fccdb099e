/** A deterministic pseudo-random unit vector (mulberry32), for synthetic scoring tests. */
export function seededUnit(dim: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const v = Float32Array.from({ length: dim }, next);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
