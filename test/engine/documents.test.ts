import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, LabelwiseError } from '../../src/index.js';
import { buildDocx, textImage } from '../support/documents-files.js';
import { buildPdf } from '../support/documents-pdf.js';

// Documents through the real engine (spec §8): their words classify, their pixels bill visual
// tokens, their bytes are part of the cache key. OCR runs for real (tesseract, offline data).
const LABELS = ['billing', 'shipping', 'cooking'];
const b64 = (buf: Buffer) => buf.toString('base64');

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ pool: { workers: 1 } });
});
afterAll(async () => {
  await engine.close();
});

describe('documents and images through the engine', () => {
  it('classifies an image by the words OCR reads in it, with visual tokens', async () => {
    const image = b64(textImage(['Please refund the duplicate charge', 'on my credit card invoice']));
    const res = await engine.classify({ image, labels: LABELS });
    expect(res.label).toBe('billing');
    expect(res.visual_tokens).toBeGreaterThan(0);
    expect(res.tokens).toBeGreaterThan(res.visual_tokens as number);
    const [row] = (await engine.logs({ limit: 1 })).data;
    expect(row.visual_tokens).toBe(res.visual_tokens);
    expect((await engine.usage()).totals.visual_tokens).toBeGreaterThanOrEqual(res.visual_tokens as number);
  });

  it('classifies a PDF by its text layer, and a DOCX by its text', async () => {
    const pdf = b64(buildPdf([{ text: ['Your parcel was shipped today.', 'Track the delivery with the courier.'] }]));
    const fromPdf = await engine.classify({ file: pdf, labels: LABELS });
    expect(fromPdf.label).toBe('shipping');
    expect(fromPdf.visual_tokens).toBeGreaterThan(0);
    const docx = b64(buildDocx(['Whisk the eggs, add flour and bake the cake for thirty minutes.']));
    const fromDocx = await engine.tag({ file: docx, labels: LABELS });
    expect(fromDocx.labels[0]?.label).toBe('cooking');
    expect(fromDocx.visual_tokens).toBe(0);
  });

  it('adds the document to the text, and keys the cache by the document bytes', async () => {
    const text = 'Question about my account';
    const a = b64(buildDocx(['The package never arrived at my address.']));
    const b = b64(buildDocx(['I was billed twice this month.']));
    const first = await engine.classify({ text, file: a, labels: LABELS });
    const again = await engine.classify({ text, file: a, labels: LABELS });
    const other = await engine.classify({ text, file: b, labels: LABELS });
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(other.cached).toBe(false);
    expect(first.label).toBe('shipping');
    expect(other.label).toBe('billing');
  });

  it('shares one document across every text of a batch', async () => {
    const file = b64(buildDocx(['Recipe: simmer the tomato sauce with basil.']));
    const res = await engine.classifyBatch({ texts: ['note one', 'note two'], file, labels: LABELS });
    for (const item of res.results) expect(item).toMatchObject({ label: 'cooking', cached: false });
  });

  it('refuses unreadable files and private URLs with the spec error codes', async () => {
    const corrupt = await engine.classify({ file: b64(Buffer.from('%PDF-1.7 not really a pdf')), labels: LABELS }).catch((e: unknown) => e);
    expect((corrupt as LabelwiseError).code).toBe('DOCUMENT_ERROR');
    expect((corrupt as LabelwiseError).status).toBe(422);
    const local = await engine.classify({ image: 'http://127.0.0.1:9/x.png', labels: LABELS }).catch((e: unknown) => e);
    expect((local as LabelwiseError).code).toBe('VALIDATION_ERROR');
    expect((local as LabelwiseError).details?.field).toBe('image.0');
  });
});
