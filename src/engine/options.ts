import { fileURLToPath } from 'node:url';
import { LabelwiseError } from '../errors.js';
import type { Embedder } from '../model/embedder.js';
import { resolvePreset, type PresetName } from '../model/hub/presets.js';
import { POOL_DEFAULTS, type PoolOptions } from '../pool/inference-pool.js';
import { DEFAULT_CALIBRATION, type ScorerCalibration } from '../scoring/scorer.js';
import type { Prices } from '../store/index.js';
import type { DocumentOptions } from '../documents/index.js';

/** A Hugging Face–layout ONNX sentence-embedding model in a local folder. */
export interface HfModelOptions {
  type: 'hf-onnx';
  /** Folder with `tokenizer.json` and `onnx/model.onnx` (or `model.onnx`). */
  path: string;
  /** How token vectors become a sentence vector. @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** Longest sequence per model run; longer texts are windowed. @default 512 */
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
  /** A ready-made embedder; replaces `model` and `pool` entirely. */
  embedder?: Embedder;
  /**
   * Where converted models are cached. @default $LABELWISE_CACHE_DIR, else `models/.cache`
   * inside the installed package
   */
  cacheDir?: string;
  /** Inference pool tuning (workers, threads, micro-batching, queue bound). */
  pool?: Partial<PoolOptions>;
  /** Response cache; `false` turns it off. */
  cache?:
    | false
    | {
        /** Most cached responses. @default 10000 */
        max?: number;
        /** Time to live in ms per caller tier (spec §9). @default { public: 300000, developer: 3600000, production: 86400000 } */
        ttlMs?: Partial<Record<CacheTier, number>>;
      };
  /** Confidence calibration constants (advanced). */
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
  durability?: 'buffered' | 'durable';
  /** Documents and images (spec §8): size, page and image limits, URL fetching, OCR. */
  documents?: Partial<DocumentOptions>;
  /** Billing (spec §9). Off by default: spend is recorded, nothing is refused. */
  billing?: {
    /** Refuse (402) what the balance and free tokens cannot cover. @default false */
    enabled?: boolean;
    /** USD per 1M tokens. @default { standard: 0.20, fast: 0.60, batch: 0.08 } */
    prices?: Partial<Prices>;
    /** Free tokens per account per calendar month. @default 10000000 */
    freeTokensMonthly?: number;
  };
}

/** See {@link EngineOptions.durability}. */
export type Durability = 'buffered' | 'durable';

/** Caller tiers; in-process calls are `developer` unless they say otherwise. */
export type CacheTier = 'public' | 'developer' | 'production';

export const CACHE_TTL_DEFAULTS: Readonly<Record<CacheTier, number>> = Object.freeze({
  public: 5 * 60_000,
  developer: 60 * 60_000,
  production: 24 * 60 * 60_000,
});

export interface ResolvedOptions {
  model: 'use-lite' | PresetName | HfModelOptions;
  allowDownload: boolean;
  embedder?: Embedder;
  cacheDir: string;
  pool: PoolOptions;
  cache: { max: number; ttlMs: Record<CacheTier, number> } | false;
  calibration: ScorerCalibration;
  dataDir: string;
  recordUsage: boolean;
  durability: Durability;
  documents?: Partial<DocumentOptions>;
  billing: { enabled: boolean; prices?: Partial<Prices>; freeTokensMonthly?: number };
}

const KNOWN = ['model', 'allowDownload', 'embedder', 'cacheDir', 'pool', 'cache', 'calibration', 'dataDir', 'recordUsage', 'durability', 'documents', 'billing'] as const;
const POOL_KNOWN = Object.keys(POOL_DEFAULTS);

export function resolveOptions(options: EngineOptions = {}): Readonly<ResolvedOptions> {
  rejectUnknown(options as Record<string, unknown>, KNOWN, '');
  rejectUnknown((options.pool ?? {}) as Record<string, unknown>, POOL_KNOWN, 'pool.');
  const pool = { ...POOL_DEFAULTS, ...options.pool };
  for (const [k, v] of Object.entries(pool)) {
    if (!Number.isInteger(v) || v < (k === 'maxWaitMs' ? 0 : 1)) {
      throw new LabelwiseError('VALIDATION_ERROR', `option pool.${k} must be a ${k === 'maxWaitMs' ? 'non-negative' : 'positive'} integer`, { field: `pool.${k}` });
    }
  }
  const billingOn = options.billing?.enabled ?? false;
  const durability = options.durability ?? (billingOn ? 'durable' : 'buffered');
  if (durability !== 'durable' && durability !== 'buffered') {
    throw new LabelwiseError('VALIDATION_ERROR', 'option durability must be "durable" or "buffered"', { field: 'durability' });
  }
  // Charges are money: with billing on, an answer must never outrun its charge.
  if (billingOn && durability === 'buffered') {
    throw new LabelwiseError('VALIDATION_ERROR', 'option durability "buffered" cannot be used with billing enabled: a crash would lose charges of answered calls', { field: 'durability' });
  }
  const model = options.model ?? 'use-lite';
  if (typeof model === 'string' && model !== 'use-lite') resolvePreset(model); // unknown names fail here, with the closest
  return Object.freeze({
    model,
    allowDownload: options.allowDownload === true,
    embedder: options.embedder,
    cacheDir: options.cacheDir ?? process.env.LABELWISE_CACHE_DIR ?? fileURLToPath(new URL('../../models/.cache', import.meta.url)),
    pool: Object.freeze(pool),
    cache: options.cache === false ? false : { max: options.cache?.max ?? 10_000, ttlMs: { ...CACHE_TTL_DEFAULTS, ...options.cache?.ttlMs } },
    calibration: Object.freeze({ ...DEFAULT_CALIBRATION, ...options.calibration }),
    dataDir: options.dataDir ?? ':memory:',
    recordUsage: options.recordUsage ?? true,
    durability,
    documents: options.documents,
    billing: { enabled: options.billing?.enabled ?? false, prices: options.billing?.prices, freeTokensMonthly: options.billing?.freeTokensMonthly },
  });
}

/** A misspelled option fails loudly with the likely fix instead of being silently ignored. */
function rejectUnknown(given: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
    const hint = near ? `; did you mean "${prefix}${near}"?` : `; known options: ${known.map((k) => prefix + k).join(', ')}`;
    throw new LabelwiseError('VALIDATION_ERROR', `unknown option "${prefix}${key}"${hint}`, { field: prefix + key });
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
