import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Embedder } from '../model/embedder.js';
import type { LabelConfig, Priority } from '../schema/index.js';
import { labelTemplates } from './label-text.js';
import { blend, mean } from '../vector/index.js';
import { FewShotHead, type HeadFitOptions } from './few-shot-head.js';
import { fitHeadInline, type HeadFitter } from './head-task.js';

/** One vector per label, in the config's label order, plus what went into it. */
export interface LabelPrototypes {
  labels: string[];
  vectors: Float32Array[];
  /** Fitted when there are two or more labels and any of them has examples; `classify` scores through it. */
  head?: FewShotHead;
}

/**
 * Builds label prototypes and caches them twice: every embedded sentence by content (so labels
 * shared between configs are embedded once) and every whole config by its hash (so a repeated
 * label set costs one hash lookup). Concurrent requests for the same config share one build.
 */
export class PrototypeBuilder {
  readonly #embedder: Embedder;
  readonly #sentences: LRUCache<string, Float32Array>;
  readonly #configs: LRUCache<string, Promise<LabelPrototypes>>;
  readonly #fitHead: HeadFitter;
  readonly #head: Partial<HeadFitOptions> | undefined;

  /**
   * `fitHead` fits few-shot heads (e.g. on the pool's workers via `fitHeadOn`); inline by default.
   * `head`: the model's fit choices (its calibrated zero-shot temperature is the head's prior).
   */
  constructor(embedder: Embedder, options: { maxSentences: number; maxConfigs: number; fitHead?: HeadFitter; head?: Partial<HeadFitOptions> }) {
    this.#embedder = embedder;
    this.#fitHead = options.fitHead ?? fitHeadInline;
    this.#head = options.head;
    this.#sentences = new LRUCache({ max: options.maxSentences });
    this.#configs = new LRUCache({ max: options.maxConfigs });
  }

  /** Prototypes of a config; `hash` (its `configHash`) may be passed when already known. */
  build(config: LabelConfig, priority: Priority = 'standard', hash?: string): Promise<LabelPrototypes> {
    const key = hash ?? configHash(config);
    let built = this.#configs.get(key);
    if (!built) {
      built = this.#build(config, priority);
      this.#configs.set(key, built);
      // A failed build (e.g. overload) must not poison the cache for later calls.
      built.catch(() => this.#configs.delete(key));
    }
    return built;
  }

  async #build(config: LabelConfig, priority: Priority): Promise<LabelPrototypes> {
    const plans = config.labels.map((label) => ({
      templates: labelTemplates(label, config.text_type),
      // Own properties only: a label may be called "constructor" or "__proto__".
      description: (Object.hasOwn(config.descriptions, label) ? config.descriptions[label] : '').trim() || undefined,
      // A repeated example is one example: duplicates must not change the answer.
      examples: Object.hasOwn(config.examples, label) ? [...new Set(config.examples[label])] : [],
    }));
    const wanted = new Set<string>();
    for (const p of plans) {
      for (const t of p.templates) wanted.add(t);
      if (p.description) wanted.add(p.description);
      for (const e of p.examples) wanted.add(e);
    }
    // Vectors are held locally: a concurrent build may evict them from the shared cache meanwhile.
    const embedded = await this.#embedAll([...wanted], priority);
    const vec = (text: string) => embedded.get(text) as Float32Array;
    const names = plans.map((p) => {
      const name = mean(p.templates.map(vec));
      // The description as written, at half the name's weight (measured better than a "label: …"
      // prefix or equal weight on every evaluation set).
      return p.description ? blend([{ vector: name, weight: 1 }, { vector: vec(p.description), weight: 0.5 }]) : name;
    });
    const vectors = plans.map((p, i) => {
      if (p.examples.length === 0) return names[i];
      // More examples earn more trust than the name; a single example does not outvote it.
      const centroid = mean(p.examples.map(vec));
      return blend([{ vector: names[i], weight: 1 }, { vector: centroid, weight: Math.min(p.examples.length, 8) / 2 }]);
    });
    const examples = plans.flatMap((p, label) => p.examples.map((e) => ({ vector: vec(e), label })));
    let head: FewShotHead | undefined;
    if (config.labels.length > 1 && examples.length > 0) {
      head = new FewShotHead(names, await this.#fitHead(names, examples, this.#head));
    }
    return { labels: config.labels, vectors, head };
  }

  async #embedAll(texts: string[], priority: Priority): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const missing: string[] = [];
    for (const t of texts) {
      const cached = this.#sentences.get(t);
      if (cached) found.set(t, cached);
      else missing.push(t);
    }
    if (missing.length > 0) {
      const embedded = await this.#embedder.embed(missing, { priority });
      missing.forEach((t, i) => {
        found.set(t, embedded[i].vector);
        this.#sentences.set(t, embedded[i].vector);
      });
    }
    return found;
  }
}

/** Content hash of a label config: label order matters for the prototypes array, not for answers. */
export function configHash(config: LabelConfig): string {
  return createHash('sha256')
    .update(JSON.stringify([config.labels, sortKeys(config.descriptions), sortKeys(config.examples), config.text_type ?? null]))
    .digest('hex');
}

function sortKeys<T>(record: Record<string, T>): [string, T][] {
  return Object.keys(record)
    .sort()
    .map((k) => [k, record[k]]);
}
