import { LRUCache } from 'lru-cache';
import { classifierNotFound } from '../errors.js';
import type { Embedder } from '../model/embedder.js';
import { labelConfigChecks, REQUEST_DEFAULTS, type LabelConfig, type NormalizedRequest } from '../schema/index.js';
import { configHash } from '../scoring/prototypes.js';
import { canonicalKey } from './response-cache.js';

/** A label config ready for scoring, with what identifies it in cache keys and bills. */
export interface ResolvedConfig extends LabelConfig {
  /** Content hash of the config in label order (prototype cache key). */
  hash: string;
  /** Content hash that ignores label order (the answer does not depend on it): response cache key part. */
  answerHash: string;
  /** `name@vN` when it came from a saved classifier. */
  classifier?: string;
  /** Tag threshold: the request's, else the saved classifier's, else 0.5 (spec §2, §6). */
  threshold: number;
  /** Model tokens of labels, descriptions, examples and text_type (spec §9). */
  tokens: number;
}

/** Looks up a saved classifier version of an account; `undefined` when there is none. */
export type ClassifierResolver = (ref: string, account: string) => Promise<(LabelConfig & { threshold?: number; ref: string }) | undefined>;

/** Resolves inline or saved label configs and remembers their token cost by content. */
export class LabelConfigResolver {
  readonly #embedder: Embedder;
  readonly #derived: LRUCache<string, { tokens: number; answerHash: string }>;
  readonly #resolveClassifier: ClassifierResolver;

  constructor(embedder: Embedder, resolveClassifier: ClassifierResolver, options: { maxConfigs: number }) {
    this.#embedder = embedder;
    this.#resolveClassifier = resolveClassifier;
    this.#derived = new LRUCache({ max: options.maxConfigs });
  }

  async resolve(req: NormalizedRequest, account: string): Promise<ResolvedConfig> {
    let base: LabelConfig & { threshold?: number; ref?: string };
    if (req.classifier) {
      const saved = await this.#resolveClassifier(req.classifier, account);
      if (!saved) throw classifierNotFound(req.classifier);
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
    const config: LabelConfig = { labels: base.labels, descriptions: base.descriptions, examples: base.examples, text_type: base.text_type };
    const hash = configHash(config);
    const derived = this.#derive(hash, config);
    return {
      ...config,
      hash,
      answerHash: derived.answerHash,
      classifier: base.ref,
      threshold: req.threshold ?? base.threshold ?? REQUEST_DEFAULTS.threshold,
      tokens: derived.tokens,
    };
  }

  /** Token cost and order-free hash of a config, computed once per config (not per text). */
  #derive(hash: string, config: LabelConfig): { tokens: number; answerHash: string } {
    let d = this.#derived.get(hash);
    if (!d) {
      const count = (t: string) => this.#embedder.countTokens(t);
      let tokens = config.labels.reduce((sum, l) => sum + count(l), 0);
      for (const desc of Object.values(config.descriptions)) tokens += count(desc);
      for (const list of Object.values(config.examples)) for (const e of list) tokens += count(e);
      if (config.text_type) tokens += count(config.text_type);
      // Labels sorted: their order never changes the answer, so it must not split the cache.
      const answerHash = canonicalKey({ labels: [...config.labels].sort(), descriptions: config.descriptions, examples: config.examples, text_type: config.text_type ?? null });
      d = { tokens, answerHash };
      this.#derived.set(hash, d);
    }
    return d;
  }
}
