/**
 * `image` inputs through real OCR (tesseract.js, offline language data): every supported
 * format, GIF first frame, order, concurrency, the OCR timeout path and worker shutdown.
 */
import type { Worker } from 'node:worker_threads';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCUMENT_WORKER_HEAP_MB } from '../../src/documents/pool.js';
import { DocumentReader, visualTokens } from '../../src/documents/index.js';
import { LabelwiseError } from '../../src/errors.js';
import { textImage, tinyGif, type ImageFormat } from '../support/documents-files.js';

const reader = new DocumentReader();
afterAll(() => reader.close());

const b64 = (b: Buffer) => b.toString('base64');

/** Worker threads (tesseract's) show up as MessagePort handles. */
const messagePorts = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

/** The MessagePort count once threads terminated by earlier tests have exited. */
async function settledMessagePorts(): Promise<number> {
  let last = -1;
  for (let same = 0; same < 3; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = messagePorts();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** 1000 × 1000 px of black/white noise: tesseract needs several seconds on it. */
function noiseImage(): Buffer {
  const canvas = createCanvas(1000, 1000);
  const g = canvas.getContext('2d');
  const data = g.createImageData(1000, 1000);
  let s = 12345;
  for (let i = 0; i < data.data.length; i += 4) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const v = (s >> 16) & 1 ? 255 : 0;
    data.data[i] = data.data[i + 1] = data.data[i + 2] = v;
    data.data[i + 3] = 255;
  }
  g.putImageData(data, 0, 0);
  return canvas.toBuffer('image/png');
}

describe('image OCR', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as ImageFormat[])('reads the words of a %s image', async (format) => {
    const image = textImage(['refund my order'], format);
    const started = performance.now();
    const r = await reader.read({ image: [b64(image)] });
    console.log(`${format} ${image.length} bytes: ${Math.round(performance.now() - started)} ms`);
    expect(r.text.toLowerCase()).toContain('refund');
    expect(r).toMatchObject({ images: 1, pages: 0, visualTokens: visualTokens(452, 120) }); // textImage's size for these words
  });

  it('reads only the first frame of an animated GIF', async () => {
    const r = await reader.read({ image: [b64(textImage(['refund my order'], 'gif'))] });
    expect(r.text).toContain('refund my order');
    expect(r.text).not.toContain('second frame');
  });

  it('joins the OCR text of several images in order; a blank image adds tokens, no text', async () => {
    const r = await reader.read({ image: [b64(textImage(['first invoice'])), b64(tinyGif()), b64(textImage(['second parcel'], 'webp'))] });
    expect(r.text).toBe('first invoice\n\nsecond parcel');
    expect(r.images).toBe(3);
  });

  it('serves concurrent reads on one worker', async () => {
    const words = ['alpha parcel', 'bravo refund', 'charlie invoice'];
    const results = await Promise.all(words.map((w) => reader.read({ image: [b64(textImage([w]))] })));
    expect(results.map((r) => r.text)).toEqual(words);
  });

  it('a large image is OCRed after downscaling to ≤ 4 MP', async () => {
    // 3000 × 2000 (6 MP) with big words → 2449 × 1632.
    const image = textImage(['downscaled but readable'], 'jpeg', { width: 3000, height: 2000, fontPx: 120 });
    const started = performance.now();
    const r = await reader.read({ image: [b64(image)] });
    console.log(`3000 × 2000 JPEG (downscaled to 2449 × 1632): ${Math.round(performance.now() - started)} ms`);
    expect(r.text).toContain('readable');
    expect(r.visualTokens).toBe(visualTokens(2449, 1632));
  });
});

describe('OCR limits and lifecycle', () => {
  it('times out a slow OCR job with DOCUMENT_ERROR, and the reader keeps working afterwards', async () => {
    const limited = new DocumentReader({ ocrTimeoutMs: 1_500 });
    try {
      await limited.read({ image: [b64(textImage(['warm up']))] }); // start the worker
      const started = performance.now();
      const err = await limited.read({ image: [b64(noiseImage())] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabelwiseError);
      expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', status: 422, details: { field: 'image.0' } });
      expect((err as Error).message).toMatch(/OCR timed out after 1500 ms/);
      expect(performance.now() - started).toBeLessThan(5_000);
      // The stuck worker was terminated; a fresh one serves the next request.
      const r = await limited.read({ image: [b64(textImage(['refund my order']))] });
      expect(r.text).toBe('refund my order');
    } finally {
      await limited.close();
    }
  });

  it('close() terminates the worker thread; the reader restarts one on demand', async () => {
    const before = await settledMessagePorts();
    const own = new DocumentReader();
    expect((await own.read({ image: [b64(textImage(['hello there']))] })).text).toBe('hello there');
    expect(messagePorts()).toBe(before + 1);
    await own.close();
    await expect.poll(messagePorts, { timeout: 2_000 }).toBe(before);
    expect((await own.read({ image: [b64(textImage(['back again']))] })).text).toBe('back again');
    await own.close();
    await expect.poll(messagePorts, { timeout: 2_000 }).toBe(before);
    await own.close(); // idempotent
  });

  it('close() during OCR fails the running job at once', async () => {
    const own = new DocumentReader();
    await own.read({ image: [b64(textImage(['warm up']))] });
    const running = own.read({ image: [b64(noiseImage())] }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    await own.close();
    const err = await running;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR' });
    expect((err as Error).message).toMatch(/closed/);
  });

  it('a crash inside the OCR thread does not take the process down; the next read gets a new worker', async () => {
    const own = new DocumentReader();
    const threads: Worker[] = [];
    const grab = (w: Worker) => threads.push(w);
    process.on('worker', grab);
    try {
      await own.read({ image: [b64(textImage(['warm up']))] });
      process.off('worker', grab);
      // Tesseract's thread, not the document pool's (which runs with a heap limit of its own).
      const ocrThreads = threads.filter((w) => w.resourceLimits?.maxOldGenerationSizeMb !== DOCUMENT_WORKER_HEAP_MB);
      expect(ocrThreads).toHaveLength(1);
      const ocrThread = ocrThreads[0];
      const exited = new Promise((r) => ocrThread.once('exit', r));
      // An unknown action throws inside tesseract's message handler: an uncaught error in the thread.
      ocrThread.postMessage({ workerId: 'x', jobId: 'y', action: 'no-such-action', payload: {} });
      await exited;
      expect((await own.read({ image: [b64(textImage(['after the crash']))] })).text).toBe('after the crash');
    } finally {
      process.off('worker', grab);
      await own.close();
    }
  });

  it("an abort during OCR rejects with the caller's reason", async () => {
    const own = new DocumentReader();
    try {
      await own.read({ image: [b64(textImage(['warm up']))] });
      const reason = new Error('client disconnected');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 300);
      await expect(own.read({ image: [b64(noiseImage())] }, controller.signal)).rejects.toBe(reason);
      expect((await own.read({ image: [b64(textImage(['still fine']))] })).text).toBe('still fine');
    } finally {
      await own.close();
    }
  });
});

