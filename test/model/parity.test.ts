// The converted ONNX graph must reproduce the original TF.js USE-lite graph: same token ids in,
// (numerically) the same embedding out. Also pins the converter's determinism and its cache.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBackend } from '../../src/model/types.js';
import { CONVERTER_VERSION, buildUseLiteOnnx } from '../../src/model/use-lite/convert.js';
import { loadUseLite } from '../../src/model/use-lite/index.js';
import { readUseLiteWeights } from '../../src/model/use-lite/weights.js';
import { InferencePool, POOL_DEFAULTS } from '../../src/pool/inference-pool.js';
import { createTfjsUse, type TfjsUse } from '../support/tfjs-use.js';

const MAX_TOKENS = 128;
const MIN_COSINE = 0.9999;

const footballWords =
  'the striker curled a late free kick past the keeper and the home crowd roared as the referee checked the offside flag before the final whistle'.split(' ');
const longText = Array.from({ length: 400 }, (_, i) => footballWords[i % footballWords.length]).join(' ');

const TEXTS: readonly string[] = [
  'Hello world!',
  'refund',
  'a',
  'I would like to cancel my subscription and get my money back.',
  'The quick brown fox jumps over the lazy dog.',
  longText,
  'Café crème, naïve façade, jalapeño piñata — déjà vu at the Ångström fête.',
  '東京は日本の首都です。',
  '我想退货，请帮我处理一下。',
  'Great job 👍🎉🔥 love it 😀',
  '🙂',
  'Привет, как дела? Я хочу оплатить счёт.',
  'مرحبا، أريد إلغاء طلبي من فضلك',
  '?!...',
  '!!!',
  '42',
  'Order #12345 costs $1,299.99 (incl. 20% VAT) on 2024-03-15.',
  'ThIs Is MiXeD cAsE TeXt WITH SHOUTING',
  'See https://example.com/path?query=1&x=y#frag for details',
  'const x = arr.map((v) => v * 2).filter(Boolean); // TODO',
  'function foo(a, b) { return a && b || null; }',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'nooooooooooo wayyyyyyy!!!!!!!!',
  'Ünïcödé ﬁne ① ＦＵＬＬＷＩＤＴＨ text',
  'Mixed: English, Deutsch (Straße), español (¿qué?), русский, 中文 and 😀.',
  '   leading and trailing whitespace\twith\ttabs\nand newlines   ',
];

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let cacheDir: string;
let backend: ModelBackend;
let tfjs: TfjsUse | undefined;
let pool: InferencePool | undefined;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'labelwise-parity-'));
}, 120_000);

afterAll(async () => {
  await pool?.close();
  await tfjs?.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('USE-lite ONNX conversion', () => {
  it('produces byte-identical ONNX bytes when run twice on the same weights', async () => {
    const { weights, sourceHash } = await readUseLiteWeights();
    expect(sourceHash).toMatch(/^[0-9a-f]{64}$/);
    const first = buildUseLiteOnnx(weights, sourceHash);
    const second = buildUseLiteOnnx(weights, sourceHash);
    expect(first.length).toBeGreaterThan(1_000_000);
    expect(sha256(second)).toBe(sha256(first));
  }, 120_000);

  it('creates exactly one cached .onnx file on first load and reuses it on the second, leaving no .tmp files', async () => {
    const modelDir = join(cacheDir, 'models');
    const first = await loadUseLite(modelDir);
    const files = await readdir(modelDir);
    expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(first.spec.onnxPath).toBe(join(modelDir, files.find((f) => f.endsWith('.onnx'))!));
    expect(first.spec.onnxPath).toMatch(/use-lite-[0-9a-f]+\.onnx$/);
    expect(first.id).toContain(CONVERTER_VERSION);
    expect(first.dimension).toBe(512);
    expect(first.maxTokens).toBe(MAX_TOKENS);
    const before = await stat(first.spec.onnxPath);

    const second = await loadUseLite(modelDir);
    expect(second.spec.onnxPath).toBe(first.spec.onnxPath);
    const after = await stat(second.spec.onnxPath);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(await readdir(modelDir)).toEqual(files);
    backend = second;
  }, 120_000);
});

describe('USE-lite ONNX vs original TF.js graph', () => {
  it(`embeds each of ${TEXTS.length} varied texts (batched, padded) with cosine >= ${MIN_COSINE} to TF.js`, async () => {
    backend ??= await loadUseLite(join(cacheDir, 'models'));
    const sequences = TEXTS.map((text) => backend.tokenizer.encode(text).slice(0, MAX_TOKENS));
    sequences.forEach((ids, i) => expect(ids.length, `text ${i} tokenizes to nothing`).toBeGreaterThan(0));
    // The inputs must really exercise the interesting cases, not just short English.
    expect(Math.max(...sequences.map((s) => s.length))).toBe(MAX_TOKENS);
    expect(backend.tokenizer.encode(longText).length).toBeGreaterThan(MAX_TOKENS);
    expect(sequences.some((s) => s.includes(0)), 'some text should contain unknown pieces').toBe(true);
    expect(sequences.some((s) => s.length === 1), 'some text should be a single token').toBe(true);

    tfjs = await createTfjsUse();
    const reference = await tfjs.embed(sequences);

    pool = new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 1 });
    const converted = await pool.embed(sequences);
    expect(converted).toHaveLength(TEXTS.length);

    const cosines = TEXTS.map((_, i) => {
      expect(converted[i]).toHaveLength(512);
      return cosine(converted[i], reference[i]);
    });
    const min = Math.min(...cosines);
    const worst = cosines.indexOf(min);
    console.log(`parity: min cosine ${min.toFixed(7)} (1 - min = ${(1 - min).toExponential(2)}; text ${worst}: ${JSON.stringify(TEXTS[worst].slice(0, 40))})`);
    const failures = cosines
      .map((c, i) => ({ i, cosine: c, text: TEXTS[i].slice(0, 60), ids: sequences[i].slice(0, 12) }))
      .filter((f) => !(f.cosine >= MIN_COSINE));
    expect(failures).toEqual([]);
    // Guard against a degenerate pass (e.g. both sides constant): different texts must differ.
    expect(cosine(reference[0], reference[7])).toBeLessThan(0.9);
    expect(cosine(converted[0], converted[7])).toBeLessThan(0.9);
  }, 300_000);

  it('gives the same ONNX embedding for a text alone as inside a padded batch', async () => {
    backend ??= await loadUseLite(join(cacheDir, 'models'));
    pool ??= new InferencePool(backend.spec, { ...POOL_DEFAULTS, workers: 1 });
    const short = backend.tokenizer.encode('refund please');
    const long = backend.tokenizer.encode(longText).slice(0, MAX_TOKENS);
    const [alone] = await pool.embed([short]);
    const [, batched] = await pool.embed([long, short]);
    expect(cosine(alone, batched)).toBeGreaterThanOrEqual(MIN_COSINE);
  }, 120_000);
});
