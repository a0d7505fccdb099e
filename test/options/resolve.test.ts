import { describe, expect, it } from 'vitest';
import { createEngine, LabelwiseOptionsError } from '../../src/index.js';
import { resolveOptions } from '../../src/engine/options.js';
import { resolveHandlerOptions, TIER_DEFAULTS } from '../../src/http/options.js';
import { editDistance, integer, nearest, object, oneOf, perKey } from '../../src/options/index.js';
import { resolveStoresOptions } from '../../src/store/options.js';
import { expectOptionError } from '../support/options.js';

function isDeepFrozen(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return true;
  seen.add(value);
  return Object.isFrozen(value) && Object.values(value).every((v) => isDeepFrozen(v, seen));
}

describe('the options resolver', () => {
  it('refuses a misspelt nested switch with the fix, instead of leaving billing silently off', async () => {
    const err = await expectOptionError(() => resolveOptions({ billing: { enable: true } } as never), 'billing.enable', 'unknown option "billing.enable"; did you mean "billing.enabled"?');
    expect(err).toBeInstanceOf(LabelwiseOptionsError);
    expect(err).not.toHaveProperty('status');
  });

  it('refuses an unknown key at every depth, listing the known ones when nothing is close', async () => {
    await expectOptionError(() => resolveOptions({ cache: { maxEntries: 5 } } as never), 'cache.maxEntries', 'unknown option "cache.maxEntries"; known options: cache.max, cache.ttlMs');
    await expectOptionError(() => resolveOptions({ cache: { ttlMs: { prod: 1 } } } as never), 'cache.ttlMs.prod', /known options: cache\.ttlMs\.public, cache\.ttlMs\.developer, cache\.ttlMs\.production$/);
    await expectOptionError(() => resolveOptions({ billing: { prices: { Fast: 1 } } } as never), 'billing.prices.Fast', /did you mean "billing\.prices\.fast"\?/);
    await expectOptionError(() => resolveOptions({ calibration: { temprature: 1 } } as never), 'calibration.temprature', /did you mean "calibration\.temperature"\?/);
    await expectOptionError(() => resolveOptions({ model: { type: 'hf-onnx', path: '/m', poolng: 'cls' } } as never), 'model.poolng', /did you mean "model\.pooling"\?/);
    await expectOptionError(() => resolveOptions({ recordusage: false } as never), 'recordusage', /did you mean "recordUsage"\?/);
    await expectOptionError(() => resolveOptions({ documents: { maxPage: 3 } } as never), 'documents.maxPage', 'unknown option "documents.maxPage"; did you mean "documents.maxPages"?');
    await expectOptionError(() => resolveOptions({ documents: { allowHosts: [''] } }), 'documents.allowHosts', /array of non-empty strings/);
    await expectOptionError(() => resolveOptions({ allowdownload: true } as never), 'allowdownload', /did you mean "allowDownload"\?/);
    await expectOptionError(() => resolveOptions({ allowDownload: 'yes' } as never), 'allowDownload', /must be a boolean/);
    await expectOptionError(() => resolveOptions({ model: 'bge-small-en-v15' } as never), 'model', /unknown model "bge-small-en-v15"; did you mean "bge-small-en-v1\.5"\? Known models: use-lite, /);
  });

  it('checks types and ranges, naming the option and what it got', async () => {
    await expectOptionError(() => resolveOptions({ pool: { workers: 0 } }), 'pool.workers', 'option "pool.workers" must be a positive integer (threads) (got 0)');
    await expectOptionError(() => resolveOptions({ pool: { maxWaitMs: -1 } }), 'pool.maxWaitMs', /non-negative integer \(ms\)/);
    await expectOptionError(() => resolveOptions({ cache: { ttlMs: { public: 1.5 } } }), 'cache.ttlMs.public');
    await expectOptionError(() => resolveOptions({ cache: null } as never), 'cache', 'option "cache" must be false or an object (got null)');
    await expectOptionError(() => resolveOptions({ billing: { enabled: 'yes' } } as never), 'billing.enabled', /must be a boolean \(got "yes"\)/);
    await expectOptionError(() => resolveOptions({ billing: { freeTokensMonthly: -1 } }), 'billing.freeTokensMonthly');
    await expectOptionError(() => resolveOptions({ billing: { prices: { fast: 0.0000001 } } }), 'billing.prices.fast', /more than 6 decimal places/);
    await expectOptionError(() => resolveOptions({ calibration: { temperature: 0 } }), 'calibration.temperature', /positive number/);
    await expectOptionError(() => resolveOptions({ model: 42 } as never), 'model', 'option "model" must be "use-lite", a preset name or { type: "hf-onnx", path } (got 42)');
    await expectOptionError(() => resolveOptions({ model: { type: 'hf-onnx' } } as never), 'model.path', 'option "model.path" is required (a non-empty string)');
    await expectOptionError(() => resolveOptions({ model: { type: 'hf-onnx', path: '/m', pooling: 'max' } } as never), 'model.pooling', /"mean" or "cls"/);
    await expectOptionError(() => resolveOptions({ embedder: {} } as never), 'embedder');
    await expectOptionError(() => resolveOptions({ dataDir: '' }), 'dataDir');
    await expectOptionError(() => resolveOptions(5 as never), '', 'options must be an object (got 5)');
    await expectOptionError(() => resolveOptions({ pool: [] } as never), 'pool', /must be an object \(got an array\)/);
  });

  it('resolves to deeply frozen defaults', () => {
    const o = resolveOptions();
    expect(isDeepFrozen(o)).toBe(true);
    expect(o).toMatchObject({
      model: 'use-lite',
      dataDir: ':memory:',
      recordUsage: true,
      durability: 'buffered',
      cache: { max: 10_000, ttlMs: { public: 300_000, developer: 3_600_000, production: 86_400_000 } },
      billing: { enabled: false, prices: { standard: 0.2, fast: 0.6, batch: 0.08 }, freeTokensMonthly: 10_000_000 },
      pool: { threadsPerWorker: 1, maxBatchSize: 64, maxWaitMs: 2, maxQueue: 20_000 },
    });
    expect(o.pool.workers).toBeGreaterThanOrEqual(1);
    expect(() => {
      (o.cache as { max: number }).max = 1;
    }).toThrow(TypeError);
    const given = { cache: { ttlMs: { public: 7 } } };
    const partial = resolveOptions(given);
    expect(partial.cache).toEqual({ max: 10_000, ttlMs: { public: 7, developer: 3_600_000, production: 86_400_000 } });
    expect(given).toEqual({ cache: { ttlMs: { public: 7 } } }); // the caller's object is not touched
    expect(resolveOptions({ cache: false }).cache).toBe(false);
    expect(resolveOptions({ model: { type: 'hf-onnx', path: '/m' } }).model).toEqual({ type: 'hf-onnx', path: '/m', pooling: 'mean', maxTokens: undefined, id: undefined, prefix: undefined });
    expect(resolveOptions({ billing: { enabled: true } }).durability).toBe('durable');
    expect(resolveOptions({ model: 'e5-small-v2' }).model).toBe('e5-small-v2');
    expect(resolveOptions({ documents: { allowHosts: ['Files.Example.COM.'] } }).documents).toMatchObject({ allowHosts: ['files.example.com'], maxPages: 20 });
  });

  it('createEngine throws the TypeError before loading anything, not an HTTP-style 422', async () => {
    const err = await createEngine({ billing: { enable: true } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ option: 'billing.enable', code: 'LABELWISE_INVALID_OPTION' });
    expect(err).not.toHaveProperty('status');
  });

  it('stores: the same checks and frozen defaults', async () => {
    await expectOptionError(() => resolveStoresOptions({ flushIntervalMS: 5 } as never), 'flushIntervalMS', /did you mean "flushIntervalMs"\?/);
    await expectOptionError(() => resolveStoresOptions({ busyTimeoutMs: '5' } as never), 'busyTimeoutMs', /positive integer \(ms\) \(got "5"\)/);
    const o = resolveStoresOptions();
    expect(isDeepFrozen(o)).toBe(true);
    expect(o).toEqual({ dataDir: undefined, busyTimeoutMs: 5000, flushIntervalMs: 250, flushMaxRows: 500, purgeIntervalMs: 3_600_000, prices: { standard: 0.2, fast: 0.6, batch: 0.08 }, freeTokensMonthly: 10_000_000 });
  });

  it('createHandler: nested limits and tiers checked, defaults frozen, base path normalised', async () => {
    await expectOptionError(() => resolveHandlerOptions({ limits: { maxbytes: 5 } } as never), 'limits.maxbytes', /did you mean "limits\.maxBytes"\?/);
    await expectOptionError(() => resolveHandlerOptions({ tiers: { developer: { rpm: 5 } } } as never), 'tiers.developer.rpm', /known options: tiers\.developer\.requestsPerMinute/);
    await expectOptionError(() => resolveHandlerOptions({ limits: { timeoutMs: 0 } }), 'limits.timeoutMs', /positive integer \(ms\)/);
    await expectOptionError(() => resolveHandlerOptions({ rateLimiter: {} } as never), 'rateLimiter', /must be a function/);
    await expectOptionError(() => resolveHandlerOptions({ publicmode: true } as never), 'publicmode', /did you mean "publicMode"\?/);
    const o = resolveHandlerOptions({ basePath: '/api/', tiers: { public: { concurrent: 3 } } });
    expect(isDeepFrozen(o)).toBe(true);
    expect(o.basePath).toBe('/api');
    expect(o.tiers).toEqual({ ...TIER_DEFAULTS, public: { ...TIER_DEFAULTS.public, concurrent: 3 } });
    expect(o.limits).toEqual({ maxBytes: 1_048_576, timeoutMs: 10_000 });
    expect(resolveHandlerOptions({ basePath: '/' }).basePath).toBe('');
  });

  it('specs compose: nested objects, per-key fields, enums', async () => {
    const spec = object({ a: object({ b: object(perKey(['x', 'y'], () => integer({ min: 1, default: 1 }))) }), mode: oneOf(['on', 'off'], { default: 'on' }) });
    expect(spec.resolve(undefined, '')).toEqual({ a: { b: { x: 1, y: 1 } }, mode: 'on' });
    await expectOptionError(() => spec.resolve({ a: { b: { z: 2 } } }, ''), 'a.b.z', /known options: a\.b\.x, a\.b\.y/);
    await expectOptionError(() => spec.resolve({ mode: 'of' }, ''), 'mode', 'option "mode" must be "on" or "off" (got "of")');
  });

  it('suggests by edit distance, case-insensitively, and only when close', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearest('enable', ['enabled', 'prices'])).toBe('enabled');
    expect(nearest('DATADIR', ['dataDir'])).toBe('dataDir');
    expect(nearest('maxEntries', ['max', 'ttlMs'])).toBeUndefined();
    expect(nearest('threadsPerWorkers', ['workers', 'threadsPerWorker'])).toBe('threadsPerWorker');
  });
});
