// Per-model calibration: the artefacts shipped in src/engine/calibration are well-formed and in
// sync with the generated table, a preset gets its own artefact (and no other model does), explicit
// `calibration` options win field by field, and the engine scores with the result. The fit
// (bench/calibrate) is deterministic on a real tiny model's similarities.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../bench/accuracy/datasets.js';
import { ARTEFACT_DIR, tableSource } from '../../bench/calibrate.js';
import { choose, chooseHead, crossValidate, fitCalibration, type HeadRows } from '../../bench/calibrate/fit.js';
import { setSims } from '../../bench/calibrate/sims.js';
import { calibrationFor, engineCalibration, fittedCalibration, parseArtefact } from '../../src/engine/calibration/index.js';
import { resolveOptions } from '../../src/engine/options.js';
import { createEngine } from '../../src/index.js';
import { loadHfModel } from '../../src/model/hf/index.js';
import { installedManifest, modelNames, resolvePreset } from '../../src/model/hub/index.js';
import { DEFAULT_CALIBRATION } from '../../src/scoring/scorer.js';
import { pooledEmbedder } from '../support/pooled.js';
import { writeTinyHfModel } from '../support/tiny-hf-model.js';

const BGE = 'bge-small-en-v1.5-int8';
const artefactFiles = readdirSync(ARTEFACT_DIR).filter((f) => f.endsWith('.json'));
const artefact = (model: string) => parseArtefact(readFileSync(join(ARTEFACT_DIR, `${model}.json`), 'utf8'), `${model}.json`);

describe('calibration artefacts', () => {
  it('ships one for every preset, each well-formed, named after a known model', () => {
    expect(artefactFiles.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(modelNames().filter((n) => n !== 'use-lite').sort());
    for (const f of artefactFiles) {
      const a = parseArtefact(readFileSync(join(ARTEFACT_DIR, f), 'utf8'), f);
      expect(modelNames()).toContain(a.model);
      expect(a.rows).toMatch(/public rows only/);
    }
  });

  it('the generated table is exactly what the artefacts say (rerun npm run calibrate -- --table-only)', () => {
    expect(readFileSync('src/engine/calibration/table.ts', 'utf8')).toBe(tableSource());
  });

  it('a malformed artefact fails loudly, naming the file and the field', () => {
    const good = readFileSync(join(ARTEFACT_DIR, `${BGE}.json`), 'utf8');
    const edit = (f: (a: any) => void) => {
      const a = JSON.parse(good);
      f(a);
      return JSON.stringify(a);
    };
    expect(() => parseArtefact(good.slice(0, 40), `${BGE}.json`)).toThrow(/bge-small-en-v1\.5-int8\.json: not JSON/);
    expect(() => parseArtefact(edit((a) => delete a.calibration.scale), `${BGE}.json`)).toThrow(/calibration\.scale/);
    expect(() => parseArtefact(edit((a) => (a.calibration.temperature = -0.02)), `${BGE}.json`)).toThrow(/calibration\.temperature: must be above 0/);
    expect(() => parseArtefact(edit((a) => (a.calibration.bias = '0.6')), `${BGE}.json`)).toThrow(/calibration\.bias/);
    expect(() => parseArtefact(edit((a) => (a.calibration.extra = 1)), `${BGE}.json`)).toThrow(/calibration/);
    expect(() => parseArtefact(edit((a) => delete a.rows), `${BGE}.json`)).toThrow(/rows/);
    expect(() => parseArtefact(good, 'e5-small-v2-int8.json')).toThrow(/must be named bge-small-en-v1\.5-int8\.json/);
  });

  it('the table generator refuses a folder with a malformed artefact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-artefacts-'));
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, `${BGE}.json`), readFileSync(join(ARTEFACT_DIR, `${BGE}.json`), 'utf8').replace('"temperature"', '"temprature"'));
      expect(() => tableSource(dir)).toThrow(/bge-small-en-v1\.5-int8\.json: .*calibration/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('calibrationFor', () => {
  it("picks a preset's own artefact", () => {
    expect(calibrationFor(BGE)).toEqual(artefact(BGE).calibration);
    expect(calibrationFor('e5-small-v2-int8')).toEqual(artefact('e5-small-v2-int8').calibration);
    expect(calibrationFor(BGE).temperature).not.toBe(DEFAULT_CALIBRATION.temperature);
  });

  it('gives no other model an artefact: another preset, use-lite, a local folder, nothing', () => {
    expect(calibrationFor('e5-small-v2-int8')).not.toEqual(calibrationFor(BGE));
    // The fp32 export has its own fit (close to, but not, the int8 one's).
    expect(calibrationFor('bge-small-en-v1.5')).toEqual(artefact('bge-small-en-v1.5').calibration);
    expect(calibrationFor('bge-small-en-v1.5')).not.toEqual(calibrationFor(BGE));
    expect(fittedCalibration('use-lite')).toBeUndefined();
    expect(calibrationFor('use-lite')).toEqual(DEFAULT_CALIBRATION);
    expect(calibrationFor({ type: 'hf-onnx', path: `/models/${BGE}` })).toEqual(DEFAULT_CALIBRATION);
    expect(calibrationFor(undefined)).toEqual(DEFAULT_CALIBRATION);
    // Inherited names are not models.
    expect(calibrationFor('constructor')).toEqual(DEFAULT_CALIBRATION);
  });

  it('lets explicit options win field by field through the options resolver', () => {
    const fitted = artefact(BGE).calibration;
    const one = engineCalibration(resolveOptions({ model: BGE, calibration: { temperature: 0.5 } }));
    expect(one).toEqual({ ...fitted, temperature: 0.5 });
    const two = engineCalibration(resolveOptions({ model: BGE, calibration: { bias: 0.1, tagSlope: 3 } }));
    expect(two).toEqual({ ...fitted, bias: 0.1, tagSlope: 3 });
    expect(engineCalibration(resolveOptions({ model: BGE }))).toEqual(fitted);
    expect(engineCalibration(resolveOptions({ calibration: { scale: 0.2 } }))).toEqual({ ...DEFAULT_CALIBRATION, scale: 0.2 });
    expect(Object.isFrozen(one)).toBe(true);
  });

  it('does not give a caller-given embedder the artefact of the model name it did not load', () => {
    const embedder = { id: 'x', dimension: 2, countTokens: () => 1, embed: async () => [], close: async () => {} };
    expect(engineCalibration(resolveOptions({ model: BGE, embedder }))).toEqual(DEFAULT_CALIBRATION);
  });
});

const dir = await mkdtemp(join(tmpdir(), 'lw-calib-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
await writeTinyHfModel(dir);

const texts: Record<string, string[]> = {
  animal: ['the cat and the dog', 'a horse is an animal', 'my puppy and kitten', 'the bird on the cow', 'a pet dog'],
  vehicle: ['the car and the truck', 'a bus with an engine', 'the train on the wheel', 'my bike', 'drive the car'],
  food: ['pizza and bread', 'cheese with pasta', 'the apple soup is tasty', 'eat the bread', 'tasty food'],
};
const rows = Object.entries(texts).flatMap(([label, ts]) => ts.map((text) => ({ text, label })));
const labeled = (name: string, order: number): Dataset => ({ name, labels: Object.keys(texts), public: [...rows.slice(order), ...rows.slice(0, order)], heldout: [], train: rows, descriptions: {} });

describe('the engine scores with the merged calibration', () => {
  const labels = Object.keys(texts);
  async function confidence(calibration: object, examples: Record<string, string[]> = {}) {
    const engine = await createEngine({ model: { type: 'hf-onnx', path: dir }, pool: { workers: 1 }, calibration });
    try {
      return (await engine.classify({ text: 'the dog and the car', labels, examples })).confidence;
    } finally {
      await engine.close();
    }
  }

  it('an explicit temperature sets zero-shot classify confidence', async () => {
    const sharp = await confidence({ temperature: 0.3 });
    const flat = await confidence({ temperature: 3 });
    expect(sharp).toBeGreaterThan(flat);
    expect(await confidence({ temperature: 1000 })).toBeCloseTo(1 / 3, 2);
  }, 60_000);

  it('an explicit head scale sets few-shot confidence (and leaves zero-shot alone)', async () => {
    const examples = Object.fromEntries(Object.entries(texts).map(([l, ts]) => [l, ts.slice(0, 2)]));
    const flat = await confidence({ headScale: 0.001 }, examples);
    expect(flat).toBeCloseTo(1 / 3, 2);
    expect(await confidence({ headScale: 3 }, examples)).toBeGreaterThan(await confidence({}, examples));
    expect(await confidence({ headScale: 0.001, temperature: 3 })).toBe(await confidence({ temperature: 3 }));
  }, 60_000);
});

// Runs where the real weights are installed (LABELWISE_CACHE_DIR); CI has only use-lite and tiny models.
const installed = !!(await installedManifest(resolveOptions({}).cacheDir, resolvePreset(BGE)).catch(() => undefined));
describe.skipIf(!installed)(`a preset engine (${BGE}, installed here)`, () => {
  it('scores with its artefact unless told otherwise', async () => {
    const confidence = async (calibration?: object) => {
      const engine = await createEngine({ model: BGE, pool: { workers: 1 }, calibration });
      try {
        return (await engine.classify({ text: 'The striker scored twice in the final', labels: ['sports', 'politics', 'cooking'] })).confidence;
      } finally {
        await engine.close();
      }
    };
    const own = await confidence();
    expect(own).toBe(await confidence({ ...artefact(BGE).calibration }));
    expect(own).not.toBe(await confidence({ temperature: DEFAULT_CALIBRATION.temperature }));
  }, 120_000);
});

describe('calibration fit', () => {
  async function fitOnce() {
    const embedder = pooledEmbedder(await loadHfModel(dir), { workers: 1 });
    try {
      const sims = [await setSims(embedder, labeled('a', 0)), await setSims(embedder, labeled('b', 4))];
      const fitted = fitCalibration(sims);
      const cv = crossValidate(sims, DEFAULT_CALIBRATION);
      return { fitted, cv, chosen: choose(fitted, cv, DEFAULT_CALIBRATION) };
    } finally {
      await embedder.close();
    }
  }

  it('gives the same constants from two independent runs on the same model and rows', async () => {
    const first = await fitOnce();
    const second = await fitOnce();
    expect(second).toEqual(first);
    for (const v of Object.values(first.fitted)) expect(Number.isFinite(v)).toBe(true);
    expect(first.fitted.scale).toBeGreaterThan(0);
    expect(first.fitted.temperature).toBeGreaterThan(0);
  }, 60_000);

  it('keeps a part at the default where its left-out loss does not beat the default', () => {
    const fitted = { temperature: 0.01, bias: 0.5, scale: 0.1, tagBias: 1, tagSlope: 20 };
    const loss = (t: number, d: number, g: number) => ({ temperature: t, detection: d, tag: g });
    const { calibration, adopted } = choose(fitted, { folds: [], fitted: loss(1, 2, 0.5), baseline: loss(2, 1, 0.5) }, DEFAULT_CALIBRATION);
    expect(adopted).toEqual({ temperature: true, detection: false, tag: false });
    const { headPrior: _p, headScale: _s, ...zeroShot } = DEFAULT_CALIBRATION;
    expect(calibration).toEqual({ ...zeroShot, temperature: 0.01 });
  });

  it('the head keeps the default unless a candidate beats it left-out, then takes the best candidate', () => {
    // Logits whose best scale is 2 on every set: the scaled candidate wins; the other prior is worse.
    const rows = (prior: number, k: number): HeadRows[] =>
      ['a', 'b', 'c'].map((name) => ({ name, prior, rows: Array.from({ length: 40 }, (_, i) => ({ sims: i % 5 === 0 ? [0, k] : [k, 0], gold: [0] })) }));
    const chosen = chooseHead([...rows(0.04, 0.8), ...rows(0.02, 0.1)], { headPrior: 0.04, headScale: 1 });
    expect(chosen.adopted).toBe(true);
    expect(chosen.headPrior).toBe(0.04);
    expect(chosen.headScale).toBeGreaterThan(1);
    // Already calibrated at scale 1 with the default prior: nothing to adopt.
    const calibrated = (name: string): HeadRows => ({ name, prior: 0.04, rows: Array.from({ length: 100 }, (_, i) => ({ sims: i % 4 === 0 ? [0, Math.log(3)] : [Math.log(3), 0], gold: [0] })) });
    const kept = chooseHead([calibrated('a'), calibrated('b'), calibrated('c')], { headPrior: 0.04, headScale: 1 });
    expect(kept.adopted).toBe(false);
    expect([kept.headPrior, kept.headScale]).toEqual([0.04, 1]);
  });
});
