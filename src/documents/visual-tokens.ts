/**
 * Visual tokens (spec §8): what a rendered page or an image adds to `tokens`.
 */

/** Side of one visual patch, px. */
export const VISUAL_PATCH_PX = 32;
/** Most tokens one page or image counts (the patches of a 2048 × 2048 image). */
export const VISUAL_MAX_TOKENS_PER_IMAGE = 4096;

/**
 * Visual tokens of one rendered PDF page or one image, from its pixel size AFTER downscaling
 * (images over 4 MP are downscaled to ≤ 4 MP; PDF pages are rendered at ≤ 1.5 MP):
 *
 * `tokens(w, h) = min(4096, ceil(w / 32) × ceil(h / 32))`
 *
 * One token per started 32 × 32 patch, the way patch-based vision encoders count, capped at
 * 4,096 per page/image (a 2048 × 2048 image) so an extremely elongated image cannot cost more
 * than a square one. It depends only on the two integers, so it is deterministic across runs,
 * machines and library versions. Examples: 100 × 100 → 16; 1000 × 1000 → 1,024;
 * a US-Letter or A4 PDF page (1076 × 1393 / 1029 × 1456 px) → 1,496 / 1,518; 2000 × 2000 → 3,969.
 * A DOCX is not rendered and costs 0 visual tokens.
 */
export function visualTokens(width: number, height: number): number {
  if (!(width >= 1 && height >= 1)) return 0;
  return Math.min(VISUAL_MAX_TOKENS_PER_IMAGE, Math.ceil(width / VISUAL_PATCH_PX) * Math.ceil(height / VISUAL_PATCH_PX));
}

/**
 * Largest size of the same aspect ratio with at most `maxPixels` pixels (never upscales):
 * `scale = sqrt(maxPixels / (w × h))`, each side floored (after a 1e-6 nudge so 2100 × 2100
 * → 2000 × 2000 despite floating point), at least 1 px.
 */
export function fitPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  if (width * height <= maxPixels) return { width, height };
  const scale = Math.sqrt(maxPixels / (width * height));
  const side = (n: number) => Math.max(1, Math.floor(n * scale + 1e-6));
  return { width: side(width), height: side(height) };
}
