/**
 * What differs between classify and tag, as data: how a request is parsed, how an embedded
 * text is scored, and what part of the answer identifies it (cache key, log). The pipeline
 * runs either through the same steps; a new endpoint is one more spec here.
 */
import { parseBatchRequest, parseClassifyRequest, parseTagRequest, type LabelScore, type NormalizedRequest } from '../schema/index.js';
import type { LabelPrototypes } from '../scoring/prototypes.js';
import { classifyScores, similarities, tagScores, type ScorerCalibration } from '../scoring/scorer.js';
import type { LoggedLabel } from '../store/index.js';
import type { ResolvedConfig } from './label-config.js';

/** The answer of `classify` for one text, before tokens and timing are added. */
export interface ClassifyBody {
  label: string;
  confidence: number;
}

/** The answer of `tag` for one text. */
export interface TagBody {
  labels: LabelScore[];
}

/** An answer as it is cached: the body with the tokens it cost. */
export type Scored<B> = B & { tokens: number; visual_tokens?: number };

/** Any endpoint's cached answer (one response cache serves every endpoint). */
export type AnyScored = Scored<ClassifyBody | TagBody>;

export interface EndpointSpec<B extends ClassifyBody | TagBody> {
  /** Cache-key part and log path: `/<name>` and `/<name>/batch`. */
  readonly name: string;
  /** Validates and normalizes a single-text request body. */
  parseOne(raw: unknown): NormalizedRequest;
  /** Validates and normalizes a batch body (its items are checked one by one). */
  parseMany(raw: unknown): NormalizedRequest;
  score(vector: Float32Array, prototypes: LabelPrototypes, config: ResolvedConfig, calibration: ScorerCalibration): B;
  /** What the answer depends on beyond the label config: tag's threshold. */
  keyThreshold(config: ResolvedConfig): number | null;
  /** A deep copy: callers may edit what they get, the cache must not change. */
  copy(body: Scored<B>): Scored<B>;
  /** A cached answer if it is this endpoint's (keys are namespaced; this keeps it typed). */
  own(body: AnyScored): Scored<B> | undefined;
  /** What the request log keeps of the answer. */
  logged(body: B): { label?: string; labels?: LoggedLabel[] };
}

/** `POST /v1/classify` and `/v1/classify/batch`: exactly one label (spec §3). */
export const CLASSIFY: EndpointSpec<ClassifyBody> = Object.freeze({
  name: 'classify',
  parseOne: parseClassifyRequest,
  parseMany: (raw: unknown) => parseBatchRequest(raw, 'classify'),
  score: (vector: Float32Array, prototypes: LabelPrototypes, _config: ResolvedConfig, calibration: ScorerCalibration) => classifyScores(vector, prototypes, calibration),
  keyThreshold: () => null,
  copy: (body: Scored<ClassifyBody>) => ({ ...body }),
  own: (body: AnyScored) => ('label' in body ? body : undefined),
  logged: (body: ClassifyBody) => ({ label: body.label }),
});

/** `POST /v1/tag` and `/v1/tag/batch`: every label at or above the threshold (spec §4). */
export const TAG: EndpointSpec<TagBody> = Object.freeze({
  name: 'tag',
  parseOne: parseTagRequest,
  parseMany: (raw: unknown) => parseBatchRequest(raw, 'tag'),
  score: (vector: Float32Array, prototypes: LabelPrototypes, config: ResolvedConfig, calibration: ScorerCalibration) => ({
    labels: tagScores(similarities(vector, prototypes), prototypes.labels, config.threshold, calibration),
  }),
  keyThreshold: (config: ResolvedConfig) => config.threshold,
  copy: (body: Scored<TagBody>) => ({ ...body, labels: body.labels.map((l) => ({ ...l })) }),
  own: (body: AnyScored) => ('labels' in body ? body : undefined),
  logged: (body: TagBody) => ({ labels: body.labels }),
});
