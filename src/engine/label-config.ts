import { LRUCache } from 'lru-cache';
import { LabelwiseError } from '../errors.js';
import type { Embedder } from '../model/embedder.js';
import { labelConfigChecks, type NormalizedRequest } from '../schema/index.js';
import { configHash, type LabelConfigInput } from '../scoring/prototypes.js';

/** A label config ready for scoring, with what identifies it in cache keys and bills. */
export interface ResolvedConfig extends LabelConfigInput {
  hash: string;
  /** `name@vN` when it came from a saved classifier. */
  classifier?: string;
  threshold: number;
  /** Model tokens of labels, descriptions, examples and text_type (spec §9). */
  tokens: number;
}

/** Looks up a saved classifier version of an account; `undefined` when there is none. */
export type ClassifierResolver = (ref: string, account: string) => Promise<(LabelConfigInput & { threshold?: number; ref: string }) | undefined>;

/** Resolves inline or saved label configs and remembers their token cost by content. */
export class LabelConfigResolver {
  readonly #embedder: Embedder;
  readonly #tokens = new LRUCache<string, number>({ max: 5_000 });
  readonly #resolveClassifier: ClassifierResolver;

  constructor(embedder: Embedder, resolveClassifier: ClassifierResolver) {
    this.#embedder = embedder;
    this.#resolveClassifier = resolveClassifier;
  }

  async resolve(req: NormalizedRequest, thresholdGiven: boolean, account: string): Promise<ResolvedConfig> {
    let base: LabelConfigInput & { threshold?: number; ref?: string };
    if (req.classifier) {
      const saved = await this.#resolveClassifier(req.classifier, account);
      if (!saved) throw new LabelwiseError('CLASSIFIER_NOT_FOUND', `classifier ${req.classifier} not found`, { classifier: req.classifier });
      // Request-level fields are merged over the saved ones; the request wins (spec §2).
      base = {
        ...saved,
        descriptions: { ...saved.descriptions, ...req.descriptions },
        examples: { ...saved.examples, ...req.examples },
        text_type: req.text_type ?? saved.text_type,
      };
      // The request's descriptions and examples must name labels of the saved classifier.
      labelConfigChecks({ labels: base.labels, descriptions: base.descriptions, examples: base.examples, text_type: base.text_type });
    } else {
      base = { labels: req.labels ?? [], descriptions: req.descriptions, examples: req.examples, text_type: req.text_type };
    }
    const config: LabelConfigInput = { labels: base.labels, descriptions: base.descriptions, examples: base.examples, text_type: base.text_type };
    const hash = configHash(config);
    return {
      ...config,
      hash,
      classifier: base.ref,
      threshold: thresholdGiven ? req.threshold : (base.threshold ?? req.threshold),
      tokens: this.#configTokens(hash, config),
    };
  }

  #configTokens(hash: string, config: LabelConfigInput): number {
    let n = this.#tokens.get(hash);
    if (n === undefined) {
      const count = (t: string) => this.#embedder.countTokens(t);
      n = config.labels.reduce((sum, l) => sum + count(l), 0);
      for (const d of Object.values(config.descriptions)) n += count(d);
      for (const list of Object.values(config.examples)) for (const e of list) n += count(e);
      if (config.text_type) n += count(config.text_type);
      this.#tokens.set(hash, n);
    }
    return n;
  }
}
