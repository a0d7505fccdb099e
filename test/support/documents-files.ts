/**
 * Fixture builders of the document tests, all generated at run time: images of rendered words
 * (PNG, JPEG, WebP, GIF through @napi-rs/canvas), a hand-made multi-frame GIF89a, and DOCX
 * files written by a tiny zip writer (store or deflate).
 */
import { deflateRawSync } from 'node:zlib';
import { createCanvas, GifEncoder } from '@napi-rs/canvas';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** Black words on white, large enough for OCR; `width`/`height` fix the pixel size. */
export function textImage(
  lines: string[],
  format: ImageFormat = 'png',
  size: { width?: number; height?: number; fontPx?: number } = {},
): Buffer {
  const fontPx = size.fontPx ?? 40;
  const width = size.width ?? Math.max(...lines.map((l) => l.length)) * fontPx * 0.62 + 2 * fontPx;
  const height = size.height ?? (lines.length + 1) * fontPx * 1.5;
  const canvas = createCanvas(Math.round(width), Math.round(height));
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000000';
  g.font = `${fontPx}px sans-serif`;
  lines.forEach((line, i) => g.fillText(line, fontPx, fontPx * 1.5 * (i + 1)));
  if (format === 'gif') {
    const enc = new GifEncoder(canvas.width, canvas.height);
    const rgba = g.getImageData(0, 0, canvas.width, canvas.height).data;
    enc.addFrame(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), canvas.width, canvas.height);
    // A second, different frame: only the first one must be read.
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#000000';
    g.fillText('second frame', fontPx, fontPx * 1.5);
    const rgba2 = g.getImageData(0, 0, canvas.width, canvas.height).data;
    enc.addFrame(new Uint8Array(rgba2.buffer, rgba2.byteOffset, rgba2.byteLength), canvas.width, canvas.height);
    return Buffer.from(enc.finish());
  }
  if (format === 'png') return canvas.toBuffer('image/png');
  if (format === 'jpeg') return canvas.toBuffer('image/jpeg', 92);
  return canvas.toBuffer('image/webp', 92);
}

/** A solid image of an exact size (for downscaling and token tests). */
export function blankImage(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Buffer {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#f0f0f0';
  g.fillRect(0, 0, width, height);
  return format === 'png' ? canvas.toBuffer('image/png') : canvas.toBuffer('image/jpeg', 80);
}

/** The smallest GIF89a (1×1, one frame), written byte by byte. */
export function tinyGif(): Buffer {
  return Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `files` (deflate by default, or stored). */
export function buildZip(files: Record<string, string | Buffer>, method: 'deflate' | 'store' = 'deflate'): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const data = method === 'deflate' ? deflateRawSync(raw) : raw;
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0800, 6); // UTF-8 names
    head.writeUInt16LE(method === 'deflate' ? 8 : 0, 8);
    head.writeUInt32LE(crc32(raw), 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(raw.length, 22);
    head.writeUInt16LE(nameBytes.length, 26);
    local.push(head, nameBytes, data);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method === 'deflate' ? 8 : 0, 10);
    cd.writeUInt32LE(crc32(raw), 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(raw.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cdBytes, end]);
}

const xmlEscape = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

/** The package parts every DOCX needs besides `word/document.xml` (content types, root relationship). */
export const DOCX_PACKAGE_PARTS: Readonly<Record<string, string>> = Object.freeze({
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
    '</Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
    '</Relationships>',
});

/** A minimal DOCX (one paragraph per entry) that Word and mammoth open. */
export function buildDocx(
  paragraphs: string[],
  options: { pages?: number; method?: 'deflate' | 'store'; /** put word/document.xml first in the zip */ documentFirst?: boolean } = {},
): Buffer {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const files: Record<string, string> = {
    ...DOCX_PACKAGE_PARTS,
    'word/document.xml':
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>` +
      paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`).join('') +
      '</w:body></w:document>',
  };
  if (options.pages !== undefined) {
    files['docProps/app.xml'] =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">' +
      `<Pages>${options.pages}</Pages></Properties>`;
  }
  if (options.documentFirst) {
    const { 'word/document.xml': doc, ...rest } = files;
    return buildZip({ 'word/document.xml': doc, ...rest }, options.method);
  }
  return buildZip(files, options.method);
}
