/**
 * A job's label config (spec §7.1): validated like a synchronous batch body, a saved classifier
 * pinned to the version it has at creation, so a job resumed after `v2` was saved still answers
 * every line with `v1`.
 */
import { validationError } from '../errors.js';
import { parseBatchRequest, type NormalizedRequest } from '../schema/index.js';
import type { ClassifierStore } from '../store/index.js';
import { JOB_MODES, type JobMode } from './types.js';

/** What a job row keeps of its config: the normalized label fields, the mode and the pinned classifier. */
export interface StoredJobConfig {
  mode: JobMode;
  labels?: string[];
  /** `name@vN`. */
  classifier?: string;
  descriptions: Record<string, string>;
  examples: Record<string, string[]>;
  text_type?: string;
  threshold?: number;
}

/** Validates a `POST /v1/batch` body: 422 naming the field; CLASSIFIER_NOT_FOUND for an unknown classifier. */
export async function parseJobConfig(input: unknown, classifiers: ClassifierStore, account: string): Promise<StoredJobConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw validationError('body', 'body must be a JSON object');
  const raw = input as Record<string, unknown>;
  const mode = raw.mode ?? 'single';
  if (typeof mode !== 'string' || !(JOB_MODES as readonly string[]).includes(mode)) throw validationError('mode', 'mode must be "single" or "multi"');
  // The label fields follow the synchronous batch rules exactly (one placeholder text).
  const request = parseBatchRequest({ ...raw, texts: ['-'] }, mode === 'multi' ? 'tag' : 'classify');
  const config: StoredJobConfig = { mode: mode as JobMode, descriptions: request.descriptions, examples: request.examples };
  if (request.labels) config.labels = request.labels;
  if (request.text_type !== undefined) config.text_type = request.text_type;
  if (request.threshold !== undefined && mode === 'multi') config.threshold = request.threshold;
  if (request.classifier !== undefined) {
    const saved = await classifiers.get(request.classifier, { account });
    config.classifier = `${saved.name}@${saved.version}`;
  }
  return config;
}

/** The stored config as the request the pipeline scores every line with (cache off: lines are one-offs). */
export function jobRequest(config: StoredJobConfig): NormalizedRequest {
  const { mode, ...fields } = config;
  const request = parseBatchRequest({ ...fields, texts: ['-'], cache: false }, mode === 'multi' ? 'tag' : 'classify');
  return { ...request, texts: undefined };
}
