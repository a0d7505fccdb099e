/** Options of `createEngine`: the public shape, its spec, and the resolved frozen form. */
import { fileURLToPath } from 'node:url';
import type { Embedder } from '../model/embedder.js';
import { modelNames, type PresetName } from '../model/hub/presets.js';
import { boolean, custom, falseOr, integer, isPlainObject, LabelwiseOptionsError, nearest, number, object, oneOf, perKey, required, string, type Resolved } from '../options/index.js';
import { POOL_DEFAULTS, type PoolOptions } from '../pool/inference-pool.js';
import type { DEFAULT_CALIBRATION, ScorerCalibration } from '../scoring/scorer.js';
import type { Prices } from '../store/index.js';
import { FREE_TOKENS_SPEC, PRICES_SPEC } from '../store/options.js';
import { DOCUMENTS_SPEC } from '../documents/options.js';
import type { DocumentOptions } from '../documents/index.js';
import { JOBS_SPEC, type JobsOptions } from '../jobs/index.js';
import { DURABILITY_MODES, TIERS, type Durability, type Tier } from '../vocabulary.js';

export type { Durability } from '../vocabulary.js';

/** A Hugging Face–layout ONNX sentence-embedding model in a local folder. */
export interface HfModelOptions {
  type: 'hf-onnx';
  /** Folder with `tokenizer.json` and `onnx/model.onnx` (or `model.onnx`). */
  path: string;
  /** How token vectors become a sentence vector. @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** Longest sequence per model run, in tokens; longer texts are windowed. @default 512 (tokens) */
  maxTokens?: number;
  /** Stable id for cache keys. @default 'hf:' + folder name */
  id?: string;
  /** Text the model expects before every input (e5: `'query: '`); not billed. @default '' */
  prefix?: string;
}

export interface EngineOptions {
  /**
   * Model to embed with: the embedded Universal Sentence Encoder lite (converted to ONNX on
   * first use), a named preset installed under `<cacheDir>/models/<name>` (`labelwise models
   * pull <name>`), or a local Hugging Face–layout ONNX model. @default 'use-lite'
   * @example
   * ```ts
   * await createEngine({ model: 'bge-small-en-v1.5-int8' });
   * ```
   */
  model?: 'use-lite' | PresetName | HfModelOptions;
  /**
   * Download a named preset from the Hugging Face hub (`HF_ENDPOINT`, `HF_TOKEN`) when it is
   * not installed. Off: a missing model is an error naming the pull command. @default false
   */
  allowDownload?: boolean;
  /** A ready-made embedder; replaces `model` and `pool` entirely. @default undefined (built from `model`) */
  embedder?: Embedder;
  /**
   * Where converted models are cached. @default $LABELWISE_CACHE_DIR, else `models/.cache`
   * inside the installed package
   */
  cacheDir?: string;
  /** Inference pool tuning (workers, threads, micro-batching, queue bound); see {@link PoolOptions} for each default. */
  pool?: Partial<PoolOptions>;
  /** Response cache; `false` turns it off. @default { max: 10000, ttlMs: { public: 300000, developer: 3600000, production: 86400000 } } */
  cache?:
    | false
    | {
        /** Most cached responses. @default 10000 (responses) */
        max?: number;
        /** Time to live per caller tier (spec §9), in ms. @default { public: 300000, developer: 3600000, production: 86400000 } (ms) */
        ttlMs?: Partial<Record<CacheTier, number>>;
      };
  /**
   * Confidence calibration constants (advanced). Each field given here replaces that field of the
   * model's own fitted calibration (`npm run calibrate`); the others keep it.
   * @default the named model's fitted calibration, else {@link DEFAULT_CALIBRATION} (use-lite's)
   */
  calibration?: Partial<ScorerCalibration>;
  /**
   * Where keys, classifiers, usage, logs and the ledger live: `<dataDir>/labelwise.db`.
   * @default ':memory:' (nothing persists)
   */
  dataDir?: string;
  /**
   * Record one usage/log row (and its charge) per call. Turning it off also turns off spend
   * tracking; it exists to measure recording's cost and for throwaway engines. @default true
   */
  recordUsage?: boolean;
  /**
   * When a call's usage row and charge reach the database. `'durable'`: the call is answered
   * only once they are committed (group commit: concurrent calls share one transaction per
   * event-loop turn), so a process crash loses no answered call; if the commit fails the call
   * fails (`OVERLOADED` if the database is busy, else `INTERNAL_ERROR`) rather than be given
   * away unrecorded. `'buffered'`: written behind within 250 ms; a crash (SIGKILL, OOM kill)
   * loses the calls answered in the last 250 ms. Required to be `'durable'` with billing on.
   * `labelwise serve` always runs durable.
   * @default 'durable' when `billing.enabled`, else 'buffered'
   */
  durability?: Durability;
  /** Documents and images (spec §8): size, page and image limits, URL fetching, OCR; see {@link DocumentOptions} for each default. */
  documents?: Partial<DocumentOptions>;
  /** Async batch jobs (spec §7): upload and line limits, chunking, tokens; see {@link JobsOptions} for each default. */
  jobs?: Partial<JobsOptions>;
  /** Billing (spec §9). Off by default: spend is recorded, nothing is refused. */
  billing?: {
    /** Refuse (402) what the balance and free tokens cannot cover. @default false */
    enabled?: boolean;
    /** USD per 1M tokens. @default { standard: 0.20, fast: 0.60, batch: 0.08 } (USD per 1M tokens) */
    prices?: Partial<Prices>;
    /** Free tokens per account per calendar month. @default 10000000 (tokens) */
    freeTokensMonthly?: number;
  };
}

/** Caller tiers; in-process calls are `developer` unless they say otherwise. */
export type CacheTier = Tier;

export const CACHE_TTL_DEFAULTS: Readonly<Record<CacheTier, number>> = Object.freeze({
  public: 5 * 60_000,
  developer: 60 * 60_000,
  production: 24 * 60 * 60_000,
});

const HF_MODEL = object({
  type: required(oneOf(['hf-onnx'])),
  path: required(string({ nonEmpty: true })),
  pooling: oneOf(['mean', 'cls'], { default: 'mean' }),
  maxTokens: integer({ min: 1, unit: 'tokens' }),
  id: string({ nonEmpty: true }),
  prefix: string(),
});

/** `'use-lite'`, a preset name (unknown ones name the closest), or an HF model object checked to its nested keys. */
const MODEL = custom<'use-lite' | PresetName | Resolved<typeof HF_MODEL>>(
  '"use-lite", a preset name or { type: "hf-onnx", path }',
  (v, path) => {
    if (typeof v !== 'string') return isPlainObject(v) ? HF_MODEL.resolve(v, path) : undefined;
    const names = modelNames();
    if (names.includes(v)) return v as 'use-lite' | PresetName;
    const near = nearest(v, names);
    throw new LabelwiseOptionsError(path, `unknown model "${v}"${near ? `; did you mean "${near}"?` : ''} Known models: ${names.join(', ')}`);
  },
  { default: 'use-lite' },
);

const EMBEDDER = custom<Embedder>('an Embedder (an object with an embed method)', (v) =>
  typeof v === 'object' && v !== null && typeof (v as Embedder).embed === 'function' ? (v as Embedder) : undefined,
);

const POOL = object({
  workers: integer({ min: 1, unit: 'threads', default: POOL_DEFAULTS.workers }),
  threadsPerWorker: integer({ min: 1, unit: 'threads', default: POOL_DEFAULTS.threadsPerWorker }),
  maxBatchSize: integer({ min: 1, unit: 'sequences', default: POOL_DEFAULTS.maxBatchSize }),
  maxWaitMs: integer({ min: 0, unit: 'ms', default: POOL_DEFAULTS.maxWaitMs }),
  maxQueue: integer({ min: 1, unit: 'sequences', default: POOL_DEFAULTS.maxQueue }),
});

const CACHE = falseOr(
  object({
    max: integer({ min: 1, unit: 'responses', default: 10_000 }),
    ttlMs: object(perKey(TIERS, (tier) => integer({ min: 1, unit: 'ms', default: CACHE_TTL_DEFAULTS[tier] }))),
  }),
);

// No defaults: only the fields the caller gave survive, so the engine can lay them over the
// model's fitted calibration (src/engine/calibration) field by field.
const CALIBRATION = object({
  temperature: number({ above: 0 }),
  bias: number(),
  scale: number({ above: 0 }),
  tagBias: number(),
  tagSlope: number(),
  headPrior: number({ above: 0 }),
  headScale: number({ above: 0 }),
});


const ENGINE = object({
  model: MODEL,
  allowDownload: boolean({ default: false }),
  embedder: EMBEDDER,
  cacheDir: string({ nonEmpty: true, default: () => process.env.LABELWISE_CACHE_DIR ?? fileURLToPath(new URL('../../models/.cache', import.meta.url)) }),
  pool: POOL,
  cache: CACHE,
  calibration: CALIBRATION,
  dataDir: string({ nonEmpty: true, default: ':memory:' }),
  recordUsage: boolean({ default: true }),
  durability: oneOf(DURABILITY_MODES),
  documents: DOCUMENTS_SPEC,
  jobs: JOBS_SPEC,
  billing: object({
    enabled: boolean({ default: false }),
    prices: PRICES_SPEC,
    freeTokensMonthly: FREE_TOKENS_SPEC,
  }),
});

/** {@link EngineOptions} with every default filled in, checked and deeply frozen. */
export type ResolvedOptions = Omit<Resolved<typeof ENGINE>, 'durability'> & { readonly durability: Durability };

/**
 * Resolves `createEngine`'s options.
 * @throws {@link LabelwiseOptionsError} naming the option: an unknown key at any depth (with the
 * nearest known one), a wrong type or range, or buffered durability with billing on.
 */
export function resolveOptions(options: EngineOptions = {}): ResolvedOptions {
  const resolved = ENGINE.resolve(options, '');
  const durability = resolved.durability ?? (resolved.billing.enabled ? 'durable' : 'buffered');
  // Charges are money: with billing on, an answer must never outrun its charge.
  if (resolved.billing.enabled && durability === 'buffered') {
    throw new LabelwiseOptionsError('durability', 'option "durability" cannot be "buffered" with billing enabled: a crash would lose charges of answered calls');
  }
  return Object.freeze({ ...resolved, durability });
}
