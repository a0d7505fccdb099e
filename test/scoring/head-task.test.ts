// The few-shot fit handed to the pool as a generic worker task gives exactly the head fitted
// inline, and the prototype builder fits through whatever fitter it is given.
import { afterAll, describe, expect, it } from 'vitest';
import type { EmbeddedText, Embedder } from '../../src/model/embedder.js';
import { InferencePool, POOL_DEFAULTS } from '../../src/pool/inference-pool.js';
import { fitFewShotHead, type HeadFitOptions, type HeadParams, type LabeledVector } from '../../src/scoring/few-shot-head.js';
import { fitHeadOn } from '../../src/scoring/head-task.js';
import { PrototypeBuilder } from '../../src/scoring/prototypes.js';
import { seededUnit } from '../support/vectors.js';

const DIM = 24;
const NO_MODEL = { onnxPath: '/nonexistent.onnx', outputName: 'x', pooling: 'none', normalize: false, inputNames: { ids: 'a', mask: 'b', typeIds: 'c' }, padId: 0 } as const;

/** A stand-in embedder (the builder is under test, not a model): a fixed unit vector per text. */
function hashEmbedder(): Embedder & { calls: number } {
  const seed = (t: string) => [...t].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  return {
    id: 'hash',
    dimension: DIM,
    calls: 0,
    countTokens: (t) => t.split(' ').length,
    async embed(texts): Promise<EmbeddedText[]> {
      this.calls++;
      return texts.map((t) => ({ vector: seededUnit(DIM, seed(t)), tokens: t.split(' ').length }));
    },
    close: async () => {},
  };
}

describe('few-shot fit as a worker task', () => {
  const pool = new InferencePool(NO_MODEL, { ...POOL_DEFAULTS, workers: 1 });
  afterAll(() => pool.close());

  it('fits on a worker exactly the head the caller’s thread fits', async () => {
    const names = [seededUnit(DIM, 1), seededUnit(DIM, 2), seededUnit(DIM, 3)];
    const examples: LabeledVector[] = Array.from({ length: 12 }, (_, i) => ({ vector: seededUnit(DIM, 100 + i), label: i % 3 }));
    const inline = fitFewShotHead(names, examples);
    const remote = await fitHeadOn(pool)(names, examples);
    expect(remote.theta).toEqual(inline.theta);
    expect(Array.from(remote.weights)).toEqual(Array.from(inline.weights));
    expect(remote.centroids.map((c) => Array.from(c))).toEqual(inline.centroids.map((c) => Array.from(c)));
    // The caller's vectors are untouched (only flat copies were transferred).
    expect(names[0]).toHaveLength(DIM);
    expect(examples[11].vector).toHaveLength(DIM);
  });

  it("passes the model's fit choices to the worker (its zero-shot temperature is the head's prior)", async () => {
    const names = [seededUnit(DIM, 1), seededUnit(DIM, 2), seededUnit(DIM, 3)];
    const examples: LabeledVector[] = Array.from({ length: 6 }, (_, i) => ({ vector: seededUnit(DIM, 200 + i), label: i % 3 }));
    const options = { zeroShotTemperature: 0.0115 };
    const remote = await fitHeadOn(pool)(names, examples, options);
    expect(remote.theta).toEqual(fitFewShotHead(names, examples, options).theta);
    expect(remote.theta).not.toEqual(fitFewShotHead(names, examples).theta);
  });
});

describe('PrototypeBuilder fit injection', () => {
  it('fits a head through the given fitter, only for a config with examples and two or more labels', async () => {
    const fitted: number[] = [];
    const given: unknown[] = [];
    const fitHead = async (names: Float32Array[], examples: LabeledVector[], options?: Partial<HeadFitOptions>): Promise<HeadParams> => {
      fitted.push(examples.length);
      given.push(options);
      return fitFewShotHead(names, examples, options);
    };
    const builder = new PrototypeBuilder(hashEmbedder(), { maxSentences: 1000, maxConfigs: 10, fitHead, head: { zeroShotTemperature: 0.02 } });
    const zeroShot = await builder.build({ labels: ['cats', 'cars'], descriptions: {}, examples: {} });
    expect(zeroShot.head).toBeUndefined();
    const single = await builder.build({ labels: ['cats'], descriptions: {}, examples: { cats: ['a cat'] } });
    expect(single.head).toBeUndefined();
    const fewShot = await builder.build({ labels: ['cats', 'cars'], descriptions: {}, examples: { cats: ['a cat', 'my kitten'], cars: ['a red car'] } });
    expect(fewShot.head).toBeDefined();
    expect(fitted).toEqual([3]);
    expect(given).toEqual([{ zeroShotTemperature: 0.02 }]);
  });

  it('fits inline when no fitter is given', async () => {
    const builder = new PrototypeBuilder(hashEmbedder(), { maxSentences: 1000, maxConfigs: 10 });
    const built = await builder.build({ labels: ['cats', 'cars'], descriptions: {}, examples: { cats: ['a cat'] } });
    expect(built.head?.logits(seededUnit(DIM, 9))).toHaveLength(2);
  });
});
