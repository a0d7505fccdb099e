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

  constructor(options: { max: number; ttlMs: number } | false) {
    this.#lru = options ? new LRUCache({ max: options.max, ttl: options.ttlMs }) : undefined;
  }

  get(key: string): { body: T; meta: CacheMeta } | undefined {
    const entry = this.#lru?.get(key);
    if (!entry) return undefined;
    return { body: entry.body, meta: { hit: true, age: Math.floor((Date.now() - entry.storedAt) / 1000), keyPrefix: key.slice(0, 16) } };
  }

  set(key: string, body: T, ttlMs?: number): void {
    this.#lru?.set(key, { body, storedAt: Date.now() }, ttlMs === undefined ? undefined : { ttl: ttlMs });
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
      Object.keys(value)
        .sort()
        .map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
