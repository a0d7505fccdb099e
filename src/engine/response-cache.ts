import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** What the HTTP adapter reports about a lookup (X-Cache, X-Cache-Key, X-Cache-Age). */
export interface CacheMeta {
  hit: boolean;
  /** Seconds since the entry was stored (hits only). */
  age?: number;
  /** First 16 hex chars of the cache key. */
  keyPrefix: string;
}

interface Entry<T> {
  body: T;
  storedAt: number;
}

/**
 * Response cache per spec §9: keyed by a SHA-256 over a canonical form of everything that
 * determines the answer, never by priority or the `cache` flag.
 */
export class ResponseCache<T extends object> {
  readonly #lru: LRUCache<string, Entry<T>> | undefined;

  readonly #ttl: Record<string, number>;

  constructor(options: { max: number; ttlMs: Record<string, number> } | false) {
    this.#ttl = options ? options.ttlMs : {};
    // Every entry carries its own TTL (by the caller's tier); the longest is the default.
    // The clock is read through the global on every lookup (no cached "now"): exact expiry,
    // and fake timers in tests apply.
    this.#lru = options ? new LRUCache({ max: options.max, ttl: Math.max(...Object.values(options.ttlMs)), ttlResolution: 0, perf: { now: () => performance.now() } }) : undefined;
  }

  get(key: string): { body: T; meta: CacheMeta } | undefined {
    const entry = this.#lru?.get(key);
    if (!entry) return undefined;
    return { body: entry.body, meta: { hit: true, age: Math.floor((Date.now() - entry.storedAt) / 1000), keyPrefix: key.slice(0, 16) } };
  }

  /** Stores an answer for the caller's tier's TTL (spec §9: public 5 min, developer 1 h, production 24 h). */
  set(key: string, body: T, tier: string = 'developer'): void {
    this.#lru?.set(key, { body, storedAt: Date.now() }, { ttl: this.#ttl[tier] });
  }

  clear(): void {
    this.#lru?.clear();
  }
}

/** Canonical JSON: object keys sorted at every depth, so equal requests hash equally. */
export function canonicalKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortDeep(parts))).digest('hex');
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortDeep(v)]),
    );
  }
  return value;
}
