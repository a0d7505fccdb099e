/**
 * The jobs module's scoring port over the pipeline: a job's lines run through the same
 * `prepare` + `runMany` as a synchronous batch, in the batch lane, cache off, charged by the
 * jobs store with each checkpoint at the batch price (so not recorded here).
 */
import { isLabelwiseError, type LabelwiseError } from '../errors.js';
import { jobRequest, type JobScoring, type PreparedScoring, type ScoredItem, type StoredJobConfig } from '../jobs/index.js';
import type { Accounting } from './accounting.js';
import { CLASSIFY, TAG, type ClassifyBody, type EndpointSpec, type TagBody } from './endpoints.js';
import type { Pipeline } from './pipeline.js';

export function jobScoring(pipeline: Pipeline, accounting: Accounting, recordsUsage: boolean): JobScoring {
  return {
    recordsUsage,
    authorize: (account, tokens) => accounting.authorize({ account }, tokens, 'batch'),
    async prepare(config: StoredJobConfig, account: string): Promise<PreparedScoring> {
      const request = jobRequest(config);
      const spec = (config.mode === 'multi' ? TAG : CLASSIFY) as EndpointSpec<ClassifyBody | TagBody>;
      const prepared = await pipeline.prepare(request, { account }, { textOf: (item) => (isLabelwiseError(item) ? item : String(item)) });
      return {
        configTokens: prepared.config.tokens,
        async score(items: readonly (string | LabelwiseError)[], signal: AbortSignal): Promise<ScoredItem[]> {
          const chunk = await pipeline.runMany(spec, items, prepared, { account, signal }, { lane: 'batch', authorized: true });
          return chunk.results.map((r): ScoredItem => {
            if (!r.ok) return { ok: false, error: r.error };
            const { visual_tokens: _visual, ...body } = r.body;
            return { ok: true, body };
          });
        },
      };
    },
  };
}
