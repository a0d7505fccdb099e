// Per-model calibration: the fit (bench/calibrate) is deterministic on a real (tiny) model's
// similarities, and a preset's fitted constants reach the engine's calibration with explicit
// options still winning.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setSims } from '../../bench/calibrate.js';
import { crossValidate, fitCalibration } from '../../bench/calibrate/fit.js';
import type { Dataset } from '../../bench/accuracy/datasets.js';
import { calibrationFor } from '../../src/engine/model-loader.js';
import { PooledEmbedder } from '../../src/model/embedder.js';
import { POOL_DEFAULTS } from '../../src/pool/inference-pool.js';
import { loadHfModel } from '../../src/model/hf/index.js';
import { PRESETS } from '../../src/model/hub/index.js';
import { DEFAULT_CALIBRATION } from '../../src/scoring/scorer.js';
import { writeTinyHfModel } from '../support/tiny-hf-model.js';

const dir = await mkdtemp(join(tmpdir(), 'lw-calib-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const texts: Record<string, string[]> = {
  animal: ['the cat and the dog', 'a horse is an animal', 'my puppy and kitten', 'the bird on the cow', 'a pet dog'],
  vehicle: ['the car and the truck', 'a bus with an engine', 'the train on the wheel', 'my bike', 'drive the car'],
  food: ['pizza and bread', 'cheese with pasta', 'the apple soup is tasty', 'eat the bread', 'tasty food'],
};
const rows = Object.entries(texts).flatMap(([label, ts]) => ts.map((text) => ({ text, label })));
const set = (name: string, order: number): Dataset => ({ name, labels: Object.keys(texts), public: [...rows.slice(order), ...rows.slice(0, order)], heldout: [], descriptions: {} });

async function fitOnce() {
  await writeTinyHfModel(dir);
  const embedder = new PooledEmbedder(await loadHfModel(dir), { ...POOL_DEFAULTS, workers: 1 });
  try {
    const sims = [await setSims(embedder, set('a', 0)), await setSims(embedder, set('b', 4))];
    return { fitted: fitCalibration(sims), cv: crossValidate(sims, DEFAULT_CALIBRATION) };
  } finally {
    await embedder.close();
  }
}

describe('calibration fit', () => {
  it('gives the same constants from two independent runs on the same model and rows', async () => {
    const first = await fitOnce();
    const second = await fitOnce();
    expect(second).toEqual(first);
    for (const v of Object.values(first.fitted)) expect(Number.isFinite(v)).toBe(true);
    expect(first.fitted.scale).toBeGreaterThan(0);
  }, 60_000);
});

describe('calibrationFor', () => {
  it('uses a preset fitted calibration when no option is given', () => {
    const preset = PRESETS['bge-small-en-v1.5-int8'];
    expect(preset.calibration).toBeDefined();
    expect(calibrationFor('bge-small-en-v1.5-int8')).toEqual(preset.calibration);
    expect(calibrationFor('bge-small-en-v1.5-int8').temperature).not.toBe(DEFAULT_CALIBRATION.temperature);
  });
  it('lets explicit options win, key by key', () => {
    const cal = calibrationFor('bge-small-en-v1.5-int8', { temperature: 0.5 });
    expect(cal.temperature).toBe(0.5);
    expect(cal.bias).toBe(PRESETS['bge-small-en-v1.5-int8'].calibration!.bias);
  });
  it('keeps the default for use-lite and local models', () => {
    expect(calibrationFor('use-lite')).toEqual(DEFAULT_CALIBRATION);
    expect(calibrationFor({ path: '/x' } as never)).toEqual(DEFAULT_CALIBRATION);
  });
});
