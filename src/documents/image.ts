/**
 * `image` inputs (spec §8): PNG, JPEG, WebP or GIF (first frame), recognised by magic bytes and
 * decoded with @napi-rs/canvas (`loadImage` on a Buffer only: given a string it would read files
 * or fetch URLs). Images over {@link MAX_IMAGE_PIXELS} are downscaled (aspect kept) before OCR
 * and before visual tokens are counted; images declaring more than {@link MAX_SOURCE_PIXELS}
 * are refused before decoding (a small file can declare a gigantic bitmap).
 */
import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import { imageTooLarge, imageUnreadable, imageUnsupported } from '../errors.js';
import { imageSize, sniffImage, type ImageKind } from './sniff.js';
import { fitPixels } from './visual-tokens.js';

/** Images above this many pixels are downscaled (spec §8: 4 MP). */
export const MAX_IMAGE_PIXELS = 4_000_000;
/** Images whose header declares more pixels than this are refused undecoded (≈ 200 MB RGBA). */
export const MAX_SOURCE_PIXELS = 50_000_000;

export interface PreparedImage {
  /** Size after downscaling: what visual tokens are counted on. */
  width: number;
  height: number;
  /** PNG of the (downscaled) image flattened on white, for OCR; only when asked for. */
  png?: Buffer;
}

/**
 * The image format by magic bytes, refusing other content and headers that declare more than
 * {@link MAX_SOURCE_PIXELS}: cheap checks run on every image before any expensive work.
 */
export function checkImage(bytes: Buffer, field: string): ImageKind {
  const kind = sniffImage(bytes);
  if (!kind) {
    throw imageUnsupported(field);
  }
  const declared = imageSize(bytes, kind);
  if (declared && declared.width * declared.height > MAX_SOURCE_PIXELS) {
    throw imageTooLarge(field, declared.width, declared.height, MAX_SOURCE_PIXELS);
  }
  return kind;
}

/**
 * Decodes, checks and (if needed) downscales one image.
 *
 * @param field - `image.<i>`, used in errors.
 * @param forOcr - also produce the PNG handed to OCR.
 */
export async function prepareImage(bytes: Buffer, field: string, forOcr: boolean): Promise<PreparedImage> {
  const kind = checkImage(bytes, field);
  let image: Image;
  try {
    image = await loadImage(bytes);
  } catch (err) {
    throw imageUnreadable(field, kind, err);
  }
  if (!(image.width >= 1 && image.height >= 1) || image.width * image.height > MAX_SOURCE_PIXELS) {
    throw imageUnreadable(field, kind);
  }
  const { width, height } = fitPixels(image.width, image.height, MAX_IMAGE_PIXELS);
  if (!forOcr) return { width, height };
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff'; // transparent pixels become white paper, not black
  g.fillRect(0, 0, width, height);
  g.imageSmoothingQuality = 'high';
  g.drawImage(image, 0, 0, width, height);
  return { width, height, png: await canvas.encode('png') };
}
