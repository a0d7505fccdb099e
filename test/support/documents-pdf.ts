/**
 * A tiny hand-written PDF writer for the document tests: text pages (Helvetica, not embedded),
 * pages that only hold a JPEG image (a "scan"), and the standard security handler revision 2
 * (RC4 40-bit) so a test can produce a password-protected file and an owner-password-only
 * file (opens without a password). Every byte is generated; no binary fixture is committed.
 */
import { createHash } from 'node:crypto';

export interface PdfPage {
  /** Lines of text drawn with Helvetica 18 pt from the top left. */
  text?: string[];
  /** A JPEG drawn over the whole page (no text layer): a scanned page. */
  jpeg?: { data: Buffer; width: number; height: number };
  /** Page size in points. @default 612 × 792 (US Letter) */
  width?: number;
  height?: number;
}

export interface PdfOptions {
  /** Encrypt with the standard security handler R2; a non-empty user password is needed to open. */
  encrypt?: { userPassword: string; ownerPassword: string };
}

const PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const padPassword = (p: string) => Buffer.concat([Buffer.from(p, 'latin1'), PAD]).subarray(0, 32);

/** Escapes a PDF literal string. */
const pdfString = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** A complete PDF file as bytes. */
export function buildPdf(pages: PdfPage[], options: PdfOptions = {}): Buffer {
  // Object numbers: 1 catalog, 2 pages, 3 font, then per page: page, content, [image].
  type Obj = { dict: string; stream?: Buffer };
  const objects: Obj[] = [];
  const add = (o: Obj) => objects.push(o) - 1 + 1;
  add({ dict: '<< /Type /Catalog /Pages 2 0 R >>' });
  add({ dict: '' }); // pages, filled below
  add({ dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>' });
  const kids: number[] = [];
  for (const page of pages) {
    const w = page.width ?? 612;
    const h = page.height ?? 792;
    let content = '';
    let resources = '/Font << /F1 3 0 R >>';
    if (page.jpeg) {
      const img = add({
        dict: `<< /Type /XObject /Subtype /Image /Width ${page.jpeg.width} /Height ${page.jpeg.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${page.jpeg.data.length} >>`,
        stream: page.jpeg.data,
      });
      resources += ` /XObject << /Im1 ${img} 0 R >>`;
      content += `q ${w} 0 0 ${h} 0 0 cm /Im1 Do Q\n`;
    }
    if (page.text?.length) {
      content += `BT /F1 18 Tf 24 TL 72 ${h - 72} Td\n`;
      content += page.text.map((line) => `${pdfString(line)} Tj T*`).join('\n');
      content += '\nET\n';
    }
    const contentBytes = Buffer.from(content, 'latin1');
    const c = add({ dict: `<< /Length ${contentBytes.length} >>`, stream: contentBytes });
    const p = add({
      dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << ${resources} >> /Contents ${c} 0 R >>`,
    });
    kids.push(p);
  }
  objects[1].dict = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;

  const id = createHash('md5').update(`labelwise-test-${pages.length}`).digest();
  let encryptRef = '';
  let fileKey: Buffer | undefined;
  if (options.encrypt) {
    const P = -44; // print + copy allowed; the rest off (bits 1-2 and 7-8 … per R2: 0xFFFFFFD4)
    const ownerKey = md5(padPassword(options.encrypt.ownerPassword)).subarray(0, 5);
    const O = rc4(ownerKey, padPassword(options.encrypt.userPassword));
    const p = Buffer.alloc(4);
    p.writeInt32LE(P);
    fileKey = md5(padPassword(options.encrypt.userPassword), O, p, id).subarray(0, 5);
    const U = rc4(fileKey, PAD);
    const e = add({
      dict: `<< /Filter /Standard /V 1 /R 2 /Length 40 /O <${O.toString('hex')}> /U <${U.toString('hex')}> /P ${P} >>`,
    });
    encryptRef = ` /Encrypt ${e} 0 R`;
  }

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    const num = i + 1;
    offsets.push(offset);
    let stream: Buffer | undefined = o.stream;
    const isEncryptDict = encryptRef !== '' && i === objects.length - 1;
    if (stream && fileKey && !isEncryptDict) {
      const ext = Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0]);
      stream = rc4(md5(fileKey, ext).subarray(0, 10), stream);
    }
    const parts: Buffer[] = [Buffer.from(`${num} 0 obj\n${o.dict}\n`, 'latin1')];
    if (stream) parts.push(Buffer.from('stream\n'), stream, Buffer.from('\nendstream\n'));
    parts.push(Buffer.from('endobj\n'));
    const b = Buffer.concat(parts);
    chunks.push(b);
    offset += b.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encryptRef} /ID [<${id.toString('hex')}> <${id.toString('hex')}>] >>\n` +
    `startxref\n${offset}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
