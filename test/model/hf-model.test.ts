// A Hugging Face–layout ONNX model in a local folder runs through the same engine path as the
// default model. The model is the tiny hand-designed one of test/support/tiny-hf-model.ts, so
// its answers are meaningful for texts made of its vocabulary (animals, vehicles, food).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type HfModelOptions } from '../../src/index.js';
import { LabelwiseError } from '../../src/errors.js';
import { loadHfModel } from '../../src/model/hf/index.js';
import { embedderContract } from '../support/embedder-contract.js';
import { pooledEmbedder } from '../support/pooled.js';
import { TINY_DIM, writeTinyHfModel } from '../support/tiny-hf-model.js';

const LABELS = ['animals', 'vehicles', 'food'];
/** Model tokens of LABELS: animal ##s, vehicle ##s, food. */
const LABEL_TOKENS = 5;
const LONG_WORDS = 'the cat and the dog and the horse and the puppy and the kitten and the bird'.split(' ');

const root = await mkdtemp(join(tmpdir(), 'labelwise-hf-'));
const plainDir = join(root, 'tiny');
const typedDir = join(root, 'tiny-typed');
await writeTinyHfModel(plainDir);
await writeTinyHfModel(typedDir, { withTokenTypeIds: true });

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * An engine over a tiny model folder, closed by the caller. Calibration constants belong to a
 * model (the defaults are fitted for USE lite); the tiny model's similarity margins are ~10×
 * wider, so its tag slope is scaled down accordingly, as a user of another model would do.
 */
function engineFor(model: Omit<HfModelOptions, 'type'>): Promise<Engine> {
  return createEngine({ model: { type: 'hf-onnx', ...model }, pool: { workers: 1 }, calibration: { tagSlope: 1 } });
}

embedderContract('hf-onnx (tiny WordPiece model)', async () => pooledEmbedder(await loadHfModel(plainDir)));

describe('hf-onnx model loading', () => {
  it('reads the hidden size, the [CLS]/[SEP] specials and the folder-derived id', async () => {
    const backend = await loadHfModel(plainDir);
    expect(backend.dimension).toBe(TINY_DIM);
    expect(backend.id).toBe('hf:tiny');
    expect(backend.specials).toEqual({ prefix: [2], suffix: [3] });
    // Lower-cased by the BertNormalizer, split by WordPiece: "cats" → cat ##s.
    expect(backend.tokenizer.encode('The CATS!')).toHaveLength(4);
    expect((await loadHfModel(plainDir, { id: 'tiny@1' })).id).toBe('tiny@1');
  });

  it('rejects a folder without tokenizer.json with a VALIDATION_ERROR on model.path', async () => {
    const dir = join(root, 'no-tokenizer');
    await writeTinyHfModel(dir);
    await rm(join(dir, 'tokenizer.json'));
    const error = await engineFor({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabelwiseError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'model.path' } });
  });

  it('rejects a folder without an onnx model with a VALIDATION_ERROR on model.path', async () => {
    const dir = join(root, 'no-onnx');
    await writeTinyHfModel(dir);
    await rm(join(dir, 'onnx'), { recursive: true });
    const error = await engineFor({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabelwiseError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'model.path' } });
  });
});

describe('engine over an hf-onnx model (mean pooling)', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await engineFor({ path: plainDir });
  });

  afterAll(async () => {
    await engine?.close();
  });

  it('reports the model id derived from the folder name', () => {
    expect(engine.modelId).toBe('hf:tiny');
  });

  it.each([
    ['the cat and the dog', 'animals'],
    ['My car has a new engine and a new wheel.', 'vehicles'],
    ['Pizza with cheese is tasty food!', 'food'],
    ['the bus and the train', 'vehicles'],
  ])('classifies "%s" as %s', async (text, expected) => {
    const result = await engine.classify({ text, labels: LABELS });
    expect(result.label).toBe(expected);
    expect(result.confidence).toBeGreaterThan(0.5);
  });

  it('bills the text tokens plus the label tokens, without the special tokens', async () => {
    const result = await engine.classify({ text: 'the cat and the dog', labels: LABELS });
    expect(result.tokens).toBe(5 + LABEL_TOKENS);
  });

  it('tags a text about two topics with both, most confident first, and leaves out the unrelated one', async () => {
    const result = await engine.tag({ text: 'the dog eats pizza', labels: LABELS });
    expect(result.labels.map((l) => l.label).sort()).toEqual(['animals', 'food']);
    const all = await engine.tag({ text: 'the dog eats pizza', labels: LABELS, threshold: 0 });
    expect(all.labels).toHaveLength(3);
    expect(all.labels.at(-1)?.label).toBe('vehicles');
    const confidences = all.labels.map((l) => l.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
  });

  it('classifies a batch with one result per text, in input order', async () => {
    const batch = await engine.classifyBatch({ texts: ['the truck', 'the kitten', 'the soup'], labels: LABELS });
    expect(batch.results.map((r) => ('label' in r ? r.label : r.code))).toEqual(['vehicles', 'animals', 'food']);
  });
});

describe('engine over an hf-onnx model: pooling, token types, windows and shutdown', () => {
  it('gives different confidences with cls and mean pooling, both picking the right label', async () => {
    const mean = await engineFor({ path: plainDir, pooling: 'mean' });
    const cls = await engineFor({ path: plainDir, pooling: 'cls' });
    try {
      const request = { text: 'the cat and the dog', labels: LABELS, threshold: 0 };
      const [meanTags, clsTags] = [await mean.tag(request), await cls.tag(request)];
      expect(meanTags.labels[0].label).toBe('animals');
      expect(clsTags.labels[0].label).toBe('animals');
      expect((await cls.classify({ text: 'my car engine', labels: LABELS })).label).toBe('vehicles');
      expect(clsTags.labels).not.toEqual(meanTags.labels);
    } finally {
      await Promise.all([mean.close(), cls.close()]);
    }
  });

  it('feeds token_type_ids to a model that declares it', async () => {
    const engine = await engineFor({ path: typedDir });
    try {
      expect((await engine.classify({ text: 'the cat and the dog', labels: LABELS })).label).toBe('animals');
      expect((await engine.classify({ text: 'pizza and bread', labels: LABELS })).label).toBe('food');
    } finally {
      await engine.close();
    }
  });

  it('windows a text longer than maxTokens and still bills every token once', async () => {
    const engine = await engineFor({ path: plainDir, maxTokens: 8 });
    try {
      const result = await engine.classify({ text: LONG_WORDS.join(' '), labels: LABELS });
      expect(result.label).toBe('animals');
      expect(result.tokens - LABEL_TOKENS).toBe(LONG_WORDS.length);
      expect(result.tokens - LABEL_TOKENS).toBeGreaterThan(8);
    } finally {
      await engine.close();
    }
  });

  it('embeds a long text differently when windowed, and a short text identically', async () => {
    const whole = pooledEmbedder(await loadHfModel(plainDir));
    const windowed = pooledEmbedder(await loadHfModel(plainDir, { maxTokens: 8 }));
    try {
      const texts = [LONG_WORDS.join(' '), 'the cat'];
      const [a, b] = [await whole.embed(texts), await windowed.embed(texts)];
      expect(Array.from(b[0].vector)).not.toEqual(Array.from(a[0].vector));
      expect(b[0].tokens).toBe(a[0].tokens);
      expect(Array.from(b[1].vector)).toEqual(Array.from(a[1].vector));
    } finally {
      await Promise.all([whole.close(), windowed.close()]);
    }
  });

  it('closes cleanly, refuses calls afterwards, and tolerates a second close', async () => {
    const engine = await engineFor({ path: plainDir });
    await engine.classify({ text: 'the dog', labels: LABELS });
    await expect(engine.close()).resolves.toBeUndefined();
    await expect(engine.classify({ text: 'the dog', labels: LABELS })).rejects.toMatchObject({ code: 'OVERLOADED' });
    await expect(engine.close()).resolves.toBeUndefined();
  });
});
