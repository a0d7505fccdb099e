/** The saved classifier store (spec §6). */
import type { AccountOption } from './common.js';

/** Body of `POST /v1/classifiers` (spec §6); label rules as spec §2. */
export interface ClassifierInput {
  /** `^[a-z0-9][a-z0-9_-]{0,63}$` */
  name: string;
  labels: string[];
  descriptions?: Record<string, string>;
  examples?: Record<string, string[]>;
  text_type?: string | null;
  /** 0–1, used by tag requests. */
  threshold?: number | null;
}

/** One immutable version of a saved classifier. */
export interface ClassifierVersion {
  name: string;
  /** `v1`, `v2`, … */
  version: string;
  labels: string[];
  descriptions: Record<string, string>;
  examples: Record<string, string[]>;
  text_type: string | null;
  threshold: number | null;
  created_at: string;
}

/** `GET /v1/classifiers/{name}`: a version in full plus every version name. */
export interface ClassifierDetail extends ClassifierVersion {
  /** Every version, oldest first. */
  versions: string[];
}

/** One entry of `GET /v1/classifiers`. */
export interface ClassifierSummary {
  name: string;
  latest_version: string;
  /** Every version, oldest first. */
  versions: string[];
  /** When v1 was created. */
  created_at: string;
  /** When the latest version was created. */
  updated_at: string;
}

/** Saved classifiers of spec §6, per account. */
export interface ClassifierStore {
  /**
   * Stores `input` as `v1` of a new name, or as the next version of an existing one.
   * Concurrent creators of one name always get distinct, contiguous versions.
   * @throws `VALIDATION_ERROR` with `details.field`.
   * @example
   * ```ts
   * await stores.classifiers.create({ name: 'support', labels: ['billing', 'shipping'] }); // v1
   * ```
   */
  create(input: ClassifierInput, options?: AccountOption): Promise<ClassifierVersion>;
  /** The account's classifiers, by name. */
  list(options?: AccountOption): Promise<{ classifiers: ClassifierSummary[] }>;
  /**
   * `name` (latest) or `name@vN`.
   * @throws `CLASSIFIER_NOT_FOUND` for an unknown name or version.
   */
  get(ref: string, options?: AccountOption): Promise<ClassifierDetail>;
  /**
   * Removes every version of `name`.
   * @throws `CLASSIFIER_NOT_FOUND`.
   */
  delete(name: string, options?: AccountOption): Promise<{ name: string; deleted: true }>;
}
