/**
 * The options resolver: a declarative spec of an options object (see `./fields.ts`) checked
 * at every depth — unknown keys with a "did you mean", types, ranges — and resolved to deeply
 * frozen defaults. Every public options object goes through {@link object}.
 */
import { LabelwiseOptionsError } from './error.js';

/** One option: what it accepts (for messages) and how a given value resolves. */
export interface Field<T> {
  /** What the option accepts, e.g. `a positive integer (ms)`. */
  readonly expected: string;
  /** Resolves `value` (`undefined`: not given → the default) or throws naming `path`. */
  resolve(value: unknown, path: string): T;
}

/** The resolved type of a field or spec. */
export type Resolved<F> = F extends Field<infer T> ? T : never;

/** A spec: option name → field. */
export type Spec = Record<string, Field<unknown>>;

/** The resolved, frozen object of a spec. */
export type ResolvedSpec<S extends Spec> = { readonly [K in keyof S]: Resolved<S[K]> };

/** `option "pool.workers"`, or `options` for the object itself. */
export function optionName(path: string): string {
  return path === '' ? 'options' : `option "${path}"`;
}

export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A short, safe rendering of a wrong value for a message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const s = JSON.stringify(value);
      return s.length > 42 ? `${s.slice(0, 40)}…"` : s;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return 'a function';
    case 'undefined':
      return 'undefined';
    default:
      return 'an object';
  }
}

/** The error for a value of the wrong type or out of range. */
export function invalid(path: string, expected: string, value: unknown): LabelwiseOptionsError {
  return new LabelwiseOptionsError(path, `${optionName(path)} must be ${expected} (got ${describeValue(value)})`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A nested options object. Absent → every field's default; present → unknown keys refused
 * (with the nearest known name), each field resolved, the result frozen.
 */
export function object<S extends Spec>(spec: S): Field<ResolvedSpec<S>> {
  const known = Object.keys(spec);
  return {
    expected: 'an object',
    resolve(value, path) {
      const given = value === undefined ? {} : value;
      if (!isPlainObject(given)) throw invalid(path, 'an object', value);
      rejectUnknown(given, known, path);
      const out: Record<string, unknown> = {};
      for (const key of known) out[key] = spec[key].resolve(given[key], childPath(path, key));
      return Object.freeze(out) as ResolvedSpec<S>;
    },
  };
}

/** Resolves a whole options object (`undefined` → all defaults) against its spec. */
export function resolveWith<S extends Spec>(spec: Field<ResolvedSpec<S>>, options: unknown): ResolvedSpec<S> {
  return spec.resolve(options, '');
}

/** A misspelt or removed option fails loudly with the likely fix instead of being ignored. */
export function rejectUnknown(given: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    const hint = near !== undefined ? `; did you mean "${childPath(path, near)}"?` : `; known options: ${known.map((k) => childPath(path, k)).join(', ')}`;
    throw new LabelwiseOptionsError(childPath(path, key), `unknown option "${childPath(path, key)}"${hint}`);
  }
}

/**
 * The known name closest to `key`: the same up to case, or within a third of the longer
 * name's length in edits (at least one) — and never a total rewrite of a short name.
 */
export function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(k.toLowerCase(), lower);
    const allowed = Math.max(1, Math.floor(Math.max(k.length, key.length) / 3));
    if (d <= allowed && d < Math.min(k.length, key.length) && d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row of memory. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
