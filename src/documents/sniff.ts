/**
 * Content sniffing (spec §8): what a file or image is, decided by its bytes, never by a name or
 * a declared MIME type; and the pixel size an image header declares, so an image that would
 * decode to an enormous bitmap is refused before decoding.
 */

export type FileKind = 'pdf' | 'zip' | 'ole' | 'unknown';
export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp';

/**
 * `pdf` (`%PDF-` within the first 1 KB, as readers allow leading junk), `zip` (`PK\x03\x04`,
 * DOCX is checked further by `inspectDocx`), `ole` (a Compound File: legacy `.doc`, or a
 * password-protected DOCX, which Office stores encrypted inside such a container).
 */
export function sniffFile(bytes: Buffer): FileKind {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return 'zip';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) return 'ole';
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  return 'unknown';
}

/** The image format by magic bytes, or undefined. */
export function sniffImage(bytes: Buffer): ImageKind | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const head6 = bytes.subarray(0, 6).toString('latin1');
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return 'gif';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** Pixel size declared by the image header, or undefined when it cannot be read. */
export function imageSize(bytes: Buffer, kind: ImageKind): { width: number; height: number } | undefined {
  try {
    switch (kind) {
      case 'png':
        return bytes.toString('latin1', 12, 16) === 'IHDR' ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
      case 'gif':
        return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
      case 'webp':
        return webpSize(bytes);
      case 'jpeg':
        return jpegSize(bytes);
    }
  } catch {
    return undefined; // truncated header: the decoder reports it
  }
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}
