/**
 * Document inputs without OCR: base64/data: parsing and its errors, content sniffing, limits,
 * the content hash, visual tokens and downscaling, options, and the address guard.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCUMENT_DEFAULTS, DocumentReader, visualTokens } from '../../src/documents/index.js';
import { blockedReason } from '../../src/documents/address.js';
import { fitPixels } from '../../src/documents/visual-tokens.js';
import { LabelwiseError } from '../../src/errors.js';
import { blankImage, buildDocx, buildZip, textImage, tinyGif } from '../support/documents-files.js';
import { buildPdf } from '../support/documents-pdf.js';

const reader = new DocumentReader({ ocr: false });
afterAll(() => reader.close());

const b64 = (b: Buffer) => b.toString('base64');

/** The LabelwiseError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<LabelwiseError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabelwiseError);
  return err as LabelwiseError;
}

async function expectError(promise: Promise<unknown>, code: string, field: string, message?: RegExp) {
  const err = await failure(promise);
  expect(err.code).toBe(code);
  expect(err.status).toBe(422);
  expect(err.details).toMatchObject({ field });
  if (message) expect(err.message).toMatch(message);
  return err;
}

describe('base64 inputs', () => {
  const png = textImage(['hello'], 'png');

  it('accepts raw base64, a data: URI, base64url and wrapped lines alike', async () => {
    const raw = await reader.read({ image: [b64(png)] });
    const uri = await reader.read({ image: [`data:image/png;base64,${b64(png)}`] });
    const url = await reader.read({ image: [png.toString('base64url')] });
    const wrapped = await reader.read({ image: [b64(png).replace(/(.{76})/g, '$1\n')] });
    // The declared MIME type is ignored: content decides.
    const lying = await reader.read({ image: [`data:application/pdf;base64,${b64(png)}`] });
    for (const r of [uri, url, wrapped, lying]) expect(r).toEqual(raw);
    expect(raw).toMatchObject({ text: '', images: 1, pages: 0, visualTokens: visualTokens(204, 120) });
  });

  it('a single string counts as one image', async () => {
    expect(await reader.read({ image: b64(png) })).toEqual(await reader.read({ image: [b64(png)] }));
  });

  it('refuses what is neither base64 nor an http(s) URL, naming the field', async () => {
    await expectError(reader.read({ image: [b64(png), 'not base64!!'] }), 'VALIDATION_ERROR', 'image.1', /base64/);
    await expectError(reader.read({ file: 'ftp://example.com/a.pdf' }), 'VALIDATION_ERROR', 'file', /scheme "ftp:"/);
    await expectError(reader.read({ file: 'file:///etc/passwd' }), 'VALIDATION_ERROR', 'file', /scheme "file:"/);
    await expectError(reader.read({ image: ['javascript:alert(1)'] }), 'VALIDATION_ERROR', 'image.0');
    await expectError(reader.read({ image: ['data:image/png,rawbytes'] }), 'VALIDATION_ERROR', 'image.0', /base64/);
    await expectError(reader.read({ image: ['   '] }), 'VALIDATION_ERROR', 'image.0', /empty/);
    await expectError(reader.read({ image: ['abcde'] }), 'VALIDATION_ERROR', 'image.0');
    await expectError(reader.read({ image: [42 as unknown as string] }), 'VALIDATION_ERROR', 'image.0');
    await expectError(reader.read({ image: 'http://' }), 'VALIDATION_ERROR', 'image.0');
  });

  it('validates every value before reading any', async () => {
    // image.0 is garbage content, image.1 is bad base64: the validation error wins.
    await expectError(reader.read({ image: [b64(Buffer.from('garbage')), '%%%'] }), 'VALIDATION_ERROR', 'image.1');
  });

  it('enforces maxImages and maxBytes', async () => {
    const small = new DocumentReader({ ocr: false, maxImages: 2, maxBytes: 1000 });
    await expectError(small.read({ image: [b64(tinyGif()), b64(tinyGif()), b64(tinyGif())] }), 'VALIDATION_ERROR', 'image', /at most 2 images/);
    await expectError(small.read({ image: [b64(Buffer.alloc(1001))] }), 'DOCUMENT_ERROR', 'image.0', /larger than/);
    await expectError(small.read({ file: b64(Buffer.alloc(1500)) }), 'DOCUMENT_ERROR', 'file', /larger than/);
    expect((await small.read({ image: [b64(tinyGif()), b64(tinyGif())] })).images).toBe(2);
    await small.close();
  });

  it('an aborted signal rejects with its reason', async () => {
    const reason = new Error('client went away');
    await expect(reader.read({ image: [b64(png)] }, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('no image and no file is an empty result', async () => {
    expect(await reader.read({})).toEqual({
      text: '',
      visualTokens: 0,
      contentHash: createHash('sha256').digest('hex'),
      pages: 0,
      images: 0,
    });
  });
});

describe('content detection', () => {
  it('refuses non-image bytes, corrupt images and formats outside PNG/JPEG/WebP/GIF', async () => {
    await expectError(reader.read({ image: [b64(Buffer.from('just some text, not an image'))] }), 'DOCUMENT_ERROR', 'image.0', /PNG, JPEG, WebP or GIF/);
    const truncated = textImage(['hello']).subarray(0, 60);
    await expectError(reader.read({ image: [b64(truncated)] }), 'DOCUMENT_ERROR', 'image.0', /corrupt/);
    const avif = createCanvas(20, 20).toBuffer('image/avif');
    await expectError(reader.read({ image: [b64(avif)] }), 'DOCUMENT_ERROR', 'image.0', /PNG, JPEG, WebP or GIF/);
    const pdfAsImage = Buffer.from('%PDF-1.4\n');
    await expectError(reader.read({ image: [b64(pdfAsImage)] }), 'DOCUMENT_ERROR', 'image.0');
  });

  it('checks every image cheaply before reading the file (no long OCR before a bad image fails)', async () => {
    // The 21-page PDF would fail too, but only once opened: the image check comes first.
    const pdf = buildPdf(Array.from({ length: 21 }, () => ({ text: ['a page of text that is long enough'] })));
    await expectError(reader.read({ file: b64(pdf), image: [b64(tinyGif()), b64(Buffer.from('nope'))] }), 'DOCUMENT_ERROR', 'image.1', /not a supported image/);
    await expectError(reader.read({ file: b64(Buffer.from('nope')), image: [b64(Buffer.from('nope'))] }), 'DOCUMENT_ERROR', 'file', /unsupported file type/);
  });

  it('refuses an image whose header declares a gigantic bitmap, before decoding it', async () => {
    const png = Buffer.from(blankImage(10, 10));
    png.writeUInt32BE(10_000, 16); // IHDR width
    png.writeUInt32BE(10_000, 20); // IHDR height (100 MP)
    await expectError(reader.read({ image: [b64(png)] }), 'DOCUMENT_ERROR', 'image.0', /too large to decode/);
  });

  it('decides the file type by content, never by a name or MIME type', async () => {
    await expectError(reader.read({ file: b64(Buffer.from('plain text pretending to be a PDF')) }), 'DOCUMENT_ERROR', 'file', /unsupported file type/);
    await expectError(reader.read({ file: `data:application/pdf;base64,${b64(textImage(['x']))}` }), 'DOCUMENT_ERROR', 'file', /unsupported file type/);
    const zipNotDocx = buildZip({ 'readme.txt': 'hello', 'word/other.xml': '<x/>' });
    await expectError(reader.read({ file: b64(zipNotDocx) }), 'DOCUMENT_ERROR', 'file', /not a DOCX/);
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
    await expectError(reader.read({ file: b64(ole) }), 'DOCUMENT_ERROR', 'file', /password-protected DOCX or a legacy \.doc/);
    // A stored DOCX whose first 1 KB contains "%PDF-" is still a DOCX (zip magic wins).
    const pdfLooking = buildDocx(['%PDF-1.4 is how a PDF file starts'], { method: 'store', documentFirst: true });
    expect(pdfLooking.subarray(0, 1024).includes('%PDF-')).toBe(true);
    expect((await reader.read({ file: b64(pdfLooking) })).text).toBe('%PDF-1.4 is how a PDF file starts');
    const brokenZip = buildDocx(['hello']).subarray(0, 200);
    await expectError(reader.read({ file: b64(brokenZip) }), 'DOCUMENT_ERROR', 'file', /corrupt/);
  });
});

describe('content hash', () => {
  const a = b64(blankImage(8, 8));
  const b = b64(tinyGif());

  it('is sha256 over the bytes: same content, same hash; order and role matter', async () => {
    const ab = (await reader.read({ image: [a, b] })).contentHash;
    expect(ab).toMatch(/^[0-9a-f]{64}$/);
    expect((await reader.read({ image: [`data:image/png;base64,${a}`, b] })).contentHash).toBe(ab);
    expect((await reader.read({ image: [b, a] })).contentHash).not.toBe(ab);
    expect((await reader.read({ image: [a] })).contentHash).not.toBe(ab);
    const docx = b64(buildDocx(['hash me']));
    const withFile = (await reader.read({ image: [a], file: docx })).contentHash;
    expect(withFile).not.toBe((await reader.read({ image: [a] })).contentHash);
    expect((await reader.read({ image: [a], file: docx })).contentHash).toBe(withFile);
  });

  it('load() hashes without decoding, and extract() gives the same result as read()', async () => {
    const loaded = await reader.load({ image: [a, b] });
    expect(loaded.contentHash).toBe((await reader.read({ image: [a, b] })).contentHash);
    expect(await reader.extract(loaded)).toEqual(await reader.read({ image: [a, b] }));
    // Garbage still hashes: load() does not look inside.
    expect((await reader.load({ image: [b64(Buffer.from('garbage'))] })).contentHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('visual tokens', () => {
  it('min(4096, ceil(w/32) × ceil(h/32)) of the size after downscaling', () => {
    expect(visualTokens(1, 1)).toBe(1);
    expect(visualTokens(32, 32)).toBe(1);
    expect(visualTokens(33, 32)).toBe(2);
    expect(visualTokens(100, 100)).toBe(16);
    expect(visualTokens(1000, 1000)).toBe(1024);
    expect(visualTokens(1076, 1393)).toBe(1496);
    expect(visualTokens(2000, 2000)).toBe(3969);
    expect(visualTokens(100_000, 40)).toBe(4096);
    expect(visualTokens(0, 10)).toBe(0);
    expect(fitPixels(2100, 2100, 4_000_000)).toEqual({ width: 2000, height: 2000 });
    expect(fitPixels(800, 600, 4_000_000)).toEqual({ width: 800, height: 600 });
  });

  it('an image over 4 MP is downscaled (aspect kept) and counted at the downscaled size', async () => {
    const big = await reader.read({ image: [b64(blankImage(2100, 2100))] }); // 4.41 MP → 2000 × 2000
    expect(big.visualTokens).toBe(3969);
    expect(big.visualTokens).not.toBe(visualTokens(2100, 2100));
    const wide = await reader.read({ image: [b64(blankImage(4000, 1500, 'jpeg'))] }); // 6 MP → 3265 × 1224
    expect(wide.visualTokens).toBe(visualTokens(3265, 1224));
  });

  it('is deterministic and sums over images; GIF, WebP and JPEG count their pixel size', async () => {
    const images = [b64(blankImage(640, 480)), b64(textImage(['a'], 'webp', { width: 300, height: 100 })), b64(tinyGif())];
    const first = await reader.read({ image: images });
    expect(first.visualTokens).toBe(visualTokens(640, 480) + visualTokens(300, 100) + visualTokens(1, 1));
    for (let i = 0; i < 3; i++) expect(await reader.read({ image: images })).toEqual(first);
    expect((await reader.read({ image: [b64(textImage(['a'], 'jpeg', { width: 320, height: 64 }))] })).visualTokens).toBe(20);
    expect((await reader.read({ image: [b64(textImage(['a'], 'gif', { width: 320, height: 64 }))] })).visualTokens).toBe(20);
  });
});

describe('options', () => {
  it('has the documented defaults', () => {
    expect(DOCUMENT_DEFAULTS).toEqual({
      maxBytes: 20 * 1024 * 1024,
      maxTotalBytes: 50 * 1024 * 1024,
      maxPages: 20,
      maxImages: 20,
      fetchTimeoutMs: 10_000,
      allowHosts: [],
      ocrTimeoutMs: 30_000,
      ocr: true,
      workers: Math.max(1, Math.floor(availableParallelism() / 2)),
      maxQueue: 8,
      budgetMs: 10_000,
      maxTextChars: 1_000_000,
    });
    expect(Object.isFrozen(DOCUMENT_DEFAULTS)).toBe(true);
  });

  it('refuses unknown or invalid options', () => {
    expect(() => new DocumentReader({ maxPage: 3 } as never)).toThrow('unknown option "maxPage"; did you mean "maxPages"?');
    expect(() => new DocumentReader({ maxPages: 0 })).toThrow('option "maxPages" must be a positive integer (pages) (got 0)');
    expect(() => new DocumentReader({ ocrTimeoutMs: 1.5 })).toThrow(/ocrTimeoutMs/);
    expect(() => new DocumentReader({ allowHosts: 'localhost' as never })).toThrow(/allowHosts/);
    expect(() => new DocumentReader({ ocr: 'yes' as never })).toThrow(/"ocr" must be a boolean/);
    expect(() => new DocumentReader({ workers: 0 })).toThrow(/"workers" must be a positive integer/);
    expect(() => new DocumentReader({ budgetMs: Infinity })).toThrow(/"budgetMs" must be a positive integer/);
    expect(() => new DocumentReader({ maxQueue: -1 })).toThrow(/"maxQueue" must be a non-negative integer/);
    expect(() => new DocumentReader({ maxTextChars: 0 })).toThrow(/maxTextChars/);
    expect(new DocumentReader({ maxQueue: 0 }).options.maxQueue).toBe(0);
    expect(new DocumentReader({ allowHosts: ['[::1]', 'Files.Example.COM.'] }).options.allowHosts).toEqual(['::1', 'files.example.com']);
  });
});

describe('address guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private (unique local)'],
    ['fd12:3456::1', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['not-an-ip', 'invalid'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(blockedReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows public %s', (address) => {
    expect(blockedReason(address)).toBeUndefined();
  });
});
