/**
 * What the jobs module needs from the engine, injected by the composition root: the jobs
 * module sits below the engine (it imports no pipeline), and every chunk is still scored by
 * the same pipeline as a synchronous batch (`src/engine/job-scoring.ts` implements this).
 */
import type { LabelwiseError } from '../errors.js';
import type { LabelScore } from '../schema/index.js';
import type { StoredJobConfig } from './config.js';

/** One line's answer: the scored body with its tokens, or its own error (costs nothing). */
export type ScoredItem =
  | { ok: true; body: { label: string; confidence: number; tokens: number } | { labels: LabelScore[]; tokens: number } }
  | { ok: false; error: LabelwiseError };

/** A job's resolved label config, ready to score chunks. */
export interface PreparedScoring {
  /** Tokens the label config adds to every line (spec §9). */
  readonly configTokens: number;
  /** Scores items in order in the batch lane; `items[i]` is a text or that line's own error. */
  score(items: readonly (string | LabelwiseError)[], signal: AbortSignal): Promise<ScoredItem[]>;
}

export interface JobScoring {
  /** Resolves a stored config (422, CLASSIFIER_NOT_FOUND when its classifier was deleted). */
  prepare(config: StoredJobConfig, account: string): Promise<PreparedScoring>;
  /** 402 when billing is enforced and `tokens` at the batch price cannot be covered. */
  authorize(account: string, tokens: number): Promise<void>;
  /** Whether usage rows and charges are recorded (`EngineOptions.recordUsage`). */
  readonly recordsUsage: boolean;
}
