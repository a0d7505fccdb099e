/** The composition root: resolves options and wires the engine's parts, nothing else. */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabelwiseError } from '../errors.js';
import { JobFiles, Jobs } from '../jobs/index.js';
import { PrototypeBuilder } from '../scoring/prototypes.js';
import { openStores, type ClassifierStore } from '../store/index.js';
import { Accounting } from './accounting.js';
import { engineCalibration } from './calibration/index.js';
import { DocumentStep } from './documents-step.js';
import { Engine } from './engine.js';
import type { AnyScored } from './endpoints.js';
import { LabelConfigResolver, type ClassifierResolver } from './label-config.js';
import { createModel } from './model-loader.js';
import { jobScoring } from './job-scoring.js';
import { resolveOptions, type EngineOptions, type ResolvedOptions } from './options.js';
import { Pipeline } from './pipeline.js';
import { registerAccounting, registerLimits } from './ports.js';
import { ResponseCache } from './response-cache.js';

/**
 * Bounds of the engine's internal caches (memory per engine). The response cache, the pool
 * queue and the document limits come from {@link EngineOptions}.
 */
export const ENGINE_LIMITS = Object.freeze({
  /** Embedded label sentences (templates, descriptions, examples) kept by content. */
  prototypeSentences: 50_000,
  /** Whole label configs whose prototypes are kept. */
  prototypeConfigs: 1_000,
  /** Label configs whose token cost and order-free hash are kept. */
  labelConfigs: 5_000,
});

/**
 * Creates an engine: loads (and on first use converts) the model and starts its worker pool.
 *
 * @example
 * ```ts
 * import { createEngine } from 'labelwise';
 * const engine = await createEngine();
 * const { label, confidence } = await engine.classify({ text: 'My card was charged twice', labels: ['billing', 'shipping'] });
 * await engine.close();
 * ```
 */
export async function createEngine(options?: EngineOptions): Promise<Engine> {
  const resolved = resolveOptions(options);
  const stores = await openStores({ dataDir: resolved.dataDir, prices: resolved.billing.prices, freeTokensMonthly: resolved.billing.freeTokensMonthly });
  let built: { close(): Promise<void> } | undefined;
  try {
    const { embedder, fitHead } = await createModel(resolved);
    // From here on a failure must stop the model's worker threads too, not only the stores.
    built = embedder;
    // The model's fitted artefact, explicit `calibration` options winning field by field.
    const calibration = engineCalibration(resolved);
    const accounting = new Accounting(stores, { enforceBilling: resolved.billing.enabled, recordUsage: resolved.recordUsage, durable: resolved.durability === 'durable' });
    const pipeline = new Pipeline({
      embedder,
      accounting,
      calibration,
      cache: new ResponseCache<AnyScored>(resolved.cache),
      documents: new DocumentStep(resolved.documents),
      prototypes: new PrototypeBuilder(embedder, {
        maxSentences: ENGINE_LIMITS.prototypeSentences,
        maxConfigs: ENGINE_LIMITS.prototypeConfigs,
        fitHead,
        // The prior the few-shot head shrinks towards, chosen per model (src/engine/calibration).
        head: { zeroShotTemperature: calibration.headPrior },
      }),
      configs: new LabelConfigResolver(embedder, savedClassifiers(stores.classifiers), { maxConfigs: ENGINE_LIMITS.labelConfigs }),
    });
    const jobs = new Jobs({
      store: stores.jobs,
      classifiers: stores.classifiers,
      files: jobFiles(resolved),
      scoring: jobScoring(pipeline, accounting, resolved.recordUsage),
      options: resolved.jobs,
    });
    const engine = new Engine(stores, pipeline, jobs);
    built = engine;
    registerAccounting(engine, accounting);
    registerLimits(engine, { maxUploadBytes: resolved.jobs.maxUploadBytes });
    // Jobs left processing by an engine that is gone (a crash, a kill) go on from their checkpoint.
    await jobs.resume();
    return engine;
  } catch (err) {
    // The engine closes its stores itself; before it exists they are closed here.
    if (built instanceof Engine) await built.close().catch(() => {});
    else {
      await built?.close().catch(() => {});
      await stores.close();
    }
    throw err;
  }
}

/** `jobs.dir`, else `<dataDir>/jobs`; an in-memory engine's jobs live in a temporary folder removed on close. */
function jobFiles(options: ResolvedOptions): JobFiles {
  if (options.jobs.dir) return new JobFiles(options.jobs.dir);
  if (options.dataDir !== ':memory:') return new JobFiles(join(options.dataDir, 'jobs'));
  return new JobFiles(join(tmpdir(), `labelwise-jobs-${randomBytes(8).toString('hex')}`), { ephemeral: true });
}

/** Reads a saved classifier of the account; `undefined` (→ CLASSIFIER_NOT_FOUND) when absent. */
function savedClassifiers(store: ClassifierStore): ClassifierResolver {
  return async (ref, account) => {
    try {
      const c = await store.get(ref, { account });
      return { labels: c.labels, descriptions: c.descriptions, examples: c.examples, text_type: c.text_type ?? undefined, threshold: c.threshold ?? undefined, ref: `${c.name}@${c.version}` };
    } catch (err) {
      if (isLabelwiseError(err) && err.code === 'CLASSIFIER_NOT_FOUND') return undefined;
      throw err;
    }
  };
}
