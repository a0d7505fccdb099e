/**
 * labelwise — embeddable, offline zero-shot and few-shot text classification.
 * The public surface, grouped; nothing here exposes onnxruntime, piscina or SQLite types.
 */

// Engine
export { createEngine } from './engine/create-engine.js';
export { Engine, DEFAULT_ACCOUNT, type CallOptions, type Detailed } from './engine/engine.js';
export type { EngineOptions, HfModelOptions } from './engine/options.js';
export type { CacheMeta } from './engine/response-cache.js';
export type { PoolOptions } from './pool/inference-pool.js';
export type { CreatedJob, JobCallOptions, JobConfig, JobDownload, JobInfo, JobInput, JobMode, JobResultLine, JobsApi, JobsOptions, JobStatus, JobSummary, TokenGrant, UploadOptions } from './jobs/index.js';
export type { ScorerCalibration } from './scoring/scorer.js';

// Stores (keys, classifiers, usage, logs, billing) — interfaces only
export type {
  Balance,
  ClassifierDetail,
  ClassifierInput,
  ClassifierSummary,
  ClassifierVersion,
  CreatedKey,
  KeyCreateInput,
  KeyCreateOptions,
  KeyGrant,
  KeyInfo,
  KeyStore,
  ClassifierStore,
  LogEntry,
  LogsPage,
  LogsQuery,
  Prices,
  Scope,
  Tier,
  UsageQuery,
  UsageReport,
  UsageRow,
  VerifiedKey,
} from './store/index.js';

// Models
export type { Embedder, EmbeddedText, EmbedOptions } from './model/embedder.js';
export type { Lane } from './vocabulary.js';
export { MODEL_CHANNEL, type ModelEvent } from './model/use-lite/index.js';

// Errors
export { LabelwiseError, isLabelwiseError, toErrorBody, ERROR_TABLE, LOG_ONLY_ERRORS, REASONS, type ErrorCode, type ErrorBody, type LogOnlyErrorCode, type Reason } from './errors.js';
export { LabelwiseOptionsError, isLabelwiseOptionsError } from './options/index.js';

// Request and response shapes (snake_case, identical to the wire)
export type {
  ClassifyRequest,
  TagRequest,
  ClassifyBatchRequest,
  TagBatchRequest,
  ClassifyResponse,
  TagResponse,
  ClassifyBatchResponse,
  TagBatchResponse,
  ClassifyBatchItem,
  TagBatchItem,
  LabelScore,
  CacheInfo,
  Priority,
} from './schema/index.js';
